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

	"github.com/paperfeed/paperfeed/aggregator/config"
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
	registerStoreGauges(reg, newStoreCounts(store, func() time.Time { return now }))
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

// leaseStore answers Leases with ls or err and counts the calls.
type leaseStore struct {
	db.Store
	ls    []db.Lease
	err   error
	calls int
}

func (s *leaseStore) Leases(context.Context) ([]db.Lease, error) {
	s.calls++
	return s.ls, s.err
}

// TestLeaseGauge: one series per current lease of a configured source,
// labelled with its holder; leases of unconfigured names are left out, and a
// failing store keeps the last list less the leases expired since.
func TestLeaseGauge(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	cfg := config.Default()
	cfg.Sources = []config.Source{{Name: "a", Type: "feed"}, {Name: "b", Type: "feed"}}
	store := &leaseStore{}
	reg := prometheus.NewRegistry()
	reg.MustRegister(newLeaseGauge(cfg, newLeaseReads(store, clock), clock))
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	cases := []struct {
		name    string
		ls      []db.Lease
		err     error
		advance time.Duration
		want    []string
		notWant []string
	}{
		{"none held", nil, nil, time.Minute, nil, []string{"paperfeed_lease_held{"}},
		{"configured sources only", []db.Lease{
			{Name: "source:a", Holder: "web-1:41", Expires: now.Add(2*time.Minute + 30*time.Second)}, // expired at the third scrape,
			{Name: "source:b", Holder: "web-2:77", Expires: now.Add(time.Hour)},
			{Name: "source:removed", Holder: "web-1:41", Expires: now.Add(time.Hour)},
			{Name: "digest:weekly", Holder: "web-2:77", Expires: now.Add(time.Hour)},
		}, nil, time.Minute, []string{
			"# TYPE paperfeed_lease_held gauge\n",
			`paperfeed_lease_held{holder="web-1:41",lease="source:a"} 1` + "\n",
			`paperfeed_lease_held{holder="web-2:77",lease="source:b"} 1` + "\n",
		}, []string{"source:removed", "digest:weekly"}},
		{"a failing store keeps the unexpired leases", nil, errors.New("connection refused"), time.Minute,
			[]string{`paperfeed_lease_held{holder="web-2:77",lease="source:b"} 1`}, []string{"source:a"}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store.ls, store.err = c.ls, c.err
			now = now.Add(c.advance)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
			body := rec.Body.String()
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("lacks %q:\n%s", w, body)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(body, w) {
					t.Errorf("has %q:\n%s", w, body)
				}
			}
			if store.calls != i+1 {
				t.Errorf("%d store queries in all, want %d (one per scrape)", store.calls, i+1)
			}
		})
	}
}
