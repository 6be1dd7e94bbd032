package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// `paperfeed check` warns when hubs are told about feeds at a loopback
// base_url, which no hub can fetch; a bad hub is a config error at its line.
func TestCheckWebSubHubs(t *testing.T) {
	const warning = "websub_hubs are set but base_url"
	dir := t.TempDir()
	for _, tt := range []struct {
		name, server string
		code         int
		want, not    string
	}{
		{"loopback", "websub_hubs = [\"https://pubsubhubbub.appspot.com/\"]\n", 0, warning + ` "http://127.0.0.1:8080" is a loopback address`, ""},
		{"public", "base_url = \"https://papers.example.org\"\nwebsub_hubs = [\"https://pubsubhubbub.appspot.com/\"]\n", 0, "websub_hubs: https://pubsubhubbub.appspot.com/\n", warning},
		{"no hubs", "", 0, "", "websub"},
		{"bad hub", "websub_hubs = [\n  \"pubsubhubbub.appspot.com\",\n]\n", 2, "bad hub.toml:3:3: websub_hubs: \"pubsubhubbub.appspot.com\": want an absolute http(s) URL", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			all := checkConfig(t, filepath.Join(dir, tt.name+".toml"),
				"[server]\n"+tt.server+"[[source]]\nname = \"s\"\ntype = \"feed\"\nurl = \"https://example.org/feed.rss\"\n", tt.code)
			if !strings.Contains(all, tt.want) || (tt.not != "" && strings.Contains(all, tt.not)) {
				t.Errorf("output should contain %q and not %q:\n%s", tt.want, tt.not, all)
			}
		})
	}
}
