package aggregator

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the collector's Prometheus metrics. A nil *Metrics records nothing.
type Metrics struct {
	fetches  *prometheus.CounterVec
	duration *prometheus.HistogramVec
	items    *prometheus.CounterVec
	merges   *prometheus.CounterVec
}

// NewMetrics registers the collector's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paperfeed_source_passes_total",
			Help: "Source passes by source and outcome (ok, not_modified, error).",
		}, []string{"source", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "paperfeed_source_pass_duration_seconds",
			Help:    "Duration of source passes, fetch and store.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300},
		}, []string{"source"}),
		items: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paperfeed_source_items_total",
			Help: "Items collected by source and what became of them (new, merged, unchanged, skipped).",
		}, []string{"source", "result"}),
		merges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paperfeed_merges_total",
			Help: "Items merged into a paper first stored from another listing, by source.",
		}, []string{"source"}),
	}
	reg.MustRegister(m.fetches, m.duration, m.items, m.merges)
	return m
}

func (m *Metrics) observePass(s *Summary) {
	if m == nil {
		return
	}
	outcome := "ok"
	switch {
	case s.Err != nil:
		outcome = "error"
	case s.AllNotModified:
		outcome = "not_modified"
	}
	m.fetches.WithLabelValues(s.Source, outcome).Inc()
	m.duration.WithLabelValues(s.Source).Observe(s.Duration.Seconds())
	if s.Err == nil {
		m.items.WithLabelValues(s.Source, "new").Add(float64(s.New))
		m.items.WithLabelValues(s.Source, "merged").Add(float64(s.Merged))
		m.items.WithLabelValues(s.Source, "unchanged").Add(float64(s.Known))
		m.items.WithLabelValues(s.Source, "skipped").Add(float64(s.Skipped))
	}
}

func (m *Metrics) observeMerge(source string) {
	if m == nil {
		return
	}
	m.merges.WithLabelValues(source).Inc()
}
