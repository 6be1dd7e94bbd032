package status

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator"
	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/db"
)

// The secrets of the source URLs below, and the start of a local file that
// is not a feed: none may reach /status, the summary line or the log (the
// file's bytes may reach the log, which is the operator's).
var (
	secrets   = []string{"PASSW0RD", "SECRET"}
	fileBytes = "root:x:0:0:"
)

// rssOK is a one-item RSS document (synthetic).
const rssOK = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://example.org/</link><description>d</description>
<item><title>A paper on sheaves</title><link>http://example.org/p/1</link><guid>p1</guid></item></channel></rss>`

func TestStatusAndLogsNeverShowSecrets(t *testing.T) {
	ctx := context.Background()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/500":
			// Error pages echo the request: the body is logged, redacted.
			http.Error(w, "no such key: "+r.URL.RequestURI(), http.StatusInternalServerError)
		case "/redirect":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		case "/html":
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<!DOCTYPE html><html><body>Log in. "+fileBytes+" "+r.URL.RequestURI()+"</body></html>")
		case "/ok":
			w.Header().Set("ETag", `"v1"`)
			w.Header().Set("Content-Type", "application/rss+xml")
			io.WriteString(w, rssOK)
		}
	}))
	defer up.Close()
	withSecrets := func(path string) string {
		return strings.Replace(up.URL, "http://", "http://alice:PASSW0RD@", 1) + path + "?db=x&api_key=SECRET"
	}
	passwd := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(passwd, []byte(fileBytes+"root:/root:/bin/bash\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	cfg := config.Default()
	cfg.Sources = []config.Source{
		{Name: "http500", Type: "feed", URL: withSecrets("/500")},
		{Name: "redirect", Type: "feed", URL: withSecrets("/redirect")},
		{Name: "notafeed", Type: "feed", URL: withSecrets("/html")},
		{Name: "ok", Type: "feed", URL: withSecrets("/ok")},
		{Name: "file", Type: "feed", URL: "file://" + passwd},
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	store := openStore(t)
	var logged bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := aggregator.New(cfg, store, fetch.New(fetch.Options{Timeout: 5 * time.Second}), aggregator.Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	var summaries strings.Builder
	for _, s := range c.CollectAll(ctx) {
		fmt.Fprintln(&summaries, s.String())
		if (s.Err == nil) != (s.Source == "ok") {
			t.Errorf("%s: unexpected outcome %v", s.Source, s)
		}
	}
	h := New(cfg, store, "", nil)
	get := func(target string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		return rec
	}
	page, js := get("/status"), get("/status?format=json")

	for _, out := range []struct{ name, text string }{
		{"summary lines", summaries.String()},
		{"log", logged.String()},
		{"/status", page.Body.String()},
		{"/status?format=json", js.Body.String()},
	} {
		for _, secret := range secrets {
			if strings.Contains(out.text, secret) {
				t.Errorf("%s shows %s:\n%s", out.name, secret, out.text)
			}
		}
		if !strings.Contains(out.text, "REDACTED") {
			t.Errorf("%s does not name the source URLs (redacted):\n%s", out.name, out.text)
		}
		if out.name != "log" && strings.Contains(out.text, fileBytes) {
			t.Errorf("%s shows the start of a body:\n%s", out.name, out.text)
		}
	}
	// What /status leaves out the operator's log keeps.
	for _, want := range []string{fileBytes, "no such key: /500?db=x&api_key=REDACTED", `redirect to file:///etc/passwd refused`} {
		if !strings.Contains(logged.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logged.String())
		}
	}
	for _, want := range []string{"not a feed", "HTTP 500", "redirect to file:///etc/passwd refused", `ETag &#34;v1&#34;`} {
		if !strings.Contains(page.Body.String(), want) {
			t.Errorf("/status lacks %q", want)
		}
	}
}

// Rows recorded before redaction existed are redacted when shown.
func TestStatusRedactsStoredRows(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	cfg := config.Default()
	cfg.Sources = []config.Source{{Name: "old", Type: "feed", URL: "https://example.org/f"}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	if err := store.SaveSourceState(ctx, db.SourceState{
		Name: "old", Type: "feed", LastAttempt: at, LastErrorAt: at, Failures: 1, NextCheck: at,
		LastError:   "GET https://alice:PASSW0RD@example.org/f?api_key=SECRET: HTTP 500 Internal Server Error",
		LastSummary: "error: GET https://alice:PASSW0RD@example.org/f?api_key=SECRET: HTTP 500 Internal Server Error",
		State:       []byte(`{"validators":{"https://alice:PASSW0RD@example.org/f?api_key=SECRET":{"etag":"\"v1\""}}}`),
	}); err != nil {
		t.Fatal(err)
	}
	h := New(cfg, store, "", nil)
	for _, target := range []string{"/status", "/status?format=json"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		for _, secret := range secrets {
			if strings.Contains(rec.Body.String(), secret) {
				t.Errorf("%s shows %s:\n%s", target, secret, rec.Body.String())
			}
		}
		if !strings.Contains(rec.Body.String(), "https://REDACTED@example.org/f?api_key=REDACTED") {
			t.Errorf("%s does not show the redacted URL:\n%s", target, rec.Body.String())
		}
	}
}

// /status sends the security headers of the other HTML pages.
func TestStatusSecurityHeaders(t *testing.T) {
	store := openStore(t)
	cfg := config.Default()
	h := New(cfg, store, "", nil)
	for _, target := range []string{"/status", "/status?format=json"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		hdr := rec.Result().Header
		for name, want := range map[string]string{
			"X-Content-Type-Options":  "nosniff",
			"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
			"Referrer-Policy":         "no-referrer",
		} {
			if got := hdr.Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", target, name, got, want)
			}
		}
	}
}
