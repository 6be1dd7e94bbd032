package main

import (
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/redact"
	"github.com/paperfeed/paperfeed/aggregator/topic"
)

func runCheck(cfg *config.Config, stdout io.Writer) error {
	fmt.Fprintf(stdout, "config %s: ok\n", cfg.Path)
	fmt.Fprintf(stdout, "storage: %s\nlisten: %s\nbase_url: %s\n", cfg.Storage.Path, cfg.Server.Listen, cfg.Server.BaseURL)
	for _, w := range warnings(cfg) {
		fmt.Fprintln(stdout, "warning:", w)
	}
	fmt.Fprintf(stdout, "\nsources (%d):\n", len(cfg.Sources))
	for _, s := range cfg.Sources {
		where := redact.URL(s.URL)
		switch {
		case where != "":
		case s.Type == "arxiv":
			where = "categories " + strings.Join(s.Categories, "+")
		case s.Type == "arxiv-api":
			where = "query " + s.Query
		default:
			where = "default endpoint"
		}
		fmt.Fprintf(stdout, "  %-20s %-12s every %-8s %s\n", s.Name, s.Type, cfg.Interval(s), where)
	}
	fmt.Fprintf(stdout, "\ntopics (%d):\n", len(cfg.Topics))
	for _, t := range cfg.Topics {
		q := t.Query
		if q == "" {
			q = "(every paper)"
		}
		fmt.Fprintf(stdout, "  %-20s %s/topics/%s.atom  %s\n", t.Name, cfg.Server.BaseURL, t.Name, q)
	}
	return nil
}

// warnings are legal but risky settings.
func warnings(cfg *config.Config) []string {
	var out []string
	host, _, _ := net.SplitHostPort(cfg.Server.Listen)
	ip := net.ParseIP(host)
	loopback := host == "localhost" || (ip != nil && ip.IsLoopback())
	if !loopback && strings.HasPrefix(cfg.Server.BaseURL, "http://") {
		out = append(out, fmt.Sprintf("listen %q is not loopback and base_url %q is plain http: put a TLS-terminating proxy in front and use an https base_url", cfg.Server.Listen, cfg.Server.BaseURL))
	}
	return append(out, topic.Warnings(cfg.Topics)...)
}
