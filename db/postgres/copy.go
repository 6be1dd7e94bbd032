package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// PapersAfter returns up to n papers with an ID above after, in ID order,
// with their sightings and blocking keys, read in one snapshot.
func (s *Store) PapersAfter(ctx context.Context, after int64, n int) ([]*model.Paper, error) {
	if n <= 0 {
		return nil, nil
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("papers after %d: %w", after, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	ps, err := selectPapers(ctx, tx, "id IN (SELECT id FROM papers WHERE id > $1 ORDER BY id LIMIT $2)", after, n)
	if err != nil || len(ps) == 0 {
		return nil, err
	}
	byID := make(map[int64]*model.Paper, len(ps))
	ids := make([]int64, len(ps))
	for i, p := range ps {
		byID[p.ID], ids[i] = p, p.ID
	}
	rows, err := tx.Query(ctx, `SELECT paper_id, key FROM paper_blocks WHERE paper_id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("papers after %d: blocking keys: %w", after, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var k string
		if err := rows.Scan(&id, &k); err != nil {
			return nil, fmt.Errorf("papers after %d: blocking keys: %w", after, err)
		}
		byID[id].BlockKeys = append(byID[id].BlockKeys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("papers after %d: blocking keys: %w", after, err)
	}
	// Byte order, as SQLite's: the database's collation may order otherwise.
	for _, p := range ps {
		slices.Sort(p.BlockKeys)
	}
	return ps, nil
}

// Counts counts every kind of row, in one snapshot (one statement).
func (s *Store) Counts(ctx context.Context) (db.Counts, error) {
	var c db.Counts
	err := s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM papers), (SELECT count(*) FROM sightings),
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
	rows, err := s.pool.Query(ctx, `SELECT part, source, after, rows, at FROM copy_marks`)
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
	_, err := t.tx.Exec(ctx, `INSERT INTO copy_marks (part, source, after, rows, at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (part) DO UPDATE SET source = excluded.source, after = excluded.after, rows = excluded.rows, at = excluded.at`,
		m.Part, m.Source, m.After, m.Rows, unix(m.At))
	if err != nil {
		return fmt.Errorf("save copy mark of %s: %w", m.Part, err)
	}
	return nil
}

// restoreChunk bounds the papers one round trip of Restore sends.
const restoreChunk = 250

// Restore inserts papers copied from another store with their IDs and
// UIDs, their categories, blocking keys and sightings, restoreChunk papers
// a round trip.
func (t *Tx) Restore(ctx context.Context, ps []*model.Paper) error {
	for start := 0; start < len(ps); start += restoreChunk {
		chunk := ps[start:min(start+restoreChunk, len(ps))]
		var b pgx.Batch
		for _, p := range chunk {
			if p.ID <= 0 || p.UID == "" {
				return fmt.Errorf("restore paper %q: it has no ID or UID", p.Title)
			}
			b.Queue(`INSERT INTO papers (title, title_key, abstract, authors, published, updated, first_seen,
				categories, arxiv_id, doi, links, upvotes, comment, journal_ref, uid, id)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`, append(paperRow(p), p.UID, p.ID)...)
			queueRelated(&b, p, insertSighting)
		}
		if err := t.tx.SendBatch(ctx, &b).Close(); err != nil {
			return fmt.Errorf("restore papers %d to %d: %w", chunk[0].ID, chunk[len(chunk)-1].ID, err)
		}
	}
	t.changed, t.restored = true, true
	return nil
}
