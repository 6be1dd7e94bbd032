package status

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/paperfeed/paperfeed/db"
)

// countingStore answers Stats with st or err and counts the calls; the rest
// of db.Store is not used by the gauges.
type countingStore struct {
	db.Store
	mu    sync.Mutex
	st    db.Stats
	err   error
	calls int
}

func (s *countingStore) Stats(context.Context) (db.Stats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	return s.st, s.err
}

func (s *countingStore) set(st db.Stats, err error) {
	s.mu.Lock()
	s.st, s.err = st, err
	s.mu.Unlock()
}

// TestStoreGauges: each scrape reads the store once for both gauges, shows
// its counts as gauges, and keeps the last counts while the store fails.
func TestStoreGauges(t *testing.T) {
	store := &countingStore{st: db.Stats{Papers: 3, Sightings: 5}}
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	reg := prometheus.NewRegistry()
	registerStoreGauges(reg, &storeCounts{store: store, now: func() time.Time { return now }})
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	scrape := func() string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		return rec.Body.String()
	}
	cases := []struct {
		name      string
		st        db.Stats
		err       error
		want      []string
		wantCalls int
	}{
		{"counts", db.Stats{Papers: 3, Sightings: 5}, nil, []string{
			"# HELP paperfeed_papers_stored Papers in the store.\n# TYPE paperfeed_papers_stored gauge\npaperfeed_papers_stored 3\n",
			"# HELP paperfeed_sightings_stored Source listings in the store.\n# TYPE paperfeed_sightings_stored gauge\npaperfeed_sightings_stored 5\n",
		}, 1},
		{"new counts on the next scrape", db.Stats{Papers: 4, Sightings: 7}, nil, []string{"paperfeed_papers_stored 4\n", "paperfeed_sightings_stored 7\n"}, 2},
		{"a failing store keeps the last counts", db.Stats{}, errors.New("disk I/O error"), []string{"paperfeed_papers_stored 4\n", "paperfeed_sightings_stored 7\n"}, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store.set(c.st, c.err)
			now = now.Add(time.Minute)
			body := scrape()
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("lacks %q:\n%s", w, body)
				}
			}
			if store.calls != c.wantCalls {
				t.Errorf("%d store queries in all, want %d (one per scrape)", store.calls, c.wantCalls)
			}
		})
	}
}
