package rank

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db/model"
)

var day = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func TestTrendingScoreWeighsAge(t *testing.T) {
	now := day.Add(48 * time.Hour)
	fresh := &model.Paper{Upvotes: 10, Published: now.Add(-2 * time.Hour)}
	old := &model.Paper{Upvotes: 30, Published: now.Add(-40 * time.Hour)}
	if TrendingScore(fresh, now) <= TrendingScore(old, now) {
		t.Error("10 upvotes in 2 hours should outrank 30 in 40 hours")
	}
	future := &model.Paper{Upvotes: 1, Published: now.Add(time.Hour)}
	if got, want := TrendingScore(future, now), TrendingScore(&model.Paper{Upvotes: 1, Published: now}, now); got != want {
		t.Errorf("a paper dated in the future scores %v, want the score of age 0 (%v)", got, want)
	}
}

func TestOrder(t *testing.T) {
	now := day.Add(48 * time.Hour)
	p := func(title string, hoursOld, upvotes int) *model.Paper {
		return &model.Paper{Title: title, Published: now.Add(-time.Duration(hoursOld) * time.Hour), Upvotes: upvotes}
	}
	// The store's order: newest first, equal dates most recently stored first.
	candidates := func() []*model.Paper {
		return []*model.Paper{p("new", 1, 0), p("tie-stored-last", 5, 1), p("tie-stored-first", 5, 1), p("popular", 30, 400), p("old", 40, 0)}
	}
	for _, tt := range []struct {
		by   string
		want []string
	}{
		{Newest, []string{"new", "tie-stored-last", "tie-stored-first", "popular", "old"}},
		{"", []string{"new", "tie-stored-last", "tie-stored-first", "popular", "old"}},
		{Trending, []string{"popular", "new", "tie-stored-last", "tie-stored-first", "old"}},
	} {
		t.Run(tt.by, func(t *testing.T) {
			ps := candidates()
			if err := Order(ps, tt.by, now); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, p.Title)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("newest sorts what it is given", func(t *testing.T) {
		ps := []*model.Paper{p("b", 5, 0), p("a", 1, 0), p("c", 9, 0)}
		Order(ps, Newest, now)
		if ps[0].Title != "a" || ps[1].Title != "b" || ps[2].Title != "c" {
			t.Errorf("got %s %s %s", ps[0].Title, ps[1].Title, ps[2].Title)
		}
	})
	t.Run("unknown order", func(t *testing.T) {
		if err := Order(candidates(), "relevance?", now); err == nil {
			t.Error("no error")
		}
	})
}

func TestByScore(t *testing.T) {
	ps := []*model.Paper{{ID: 1, Title: "a"}, {ID: 2, Title: "b"}, {ID: 3, Title: "c"}, {ID: 4, Title: "d"}, {ID: 5, Title: "e"}}
	scores := []float64{0.5, 0.9, 0.5, -1, 2}
	for _, tt := range []struct {
		name  string
		skip  map[int64]bool
		min   float64
		limit int
		want  []string
	}{
		{"all best first, ties in store order", nil, math.Inf(-1), 0, []string{"e", "b", "a", "c", "d"}},
		{"limit", nil, math.Inf(-1), 2, []string{"e", "b"}},
		{"exemplar skipped", map[int64]bool{5: true}, math.Inf(-1), 2, []string{"b", "a"}},
		{"min score", nil, 0.5, 0, []string{"e", "b", "a", "c"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range ByScore(ps, scores, tt.skip, tt.min, tt.limit) {
				got = append(got, s.Paper.Title)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if err := Order(ps, Relevance, day); err == nil {
		t.Error("Order by relevance without scores: no error")
	}
}
