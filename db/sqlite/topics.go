package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// Topic returns the candidates of a topic selection, newest first.
func (s *Store) Topic(ctx context.Context, q db.TopicQuery) ([]*model.Paper, error) {
	q = q.Bounded()
	var where []string
	var args []any
	from := " FROM papers p"
	tree, err := q.Tree()
	if err != nil {
		return nil, err
	}
	label := q.Match + " / " + q.Exclude
	plan, err := s.compile(ctx, tree)
	if err != nil {
		return nil, fmt.Errorf("topic query: %w", err)
	}
	if plan.include != "" {
		n, err := s.countMatches(ctx, matchSQL, []any{plan.include}, denseMatches*q.Cap)
		if err != nil {
			return nil, queryError(label, err)
		}
		switch {
		case n < sparseMatches*q.Cap:
			// Few matches: read them all and sort (cost grows with the matches).
			where = append(where, "p.id IN ("+matchSQL+")")
		case n < denseMatches*q.Cap:
			// Many: walk papers newest first and test each against the matches'
			// set, stopping at Cap (building the set costs about 1 µs a match).
			from += " INDEXED BY papers_published"
			where = append(where, "p.id IN ("+matchSQL+")")
		default:
			// Very many: walk papers newest first and probe the index for
			// each; about Cap/selectivity probes, never the whole set.
			from += " INDEXED BY papers_published"
			where = append(where, "EXISTS (SELECT 1 FROM "+ftsIndex+" WHERE "+ftsIndex+" MATCH ? AND rowid = p.id)")
		}
		args = append(args, plan.include)
	}
	if plan.exclude != "" {
		where = append(where, "p.id NOT IN ("+matchSQL+")")
		args = append(args, plan.exclude)
	}
	if len(q.Sources) > 0 {
		where = append(where, "EXISTS (SELECT 1 FROM sightings s WHERE s.paper_id = p.id AND s.source IN ("+qmarks(len(q.Sources))+"))")
		for _, v := range q.Sources {
			args = append(args, v)
		}
	}
	if len(q.Categories) > 0 {
		where = append(where, "EXISTS (SELECT 1 FROM paper_categories c WHERE c.paper_id = p.id AND c.category IN ("+qmarks(len(q.Categories))+"))")
		for _, v := range q.Categories {
			args = append(args, v)
		}
	}
	if q.MinUpvotes > 0 {
		where = append(where, "p.upvotes >= ?")
		args = append(args, q.MinUpvotes)
	}
	if !q.Since.IsZero() {
		where = append(where, "p.published >= ?")
		args = append(args, q.Since.Unix())
	}
	if !q.SeenFrom.IsZero() {
		where = append(where, "p.first_seen >= ?")
		args = append(args, unix(q.SeenFrom))
	}
	if !q.SeenUntil.IsZero() {
		where = append(where, "p.first_seen < ?")
		args = append(args, unix(q.SeenUntil))
	}
	sqlText := "SELECT " + prefixed("p.", paperColumns) + from
	if len(where) > 0 {
		sqlText += " WHERE " + strings.Join(where, " AND ")
	}
	sqlText += " ORDER BY p.published DESC, p.id DESC LIMIT ?"
	args = append(args, q.Cap)

	rows, err := s.r.QueryContext(ctx, sqlText, args...)
	if err != nil {
		if strings.Contains(err.Error(), "fts5") {
			return nil, queryError(label, err)
		}
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
		if strings.Contains(err.Error(), "fts5") {
			return nil, queryError(label, err)
		}
		return nil, fmt.Errorf("topic query: %w", err)
	}
	if len(papers) > 0 {
		ids := make([]int64, len(papers))
		for i, p := range papers {
			ids[i] = p.ID
		}
		full, err := loadSightings(ctx, s.r, ids)
		if err != nil {
			return nil, err
		}
		for _, p := range papers {
			p.Sightings = full[p.ID]
		}
	}
	return papers, nil
}

// Plan thresholds of an FTS topic, in matches per paper of the feed's Cap: with
// fewer than sparseMatches*Cap matches the query reads every match; up to
// denseMatches*Cap it walks papers by date and tests membership in the
// matches' set; beyond, it walks by date and probes the index row by row. The
// crossovers were measured at 1,000,000 papers (see BENCHMARKS.md).
const (
	sparseMatches = 10
	denseMatches  = 800
)

// countMatches counts the rows a compiled set matches, up to limit (cheap
// for one MATCH: a doclist walk).
func (s *Store) countMatches(ctx context.Context, setSQL string, args []any, limit int) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM ("+setSQL+" LIMIT ?)", append(args[:len(args):len(args)], limit)...).Scan(&n)
	return n, err
}

func loadSightings(ctx context.Context, q querier, ids []int64) (map[int64][]model.Sighting, error) {
	out := make(map[int64][]model.Sighting, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		ph, args := placeholders(chunk)
		rows, err := q.QueryContext(ctx, `SELECT `+sightingColumns+` FROM sightings WHERE paper_id IN (`+ph+`) ORDER BY first_seen, source`, args...)
		if err != nil {
			return nil, fmt.Errorf("load sightings: %w", err)
		}
		for rows.Next() {
			id, sg, err := scanSighting(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("load sightings: %w", err)
			}
			out[id] = append(out[id], sg)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("load sightings: %w", err)
		}
	}
	return out, nil
}
