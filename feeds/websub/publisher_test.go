package websub

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/merge"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
	"github.com/paperfeed/paperfeed/db/sqlite"
	"github.com/paperfeed/paperfeed/feeds"
)

var t0 = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

// site is a paperfeed server on 127.0.0.1 over a seeded store, its feeds
// naming the given hubs.
type site struct {
	srv   *httptest.Server
	store *sqlite.Store
	feeds *feeds.Server
	cfg   *config.Config
}

func newSite(t *testing.T, hubs ...string) *site {
	t.Helper()
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	cfg := config.Default()
	cfg.Server.BaseURL = srv.URL
	cfg.Server.WebSubHubs = hubs
	cfg.Sources = []config.Source{{Name: "arxiv", Type: "arxiv", Categories: []string{"cs.LG"}}}
	cfg.Topics = []config.Topic{{Name: "ml", Title: "Machine learning", Query: "learning"}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := &site{srv: srv, store: st, cfg: cfg}
	// Seen two days before now: the digest feeds have a completed day with papers.
	s.add(t, t0.Add(-48*time.Hour), paper("2503.00001", "Learning to rank", t0.Add(-72*time.Hour)),
		paper("2503.00002", "Protein folding", t0.Add(-72*time.Hour)))
	s.feeds, err = feeds.NewServer(cfg, st, feeds.Options{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	h = s.feeds
	return s
}

func paper(id, title string, published time.Time) model.Item {
	return model.Item{Source: "arxiv", GUID: "oai:arXiv.org:" + id, Link: "https://arxiv.org/abs/" + id,
		Title: title, Abstract: "About " + strings.ToLower(title) + ".", Authors: []string{"Ada Lovelace"},
		Published: published, ArxivID: id, Categories: []string{"cs.LG"}}
}

func (s *site) add(t *testing.T, seen time.Time, items ...model.Item) {
	t.Helper()
	err := s.store.Update(context.Background(), func(tx db.Tx) error {
		for i := range items {
			if err := tx.Save(context.Background(), merge.New(&items[i], seen)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// feedURLs are every URL the site announces: the topics' feeds and their
// digest feeds, in the three formats.
func (s *site) feedURLs() []string {
	var out []string
	for _, tp := range s.cfg.Topics {
		for _, name := range []string{tp.Name, tp.Name + "/daily", tp.Name + "/weekly"} {
			for _, ext := range []string{"atom", "rss", "json"} {
				out = append(out, s.srv.URL+"/topics/"+name+"."+ext)
			}
		}
	}
	slices.Sort(out)
	return out
}

// hub is a WebSub hub on 127.0.0.1 that checks every publish request
// against the spec and the feed it names, and answers as answer says.
type hub struct {
	t      *testing.T
	srv    *httptest.Server
	site   *site
	answer func(n int, feedURL string) (int, http.Header, string) // n: this URL's requests so far, from 1

	mu   sync.Mutex
	reqs []string // hub.url of each request, in arrival order
}

func newHub(t *testing.T, answer func(n int, feedURL string) (int, http.Header, string)) *hub {
	h := &hub{t: t, answer: answer}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hub) url() string { return h.srv.URL + "/hub" }

func (h *hub) requests() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.reqs)
}

func (h *hub) serve(w http.ResponseWriter, r *http.Request) {
	t := h.t
	if r.Method != http.MethodPost || r.URL.Path != "/hub" {
		t.Errorf("hub got %s %s, want POST /hub", r.Method, r.URL.Path)
	}
	if ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || ct != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type %q, want application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
	}
	if err := r.ParseForm(); err != nil {
		t.Errorf("form: %v", err)
	}
	if len(r.PostForm) != 2 || r.PostForm.Get("hub.mode") != "publish" || len(r.PostForm["hub.url"]) != 1 {
		t.Errorf("form %v, want hub.mode=publish and one hub.url", r.PostForm)
	}
	u := r.PostForm.Get("hub.url")
	if !slices.Contains(h.site.feedURLs(), u) {
		t.Errorf("hub.url %q is none of the site's feeds", u)
	}
	h.checkFeed(u)
	h.mu.Lock()
	h.reqs = append(h.reqs, u)
	n := 0
	for _, x := range h.reqs {
		if x == u {
			n++
		}
	}
	h.mu.Unlock()
	code, hdr, body := h.answer(n, u)
	for k, v := range hdr {
		w.Header()[k] = v
	}
	w.WriteHeader(code)
	io.WriteString(w, body)
}

// checkFeed fetches the announced URL as a subscriber would and checks that
// the feed names this hub and itself (WebSub 4, discovery): in the Link
// header and in the document.
func (h *hub) checkFeed(u string) {
	t := h.t
	resp, err := http.Get(u)
	if err != nil {
		t.Errorf("GET %s: %v", u, err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Errorf("GET %s: %d", u, resp.StatusCode)
		return
	}
	wantLink := fmt.Sprintf(`<%s>; rel="hub", <%s>; rel="self"`, h.url(), u)
	if got := resp.Header.Values("Link"); len(got) != 1 || got[0] != wantLink {
		t.Errorf("%s: Link %q, want %q", u, got, wantLink)
	}
	var hubs []string
	var self string
	switch filepath.Ext(u) {
	case ".atom", ".rss":
		// Atom links are the feed's children; RSS's are atom:link in the channel.
		var f struct {
			Links   []atomLink `xml:"http://www.w3.org/2005/Atom link"`
			Channel struct {
				Links []atomLink `xml:"http://www.w3.org/2005/Atom link"`
			} `xml:"channel"`
		}
		if err := xml.Unmarshal(body, &f); err != nil {
			t.Errorf("%s: %v", u, err)
		}
		for _, l := range append(f.Links, f.Channel.Links...) {
			switch l.Rel {
			case "hub":
				hubs = append(hubs, l.Href)
			case "self":
				self = l.Href
			}
		}
	case ".json":
		var f struct {
			FeedURL string `json:"feed_url"`
			Hubs    []struct{ Type, URL string }
		}
		if err := json.Unmarshal(body, &f); err != nil {
			t.Errorf("%s: %v", u, err)
		}
		self = f.FeedURL
		for _, x := range f.Hubs {
			if x.Type != "WebSub" {
				t.Errorf("%s: hub type %q, want WebSub", u, x.Type)
			}
			hubs = append(hubs, x.URL)
		}
	}
	if self != u || !slices.Equal(hubs, []string{h.url()}) {
		t.Errorf("%s names self %q and hubs %q; want itself and [%s]", u, self, hubs, h.url())
	}
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
}

func answerAlways(code int) func(int, string) (int, http.Header, string) {
	return func(int, string) (int, http.Header, string) { return code, nil, "" }
}

// waits records the Sleep calls of a publisher, without waiting.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

func newPublisher(s *site, reg prometheus.Registerer, w *waits, log *bytes.Buffer, replica string) *Publisher {
	opt := Options{Sleep: w.sleep, Registerer: reg, Replica: replica, Now: func() time.Time { return t0 }, UserAgent: "paperfeed-test"}
	if log != nil {
		opt.Logger = slog.New(slog.NewTextHandler(log, nil))
	}
	return New(s.cfg.Server.WebSubHubs, s.feeds, s.store, opt)
}

func setup(t *testing.T, answer func(int, string) (int, http.Header, string)) (*site, *hub) {
	h := newHub(t, answer)
	s := newSite(t, h.url())
	h.site = s
	return s, h
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

// TestPublish: the first round announces every feed, each request checked
// by the hub; a store change that changes no feed announces nothing; a new
// paper announces exactly the feeds it enters.
func TestPublish(t *testing.T) {
	s, h := setup(t, answerAlways(http.StatusNoContent))
	reg := prometheus.NewRegistry()
	p := newPublisher(s, reg, &waits{}, nil, "r1")
	ctx := context.Background()

	res, err := p.Round(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Hubs[h.url()]; res.Holder != "" || c != (Counts{OK: 18}) {
		t.Errorf("result %+v", res)
	}
	if got, want := sorted(h.requests()), s.feedURLs(); !slices.Equal(got, want) {
		t.Fatalf("first round announced\n%q\nwant every feed once\n%q", got, want)
	}
	if n := value(t, p.published.WithLabelValues(h.url(), OutcomeOK)); n != 18 {
		t.Errorf("publish_total{outcome=ok} = %v, want 18", n)
	}

	t.Run("nothing changed", func(t *testing.T) {
		before := len(h.requests())
		// A paper too old for any feed (since 60d): the store changes, no feed does.
		s.add(t, t0, paper("1901.00001", "Learning in the old days", t0.AddDate(-6, 0, 0)))
		res, err := p.Round(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c := res.Hubs[h.url()]; c != (Counts{Unchanged: 18}) {
			t.Errorf("result %+v", res)
		}
		if got := h.requests()[before:]; len(got) != 0 {
			t.Errorf("a change no feed shows announced %q", got)
		}
	})

	t.Run("new paper", func(t *testing.T) {
		before := len(h.requests())
		s.add(t, t0, paper("2503.00003", "Learning more", t0.Add(-time.Hour)))
		if _, err := p.Round(ctx); err != nil {
			t.Fatal(err)
		}
		// Seen today: in the topic feeds (ml and all), in no completed digest period.
		var want []string
		for _, tp := range []string{"all", "ml"} {
			for _, ext := range []string{"atom", "rss", "json"} {
				want = append(want, s.srv.URL+"/topics/"+tp+"."+ext)
			}
		}
		if got := sorted(h.requests()[before:]); !slices.Equal(got, sorted(want)) {
			t.Errorf("announced %q, want %q", got, want)
		}
	})

	t.Run("restart", func(t *testing.T) {
		// What was announced is in the store: a new process announces nothing.
		before := len(h.requests())
		if _, err := newPublisher(s, nil, &waits{}, nil, "r1").Round(ctx); err != nil {
			t.Fatal(err)
		}
		if got := h.requests()[before:]; len(got) != 0 {
			t.Errorf("a restart announced %q again", got)
		}
	})
}

// TestRetry: a hub answering 503 (with Retry-After) and then 204 is asked
// again after the wait it asked for; a 429 without one after the backoff.
func TestRetry(t *testing.T) {
	s, h := setup(t, func(n int, u string) (int, http.Header, string) {
		switch {
		case n == 1 && strings.HasSuffix(u, ".rss"):
			return http.StatusTooManyRequests, nil, "slow down"
		case n == 1:
			return http.StatusServiceUnavailable, http.Header{"Retry-After": {"7"}}, "busy"
		}
		return http.StatusNoContent, nil, ""
	})
	w := &waits{}
	p := newPublisher(s, prometheus.NewRegistry(), w, nil, "r1")
	if _, err := p.Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	urls := s.feedURLs()
	if got, want := len(h.requests()), 2*len(urls); got != want {
		t.Errorf("%d requests, want %d (each feed twice)", got, want)
	}
	var sevens, backoffs int
	for _, d := range w.d {
		switch d {
		case 7 * time.Second:
			sevens++
		case backoffBase:
			backoffs++
		default:
			t.Errorf("waited %s", d)
		}
	}
	if sevens != 12 || backoffs != 6 {
		t.Errorf("waits: %d of Retry-After 7s (want 12), %d of the first backoff (want 6)", sevens, backoffs)
	}
	assertStates(t, s, h.url(), urls, "")
	if n := value(t, p.retries.WithLabelValues(h.url())); n != 18 {
		t.Errorf("retries_total = %v, want 18", n)
	}
	if n := value(t, p.published.WithLabelValues(h.url(), OutcomeOK)); n != 18 {
		t.Errorf("publish_total{ok} = %v, want 18", n)
	}
}

// assertStates checks the store records an accepted announcement of every
// URL (wantErr "") or the error wantErr.
func assertStates(t *testing.T, s *site, hubURL string, urls []string, wantErr string) {
	t.Helper()
	sts, err := s.store.WebSubStates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range sts {
		if st.Hub != hubURL {
			t.Errorf("record of hub %q", st.Hub)
		}
		got = append(got, st.URL)
		if st.LastError != wantErr {
			t.Errorf("%s: last error %q, want %q", st.URL, st.LastError, wantErr)
		}
		if (wantErr == "") == st.LastSuccess.IsZero() {
			t.Errorf("%s: last success %v", st.URL, st.LastSuccess)
		}
	}
	if !slices.Equal(got, urls) {
		t.Errorf("records of %q, want %q", got, urls)
	}
}

// TestRejected: a 400 is not retried, is logged with the hub's answer and
// recorded; the unchanged feeds are not announced again by the next round.
func TestRejected(t *testing.T) {
	s, h := setup(t, func(int, string) (int, http.Header, string) {
		return http.StatusBadRequest, nil, "topic not allowed: register at https://hub.example/\x1b[31m" + strings.Repeat("x", 2000)
	})
	var log bytes.Buffer
	w := &waits{}
	p := newPublisher(s, prometheus.NewRegistry(), w, &log, "r1")
	if _, err := p.Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	urls := s.feedURLs()
	if got := sorted(h.requests()); !slices.Equal(got, urls) {
		t.Errorf("requests %q, want each feed once", got)
	}
	if len(w.d) != 0 {
		t.Errorf("waited %v: a 400 is not retried", w.d)
	}
	assertStates(t, s, h.url(), urls, "hub answered 400 Bad Request")
	if n := value(t, p.published.WithLabelValues(h.url(), OutcomeRejected)); n != 18 {
		t.Errorf("publish_total{rejected} = %v, want 18", n)
	}
	logged := log.String()
	if !strings.Contains(logged, "topic not allowed: register at https://hub.example/") || strings.Contains(logged, "\x1b") ||
		strings.Contains(logged, strings.Repeat("x", bodyShown)) {
		t.Errorf("log should hold the hub's answer, cleaned and capped:\n%.600s", logged)
	}
	if _, err := p.Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := len(h.requests()); got != len(urls) {
		t.Errorf("%d requests after a second round, want %d: a refused announcement is not sent again", got, len(urls))
	}
}

// TestUnreachable: network errors are tried Attempts times with growing
// backoff, recorded, and tried again by the next round.
func TestUnreachable(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	hubURL := dead.URL + "/hub"
	dead.Close()
	s := newSite(t, hubURL)
	w := &waits{}
	reg := prometheus.NewRegistry()
	p := newPublisher(s, reg, w, nil, "r1")
	p.opt.Workers = 1
	if _, err := p.Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	if len(w.d) != 18*len(want) || !slices.Equal(w.d[:4], want) {
		t.Errorf("waits %v, want %v for each of 18 feeds", w.d[:min(len(w.d), 8)], want)
	}
	sts, err := s.store.WebSubStates(context.Background())
	if err != nil || len(sts) != 18 {
		t.Fatalf("%d records, %v", len(sts), err)
	}
	for _, st := range sts {
		if st.Fingerprint != "" || !strings.Contains(st.LastError, "(after 5 tries)") || !st.LastSuccess.IsZero() {
			t.Errorf("record %+v", st)
		}
	}
	if n := value(t, p.published.WithLabelValues(hubURL, OutcomeFailed)); n != 18 {
		t.Errorf("publish_total{failed} = %v, want 18", n)
	}
	if n := value(t, p.pending.WithLabelValues(hubURL)); n != 18 {
		t.Errorf("pending_feeds = %v, want 18", n)
	}
	w.d = nil
	if _, err := p.Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(w.d) != 18*len(want) {
		t.Errorf("the next round tried %d times, want every feed again", len(w.d)/len(want))
	}
}

// TestOneReplicaPublishes: on one store, only the holder of the websub
// lease announces.
func TestOneReplicaPublishes(t *testing.T) {
	s, h := setup(t, answerAlways(http.StatusAccepted))
	ctx := context.Background()
	if ok, err := s.store.ClaimLease(ctx, db.WebSubLease, "r2", time.Hour); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	res, err := newPublisher(s, nil, &waits{}, nil, "r1").Round(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.requests(); len(got) != 0 || res.Holder != "r2" {
		t.Errorf("a replica without the lease announced %q (result %+v)", got, res)
	}
	if _, err := newPublisher(s, nil, &waits{}, nil, "r2").Round(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(h.requests()); got != 18 {
		t.Errorf("the holder announced %d feeds, want 18", got)
	}
}

// TestRun: Run announces at start and after the store changes, and releases
// its lease when it stops.
func TestRun(t *testing.T) {
	s, h := setup(t, answerAlways(http.StatusNoContent))
	ctx, cancel := context.WithCancel(context.Background())
	// Each poll's sleep says it began, then waits for the test to end it.
	polls, proceed := make(chan struct{}), make(chan struct{})
	p := newPublisher(s, nil, &waits{}, nil, "r1")
	p.opt.Sleep = func(ctx context.Context, _ time.Duration) error {
		polls <- struct{}{}
		select {
		case <-proceed:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	<-polls // first round done
	if got := len(h.requests()); got != 18 {
		t.Fatalf("first round announced %d, want 18", got)
	}
	s.add(t, t0, paper("2503.00004", "Learning fast", t0.Add(-time.Hour)))
	proceed <- struct{}{}
	<-polls // saw the change, waits for it to hold still
	if got := len(h.requests()); got != 18 {
		t.Errorf("announced %d before the change held still, want 18", got)
	}
	proceed <- struct{}{}
	<-polls // announced
	if got := len(h.requests()); got != 18+6 {
		t.Errorf("after a change %d announcements, want %d", got, 18+6)
	}
	proceed <- struct{}{}
	<-polls // nothing new: nothing announced
	if got := len(h.requests()); got != 18+6 {
		t.Errorf("an idle poll announced: %d, want %d", got, 18+6)
	}
	cancel()
	<-done
	ls, err := s.store.Leases(context.Background())
	if err != nil || len(ls) != 0 {
		t.Errorf("leases after Run: %v %v", ls, err)
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		v    string
		want time.Duration
	}{
		{"", 0}, {"120", 2 * time.Minute}, {"9227000000", 24 * time.Hour}, {" 3 ", 3 * time.Second}, {"-1", 0}, {"soon", 0},
		{t0.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second}, {t0.Add(-time.Hour).Format(http.TimeFormat), 0},
	} {
		t.Run(tt.v, func(t *testing.T) {
			if got := retryAfter(tt.v, t0); got != tt.want {
				t.Errorf("retryAfter(%q) = %s, want %s", tt.v, got, tt.want)
			}
		})
	}
}

// value reads a counter or gauge.
func value(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		t.Fatal(err)
	}
	if d.Counter != nil {
		return d.Counter.GetValue()
	}
	return d.Gauge.GetValue()
}

// FuzzRetryAfter: any header value reads as a wait of zero or more, and
// whole seconds read as themselves.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"", "0", "120", "Wed, 21 Oct 2015 07:28:00 GMT", "-5", "1e3", " 7 ", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d := retryAfter(v, t0)
		if d < 0 {
			t.Errorf("retryAfter(%q) = %s", v, d)
		}
	})
}
