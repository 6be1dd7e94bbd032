package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestConditionalGet(t *testing.T) {
	var gotUA, gotINM, gotIMS string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA, gotINM, gotIMS = r.UserAgent(), r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Wed, 25 Nov 2026 12:00:00 GMT")
		w.Header().Set("Cache-Control", "public, max-age=600")
		w.Write([]byte("<rss/>"))
	}))
	defer srv.Close()
	c := New(Options{UserAgent: "paperfeed-test/1"})
	r1, err := c.Get(context.Background(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if string(r1.Body) != "<rss/>" || r1.ETag != `"v1"` || r1.NotModified || gotUA != "paperfeed-test/1" {
		t.Fatalf("first answer %+v ua=%q", r1, gotUA)
	}
	if d := time.Until(r1.NotBefore); d < 590*time.Second || d > 600*time.Second {
		t.Errorf("max-age not read: NotBefore in %v", d)
	}
	r2, err := c.Get(context.Background(), Request{URL: srv.URL, ETag: r1.ETag, LastModified: r1.LastModified})
	if err != nil {
		t.Fatal(err)
	}
	if !r2.NotModified || r2.ETag != `"v1"` || r2.LastModified != r1.LastModified || gotINM != `"v1"` || gotIMS != r1.LastModified {
		t.Errorf("conditional answer %+v (sent %q %q)", r2, gotINM, gotIMS)
	}
}

func TestBodyCapAndGzip(t *testing.T) {
	big := bytes.Repeat([]byte("a"), 4096)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/gzip" {
			// A small compressed body that inflates past the cap.
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			zw.Write(big)
			zw.Close()
			return
		}
		w.Write(big)
	}))
	defer srv.Close()
	c := New(Options{MaxBody: 1000})
	for _, path := range []string{"/plain", "/gzip"} {
		_, err := c.Get(context.Background(), Request{URL: srv.URL + path})
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: want ErrTooLarge, got %v", path, err)
		}
	}
	c = New(Options{MaxBody: 8192})
	r, err := c.Get(context.Background(), Request{URL: srv.URL + "/gzip"})
	if err != nil || !bytes.Equal(r.Body, big) {
		t.Errorf("gzip body not inflated: %v %d", err, len(r.Body))
	}
}

func TestHTTPErrorsAndRetryAfter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/429":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/503":
			w.Header().Set("Retry-After", "Thu, 26 Nov 2026 23:00:00 GMT")
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			http.Error(w, "<html>not here</html>", http.StatusNotFound)
		}
	}))
	defer srv.Close()
	c := New(Options{})
	tests := []struct {
		path   string
		status int
		retry  func(time.Time) bool
	}{
		{"/429", 429, func(t time.Time) bool { d := time.Until(t); return d > 110*time.Second && d <= 120*time.Second }},
		{"/503", 503, func(t time.Time) bool { return t.Equal(time.Date(2026, 11, 26, 23, 0, 0, 0, time.UTC)) }},
		{"/404", 404, func(t time.Time) bool { return t.IsZero() }},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, err := c.Get(context.Background(), Request{URL: srv.URL + tt.path})
			var he *HTTPError
			if !errors.As(err, &he) || he.Status != tt.status || !tt.retry(he.RetryAfter) {
				t.Fatalf("got %v (%+v)", err, he)
			}
			if !strings.Contains(err.Error(), srv.URL+tt.path) {
				t.Errorf("error does not name the URL: %v", err)
			}
		})
	}
}

func TestGroupIntervalAndSerialisation(t *testing.T) {
	var mu sync.Mutex
	var starts []time.Time
	var inflight, maxInflight atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inflight.Add(1)
		defer inflight.Add(-1)
		if n > maxInflight.Load() {
			maxInflight.Store(n)
		}
		mu.Lock()
		starts = append(starts, time.Now())
		mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}))
	defer srv.Close()
	const gap = 150 * time.Millisecond
	c := New(Options{GroupInterval: map[string]time.Duration{ArxivGroup: gap}})
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Get(context.Background(), Request{URL: srv.URL, Group: ArxivGroup}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if maxInflight.Load() != 1 {
		t.Errorf("%d requests of one group in flight at once", maxInflight.Load())
	}
	for i := 1; i < len(starts); i++ {
		if d := starts[i].Sub(starts[i-1]); d < gap-5*time.Millisecond { // measured at the server: allow loopback jitter
			t.Errorf("requests %d and %d only %v apart", i-1, i, d)
		}
	}
}

func TestTimeoutOnSilentServer(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer srv.Close()
	defer close(release)
	c := New(Options{Timeout: 200 * time.Millisecond})
	_, err := c.Get(context.Background(), Request{URL: srv.URL})
	if err == nil || !strings.Contains(err.Error(), srv.URL) {
		t.Fatalf("want a timeout naming the URL, got %v", err)
	}
}

func TestFileURL(t *testing.T) {
	p := filepath.Join(t.TempDir(), "feed.xml")
	os.WriteFile(p, []byte("<rss/>"), 0o644)
	c := New(Options{MaxBody: 3})
	if _, err := c.Get(context.Background(), Request{URL: "file://" + p}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("file body cap: %v", err)
	}
	c = New(Options{})
	r, err := c.Get(context.Background(), Request{URL: "file://" + p})
	if err != nil || string(r.Body) != "<rss/>" {
		t.Errorf("file read: %v %q", err, r.Body)
	}
	if _, err := c.Get(context.Background(), Request{URL: "file://" + p + ".missing"}); err == nil {
		t.Error("missing file read")
	}
}

func TestDefaultGroupOf(t *testing.T) {
	for host, want := range map[string]string{
		"export.arxiv.org":  ArxivGroup,
		"rss.arxiv.org:443": ArxivGroup,
		"arxiv.org":         ArxivGroup,
		"notarxiv.org":      "host:notarxiv.org",
		"www.nature.com":    "host:www.nature.com",
		"127.0.0.1:8080":    "host:127.0.0.1",
		"[::1]:8080":        "host:[::1]",
	} {
		if got := DefaultGroupOf(host); got != want {
			t.Errorf("DefaultGroupOf(%q) = %q, want %q", host, got, want)
		}
	}
}
