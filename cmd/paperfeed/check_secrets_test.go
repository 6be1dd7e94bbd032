package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `paperfeed check` names each source's URL, and a bad one, redacted.
func TestCheckRedactsSourceURLs(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, url string
		code      int
		want      string
	}{
		{"listed", "https://alice:PASSW0RD@example.org/feed?api_key=SECRET", 0, "https://REDACTED@example.org/feed?api_key=REDACTED"},
		{"refused", "ftp://alice:PASSW0RD@example.org/feed?api_key=SECRET", 2, "ftp://REDACTED@example.org/feed?api_key=REDACTED"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := filepath.Join(dir, tt.name+".toml")
			os.WriteFile(cfg, []byte("[[source]]\nname = \"s\"\ntype = \"feed\"\nurl = \""+tt.url+"\"\n"), 0o644)
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), []string{"check", "-config", cfg}, &stdout, &stderr)
			if code := exitCode(err, &stderr); code != tt.code {
				t.Errorf("exit %d, want %d (%v)", code, tt.code, err)
			}
			all := stdout.String() + stderr.String()
			if !strings.Contains(all, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, all)
			}
			if strings.Contains(all, "SECRET") || strings.Contains(all, "PASSW0RD") {
				t.Errorf("output shows a secret:\n%s", all)
			}
		})
	}
}
