package aggregator

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/aggregator/sharedtest"
	"github.com/paperfeed/paperfeed/db/dbtest"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

// TestFetchExemplarDOIs: exemplar DOIs missing from the store are looked up at
// Crossref (the recorded single-work answers and 404 body), in the polite
// pool, stored as papers and never asked again; a DOI Crossref does not know
// is reported, asked once per process.
func TestFetchExemplarDOIs(t *testing.T) {
	const dir = "fixtures/crossref/extracted_bodies/"
	works := map[string][]byte{
		"/works/10.1371/journal.pone.0033693": sharedtest.File(t, dir+"test_works_with_one_id__0.json"),
		"/works/10.1038/srep16696":            sharedtest.File(t, dir+"test_works_with_many_ids__2.json"),
	}
	notFound := sharedtest.File(t, dir+"test_works_bad_id_warn__0.json")
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.Path)
		mu.Unlock()
		if got := r.URL.Query().Get("mailto"); got != "lab@example.org" {
			t.Errorf("%s: mailto %q, want the user_agent's contact", r.URL.Path, got)
		}
		if b, ok := works[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "application/json")
			w.Write(b)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusNotFound)
		w.Write(notFound)
	}))
	defer srv.Close()

	cfg := config.Default()
	cfg.Collect.UserAgent = "paperfeed/test (mailto:lab@example.org)"
	cfg.Topics = []config.Topic{
		{Name: "mine", Sort: "relevance", Like: []string{"doi:10.1371/journal.pone.0033693", "https://doi.org/10.1038/srep16696",
			"10.9999/unknown.1", "arxiv:2301.08243", "10.1000/stored.1"}},
		{Name: "other", Like: []string{"10.1038/SREP16696"}, Unlike: []string{"doi:10.9999/unknown.2"}},
		{Name: "plain"},
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "pf.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	p := dbtest.Paper(1, "A paper stored before")
	p.DOI = "10.1000/stored.1"
	dbtest.Save(t, store, p)
	c, err := New(cfg, store, fetch.New(fetch.Options{Timeout: 5 * time.Second}), Options{Now: func() time.Time { return now }, CrossrefAPI: srv.URL})
	if err != nil {
		t.Fatal(err)
	}

	rep := c.FetchExemplarDOIs(ctx)
	if want := []string{"10.1371/journal.pone.0033693", "10.1038/srep16696"}; !slices.Equal(rep.Stored, want) {
		t.Errorf("stored %q, want %q", rep.Stored, want)
	}
	if want := []string{"10.9999/unknown.1", "10.9999/unknown.2"}; !slices.Equal(rep.NotFound, want) || len(rep.Failed) != 0 {
		t.Errorf("not found %q failed %v, want %q", rep.NotFound, rep.Failed, want)
	}
	ps, err := store.Identified(ctx, nil, []string{"10.1371/journal.pone.0033693", "10.1038/srep16696"})
	if err != nil || len(ps) != 2 {
		t.Fatalf("stored exemplars: %d, %v", len(ps), err)
	}
	for _, p := range ps {
		if p.Title == "" || len(p.Sightings) != 1 || p.Sightings[0].Source != ExemplarSource {
			t.Errorf("paper %s: title %q sightings %+v", p.DOI, p.Title, p.Sightings)
		}
	}
	if !strings.Contains(ps[0].Title+ps[1].Title, "Methylphenidate Exposure") {
		t.Errorf("titles %q, %q", ps[0].Title, ps[1].Title)
	}

	unknown, err := store.UnknownIDs(ctx)
	if err != nil || len(unknown) != 2 || !unknown["doi:10.9999/unknown.1"].Equal(now) {
		t.Errorf("recorded unknown: %v, %v", unknown, err)
	}

	// Again, from another process: the stored ones are in the store, the
	// unknown ones recorded.
	mu.Lock()
	n := len(asked)
	mu.Unlock()
	c, err = New(cfg, store, fetch.New(fetch.Options{Timeout: 5 * time.Second}), Options{Now: func() time.Time { return now }, CrossrefAPI: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	rep = c.FetchExemplarDOIs(ctx)
	mu.Lock()
	defer mu.Unlock()
	if len(asked) != n || len(rep.Stored) != 0 || len(rep.NotFound) != 2 {
		t.Errorf("second run asked %q (after %d), report %+v", asked[n:], n, rep)
	}
	if n != 4 {
		t.Errorf("first run asked %q: want each missing DOI once", asked)
	}

	// After ExemplarRetry an unknown DOI is asked again.
	later := now.Add(ExemplarRetry + time.Hour)
	c, err = New(cfg, store, fetch.New(fetch.Options{Timeout: 5 * time.Second}), Options{Now: func() time.Time { return later }, CrossrefAPI: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	mu.Unlock()
	rep = c.FetchExemplarDOIs(ctx)
	mu.Lock()
	if len(asked) != n+2 || len(rep.NotFound) != 2 {
		t.Errorf("after the retry time asked %q, report %+v", asked[n:], rep)
	}
}
