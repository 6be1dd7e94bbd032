package dbtest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// topicPapers are ten papers, 0..9, one an hour from Day: even ones about
// embeddings (cs.CL, arxiv), odd ones about parsing (cs.LG, hf, 10*i upvotes).
func topicPapers() []*model.Paper {
	var ps []*model.Paper
	for i := range 10 {
		p := Paper(i, fmt.Sprintf("Paper %d about embeddings", i))
		if i%2 == 1 {
			p.Title = fmt.Sprintf("Paper %d about parsing", i)
			p.Abstract = "We study parsing."
			p.Categories = []string{"cs.LG"}
			p.Sightings[0].Source = "hf"
			p.Upvotes = i * 10
		}
		ps = append(ps, p)
	}
	return ps
}

// testTopic: every filter of a topic selection, alone and combined, newest first.
func testTopic(t *testing.T, b Backend) {
	s := b.New(t)
	Save(t, s, topicPapers()...)
	tests := []struct {
		name string
		q    db.TopicQuery
		want []int
	}{
		{"all newest first", db.TopicQuery{Limit: 3}, []int{9, 8, 7}},
		{"match", db.TopicQuery{Match: "embeddings", Limit: 50}, []int{8, 6, 4, 2, 0}},
		{"match prefix and author", db.TopicQuery{Match: "embed* AND lovelace", Limit: 2}, []int{8, 6}},
		{"match phrase or word", db.TopicQuery{Match: `"paper 3" OR embeddings`, Limit: 50}, []int{8, 6, 4, 3, 2, 0}},
		{"match nothing", db.TopicQuery{Match: "zebra", Limit: 50}, []int{}},
		{"exclude", db.TopicQuery{Exclude: "embeddings", Limit: 50}, []int{9, 7, 5, 3, 1}},
		{"match and exclude", db.TopicQuery{Match: "paper", Exclude: "parsing OR 8", Limit: 50}, []int{6, 4, 2, 0}},
		{"categories", db.TopicQuery{Categories: []string{"cs.LG"}, Limit: 2}, []int{9, 7}},
		{"any of the categories", db.TopicQuery{Categories: []string{"cs.LG", "cs.CL"}, Limit: 3}, []int{9, 8, 7}},
		{"sources and min upvotes", db.TopicQuery{Sources: []string{"hf"}, Limit: 50, MinUpvotes: 50}, []int{9, 7, 5}},
		{"any of the sources", db.TopicQuery{Sources: []string{"hf", "arxiv"}, Limit: 3}, []int{9, 8, 7}},
		{"unknown source", db.TopicQuery{Sources: []string{"nope"}, Limit: 50}, []int{}},
		{"min upvotes", db.TopicQuery{MinUpvotes: 70, Limit: 50}, []int{9, 7}},
		{"since", db.TopicQuery{Since: Day.Add(7 * time.Hour), Limit: 50}, []int{9, 8, 7}},
		{"every filter", db.TopicQuery{Match: "parsing", Exclude: "9", Sources: []string{"hf"}, Categories: []string{"cs.LG"},
			MinUpvotes: 30, Since: Day.Add(4 * time.Hour), Limit: 50}, []int{7, 5}},
		{"window beyond limit", db.TopicQuery{WindowStart: Day.Add(5 * time.Hour), Limit: 2, Cap: 100}, []int{9, 8, 7, 6, 5}},
		{"window capped", db.TopicQuery{WindowStart: Day, Limit: 2, Cap: 4}, []int{9, 8, 7, 6}},
		{"limit beyond window", db.TopicQuery{WindowStart: Day.Add(9 * time.Hour), Limit: 3, Cap: 100}, []int{9, 8, 7}},
		{"no window: exactly limit", db.TopicQuery{Limit: 4, Cap: 100}, []int{9, 8, 7, 6}},
		{"cap below limit is raised", db.TopicQuery{WindowStart: Day, Limit: 3, Cap: 1}, []int{9, 8, 7}},
		{"first seen in a range", db.TopicQuery{SeenFrom: Day.Add(2 * time.Hour), SeenUntil: Day.Add(5 * time.Hour), Limit: 50}, []int{4, 3, 2}},
		{"first seen from", db.TopicQuery{SeenFrom: Day.Add(8 * time.Hour), Limit: 50}, []int{9, 8}},
		{"first seen until", db.TopicQuery{SeenUntil: Day.Add(time.Hour + time.Second), Limit: 50}, []int{1, 0}},
		{"first seen range and filters", db.TopicQuery{Match: "parsing", SeenFrom: Day, SeenUntil: Day.Add(6 * time.Hour), Limit: 50}, []int{5, 3, 1}},
		{"window and filters", db.TopicQuery{Match: "embeddings", WindowStart: Day.Add(3 * time.Hour), Limit: 1, Cap: 100}, []int{8, 6, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Topic(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(numbers(got), tt.want) {
				t.Errorf("got %v want %v", numbers(got), tt.want)
			}
			for _, p := range got {
				if len(p.Sightings) != 1 {
					t.Errorf("paper %d has %d sightings loaded", p.ID, len(p.Sightings))
				}
			}
		})
	}
	t.Run("bad query", func(t *testing.T) {
		for _, q := range []db.TopicQuery{{Match: "foo AND ("}, {Match: "paper", Exclude: `"open`}, {Exclude: "x OR"}} {
			_, err := s.Topic(context.Background(), q)
			var qe *db.QueryError
			if !errors.As(err, &qe) {
				t.Errorf("%+v: err = %v, want a *db.QueryError", q, err)
			}
		}
	})
}

// testTopicBounds: the default limit, and equal dates ordered by storage
// (the most recently stored first).
func testTopicBounds(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.New(t)
	var ps []*model.Paper
	for i := range db.DefaultLimit + 10 {
		p := Paper(i, fmt.Sprintf("Paper %d", i))
		p.Published = Day // every one at the same time
		ps = append(ps, p)
	}
	Save(t, s, ps...)
	got, err := s.Topic(ctx, db.TopicQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != db.DefaultLimit {
		t.Fatalf("no limit: %d papers, want db.DefaultLimit", len(got))
	}
	for i, p := range got {
		if want := ps[len(ps)-1-i]; p.ID != want.ID {
			t.Fatalf("paper %d of equal dates is %d, want %d (the most recently stored first)", i, p.ID, want.ID)
		}
	}
}

// testCheckQuery: valid expressions pass, bad ones are a *db.QueryError
// naming the expression.
func testCheckQuery(t *testing.T, b Backend) {
	s := b.New(t)
	for _, tt := range []struct {
		expr string
		ok   bool
	}{
		{"", true}, {"   ", true}, {`"a b" OR c*`, true}, {"diffusion AND protein", true}, {"x NOT y", true},
		{"NOT x", true}, {"self-supervised GPT-4", true}, {"title:(a OR b)", true},
		{"a OR", false}, {"foo AND (", false}, {`"unterminated`, false}, {"nosuchfield:x", false}, {"a OR -b", false},
	} {
		t.Run(tt.expr, func(t *testing.T) {
			err := s.CheckQuery(context.Background(), tt.expr)
			if tt.ok {
				if err != nil {
					t.Errorf("valid expression rejected: %v", err)
				}
				return
			}
			var qe *db.QueryError
			if !errors.As(err, &qe) || qe.Query != tt.expr || qe.Reason == "" {
				t.Errorf("err = %#v, want a *db.QueryError with query and reason", err)
			}
		})
	}
}
