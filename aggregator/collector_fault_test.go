package aggregator

// Fault tests: the real Collector with a "feed" source against a local
// upstream that misbehaves in one way per case. Every case first stores papers
// from a good pass, then asserts that the faulty pass ends within the configured
// timeout (plus slack), records an error that names the URL and the problem,
// and loses none of the stored papers (they are still served by a topic query).

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

const (
	faultTimeout = 300 * time.Millisecond // per request (fetch) and [collect] timeout
	faultMaxBody = 1 << 20                // body cap
	faultSlack   = 2 * time.Second        // scheduling / CI slack on top of a timeout
	faultGood    = 3                      // papers of the good pass
)

// faultUpstream serves whatever handler is current; the test swaps handlers
// between passes. stop is closed at cleanup so hanging handlers return.
type faultUpstream struct {
	*httptest.Server
	mu       sync.Mutex
	h        http.Handler
	stop     chan struct{}
	requests atomic.Int32
}

func newFaultUpstream(t *testing.T) *faultUpstream {
	t.Helper()
	u := &faultUpstream{stop: make(chan struct{})}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.requests.Add(1)
		u.mu.Lock()
		h := u.h
		u.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	// Cleanups run last-registered first: release hanging handlers, then close.
	t.Cleanup(u.Close)
	t.Cleanup(func() { close(u.stop) })
	return u
}

func (u *faultUpstream) set(h http.HandlerFunc) {
	u.mu.Lock()
	u.h = h
	u.mu.Unlock()
}

// faultSetup builds a collector over a fresh store with small timeouts and a
// small body cap, on the real clock (Retry-After and Cache-Control are read
// against time.Now by the fetcher, so the collector must use the same clock).
func faultSetup(t *testing.T, interval time.Duration, srcs ...config.Source) (*Collector, db.Store) {
	t.Helper()
	cfg := config.Default()
	cfg.Collect.Timeout = config.Duration(faultTimeout)
	cfg.Collect.MaxBodyBytes = faultMaxBody
	cfg.Collect.Interval = config.Duration(interval)
	cfg.Sources = srcs
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "pf.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f := fetch.New(fetch.Options{Timeout: faultTimeout, MaxBody: faultMaxBody})
	c, err := New(cfg, store, f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c, store
}

// goodFeed is an RSS 2.0 document of n papers whose titles all contain "sheaves".
func goodFeed(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rss version=\"2.0\"><channel><title>Good journal</title><link>http://example.org/</link><description>d</description>\n")
	for i := range n {
		fmt.Fprintf(&b, "<item><title>Robust paper %d on quantum sheaves</title><link>http://example.org/p/%d</link><guid>good-%d</guid><description>Abstract %d.</description><pubDate>Mon, 23 Nov 2026 10:%02d:00 GMT</pubDate></item>\n", i, i, i, i, i%60)
	}
	b.WriteString("</channel></rss>\n")
	return b.Bytes()
}

func serveBytes(ctype string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		w.Write(body)
	}
}

// goodPass stores faultGood papers and checks they are served.
func goodPass(t *testing.T, c *Collector, store db.Store, u *faultUpstream) {
	t.Helper()
	u.set(serveBytes("application/rss+xml", goodFeed(faultGood)))
	if s := c.CollectAll(context.Background())[0]; s.Err != nil || s.New != faultGood {
		t.Fatalf("good pass: %v", s)
	}
	assertServed(t, store)
}

// assertServed checks every paper of the good pass is stored and served by a topic query.
func assertServed(t *testing.T, store db.Store) {
	t.Helper()
	ps, err := store.Topic(context.Background(), db.TopicQuery{Match: "sheaves", Limit: 100})
	if err != nil {
		t.Fatalf("topic query: %v", err)
	}
	if len(ps) != faultGood {
		t.Fatalf("topic query serves %d papers, want %d", len(ps), faultGood)
	}
	for i := range faultGood {
		if find(ps, fmt.Sprintf("Robust paper %d ", i)) == nil {
			t.Errorf("paper %d of the good pass is gone", i)
		}
	}
}

// gzipMember compresses b as one gzip member.
func gzipMember(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gzipBomb is a multi-member gzip stream (gzip readers concatenate members)
// that inflates to 1 GiB: a feed prefix, then 1024 members of 1 MiB of 'a'.
// It is about 1 MiB compressed and never exists inflated.
func gzipBomb(t *testing.T) (head, member []byte, repeat int) {
	head = gzipMember(t, []byte(`<?xml version="1.0"?><rss version="2.0"><channel><item><title>`))
	member = gzipMember(t, bytes.Repeat([]byte("a"), 1<<20))
	return head, member, 1024
}

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>lol</title><item><title>&lol9;</title><guid>lol</guid><description>&lol9;</description></item></channel></rss>
`

func TestCollectorFaults(t *testing.T) {
	head, member, repeat := gzipBomb(t)
	if n := len(head) + len(member)*repeat; n > 4<<20 {
		t.Fatalf("gzip bomb is %d bytes compressed, want a small body", n)
	}
	tests := []struct {
		name    string
		handler func(u *faultUpstream) http.HandlerFunc
		// wantErr are substrings of the recorded error (besides the URL);
		// any of the alternatives separated by "|" will do.
		wantErr []string
		// ok: the pass may succeed (a harmless document), see the case.
		ok       bool
		memBound bool // measure allocations around the pass
		check    func(t *testing.T, st db.SourceState, store db.Store)
	}{
		{name: "500", handler: status(500, ""), wantErr: []string{"HTTP 500 Internal Server Error"}},
		{name: "404", handler: status(404, ""), wantErr: []string{"HTTP 404 Not Found"}},
		{
			name: "429 Retry-After seconds", handler: status(429, "7200"), wantErr: []string{"HTTP 429", "retry after"},
			check: func(t *testing.T, st db.SourceState, _ db.Store) {
				// Backoff after one failure would be 15 min; Retry-After asks 2 h.
				if want := time.Now().Add(2*time.Hour - time.Minute); st.NextCheck.Before(want) {
					t.Errorf("next check %v ignores Retry-After (want >= %v)", st.NextCheck, want)
				}
			},
		},
		{
			name: "503 Retry-After date", handler: status(503, time.Now().Add(3*time.Hour).UTC().Format(http.TimeFormat)), wantErr: []string{"HTTP 503", "retry after"},
			check: func(t *testing.T, st db.SourceState, _ db.Store) {
				if want := time.Now().Add(3*time.Hour - time.Minute); st.NextCheck.Before(want) {
					t.Errorf("next check %v ignores Retry-After (want >= %v)", st.NextCheck, want)
				}
			},
		},
		{name: "HTML page", handler: fixed("text/html", []byte("<!DOCTYPE html><html><head><title>Login</title></head><body>Please log in</body></html>")), wantErr: []string{"not a feed"},
			check: func(t *testing.T, st db.SourceState, _ db.Store) {
				// The start of the body is for the log only: /status shows last_error.
				if strings.Contains(st.LastError, "DOCTYPE") || strings.Contains(st.LastSummary, "DOCTYPE") {
					t.Errorf("the stored error shows the body: %q / %q", st.LastError, st.LastSummary)
				}
			},
		},
		{name: "empty body", handler: fixed("application/rss+xml", nil), wantErr: []string{"empty body"}},
		{name: "whitespace body", handler: fixed("application/rss+xml", []byte("\n  \n")), wantErr: []string{"empty body"}},
		{name: "truncated document", handler: fixed("application/rss+xml", goodFeed(10)[:700]), wantErr: []string{"unexpected EOF"}},
		{
			name: "redirect loop", wantErr: []string{"redirects"},
			handler: func(u *faultUpstream) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					next := "/a"
					if r.URL.Path == "/a" {
						next = "/b"
					}
					http.Redirect(w, r, next, http.StatusFound)
				}
			},
		},
		{
			name: "never sends headers", wantErr: []string{"timeout|deadline exceeded"},
			handler: func(u *faultUpstream) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					select {
					case <-r.Context().Done():
					case <-u.stop:
					}
				}
			},
		},
		{
			name: "drips bytes forever", wantErr: []string{"timeout|deadline exceeded"}, memBound: true,
			handler: func(u *faultUpstream) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/rss+xml")
					w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel>`))
					for {
						if _, err := w.Write([]byte(" ")); err != nil {
							return
						}
						w.(http.Flusher).Flush()
						select {
						case <-r.Context().Done():
							return
						case <-u.stop:
							return
						case <-time.After(20 * time.Millisecond):
						}
					}
				}
			},
		},
		{
			name: "endless body", wantErr: []string{"size cap"}, memBound: true,
			handler: func(u *faultUpstream) http.HandlerFunc {
				chunk := bytes.Repeat([]byte("<item><title>Endless</title></item>\n"), 1000)
				return func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/rss+xml")
					w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel>`))
					for {
						if _, err := w.Write(chunk); err != nil {
							return
						}
						select {
						case <-u.stop:
							return
						default:
						}
					}
				}
			},
		},
		{
			name: "huge Content-Length", wantErr: []string{"size cap", "Content-Length"},
			handler: func(u *faultUpstream) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/rss+xml")
					w.Header().Set("Content-Length", "10737418240")
					w.Write([]byte(`<?xml version="1.0"?>`))
					w.(http.Flusher).Flush()
					select {
					case <-r.Context().Done():
					case <-u.stop:
					}
				}
			},
		},
		{
			name: "gzip bomb 1 GiB", wantErr: []string{"size cap"}, memBound: true,
			handler: func(u *faultUpstream) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/rss+xml")
					w.Header().Set("Content-Encoding", "gzip")
					if _, err := w.Write(head); err != nil {
						return
					}
					for range repeat {
						if _, err := w.Write(member); err != nil {
							return
						}
					}
				}
			},
		},
		{
			// A feed that declares entities is refused outright: nothing is
			// expanded, nothing is stored, the error says why.
			name: "billion laughs", wantErr: []string{"declares XML entities"}, memBound: true, handler: fixed("application/rss+xml", []byte(billionLaughs)),
			check: func(t *testing.T, st db.SourceState, store db.Store) {
				ps, err := store.Topic(context.Background(), db.TopicQuery{Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range ps {
					if len(p.Title) > 200 || len(p.Abstract) > 200 || strings.Contains(p.Title, "lollol") {
						t.Errorf("entity expanded: title %d bytes, abstract %d bytes", len(p.Title), len(p.Abstract))
					}
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newFaultUpstream(t)
			feedURL := u.URL + "/feed.xml"
			c, store := faultSetup(t, time.Hour, config.Source{Name: "journal", Type: "feed", URL: feedURL})
			goodPass(t, c, store, u)
			u.set(tt.handler(u))

			var before, after runtime.MemStats
			if tt.memBound {
				runtime.GC()
				runtime.ReadMemStats(&before)
			}
			start := time.Now()
			s := c.CollectAll(context.Background())[0]
			elapsed := time.Since(start)
			t.Logf("pass ended after %v", elapsed.Round(time.Millisecond))
			if tt.memBound {
				runtime.ReadMemStats(&after)
				total := after.TotalAlloc - before.TotalAlloc
				runtime.GC()
				runtime.ReadMemStats(&after)
				t.Logf("allocated %d KiB during the pass (cap %d KiB)", total>>10, faultMaxBody>>10)
				if bound := uint64(64 << 20); total > bound {
					t.Errorf("the pass allocated %d MiB, want < %d MiB with a %d MiB body cap", total>>20, bound>>20, faultMaxBody>>20)
				}
				if after.HeapAlloc > before.HeapAlloc+16<<20 {
					t.Errorf("live heap grew %d MiB", (after.HeapAlloc-before.HeapAlloc)>>20)
				}
			}
			if limit := faultTimeout + faultSlack; elapsed > limit {
				t.Errorf("pass took %v, want it ended within the timeout %v + slack", elapsed, faultTimeout)
			}

			st, err := store.SourceState(context.Background(), "journal")
			if err != nil {
				t.Fatal(err)
			}
			if tt.ok {
				if s.Err != nil {
					t.Logf("pass failed (acceptable): %v", s.Err)
				}
			} else {
				if s.Err == nil {
					t.Fatalf("pass succeeded: %v", s)
				}
				if st.Failures != 1 || st.LastError == "" || st.LastErrorAt.IsZero() || st.LastSuccess.IsZero() {
					t.Errorf("error not recorded: %+v", st)
				}
				if !strings.Contains(st.LastError, feedURL) {
					t.Errorf("error %q does not name the URL %s", st.LastError, feedURL)
				}
				for _, want := range tt.wantErr {
					if !containsAny(st.LastError, strings.Split(want, "|")) {
						t.Errorf("error %q does not say %q", st.LastError, want)
					}
				}
				if !st.NextCheck.After(time.Now()) {
					t.Errorf("next check %v is not in the future", st.NextCheck)
				}
				t.Logf("recorded: %s", st.LastError)
			}
			if tt.check != nil {
				tt.check(t, st, store)
			}
			assertServed(t, store)
		})
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(strings.ToLower(s), strings.ToLower(sub)) {
			return true
		}
	}
	return false
}

func status(code int, retryAfter string) func(*faultUpstream) http.HandlerFunc {
	return func(*faultUpstream) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			http.Error(w, "<html><body>upstream says no</body></html>", code)
		}
	}
}

func fixed(ctype string, body []byte) func(*faultUpstream) http.HandlerFunc {
	return func(*faultUpstream) http.HandlerFunc { return serveBytes(ctype, body) }
}

func containsString(ss []string, s string) bool {
	for _, v := range ss {
		if v == s {
			return true
		}
	}
	return false
}
