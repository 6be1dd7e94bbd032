package aggregator

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// upstream serves files from testdata by path, or a status when told to fail.
type upstream struct {
	*httptest.Server
	fail     atomic.Int32 // HTTP status to answer instead, 0 = serve
	requests atomic.Int32
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.requests.Add(1)
		if code := u.fail.Load(); code != 0 {
			http.Error(w, "<html><body>upstream broke</body></html>", int(code))
			return
		}
		b, err := os.ReadFile(filepath.Join("testdata", filepath.Base(r.URL.Path)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("ETag", `"`+filepath.Base(r.URL.Path)+`"`)
		if r.Header.Get("If-None-Match") == w.Header().Get("ETag") {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(u.Close)
	return u
}

func setup(t *testing.T, srcs ...config.Source) (*Collector, db.Store) {
	t.Helper()
	cfg := config.Default()
	cfg.Sources = srcs
	cfg.Collect.Workers = 1 // commit order = config order, so summaries are deterministic
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	store := tempStore(t)
	c, err := New(cfg, store, fetch.New(fetch.Options{Timeout: 5 * time.Second}), Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return c, store
}

// tempStore is an empty store in the test's directory, closed when it ends.
func tempStore(t *testing.T) db.Store {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "pf.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

func all(t *testing.T, s db.Store) []*model.Paper {
	t.Helper()
	ps, err := s.Topic(context.Background(), db.TopicQuery{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func find(ps []*model.Paper, title string) *model.Paper {
	for _, p := range ps {
		if strings.HasPrefix(p.Title, title) {
			return p
		}
	}
	return nil
}

func TestTwoSourcesOnePaper(t *testing.T) {
	up := newUpstream(t)
	c, store := setup(t,
		config.Source{Name: "preprints", Type: "feed", URL: up.URL + "/preprints.xml"},
		config.Source{Name: "journal", Type: "feed", URL: up.URL + "/journal.xml"},
	)
	ctx := context.Background()
	sums := c.CollectAll(ctx)
	for _, s := range sums {
		if s.Err != nil {
			t.Fatal(s.Err)
		}
	}
	// Config order: preprints first (2 new), then the journal (1 merged + the editorial).
	if sums[0].New != 2 || sums[1].New != 1 || sums[1].Merged != 1 {
		t.Errorf("summaries: %v / %v", sums[0], sums[1])
	}
	ps := all(t, store)
	if len(ps) != 3 {
		t.Fatalf("%d papers, want 3", len(ps))
	}
	p := find(ps, "Denoising Diffusion")
	if p == nil {
		t.Fatal("DDPM missing")
	}
	if len(p.Sightings) != 2 || !slices.Contains(p.Sources(), "journal") || !slices.Contains(p.Sources(), "preprints") {
		t.Errorf("sightings %+v", p.Sightings)
	}
	// The best of both: arXiv id from the preprint, DOI from the journal, all
	// categories, the longer abstract, the earlier date, every link.
	if p.ArxivID != "2006.11239" || p.DOI != "10.5555/jt.2021.0042" {
		t.Errorf("identifiers %q %q", p.ArxivID, p.DOI)
	}
	for _, cat := range []string{"cs.LG", "stat.ML", "Generative models"} {
		if !slices.Contains(p.Categories, cat) {
			t.Errorf("category %q missing from %v", cat, p.Categories)
		}
	}
	if !strings.Contains(p.Abstract, "nonequilibrium thermodynamics") {
		t.Errorf("abstract %q", p.Abstract)
	}
	if !p.Published.Equal(time.Date(2020, 6, 19, 17, 37, 8, 0, time.UTC)) {
		t.Errorf("published %v", p.Published)
	}
	if p.Link(model.LinkDOI) != "https://doi.org/10.5555/jt.2021.0042" {
		t.Errorf("links %+v", p.Links)
	}

	// A second pass: everything is 304, nothing changes, nothing is lost.
	gen, _ := store.Generation(ctx)
	sums = c.CollectAll(ctx)
	for _, s := range sums {
		if s.Err != nil || !s.AllNotModified || s.New+s.Merged != 0 {
			t.Errorf("second pass: %v", s)
		}
	}
	if g, _ := store.Generation(ctx); g != gen {
		t.Errorf("a pass that changed nothing moved the generation %d -> %d", gen, g)
	}
	if n := len(all(t, store)); n != 3 {
		t.Errorf("%d papers after the second pass", n)
	}
}

func TestFailingSourceLosesNothing(t *testing.T) {
	up := newUpstream(t)
	c, store := setup(t, config.Source{Name: "journal", Type: "feed", URL: up.URL + "/journal.xml"})
	ctx := context.Background()
	if s := c.CollectAll(ctx)[0]; s.Err != nil || s.New != 2 {
		t.Fatalf("first pass: %v", s)
	}
	for _, code := range []int32{500, 404, 429} {
		up.fail.Store(code)
		s := c.CollectAll(ctx)[0]
		var he *fetch.HTTPError
		if !errors.As(s.Err, &he) || he.Status != int(code) || !strings.HasPrefix(s.Err.Error(), "journal: ") {
			t.Errorf("HTTP %d: error %v", code, s.Err)
		}
		if n := len(all(t, store)); n != 2 {
			t.Errorf("after HTTP %d: %d papers", code, n)
		}
	}
	st, _ := store.SourceState(ctx, "journal")
	if st.Failures != 3 || !strings.Contains(st.LastError, "HTTP 429") || st.LastSuccess.IsZero() || !st.NextCheck.After(now) {
		t.Errorf("state after failures: %+v", st)
	}
	up.fail.Store(0)
	if s := c.CollectAll(ctx)[0]; s.Err != nil {
		t.Fatal(s.Err)
	}
	if st, _ := store.SourceState(ctx, "journal"); st.Failures != 0 {
		t.Errorf("failures not reset: %+v", st)
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		interval time.Duration
		n        int
		want     time.Duration
	}{
		{time.Hour, 1, 15 * time.Minute},
		{time.Hour, 2, 30 * time.Minute},
		{time.Hour, 5, 4 * time.Hour},
		{time.Hour, 50, MaxBackoff},
		{5 * time.Minute, 1, 5 * time.Minute},
	}
	for _, tt := range tests {
		if got := backoff(tt.interval, tt.n); got != tt.want {
			t.Errorf("backoff(%v, %d) = %v, want %v", tt.interval, tt.n, got, tt.want)
		}
	}
}

// TestPassErrorNamesTheSourceOnce: every failed pass's error is a *PassError
// that names its source in front of the cause, and the outcome stored for
// /status shows the cause alone. A cause the collector words itself (a fetch
// error) does not name the source again, so the summary line names it once.
func TestPassErrorNamesTheSourceOnce(t *testing.T) {
	for _, tt := range []struct {
		name  string
		fail  func(*upstream, db.Store)
		named bool // the cause names the source itself (the store names what it read)
	}{
		{"upstream fails", func(u *upstream, _ db.Store) { u.fail.Store(500) }, false},
		{"store fails", func(_ *upstream, s db.Store) { s.Close() }, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u := newUpstream(t)
			c, store := setup(t, config.Source{Name: "src-a", Type: "feed", URL: u.URL + "/journal.xml"})
			tt.fail(u, store)
			s := c.CollectAll(context.Background())[0]
			var pe *PassError
			if !errors.As(s.Err, &pe) || pe.Source != "src-a" || s.Err.Error() != "src-a: "+pe.Err.Error() {
				t.Fatalf("error %v (%T), want a *PassError naming src-a", s.Err, s.Err)
			}
			if got, want := s.Outcome(), "error: "+pe.Err.Error(); got != want {
				t.Errorf("outcome %q, want %q", got, want)
			}
			if n := strings.Count(s.String(), "src-a"); !tt.named && n != 1 {
				t.Errorf("summary line %q names the source %d times", s.String(), n)
			}
		})
	}
}
