package aggregator

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/aggregator/sharedtest"
	"github.com/paperfeed/paperfeed/aggregator/sources"
	"github.com/paperfeed/paperfeed/db"
)

// TestFetchExemplars: a like-topic's arXiv ids missing from the store are
// fetched once: the found one is stored, the unknown one recorded as not
// found, and neither is asked again. The answers are recorded ones: for
// 1707.08567 its own, for the unknown 2410.99999 arXiv's empty answer
// (recorded for another unknown id; the parser reads no id from it).
func TestFetchExemplars(t *testing.T) {
	answers := map[string][]byte{
		"1707.08567": sharedtest.Glob(t, "fixtures/arxiv-api/arxivpy_extracted_bodies/id_1707.08567_s0_m100_*.xml"),
		"2410.99999": sharedtest.Glob(t, "fixtures/arxiv-api/arxivpy_extracted_bodies/id_0000.0000_s0_m100_*.xml"),
	}
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		b, ok := answers[r.URL.Query().Get("id_list")]
		if !ok || r.URL.Query().Get("max_results") != "100" {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	cfg := config.Default()
	cfg.Topics = []config.Topic{
		{Name: "info", Like: []string{"https://arxiv.org/abs/1707.08567v1", "doi:10.1109/CVPR52729.2023.01499"}},
		{Name: "again", Like: []string{"arxiv:1707.08567"}, Unlike: []string{"2410.99999v2"}},
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	store := tempStore(t)
	c, err := New(cfg, store, fetch.New(fetch.Options{Timeout: 5 * time.Second}), Options{Now: func() time.Time { return now },
		ArxivLookup: &sources.ArxivLookup{Endpoint: srv.URL + "/api/query", Batch: 1, Backoff: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	sum := c.FetchExemplars(ctx)
	if sum.Err != nil || sum.Asked != 2 || sum.Stored != 1 || !slices.Equal(sum.NotFound, []string{"2410.99999"}) || requests.Load() != 2 {
		t.Fatalf("fetch: %s (%d requests)", sum, requests.Load())
	}
	ps, err := store.Identified(ctx, []string{"1707.08567"}, nil)
	if err != nil || len(ps) != 1 {
		t.Fatalf("stored exemplar: %v %v", ps, err)
	}
	if p := ps[0]; p.Title != "Proceedings of Workshop AEW10: Concepts in Information Theory and Communications" ||
		!slices.Equal(p.Categories, []string{"cs.IT"}) ||
		sightingOf(p, CompletionSource, "oai:arXiv.org:1707.08567") == nil {
		t.Errorf("stored exemplar %+v", p)
	}
	recs, err := store.ArxivLookups(ctx, []string{"2410.99999", "1707.08567"})
	if err != nil || recs["2410.99999"].Outcome != db.LookupNotFound || recs["1707.08567"].Outcome != db.LookupFound {
		t.Errorf("records %+v %v", recs, err)
	}
	if sum := c.FetchExemplars(ctx); sum.Asked != 0 || requests.Load() != 2 {
		t.Errorf("asked again: %s (%d requests)", sum, requests.Load())
	}
}
