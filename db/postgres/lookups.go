package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/paperfeed/paperfeed/db"
)

// RecordArxivLookups stores what the arXiv API said of each id, replacing an
// id's earlier record.
func (t *Tx) RecordArxivLookups(ctx context.Context, ls []db.ArxivLookup) error {
	for _, l := range ls {
		_, err := t.tx.Exec(ctx, `INSERT INTO arxiv_lookups (arxiv_id, outcome, asked, error) VALUES ($1, $2, $3, $4)
			ON CONFLICT (arxiv_id) DO UPDATE SET outcome = excluded.outcome, asked = excluded.asked, error = excluded.error`,
			l.ArxivID, string(l.Outcome), unix(l.At), l.Error)
		if err != nil {
			return fmt.Errorf("record arXiv lookup of %s: %w", l.ArxivID, err)
		}
	}
	return nil
}

// ArxivLookups returns the records of the ids asked, by id.
func (s *Store) ArxivLookups(ctx context.Context, ids []string) (map[string]db.ArxivLookup, error) {
	out := map[string]db.ArxivLookup{}
	if len(ids) == 0 {
		return out, nil
	}
	err := readLookups(ctx, s.pool, func(l db.ArxivLookup) { out[l.ArxivID] = l },
		`SELECT `+lookupColumns+` FROM arxiv_lookups WHERE arxiv_id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ArxivLookupsAfter returns up to n lookup records with an id above after,
// in the database's order of ids.
func (s *Store) ArxivLookupsAfter(ctx context.Context, after string, n int) ([]db.ArxivLookup, error) {
	var out []db.ArxivLookup
	err := readLookups(ctx, s.pool, func(l db.ArxivLookup) { out = append(out, l) },
		`SELECT `+lookupColumns+` FROM arxiv_lookups WHERE arxiv_id > $1 ORDER BY arxiv_id LIMIT $2`, after, n)
	return out, err
}

const lookupColumns = `arxiv_id, outcome, asked, error`

// readLookups runs a query of lookupColumns rows and calls add with each.
func readLookups(ctx context.Context, q querier, add func(db.ArxivLookup), sql string, args ...any) error {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("read arXiv lookups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l db.ArxivLookup
		var outcome string
		var asked int64
		if err := rows.Scan(&l.ArxivID, &outcome, &asked, &l.Error); err != nil {
			return fmt.Errorf("read arXiv lookups: %w", err)
		}
		l.Outcome, l.At = db.LookupOutcome(outcome), fromUnix(asked)
		add(l)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read arXiv lookups: %w", err)
	}
	return nil
}

// ArxivIDsToComplete returns arXiv ids of papers stored without categories,
// never asked or last failed before retryBefore, newest stored first.
func (s *Store) ArxivIDsToComplete(ctx context.Context, retryBefore time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT p.arxiv_id FROM papers p
		LEFT JOIN arxiv_lookups l ON l.arxiv_id = p.arxiv_id
		WHERE p.categories = '[]' AND p.arxiv_id <> ''
		  AND (l.arxiv_id IS NULL OR (l.outcome = 'failed' AND l.asked < $1))
		GROUP BY p.arxiv_id ORDER BY max(p.id) DESC LIMIT $2`, unix(retryBefore), limit)
	if err != nil {
		return nil, fmt.Errorf("read papers to complete: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read papers to complete: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
