// Package rank orders a topic's candidates, the whole set the store selected:
// newest first, or by trending score.
package rank

import (
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
