package status

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/paperfeed/paperfeed/db"
)

// Metrics registers the store gauges on reg and serves reg in Prometheus text
// format. The gauges are read from the store whenever reg is gathered.
func Metrics(reg *prometheus.Registry, store db.Store) http.Handler {
	registerStoreGauges(reg, &storeCounts{store: store, now: time.Now})
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

func registerStoreGauges(reg prometheus.Registerer, c *storeCounts) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "paperfeed_papers_stored", Help: "Papers in the store."},
			func() float64 { return float64(c.get().Papers) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "paperfeed_sightings_stored", Help: "Source listings in the store."},
			func() float64 { return float64(c.get().Sightings) }),
	)
}

// Bounds of one store count: the gauges of one scrape share a query made at
// most statsMaxAge before, and a query that takes longer than statsTimeout
// (a store that hangs) leaves the scrape the last counts.
const (
	statsMaxAge  = time.Second
	statsTimeout = 5 * time.Second
)

// storeCounts is the store's counts as the gauges read them: one query for
// both gauges of a scrape, and on a failed query the last counts (0 before
// any), so that a scrape during a store error shows no false drop to zero.
type storeCounts struct {
	store db.Store
	now   func() time.Time

	mu   sync.Mutex
	at   time.Time // when last was asked for; zero: never
	last db.Stats
}

func (c *storeCounts) get() db.Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if !c.at.IsZero() && now.Sub(c.at) >= 0 && now.Sub(c.at) < statsMaxAge {
		return c.last
	}
	ctx, cancel := context.WithTimeout(context.Background(), statsTimeout)
	defer cancel()
	if st, err := c.store.Stats(ctx); err == nil {
		c.last = st
	}
	c.at = now
	return c.last
}
