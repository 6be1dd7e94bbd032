package status

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/db"
)

// Metrics registers the store gauges on reg and serves reg in Prometheus text
// format. The gauges are read from the store whenever reg is gathered; the
// lease gauge covers the leases of cfg's sources.
func Metrics(reg *prometheus.Registry, store db.Store, cfg *config.Config) http.Handler {
	registerStoreGauges(reg, newStoreCounts(store, time.Now))
	reg.MustRegister(newLeaseGauge(cfg, newLeaseReads(store, time.Now), time.Now))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

func registerStoreGauges(reg prometheus.Registerer, c *cachedRead[db.Stats]) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "paperfeed_papers_stored", Help: "Papers in the store."},
			func() float64 { return float64(c.get().Papers) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "paperfeed_sightings_stored", Help: "Source listings in the store."},
			func() float64 { return float64(c.get().Sightings) }),
	)
}

// Bounds of one store read: the gauges of one scrape share a query made at
// most statsMaxAge before, and a query that takes longer than statsTimeout
// (a store that hangs) leaves the scrape the last answer.
const (
	statsMaxAge  = time.Second
	statsTimeout = 5 * time.Second
)

// cachedRead is one store query as the gauges read it: one query for all
// gauges of a scrape, and on a failed query the last answer (the zero value
// before any), so that a scrape during a store error shows no false drop.
type cachedRead[T any] struct {
	read func(context.Context) (T, error)
	now  func() time.Time

	mu   sync.Mutex
	at   time.Time // when last was asked for; zero: never
	last T
}

func newStoreCounts(store db.Store, now func() time.Time) *cachedRead[db.Stats] {
	return &cachedRead[db.Stats]{read: store.Stats, now: now}
}

func newLeaseReads(store db.Store, now func() time.Time) *cachedRead[[]db.Lease] {
	return &cachedRead[[]db.Lease]{read: store.Leases, now: now}
}

func (c *cachedRead[T]) get() T {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if !c.at.IsZero() && now.Sub(c.at) >= 0 && now.Sub(c.at) < statsMaxAge {
		return c.last
	}
	ctx, cancel := context.WithTimeout(context.Background(), statsTimeout)
	defer cancel()
	if v, err := c.read(ctx); err == nil {
		c.last = v
	}
	c.at = now
	return c.last
}

// leaseGauge is paperfeed_lease_held: 1 per current lease of a configured
// source, labelled with the lease and its holder. Leases of other names (a
// source since removed from the config) are left out, so the series are at
// most one per configured source.
type leaseGauge struct {
	desc   *prometheus.Desc
	leases *cachedRead[[]db.Lease]
	names  map[string]bool // lease names of the configured sources
	now    func() time.Time
}

func newLeaseGauge(cfg *config.Config, leases *cachedRead[[]db.Lease], now func() time.Time) *leaseGauge {
	names := map[string]bool{}
	for _, sc := range cfg.Sources {
		names[db.SourceLease(sc.Name)] = true
	}
	if len(cfg.Server.WebSubHubs) > 0 {
		names[db.WebSubLease] = true
	}
	return &leaseGauge{
		desc: prometheus.NewDesc("paperfeed_lease_held",
			"1 for each current lease of a configured source (and the WebSub publisher's), by lease name and holder replica.",
			[]string{"lease", "holder"}, nil),
		leases: leases, names: names, now: now,
	}
}

func (g *leaseGauge) Describe(ch chan<- *prometheus.Desc) { ch <- g.desc }

func (g *leaseGauge) Collect(ch chan<- prometheus.Metric) {
	now := g.now()
	for _, l := range g.leases.get() {
		// A list kept from before a store error may hold leases expired since.
		if !g.names[l.Name] || !l.Expires.After(now) {
			continue
		}
		ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, 1, l.Name, l.Holder)
	}
}
