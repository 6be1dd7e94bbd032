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
			all := checkConfig(t, filepath.Join(dir, tt.name+".toml"), "[[source]]\nname = \"s\"\ntype = \"feed\"\nurl = \""+tt.url+"\"\n", tt.code)
			if !strings.Contains(all, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, all)
			}
			if strings.Contains(all, "SECRET") || strings.Contains(all, "PASSW0RD") {
				t.Errorf("output shows a secret:\n%s", all)
			}
		})
	}
}

// checkConfig writes text to path, runs `paperfeed check` on it, checks its
// exit code and returns its output (standard output, then standard error).
func checkConfig(t *testing.T, path, text string, wantCode int) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"check", "-config", path}, &stdout, &stderr)
	if code := exitCode(err, &stderr); code != wantCode {
		t.Errorf("exit %d, want %d (%v)", code, wantCode, err)
	}
	return stdout.String() + stderr.String()
}
