package mail

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the digest sender's Prometheus metrics. A nil *Metrics
// records nothing.
type Metrics struct {
	messages *prometheus.CounterVec
	failures *prometheus.CounterVec
	retrying *prometheus.GaugeVec
	lastSent *prometheus.GaugeVec
}

// NewMetrics registers the digest metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paperfeed_digest_messages_sent_total",
			Help: "Digest messages the SMTP server accepted, by digest.",
		}, []string{"digest"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paperfeed_digest_send_failures_total",
			Help: "Failed attempts to send a digest's slot, by digest.",
		}, []string{"digest"}),
		retrying: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "paperfeed_digest_retrying",
			Help: "1 while a digest's last attempt failed and a retry is scheduled, by digest.",
		}, []string{"digest"}),
		lastSent: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "paperfeed_digest_last_sent_timestamp_seconds",
			Help: "When this process last completed a digest's slot (Unix seconds), by digest.",
		}, []string{"digest"}),
	}
	reg.MustRegister(m.messages, m.failures, m.retrying, m.lastSent)
	return m
}

func (m *Metrics) sent(digest string) {
	if m != nil {
		m.messages.WithLabelValues(digest).Inc()
	}
}

func (m *Metrics) failed(digest string) {
	if m != nil {
		m.failures.WithLabelValues(digest).Inc()
	}
}

func (m *Metrics) setRetrying(digest string, on bool) {
	if m == nil {
		return
	}
	v := 0.0
	if on {
		v = 1
	}
	m.retrying.WithLabelValues(digest).Set(v)
}

func (m *Metrics) finished(digest string, at time.Time) {
	if m != nil {
		m.lastSent.WithLabelValues(digest).Set(float64(at.Unix()))
	}
}
