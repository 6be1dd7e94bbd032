package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// Topic returns the candidates of a topic selection, newest first.
func (s *Store) Topic(ctx context.Context, q db.TopicQuery) ([]*model.Paper, error) {
	q = q.Bounded()
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	cond, err := condition(q, arg)
	if err != nil {
		return nil, err
	}
	if cond != "" {
		where = append(where, cond)
	}
	if len(q.Sources) > 0 {
		where = append(where, "EXISTS (SELECT 1 FROM sightings s WHERE s.paper_id = p.id AND s.source = ANY("+arg(q.Sources)+"))")
	}
	if len(q.Categories) > 0 {
		where = append(where, "EXISTS (SELECT 1 FROM paper_categories c WHERE c.paper_id = p.id AND c.category = ANY("+arg(q.Categories)+"))")
	}
	if q.MinUpvotes > 0 {
		where = append(where, "p.upvotes >= "+arg(q.MinUpvotes))
	}
	if !q.Since.IsZero() {
		where = append(where, "p.published >= "+arg(q.Since.Unix()))
	}
	if !q.SeenFrom.IsZero() {
		where = append(where, "p.first_seen >= "+arg(unix(q.SeenFrom)))
	}
	if !q.SeenUntil.IsZero() {
		where = append(where, "p.first_seen < "+arg(unix(q.SeenUntil)))
	}
	sqlText := "SELECT " + prefixed("p.", paperColumns) + " FROM papers p"
	if len(where) > 0 {
		sqlText += " WHERE " + strings.Join(where, " AND ")
	}
	sqlText += " ORDER BY p.published DESC, p.id DESC LIMIT " + arg(q.Cap)
	rows, err := s.pool.Query(ctx, sqlText, args...)
	if err != nil {
		return nil, fmt.Errorf("topic query: %w", err)
	}
	var papers []*model.Paper
	for rows.Next() {
		p, err := scanPaper(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("topic query: %w", err)
		}
		if !q.Keeps(len(papers), p.Published) {
			break
		}
		papers = append(papers, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("topic query: %w", err)
	}
	if len(papers) > 0 {
		ids := make([]int64, len(papers))
		for i, p := range papers {
			ids[i] = p.ID
		}
		sg, err := loadSightings(ctx, s.pool, ids)
		if err != nil {
			return nil, err
		}
		for _, p := range papers {
			p.Sightings = sg[p.ID]
		}
	}
	return papers, nil
}
