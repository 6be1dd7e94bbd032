// Package rank orders a topic's candidates, the whole set the store selected:
// newest first, by trending score, or by a model's relevance score.
package rank

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/paperfeed/paperfeed/db/model"
)

// Orders a topic can be ranked by (config.Topic.Sort).
const (
	Newest   = "newest"
	Trending = "trending"
	// Relevance orders by a like-topic's model score (see ByScore); Order
	// cannot, having no scores.
	Relevance = "relevance"
)

// Order ranks ps in place by the named order at now; "" is Newest.
func Order(ps []*model.Paper, by string, now time.Time) error {
	switch by {
	case Newest, "":
		// Stable: papers of one date keep the store's order (the most
		// recently stored first).
		slices.SortStableFunc(ps, func(a, b *model.Paper) int { return b.Published.Compare(a.Published) })
	case Trending:
		sort.SliceStable(ps, func(i, j int) bool {
			return TrendingScore(ps[i], now) > TrendingScore(ps[j], now)
		})
	case Relevance:
		return fmt.Errorf("rank: order %q needs the model's scores (ByScore)", by)
	default:
		return fmt.Errorf("rank: unknown order %q (want %q or %q)", by, Newest, Trending)
	}
	return nil
}

// TrendingScore weighs Hugging Face upvotes by age, so that a paper with many
// upvotes this week outranks an older one with a few more: (upvotes+1) / (age in
// hours + 2)^1.5. Papers without upvotes still age in order.
func TrendingScore(p *model.Paper, now time.Time) float64 {
	age := now.Sub(p.Published).Hours()
	if age < 0 {
		age = 0
	}
	return float64(p.Upvotes+1) / math.Pow(age+2, 1.5)
}

// Scored is a candidate and its model score.
type Scored struct {
	Paper *model.Paper
	Score float64
}

// ByScore returns the limit best-scoring candidates scoring at least min,
// best first (ties: newest first, as the store gave them), leaving out the
// papers in skip (a like-topic's exemplars). scores[i] is ps[i]'s.
func ByScore(ps []*model.Paper, scores []float64, skip map[int64]bool, min float64, limit int) []Scored {
	out := make([]Scored, 0, len(ps))
	for i, p := range ps {
		if !skip[p.ID] && scores[i] >= min && !math.IsNaN(scores[i]) {
			out = append(out, Scored{Paper: p, Score: scores[i]})
		}
	}
	slices.SortStableFunc(out, func(a, b Scored) int { return cmp.Compare(b.Score, a.Score) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}
