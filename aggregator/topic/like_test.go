package topic

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/recommend"
	"github.com/paperfeed/paperfeed/db/dbtest"
	"github.com/paperfeed/paperfeed/db/model"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

// likeStore holds twelve papers on proteins (1-12) and twelve on markets
// (13-24); paper 24 also has a DOI.
func likeStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "l.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	prot := []string{"protein", "folding", "enzyme", "residue", "binding", "structure"}
	mkt := []string{"market", "stock", "volatility", "pricing", "portfolio", "trading"}
	for i := 1; i <= 24; i++ {
		ws := prot
		if i > 12 {
			ws = mkt
		}
		p := dbtest.Paper(i, fmt.Sprintf("%s %s model", ws[i%6], ws[(i+1)%6]))
		p.Abstract = fmt.Sprintf("We study %s and %s with %s.", ws[(i+2)%6], ws[(i+3)%6], ws[(i+4)%6])
		if i == 24 {
			p.DOI = "10.1000/market.24"
		}
		dbtest.Save(t, st, p)
	}
	return st
}

func titlesOf(ps []*model.Paper) []int {
	var out []int
	for _, p := range ps {
		var n int
		fmt.Sscanf(p.ArxivID, "2611.%d", &n)
		out = append(out, n)
	}
	return out
}

func TestResolve(t *testing.T) {
	st := likeStore(t)
	ps, missing, err := Resolve(context.Background(), st, []string{"arxiv:2611.00001", "2611.00002v3", "https://arxiv.org/abs/2611.00003",
		"doi:10.1000/MARKET.24", "https://doi.org/10.1000/none", "arxiv:2611.99999", "nonsense"})
	if err != nil {
		t.Fatal(err)
	}
	got := titlesOf(ps)
	slices.Sort(got)
	if !slices.Equal(got, []int{1, 2, 3, 24}) {
		t.Errorf("resolved %v", got)
	}
	if !slices.Equal(missing, []string{"https://doi.org/10.1000/none", "arxiv:2611.99999", "nonsense"}) {
		t.Errorf("missing %q", missing)
	}
}

func TestLikeTopicRanks(t *testing.T) {
	st := likeStore(t)
	ctx := context.Background()
	eng := recommend.NewEngine(st, recommend.DefaultOptions())
	base := config.Topic{Name: "prot", Like: []string{"2611.00001", "2611.00002", "2611.00003"}, Sort: "relevance", Limit: 8, Cap: 500}
	low := -100.0
	for _, tt := range []struct {
		name  string
		topic func(config.Topic) config.Topic
		limit int
		check func(t *testing.T, rk Ranked)
	}{
		{"the limit best, no exemplar", func(c config.Topic) config.Topic { return c }, 0, func(t *testing.T, rk Ranked) {
			got := titlesOf(rk.Papers)
			if len(got) != 8 {
				t.Fatalf("%d papers, want the limit 8: %v", len(got), got)
			}
			for _, n := range got {
				if n <= 3 || n > 12 {
					t.Errorf("paper %d in the feed: want protein papers 4-12 only (%v)", n, got)
				}
			}
			if !slices.IsSortedFunc(rk.Scores, func(a, b float64) int { return cmp.Compare(b, a) }) {
				t.Errorf("scores not best first: %v", rk.Scores)
			}
			if rk.Model == nil || len(rk.Model.Positive) == 0 {
				t.Error("no model words")
			}
		}},
		{"request limit", func(c config.Topic) config.Topic { return c }, 2, func(t *testing.T, rk Ranked) {
			if len(rk.Papers) != 2 {
				t.Errorf("%d papers, want 2", len(rk.Papers))
			}
		}},
		{"min_score keeps all others", func(c config.Topic) config.Topic { c.MinScore, c.Limit = &low, 50; return c }, 0, func(t *testing.T, rk Ranked) {
			if len(rk.Papers) != 21 {
				t.Errorf("%d papers, want the 21 non-exemplars", len(rk.Papers))
			}
		}},
		{"unlike left out", func(c config.Topic) config.Topic { c.Unlike = []string{"2611.00004"}; return c }, 0, func(t *testing.T, rk Ranked) {
			if slices.Contains(titlesOf(rk.Papers), 4) {
				t.Error("unliked paper 4 in the feed")
			}
		}},
		{"newest order of the kept", func(c config.Topic) config.Topic { c.Sort = "newest"; return c }, 0, func(t *testing.T, rk Ranked) {
			got := titlesOf(rk.Papers)
			if !slices.IsSortedFunc(got, func(a, b int) int { return b - a }) || len(got) == 0 {
				t.Errorf("newest order: %v", got)
			}
		}},
		{"no exemplar stored", func(c config.Topic) config.Topic { c.Like = []string{"2611.99999"}; return c }, 0, func(t *testing.T, rk Ranked) {
			if len(rk.Papers) != 0 || rk.Problem == "" || !slices.Equal(rk.Missing, []string{"2611.99999"}) {
				t.Errorf("papers %d, problem %q, missing %q", len(rk.Papers), rk.Problem, rk.Missing)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rk, err := Rank(ctx, st, Likes{Models: eng}, tt.topic(base), tt.limit, now)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, rk)
		})
	}
	ps, err := Papers(ctx, st, base, 0, now)
	if err != nil || len(ps) != 8 {
		t.Errorf("Papers without an engine: %d papers, %v", len(ps), err)
	}
}
