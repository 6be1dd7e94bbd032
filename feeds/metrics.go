package feeds

import (
	"errors"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// register registers c, or returns the collector already registered under its name.
func register[C prometheus.Collector](r prometheus.Registerer, c C) C {
	if err := r.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if old, ok := are.ExistingCollector.(C); ok {
				return old
			}
		}
	}
	return c
}

type requestLabels struct {
	topic, format string
	status        int
}

// requestCounter returns the request counter of a label set, looked up once:
// topic labels are bounded (configured names, "search", "", "_unknown").
func (s *Server) requestCounter(topic, format string, status int) prometheus.Counter {
	key := requestLabels{topic, format, status}
	if c, ok := s.counters.Load(key); ok {
		return c.(prometheus.Counter)
	}
	c := s.requests.WithLabelValues(topic, format, strconv.Itoa(status))
	s.counters.Store(key, c)
	return c
}
