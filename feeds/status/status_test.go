package status

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/dbtest"
	"github.com/paperfeed/paperfeed/db/sqlite"
	"github.com/paperfeed/paperfeed/feeds/internal/pageshot"
)

func TestStatus(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	cfg := config.Default()
	cfg.Sources = []config.Source{
		{Name: "good", Type: "feed", URL: "https://example.org/a.rss", Interval: config.Duration(6 * time.Hour)},
		{Name: "bad", Type: "feed", URL: "https://example.org/b.rss"},
		{Name: "new", Type: "feed", URL: "https://example.org/c.rss"},
		{Name: "starting", Type: "feed", URL: "https://example.org/d.rss"},
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	states := []db.SourceState{
		{Name: "good", Type: "feed", LastAttempt: at, LastSuccess: at, NextCheck: at.Add(6 * time.Hour), LastSummary: "3 new, 0 merged, 0 unchanged",
			State: []byte(`{"validators":{"https://example.org/a.rss":{"etag":"\"v1\""}}}`)},
		{Name: "bad", Type: "feed", LastAttempt: at, LastError: `GET https://example.org/b.rss: HTTP 500 <script>`, LastErrorAt: at, Failures: 3, NextCheck: at.Add(time.Hour)},
		// Its first pass recorded its attempt and has not finished.
		{Name: "starting", Type: "feed", LastAttempt: at, NextCheck: at.Add(time.Hour)},
	}
	for _, st := range states {
		if err := store.SaveSourceState(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	// Leases on the store's clock (real time): this replica holds one, another
	// replica the other.
	for _, l := range []struct{ name, holder string }{{db.SourceLease("good"), "web-1:41"}, {db.SourceLease("bad"), "web-2:77"}} {
		if ok, err := store.ClaimLease(ctx, l.name, l.holder, time.Hour); err != nil || !ok {
			t.Fatalf("claim %s: %v %v", l.name, ok, err)
		}
	}
	h := New(cfg, store, "web-1:41", nil)

	rep := jsonReport(t, h)
	if len(rep.Sources) != 4 {
		t.Fatalf("%d sources", len(rep.Sources))
	}
	good, bad, fresh := rep.Sources[0], rep.Sources[1], rep.Sources[2]
	if st := rep.Sources[3]; st.Health != "pending" || st.LastAttempt == nil {
		t.Errorf("a source whose first pass runs: %+v", st)
	}
	if good.Health != "ok" || good.Interval != "6h" || good.HTTPCache["https://example.org/a.rss"].ETag != `"v1"` || good.LastPass == "" {
		t.Errorf("good: %+v", good)
	}
	if bad.Health != "failing" || bad.Failures != 3 || !strings.Contains(bad.LastError, "HTTP 500") || !bad.LastErrorAt.Equal(at) || bad.Interval != "1h" {
		t.Errorf("bad: %+v", bad)
	}
	if fresh.Health != "pending" || fresh.LastAttempt != nil || fresh.NextCheck != nil {
		t.Errorf("new: %+v", fresh)
	}
	if rep.Replica != "web-1:41" {
		t.Errorf("replica %q", rep.Replica)
	}
	wantLeases := []struct {
		name, holder string
		mine         bool
	}{{"source:bad", "web-2:77", false}, {"source:good", "web-1:41", true}}
	if len(rep.Leases) != len(wantLeases) {
		t.Fatalf("leases %+v", rep.Leases)
	}
	for i, w := range wantLeases {
		l := rep.Leases[i]
		if l.Name != w.name || l.Holder != w.holder || l.Mine != w.mine || l.Since.IsZero() || l.Expires.Sub(l.Since) != time.Hour {
			t.Errorf("lease %d: %+v, want %+v for an hour", i, l, w)
		}
	}

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/status", nil))
	body := rec.Body.String()
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	for _, want := range []string{"HTTP 500 &lt;script&gt;", "failing (3 in a row)", "pending", "2026-11-26 16:00:00 UTC",
		"This replica: <code>web-1:41</code>", `<td data-label="Lease"><span><code>source:bad</code></span></td>`,
		`<td data-label="Holder"><span><code>web-2:77</code></span></td>`,
		`<code>web-1:41</code> <small>(this replica)</small>`,
		`<td data-label="Expires"><span>` + rep.Leases[0].Expires.Format("2006-01-02 15:04:05 UTC")} {
		if !strings.Contains(body, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>") {
		t.Error("an upstream error reached the page unescaped")
	}

	// Released leases leave the page.
	for _, l := range rep.Leases {
		if err := store.ReleaseLease(ctx, l.Name, l.Holder); err != nil {
			t.Fatal(err)
		}
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/status", nil))
	if body := rec.Body.String(); !strings.Contains(body, "No replica holds a lease now.") || strings.Contains(body, "source:good") {
		t.Errorf("released leases still shown:\n%s", body)
	}
}

func TestMetrics(t *testing.T) {
	store := openStore(t)
	cfg := config.Default()
	cfg.Sources = []config.Source{{Name: "good", Type: "feed", URL: "https://example.org/a.rss"}}
	if ok, err := store.ClaimLease(context.Background(), db.SourceLease("good"), "web-1:41", time.Hour); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	rec := httptest.NewRecorder()
	Metrics(prometheus.NewRegistry(), store, cfg).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{"paperfeed_papers_stored 0\n", `paperfeed_lease_held{holder="web-1:41",lease="source:good"} 1` + "\n"} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %q: %s", want, rec.Body.String())
		}
	}
}

// openStore opens a fresh store, closed when the test ends.
// jsonReport is h's /status?format=json, decoded.
func jsonReport(t *testing.T, h *Handler) Report {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/status?format=json", nil))
	var rep Report
	if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
		t.Fatalf("%v: %s", err, rec.Body.String())
	}
	return rep
}

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// TestStatusScreenshots: /status renders in headless Chromium at 1280 and
// 400 px without scrolling sideways, failing and pending sources and a long
// error message included.
func TestStatusScreenshots(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bctx := pageshot.Browser(t)
	dir := pageshot.Dir(t)
	ctx := context.Background()
	store := openStore(t)
	cfg := config.Default()
	cfg.Sources = []config.Source{
		{Name: "arxiv-cs-lg", Type: "arxiv", Categories: []string{"cs.LG", "cs.CL"}},
		{Name: "biorxiv-neuroscience", Type: "biorxiv", Category: "neuroscience"},
		{Name: "never-ran", Type: "feed", URL: "https://example.org/c.rss"},
	}
	cfg.Server.WebSubHubs = []string{"https://pubsubhubbub.appspot.com/", "https://a-rather-long-hub-name.websub.example.org/hub/endpoint"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	for _, st := range []db.WebSubState{
		{Hub: cfg.Server.WebSubHubs[0], URL: "https://papers.example.org/topics/machine-learning/weekly.atom", Fingerprint: "f", LastSuccess: at},
		{Hub: cfg.Server.WebSubHubs[1], URL: "https://papers.example.org/topics/machine-learning/weekly.atom", LastErrorAt: at,
			LastError: "Post \"https://a-rather-long-hub-name.websub.example.org/hub/endpoint\": dial tcp: lookup a-rather-long-hub-name.websub.example.org: no such host (after 5 tries)"},
	} {
		if err := store.SaveWebSubState(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	for _, st := range []db.SourceState{
		{Name: "arxiv-cs-lg", Type: "arxiv", LastAttempt: at, LastSuccess: at, NextCheck: at.Add(time.Hour), LastSummary: "31 new, 4 merged, 120 unchanged",
			State: []byte(`{"validators":{"https://rss.arxiv.org/rss/cs.LG+cs.CL":{"etag":"\"W/5f3a9c0e7d1b2a44\"","last_modified":"Wed, 25 Nov 2026 05:00:00 GMT"}}}`)},
		{Name: "biorxiv-neuroscience", Type: "biorxiv", LastAttempt: at, LastErrorAt: at, Failures: 4, NextCheck: at.Add(2 * time.Hour),
			LastError: "GET https://api.biorxiv.org/details/biorxiv/2026-11-19/2026-11-26/0?category=neuroscience: HTTP 503 Service Unavailable: upstream_connect_error_or_disconnect_reset_before_headers"},
	} {
		if err := store.SaveSourceState(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range []struct{ name, holder string }{
		{db.SourceLease("arxiv-cs-lg"), "paperfeed-replica-a.internal.example.org:123456"},
		{db.SourceLease("biorxiv-neuroscience"), "paperfeed-replica-b.internal.example.org:98765"},
	} {
		if ok, err := store.ClaimLease(ctx, l.name, l.holder, time.Hour); err != nil || !ok {
			t.Fatalf("claim %s: %v %v", l.name, ok, err)
		}
	}
	srv := httptest.NewServer(New(cfg, store, "paperfeed-replica-a.internal.example.org:123456", func() time.Time { return at }))
	defer srv.Close()
	for _, width := range []int{1280, 400} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			t.Logf("screenshot %s", pageshot.Shot(t, bctx, dir, "status", srv.URL+"/status", width))
		})
	}
}

// TestStatusLikeExemplars: /status lists each like-topic's exemplars that
// cannot be found, with the reason (an arXiv id the API did not return, a
// DOI Crossref does not know, a failed fetch), and leaves out the stored
// ones and those not asked for yet.
func TestStatusLikeExemplars(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	dbtest.Save(t, store, dbtest.Paper(1, "Stored exemplar paper"))
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	err := store.Update(ctx, func(tx db.Tx) error {
		return tx.RecordArxivLookups(ctx, []db.ArxivLookup{
			{ArxivID: "2410.99999", Outcome: db.LookupNotFound, At: at},
			{ArxivID: "2410.88888", Outcome: db.LookupFailed, At: at, Error: "HTTP 503"},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.RecordUnknownID(ctx, "doi:10.9999/unknown.1", at); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Topics = []config.Topic{
		{Name: "mine", Like: []string{"arxiv:2611.00001", "https://arxiv.org/abs/2410.99999v2", "2410.77777", "https://doi.org/10.9999/unknown.1"},
			Unlike: []string{"2410.88888"}, Sort: "relevance"},
		{Name: "found", Like: []string{"2611.00001"}},
		{Name: "words", Query: "paper"},
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	h := New(cfg, store, "web-1:41", nil)

	rep := jsonReport(t, h)
	if len(rep.LikeTopics) != 2 || rep.LikeTopics[0].Name != "mine" || rep.LikeTopics[1].Name != "found" {
		t.Fatalf("like-topics %+v", rep.LikeTopics)
	}
	if nf := rep.LikeTopics[1].NotFound; nf == nil || len(nf) != 0 {
		t.Errorf("topic found: %+v, want an empty list", nf)
	}
	want := map[string]string{
		"https://arxiv.org/abs/2410.99999v2": "not found on arXiv (asked 2026-11-26T10:00:00Z): check the id",
		"https://doi.org/10.9999/unknown.1":  "Crossref does not know this DOI (asked 2026-11-26T10:00:00Z): check it",
		"2410.88888":                         "fetching it from arXiv failed at 2026-11-26T10:00:00Z (HTTP 503); collect asks again",
	}
	got := map[string]string{}
	for _, p := range rep.LikeTopics[0].NotFound {
		got[p.Entry] = p.Reason
	}
	if len(got) != len(want) {
		t.Errorf("not found: %+v, want %d entries", rep.LikeTopics[0].NotFound, len(want))
	}
	for e, r := range want {
		if got[e] != r {
			t.Errorf("%s: reason %q, want %q", e, got[e], r)
		}
	}

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/status", nil))
	page := rec.Body.String()
	for _, s := range []string{"Like-topic exemplars not found", "<code>https://arxiv.org/abs/2410.99999v2</code>", "not found on arXiv", "Crossref does not know this DOI", "all found or still to fetch"} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	if strings.Contains(page, "2410.77777") {
		t.Error("the page lists an exemplar not asked for yet")
	}
}
