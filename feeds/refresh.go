package feeds

import (
	"context"
	"errors"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/topic"
)

// Refresh brings every like-topic's model and scores up to the store as it
// is now: the candidates that arrived since are scored, and a model whose
// exemplars changed or whose corpus was rebuilt (the store moved the idf) is
// trained again and scores its window. Called when papers arrive (Watch), it
// leaves a like-topic's next render a cached read of its scores.
func (s *Server) Refresh(ctx context.Context) error {
	now := s.now()
	var errs []error
	for _, t := range s.cfg.Topics {
		if !t.IsLike() {
			continue
		}
		if _, err := topic.Rank(ctx, s.store, s.likes(), t, 0, now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Watch calls Refresh at once and then whenever the store's generation
// changed (a collect committed papers, in this process or another) or the
// engine's corpus was rebuilt in the background, looking every interval,
// until ctx ends. Without like-topics it returns at once. A failed refresh is
// logged; renders then do the work themselves.
func (s *Server) Watch(ctx context.Context, interval time.Duration) {
	if !s.hasLikeTopics() {
		return
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	lastGen, lastBuilds := int64(-1), -1
	for {
		gen, err := s.store.Generation(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.log.Warn("like-topics: reading the store generation", "err", err)
		case gen != lastGen || s.models.Counts().CorpusBuilds != lastBuilds:
			if err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("like-topics: scoring arrived papers", "err", err)
			}
			// A rebuild started by this refresh ends in a later look.
			lastGen, lastBuilds = gen, s.models.Counts().CorpusBuilds
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (s *Server) hasLikeTopics() bool {
	for _, t := range s.cfg.Topics {
		if t.IsLike() {
			return true
		}
	}
	return false
}

// LikeRefreshInterval is how often serve's Watch looks at the store
// generation: a feed request more than this after a collect finds its
// like-topic's scores computed.
const LikeRefreshInterval = 2 * time.Second
