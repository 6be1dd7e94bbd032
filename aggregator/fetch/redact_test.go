package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// secretURL puts a password and an api_key on a URL of srv.
func secretURL(base, path string) string {
	u, _ := url.Parse(base + path)
	u.User = url.UserPassword("alice", "PASSW0RD")
	q := u.Query()
	q.Set("api_key", "SECRET")
	u.RawQuery = q.Encode()
	return u.String()
}

func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range []string{"SECRET", "PASSW0RD"} {
		if strings.Contains(s, secret) {
			t.Errorf("%s shows %s: %s", what, secret, s)
		}
	}
}

// Errors of every kind name the URL, redacted, however they are printed.
func TestErrorsRedactURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/500":
			http.Error(w, "echo "+r.URL.RawQuery, 500)
		case "/big":
			w.Header().Set("Content-Length", "100")
			w.Write([]byte(strings.Repeat("x", 100)))
		case "/redirect":
			http.Redirect(w, r, "/500", http.StatusFound)
		}
	}))
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	c := New(Options{MaxBody: 10, Timeout: 5 * time.Second})
	for _, tt := range []struct{ name, url, want string }{
		{"HTTP 500", secretURL(srv.URL, "/500"), "HTTP 500"},
		{"size cap", secretURL(srv.URL, "/big"), "size cap"},
		{"redirected then 500", secretURL(srv.URL, "/redirect"), "HTTP 500"},
		{"connection refused", secretURL(closed, "/feed"), "refused"},
		{"unparsable", "http://alice:PASSW0RD@127.0.0.1:1/%zz?api_key=SECRET", "invalid URL escape"},
		{"unsupported scheme", strings.Replace(secretURL(srv.URL, "/x"), "http", "gopher", 1), "unsupported scheme"},
		{"remote file URL", strings.Replace(secretURL(srv.URL, "/x"), "http", "file", 1), "must be local"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Get(context.Background(), Request{URL: tt.url})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || !strings.Contains(msg, "REDACTED") {
				t.Errorf("error %q does not say %q with the URL redacted", msg, tt.want)
			}
			assertNoSecret(t, "error", msg)
			assertNoSecret(t, "%+v of the error", fmt.Sprintf("%+v", err))
			var he *HTTPError
			if errors.As(err, &he) {
				assertNoSecret(t, "HTTPError.URL", he.URL)
			}
		})
	}
}

// A refused redirect names the target it refused (redacted), and why.
func TestRedirectRefusedNamesTarget(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/to-file", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "file:///etc/passwd")
		w.WriteHeader(http.StatusFound)
	})
	mux.HandleFunc("/to-ftp", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "ftp://bob:HUNTER2@files.example.org/feed.xml?token=TOK")
		w.WriteHeader(http.StatusMovedPermanently)
	})
	mux.HandleFunc("/loop/", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/loop/"), "%d", &n)
		http.Redirect(w, r, fmt.Sprintf("/loop/%d?sig=S%d", n+1, n+1), http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := New(Options{})
	for _, tt := range []struct{ name, path, want string }{
		{"file scheme", "/to-file", `GET ` + srv.URL + `/to-file: redirect to file:///etc/passwd refused: scheme "file" not allowed`},
		{"other scheme, credentials redacted", "/to-ftp", `GET ` + srv.URL + `/to-ftp: redirect to ftp://REDACTED@files.example.org/feed.xml?token=REDACTED refused: scheme "ftp" not allowed`},
		{"too many redirects", "/loop/0", `GET ` + srv.URL + `/loop/0: redirect to ` + srv.URL + `/loop/5?sig=REDACTED refused: stopped after 5 redirects`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Get(context.Background(), Request{URL: srv.URL + tt.path})
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error\n got %v\nwant %s", err, tt.want)
			}
			for _, secret := range []string{"HUNTER2", "TOK", "=S5"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error shows %s", secret)
				}
			}
		})
	}
}
