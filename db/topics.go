package db

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/paper"
)

// TopicQuery selects the papers of a topic feed.
type TopicQuery struct {
	Match      string   // FTS5 expression over title, abstract, authors; "" matches every paper
	Exclude    string   // FTS5 expression; papers it matches are left out
	Sources    []string // only papers sighted by one of these sources
	Categories []string // only papers in one of these categories
	MinUpvotes int
	Since      time.Time // only papers published at or after Since (zero: no bound)
	// Every paper published at or after WindowStart is returned, up to Cap, and
	// at least Limit papers however old.
	WindowStart time.Time
	Limit       int
	Cap         int
	Sort        string    // "newest" (default) or "trending"
	Now         time.Time // for trending's age weighting; zero means time.Now
}

// QueryError is an FTS5 expression the store cannot run.
type QueryError struct {
	Query string
	Err   error
}

func (e *QueryError) Error() string {
	msg := e.Err.Error()
	// modernc reports "SQL logic error: fts5: syntax error near ... (1)".
	if i := strings.Index(msg, "fts5:"); i >= 0 {
		msg = msg[i:]
	}
	msg = strings.TrimPrefix(msg, "SQL logic error: ")
	msg = strings.TrimSuffix(strings.TrimSpace(msg), "(1)")
	return fmt.Sprintf("bad query %q: %s", e.Query, strings.TrimSpace(msg))
}

func (e *QueryError) Unwrap() error { return e.Err }

// CheckQuery reports whether expr is a valid FTS5 expression (nil for "").
func (s *Store) CheckQuery(ctx context.Context, expr string) error {
	if strings.TrimSpace(expr) == "" {
		return nil
	}
	return tryMatch(ctx, s.r, "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? LIMIT 1", expr)
}

// tryMatch runs an FTS5 MATCH to the end: syntax errors may surface only while stepping.
func tryMatch(ctx context.Context, q querier, query, expr string) error {
	rows, err := q.QueryContext(ctx, query, expr)
	if err != nil {
		return &QueryError{Query: expr, Err: err}
	}
	defer rows.Close()
	for rows.Next() {
	}
	if err := rows.Err(); err != nil {
		return &QueryError{Query: expr, Err: err}
	}
	return nil
}

// Topic returns the papers of a topic, newest first (or by trending score).
func (s *Store) Topic(ctx context.Context, q TopicQuery) ([]*paper.Paper, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	if q.Cap < q.Limit {
		q.Cap = q.Limit
	}
	var where []string
	var args []any
	from := " FROM papers p"
	match, exclude := strings.TrimSpace(q.Match), strings.TrimSpace(q.Exclude)
	if match != "" {
		expr := match
		if exclude != "" {
			// One FTS5 expression (NOT is FTS5's set difference): the excluded
			// set is never materialised.
			expr = "(" + match + ") NOT (" + exclude + ")"
		}
		n, err := s.countMatches(ctx, expr, denseMatches*q.Cap)
		if err != nil {
			return nil, &QueryError{Query: q.Match + " / " + q.Exclude, Err: err}
		}
		switch {
		case n < sparseMatches*q.Cap:
			// Few matches: read them all and sort (cost grows with the matches).
			where = append(where, "p.id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)")
		case n < denseMatches*q.Cap:
			// Many: walk papers newest first and test each against the matches'
			// set, stopping at Cap (building the set costs about 1 µs a match).
			from += " INDEXED BY papers_published"
			where = append(where, "p.id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)")
		default:
			// Very many: walk papers newest first and probe the index for each;
			// about Cap/selectivity probes, never the whole set.
			from += " INDEXED BY papers_published"
			where = append(where, "EXISTS (SELECT 1 FROM papers_fts WHERE papers_fts MATCH ? AND rowid = p.id)")
		}
		args = append(args, expr)
	} else if exclude != "" {
		where = append(where, "p.id NOT IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)")
		args = append(args, q.Exclude)
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
	sqlText := "SELECT " + prefixed("p.", paperColumns) + from
	if len(where) > 0 {
		sqlText += " WHERE " + strings.Join(where, " AND ")
	}
	sqlText += " ORDER BY p.published DESC, p.id DESC LIMIT ?"
	args = append(args, q.Cap)

	rows, err := s.r.QueryContext(ctx, sqlText, args...)
	if err != nil {
		if strings.Contains(err.Error(), "fts5") {
			return nil, &QueryError{Query: q.Match + " / " + q.Exclude, Err: err}
		}
		return nil, fmt.Errorf("topic query: %w", err)
	}
	var papers []*paper.Paper
	for rows.Next() {
		p, err := scanPaper(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("topic query: %w", err)
		}
		// Keep the window's papers (up to Cap) and at least Limit.
		if len(papers) >= q.Limit && !q.WindowStart.IsZero() && p.Published.Before(q.WindowStart) {
			break
		}
		if len(papers) >= q.Limit && q.WindowStart.IsZero() {
			break
		}
		papers = append(papers, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		if strings.Contains(err.Error(), "fts5") {
			return nil, &QueryError{Query: q.Match, Err: err}
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
	if q.Sort == "trending" {
		now := q.Now
		if now.IsZero() {
			now = time.Now()
		}
		sortTrending(papers, now)
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

// countMatches counts the rows expr matches, up to limit (cheap: a doclist walk).
func (s *Store) countMatches(ctx context.Context, expr string, limit int) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? LIMIT ?)", expr, limit).Scan(&n)
	return n, err
}

// TrendingScore weighs Hugging Face upvotes by age, so that a paper with many
// upvotes this week outranks an older one with a few more: (upvotes+1) / (age in
// hours + 2)^1.5. Papers without upvotes still age in order.
func TrendingScore(p *paper.Paper, now time.Time) float64 {
	age := now.Sub(p.Published).Hours()
	if age < 0 {
		age = 0
	}
	return float64(p.Upvotes+1) / math.Pow(age+2, 1.5)
}

func sortTrending(ps []*paper.Paper, now time.Time) {
	sort.SliceStable(ps, func(i, j int) bool {
		return TrendingScore(ps[i], now) > TrendingScore(ps[j], now)
	})
}

func loadSightings(ctx context.Context, q querier, ids []int64) (map[int64][]paper.Sighting, error) {
	out := make(map[int64][]paper.Sighting, len(ids))
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

const sightingColumns = `paper_id, source, guid, link, first_seen, last_seen`

// scanSighting reads one row of sightingColumns.
func scanSighting(rows *sql.Rows) (paperID int64, sg paper.Sighting, err error) {
	var first, last int64
	if err := rows.Scan(&paperID, &sg.Source, &sg.GUID, &sg.Link, &first, &last); err != nil {
		return 0, sg, err
	}
	sg.FirstSeen, sg.LastSeen = fromUnix(first), fromUnix(last)
	return paperID, sg, nil
}

func qmarks(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

func prefixed(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// ValidateQuery checks an FTS5 expression without a store (config checks run
// before the database is opened). It returns a *QueryError for a bad one.
func ValidateQuery(ctx context.Context, expr string) error {
	if strings.TrimSpace(expr) == "" {
		return nil
	}
	conn, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		return fmt.Errorf("check query: %w", err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.ExecContext(ctx, "CREATE VIRTUAL TABLE q USING fts5(title, abstract, authors, tokenize='porter unicode61 remove_diacritics 2')"); err != nil {
		return fmt.Errorf("check query: %w", err)
	}
	return tryMatch(ctx, conn, "SELECT rowid FROM q WHERE q MATCH ?", expr)
}
