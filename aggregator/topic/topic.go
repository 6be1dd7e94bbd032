// Package topic is where a configured topic meets the store: its settings
// become the store's selection (db.TopicQuery), the selected candidates are
// ranked (aggregator/rank), and its full-text expressions are checked.
// Everything that serves or exports a topic goes through here.
package topic

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/rank"
	"github.com/paperfeed/paperfeed/aggregator/recommend"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// Query is the store selection of topic t at now: window, cap and limit from
// the config, or exactly the limit newest when a request gave one (> 0).
func Query(t config.Topic, limit int, now time.Time) db.TopicQuery {
	q := db.TopicQuery{
		Match: t.Query, Exclude: t.Exclude, Sources: t.Sources, Categories: t.Categories,
		MinUpvotes: t.MinUpvotes, Limit: t.Limit, Cap: t.Cap,
	}
	if t.Window > 0 {
		q.WindowStart = now.Add(-time.Duration(t.Window))
	}
	if t.Since > 0 {
		q.Since = now.Add(-time.Duration(t.Since))
	}
	if limit > 0 {
		q.Limit, q.Cap, q.WindowStart = limit, limit, time.Time{}
	}
	return q
}

// Papers returns topic t's papers at now: the store's candidates, ranked by
// the topic's sort. limit > 0 asks for exactly the limit newest candidates,
// ignoring the window. A bad expression is a *db.QueryError. A like-topic is
// ranked by a model trained for this call; servers keep Likes and call
// Rank.
func Papers(ctx context.Context, r db.Reader, t config.Topic, limit int, now time.Time) ([]*model.Paper, error) {
	var lk Likes
	if t.IsLike() {
		lk.Models = recommend.NewEngine(r, recommend.DefaultOptions())
	}
	rk, err := Rank(ctx, r, lk, t, limit, now)
	return rk.Papers, err
}

// Rank is Papers with the like-topics' models, scores and like_files kept
// in lk (whose Models may be nil when t has no like).
func Rank(ctx context.Context, r db.Reader, lk Likes, t config.Topic, limit int, now time.Time) (Ranked, error) {
	return RankSeen(ctx, r, lk, t, limit, now, Seen{})
}

// Seen bounds a ranking to the papers first seen in [From, Until): a
// digest's period. The zero Seen bounds nothing.
type Seen struct{ From, Until time.Time }

func (s Seen) query(q db.TopicQuery) db.TopicQuery {
	q.SeenFrom, q.SeenUntil = s.From, s.Until
	return q
}

// RankSeen is Rank over the papers first seen within seen.
func RankSeen(ctx context.Context, r db.Reader, lk Likes, t config.Topic, limit int, now time.Time, seen Seen) (Ranked, error) {
	if t.IsLike() {
		if lk.Models == nil {
			return Ranked{}, fmt.Errorf("topic %q: a like-topic needs a recommend.Engine", t.Name)
		}
		return likeTopic(ctx, r, lk, t, limit, now, seen)
	}
	ps, err := r.Topic(ctx, seen.query(Query(t, limit, now)))
	if err != nil {
		return Ranked{}, err
	}
	if err := rank.Order(ps, t.Sort, now); err != nil {
		return Ranked{}, fmt.Errorf("topic %q: %w", t.Name, err)
	}
	return Ranked{Papers: ps}, nil
}

// Search is the ad-hoc topic of a full-text expression: its newest papers.
func Search(expr string) config.Topic {
	return config.Topic{Query: expr, Sort: rank.Newest}
}

// Problem is a topic expression the engine rejects.
type Problem struct {
	Topic string // the topic's name
	Key   string // its config key: "query" or "exclude"
	Err   error  // a *db.QueryError, or why the check could not run
}

func (p Problem) Error() string { return fmt.Sprintf("[[topic]] %q: %s: %v", p.Topic, p.Key, p.Err) }

// Check checks the query and exclude expressions of every topic with the
// engine's checker, and returns each rejected one.
func Check(ctx context.Context, c db.QueryChecker, topics []config.Topic) []Problem {
	var out []Problem
	for _, t := range topics {
		for _, e := range []struct{ key, expr string }{{"query", t.Query}, {"exclude", t.Exclude}} {
			if err := c.CheckQuery(ctx, e.expr); err != nil {
				out = append(out, Problem{Topic: t.Name, Key: e.key, Err: err})
			}
		}
	}
	return out
}

// Warnings are the valid but probably mistaken parts of every topic's query
// and exclude (a lower-case or/and/not between words), each naming the
// topic, the key and the column. A query that does not parse has none (Check
// reports it).
func Warnings(topics []config.Topic) []string {
	var out []string
	for _, t := range topics {
		for _, e := range []struct{ key, expr string }{{"query", t.Query}, {"exclude", t.Exclude}} {
			q, err := db.ParseQuery(e.expr)
			if err != nil {
				continue
			}
			for _, w := range q.Warnings {
				out = append(out, fmt.Sprintf("[[topic]] %q: %s: %s", t.Name, e.key, strings.TrimPrefix(w.String(), "query: ")))
			}
		}
		_, ws := Exemplars(nil, t)
		for _, w := range ws {
			out = append(out, fmt.Sprintf("[[topic]] %q: like_file: %s", t.Name, w))
		}
	}
	return out
}
