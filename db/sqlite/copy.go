package sqlite

import (
	"context"
	"fmt"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// PapersAfter returns up to n papers with an ID above after, in ID order,
// with their sightings and blocking keys, read in one snapshot.
func (s *Store) PapersAfter(ctx context.Context, after int64, n int) ([]*model.Paper, error) {
	if n <= 0 {
		return nil, nil
	}
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("papers after %d: %w", after, err)
	}
	defer tx.Rollback()
	ps, err := selectPapers(ctx, tx, "id IN (SELECT id FROM papers WHERE id > ? ORDER BY id LIMIT ?)", after, n)
	if err != nil {
		return nil, fmt.Errorf("papers after %d: %w", after, err)
	}
	byID := make(map[int64]*model.Paper, len(ps))
	ids := make([]int64, len(ps))
	for i, p := range ps {
		byID[p.ID], ids[i] = p, p.ID
	}
	for start := 0; start < len(ids); start += 500 {
		ph, args := placeholders(ids[start:min(start+500, len(ids))])
		rows, err := tx.QueryContext(ctx, `SELECT paper_id, key FROM paper_blocks INDEXED BY paper_blocks_paper WHERE paper_id IN (`+ph+`) ORDER BY paper_id, key`, args...)
		if err != nil {
			return nil, fmt.Errorf("papers after %d: blocking keys: %w", after, err)
		}
		for rows.Next() {
			var id int64
			var k string
			if err := rows.Scan(&id, &k); err != nil {
				rows.Close()
				return nil, fmt.Errorf("papers after %d: blocking keys: %w", after, err)
			}
			byID[id].BlockKeys = append(byID[id].BlockKeys, k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("papers after %d: blocking keys: %w", after, err)
		}
	}
	return ps, nil
}

// Counts counts every kind of row, in one snapshot.
func (s *Store) Counts(ctx context.Context) (db.Counts, error) {
	var c db.Counts
	err := s.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM papers), (SELECT count(*) FROM sightings),
		(SELECT count(*) FROM paper_categories), (SELECT count(*) FROM paper_blocks), (SELECT count(*) FROM sources),
		(SELECT count(*) FROM arxiv_lookups), (SELECT count(*) FROM unknown_ids), (SELECT count(*) FROM websub),
		(SELECT count(*) FROM digest_runs), (SELECT count(*) FROM digest_deliveries), (SELECT count(*) FROM digest_papers)`).Scan(
		&c.Papers, &c.Sightings, &c.Categories, &c.BlockKeys, &c.SourceStates, &c.ArxivLookups, &c.UnknownIDs, &c.WebSubStates,
		&c.DigestRuns, &c.Deliveries, &c.DigestPapers)
	if err != nil {
		return c, fmt.Errorf("count rows: %w", err)
	}
	return c, nil
}

// CopyMarks returns the marks of copies into this store, by part.
func (s *Store) CopyMarks(ctx context.Context) (map[string]db.CopyMark, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT part, source, after, rows, at FROM copy_marks`)
	if err != nil {
		return nil, fmt.Errorf("read copy marks: %w", err)
	}
	defer rows.Close()
	out := map[string]db.CopyMark{}
	for rows.Next() {
		var m db.CopyMark
		var at int64
		if err := rows.Scan(&m.Part, &m.Source, &m.After, &m.Rows, &at); err != nil {
			return nil, fmt.Errorf("read copy marks: %w", err)
		}
		m.At = fromUnix(at)
		out[m.Part] = m
	}
	return out, rows.Err()
}

// SaveCopyMark records how far a copy's part has come, in the transaction.
func (t *Tx) SaveCopyMark(ctx context.Context, m db.CopyMark) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO copy_marks (part, source, after, rows, at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (part) DO UPDATE SET source = excluded.source, after = excluded.after, rows = excluded.rows, at = excluded.at`,
		m.Part, m.Source, m.After, m.Rows, unix(m.At))
	if err != nil {
		return fmt.Errorf("save copy mark of %s: %w", m.Part, err)
	}
	return nil
}
