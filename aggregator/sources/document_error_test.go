package sources

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperfeed/paperfeed/aggregator/config"
)

// passwd is what a file:// source pointed at the wrong file reads.
const passwd = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"

// A body that is not a document of the source's kind fails the pass with a
// message that has none of its bytes (the message reaches the public
// /status); the start of the body is the error's Detail, for the log.
func TestUnreadableDocumentKeepsBodyOutOfMessage(t *testing.T) {
	file := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(file, []byte(passwd), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, _ := server(t, body(200, "text/plain", []byte(passwd)))
	for _, tc := range []struct {
		src  config.Source
		want string
	}{
		{config.Source{Name: "f", Type: "feed", URL: "file://" + file}, "not a feed"},
		{config.Source{Name: "f", Type: "feed", URL: srv.URL}, "not a feed"},
		{config.Source{Name: "a", Type: "arxiv", URL: srv.URL}, "not a feed"},
		{config.Source{Name: "q", Type: "arxiv-api", Query: "cat:cs.CL", URL: srv.URL}, "not an Atom feed"},
		{config.Source{Name: "h", Type: "huggingface", URL: srv.URL, Days: 1}, "not JSON"},
		{config.Source{Name: "b", Type: "biorxiv", URL: srv.URL, Days: 1}, "not a JSON object"},
	} {
		t.Run(tc.src.Type+" "+tc.src.URL[:4], func(t *testing.T) {
			res, err := collect(t, mustNew(t, tc.src, Options{}), &State{})
			wantErr(t, res, err, tc.want)
			if strings.Contains(err.Error(), "root:x") {
				t.Errorf("message shows the body: %v", err)
			}
			var d interface{ Detail() string }
			if !errors.As(err, &d) || !strings.Contains(d.Detail(), "root:x:0:0") {
				t.Errorf("no Detail with the start of the body in %v", err)
			}
		})
	}
}

// Errors that name a source URL name it redacted.
func TestSourceErrorsRedactURL(t *testing.T) {
	srv, _ := server(t, body(200, "application/rss+xml", []byte(`<?xml version="1.0"?><rss version="2.0"><channel><item><title>x`)))
	secret := strings.Replace(srv.URL, "http://", "http://alice:PASSW0RD@", 1) + "/feed?api_key=SECRET"
	for _, typ := range []string{"feed", "arxiv"} {
		t.Run(typ, func(t *testing.T) {
			_, err := collect(t, mustNew(t, config.Source{Name: "s", Type: typ, URL: secret}, Options{}), &State{})
			if err == nil || !strings.Contains(err.Error(), "REDACTED") {
				t.Fatalf("want an error naming the URL redacted, got %v", err)
			}
			if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "PASSW0RD") {
				t.Errorf("error shows a secret: %v", err)
			}
		})
	}
	_, err := New(config.Source{Name: "h", Type: "huggingface", URL: "https://alice:PASSW0RD@h/%zz?api_key=SECRET"}, Options{})
	if err == nil || strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "PASSW0RD") {
		t.Errorf("bad url error: %v", err)
	}
}
