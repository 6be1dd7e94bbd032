package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/digest"
	"github.com/paperfeed/paperfeed/aggregator/likefile"
	"github.com/paperfeed/paperfeed/aggregator/redact"
	"github.com/paperfeed/paperfeed/aggregator/topic"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

// previewTitles is how many of a topic's newest titles check shows.
const previewTitles = 3

func runCheck(ctx context.Context, cfg *config.Config, now func() time.Time, stdout io.Writer) error {
	fmt.Fprintf(stdout, "config %s: ok\n", cfg.Path)
	fmt.Fprintf(stdout, "storage: %s\nlisten: %s\nbase_url: %s\n", cfg.Storage.Backend(), cfg.Server.Listen, cfg.Server.BaseURL)
	if len(cfg.Server.WebSubHubs) > 0 {
		fmt.Fprintf(stdout, "websub_hubs: %s\n", strings.Join(cfg.Server.WebSubHubs, ", "))
	}
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
	printDigests(cfg, now(), stdout)

	// The preview reads an existing store only: check never creates one.
	var store db.Store
	if cfg.Storage.URL != "" {
		// A database server: say whether it answers; the preview needs it to.
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		s, err := openStore(pctx, cfg, now)
		cancel()
		if err != nil {
			fmt.Fprintf(stdout, "storage: not reachable: %v\n", redact.Error(err))
		} else {
			fmt.Fprintln(stdout, "storage: reachable")
			defer s.Close()
			store = s
		}
	} else if _, err := os.Stat(cfg.Storage.Path); err == nil {
		s, err := sqlite.Open(ctx, cfg.Storage.Path, sqlite.Options{Now: now})
		if err != nil {
			return fmt.Errorf("open store for the topic preview: %w", err)
		}
		defer s.Close()
		store = s
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store for the topic preview: %w", err)
	}
	var stored int64
	if store != nil {
		st, err := store.Stats(ctx)
		if err != nil {
			return fmt.Errorf("topic preview: %w", err)
		}
		stored = st.Papers
	}

	fmt.Fprintf(stdout, "\ntopics (%d):\n", len(cfg.Topics))
	if store == nil {
		fmt.Fprintf(stdout, "  (no store at %s: the preview of what each topic matches needs one; run `paperfeed collect` first)\n", cfg.Storage.Backend())
	} else {
		fmt.Fprintf(stdout, "  matched against the %d papers stored now:\n", stored)
	}
	var empty []string
	for _, t := range cfg.Topics {
		fmt.Fprintf(stdout, "\n  %s  %s/topics/%s.atom\n", t.Name, cfg.Server.BaseURL, t.Name)
		for _, f := range topicFilters(t) {
			fmt.Fprintf(stdout, "    %-11s %s\n", f[0]+":", f[1])
		}
		if store == nil {
			continue
		}
		ps, err := topic.Papers(ctx, store, t, 0, now())
		if err != nil {
			return fmt.Errorf("topic %q preview: %w", t.Name, err)
		}
		fmt.Fprintf(stdout, "    %-11s %d of %d papers\n", "matches:", len(ps), stored)
		for _, p := range newestTitles(ps, previewTitles) {
			fmt.Fprintf(stdout, "      - %s\n", p)
		}
		if len(ps) == 0 {
			empty = append(empty, t.Name)
		}
	}
	for _, name := range empty {
		fmt.Fprintf(stdout, "\nwarning: topic %q matches none of the %d stored papers: check its query, sources and categories above\n", name, stored)
	}
	if store == nil {
		return nil
	}
	ws, err := exemplarWarnings(ctx, store, cfg.Topics)
	if err != nil {
		return fmt.Errorf("topic exemplars: %w", err)
	}
	for _, w := range ws {
		fmt.Fprintf(stdout, "\nwarning: %s\n", w)
	}
	return nil
}

// printDigests lists the mail server and each digest with its next send
// time; never the password (only where it comes from).
func printDigests(cfg *config.Config, now time.Time, stdout io.Writer) {
	if cfg.Mail == nil {
		return
	}
	m := cfg.Mail
	pw := "no password"
	switch {
	case m.PasswordFile != "":
		pw = "password from " + m.PasswordFile
	case m.Password != "":
		pw = "password from $" + config.PasswordEnv
	}
	user := "no login"
	if m.Username != "" {
		user = "login " + m.Username
	}
	fmt.Fprintf(stdout, "\nmail: %s (%s), %s, %s, from %s\n", m.SMTP, m.Security, user, pw, m.From)
	fmt.Fprintf(stdout, "digests (%d):\n", len(cfg.Digests))
	for _, d := range cfg.Digests {
		next := digest.ScheduleOf(d).Next(now)
		fmt.Fprintf(stdout, "  %-20s every %s at %s %s, next %s, up to %d papers per topic\n    topics: %s\n    to: %s\n",
			d.Name, d.Every, d.At, d.Location, next.Format("2006-01-02 15:04 MST"), d.MaxPapers,
			strings.Join(d.Topics, ", "), strings.Join(d.To, ", "))
	}
}

// exemplarWarnings name the like and unlike entries of the topics that no
// stored paper has: those topic.ExemplarProblems finds (what /status shows,
// with the upstream's answer), and the others as not fetched yet.
func exemplarWarnings(ctx context.Context, store db.Store, topics []config.Topic) ([]string, error) {
	files := likefile.NewCache() // each like_file read once
	var out []string
	for _, t := range topics {
		if !t.IsLike() && len(t.Unlike) == 0 {
			continue
		}
		probs, err := topic.ExemplarProblems(ctx, files, store, t)
		if err != nil {
			return nil, err
		}
		known := map[string]bool{}
		for _, p := range probs {
			out = append(out, fmt.Sprintf("topic %q: exemplar %s: %s", t.Name, p.Entry, p.Reason))
			known[p.Entry] = true
		}
		likes, _ := topic.Exemplars(files, t)
		_, missing, err := topic.Resolve(ctx, store, append(slices.Clip(likes), t.Unlike...))
		if err != nil {
			return nil, err
		}
		for _, e := range missing {
			if known[e] {
				continue
			}
			upstream := "Crossref"
			if topic.ArxivEntry(e) != "" {
				upstream = "arXiv"
			}
			out = append(out, fmt.Sprintf("topic %q: exemplar %s is not stored yet: `paperfeed collect` fetches it from %s", t.Name, e, upstream))
		}
	}
	return out, nil
}

// topicFilters are a topic's selection settings, each as check prints it.
func topicFilters(t config.Topic) [][2]string {
	or := func(v, dflt string) string {
		if v == "" {
			return dflt
		}
		return v
	}
	list := func(v []string) string { return or(strings.Join(v, ", "), "any") }
	since := "no limit"
	if t.Since > 0 {
		since = "published within " + t.Since.String()
	}
	upvotes := "no minimum"
	if t.MinUpvotes > 0 {
		upvotes = fmt.Sprintf("at least %d", t.MinUpvotes)
	}
	return [][2]string{
		{"query", or(t.Query, "(every paper)")},
		{"exclude", or(t.Exclude, "(nothing)")},
		{"sources", list(t.Sources)},
		{"categories", list(t.Categories)},
		{"upvotes", upvotes},
		{"since", since},
		{"sort", fmt.Sprintf("%s; keeps every paper of the last %s up to %d, at least %d", t.Sort, t.Window, t.Cap, t.Limit)},
	}
}

// newestTitles are the titles of the n most recently published papers of ps
// (first seen where a listing gave no date), each with its date.
func newestTitles(ps []*model.Paper, n int) []string {
	when := func(p *model.Paper) time.Time {
		if p.Published.IsZero() {
			return p.FirstSeen
		}
		return p.Published
	}
	ps = slices.Clone(ps)
	slices.SortStableFunc(ps, func(a, b *model.Paper) int { return when(b).Compare(when(a)) })
	var out []string
	for _, p := range ps[:min(n, len(ps))] {
		title := strings.Join(strings.Fields(p.Title), " ")
		if r := []rune(title); len(r) > 100 {
			title = string(r[:99]) + "…"
		}
		out = append(out, when(p).UTC().Format("2006-01-02")+"  "+title)
	}
	return out
}

// warnings are legal but risky settings.
func warnings(cfg *config.Config) []string {
	var out []string
	host, _, _ := net.SplitHostPort(cfg.Server.Listen)
	if !isLoopback(host) && strings.HasPrefix(cfg.Server.BaseURL, "http://") {
		out = append(out, fmt.Sprintf("listen %q is not loopback and base_url %q is plain http: put a TLS-terminating proxy in front and use an https base_url", cfg.Server.Listen, cfg.Server.BaseURL))
	}
	if u, err := url.Parse(cfg.Server.BaseURL); err == nil && isLoopback(u.Hostname()) {
		out = append(out, fmt.Sprintf("base_url %q is a loopback address: a site written by `paperfeed export` links its feeds there, which only this machine can reach; set base_url to the address the site is published at", cfg.Server.BaseURL))
	}
	if u, err := url.Parse(cfg.Server.BaseURL); err == nil && isLoopback(u.Hostname()) && len(cfg.Server.WebSubHubs) > 0 {
		out = append(out, fmt.Sprintf("websub_hubs are set but base_url %q is a loopback address: a hub cannot fetch the feeds it is told about there, so announcements fail or deliver nothing; set base_url to the public address", cfg.Server.BaseURL))
	}
	for _, s := range cfg.Sources {
		if s.Type == "arxiv-api" && cfg.Interval(s) < time.Hour {
			out = append(out, fmt.Sprintf("source %q (arxiv-api) is polled every %s: the arXiv API asks for no more than hourly polling of the same query (its results change once a day); set interval = \"1h\" or more", s.Name, cfg.Interval(s)))
		}
	}
	return append(out, topic.Warnings(cfg.Topics)...)
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return strings.EqualFold(host, "localhost") || (ip != nil && ip.IsLoopback())
}
