package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// Paper returns the paper of a UID, db.ErrNotFound when none has it.
func (s *Store) Paper(ctx context.Context, uid string) (*model.Paper, error) {
	ps, err := selectPapers(ctx, s.pool, "uid = $1", uid)
	if err != nil {
		return nil, fmt.Errorf("paper %q: %w", uid, err)
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("paper %q: %w", uid, db.ErrNotFound)
	}
	return ps[0], nil
}

// Identified returns the papers holding one of the arXiv ids or DOIs.
func (s *Store) Identified(ctx context.Context, arxivIDs, dois []string) ([]*model.Paper, error) {
	ps, err := selectPapers(ctx, s.pool, "(arxiv_id <> '' AND arxiv_id = ANY($1)) OR (doi <> '' AND doi = ANY($2))", nonNil(arxivIDs), nonNil(dois))
	if err != nil {
		return nil, fmt.Errorf("identified papers: %w", err)
	}
	return ps, nil
}

// selectPapers reads the papers matching a WHERE clause, in ID order, with
// their sightings.
func selectPapers(ctx context.Context, q querier, where string, args ...any) ([]*model.Paper, error) {
	rows, err := q.Query(ctx, "SELECT "+paperColumns+" FROM papers WHERE "+where+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	var ps []*model.Paper
	for rows.Next() {
		p, err := scanPaper(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ps) == 0 {
		return nil, err
	}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	full, err := loadSightings(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		p.Sightings = full[p.ID]
	}
	return ps, nil
}

// Texts calls fn with every paper's text in ID order, inside one read-only
// repeatable-read transaction (one snapshot however long fn takes).
func (s *Store) Texts(ctx context.Context, fn func(db.Text) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("paper texts: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	rows, err := tx.Query(ctx, "SELECT id, title, abstract, authors, updated FROM papers ORDER BY id")
	if err != nil {
		return fmt.Errorf("paper texts: %w", err)
	}
	defer rows.Close()
	var authors string
	for rows.Next() {
		var t db.Text
		var updated int64
		if err := rows.Scan(&t.ID, &t.Title, &t.Abstract, &authors, &updated); err != nil {
			return fmt.Errorf("paper texts: %w", err)
		}
		t.Updated = fromUnix(updated)
		if err := json.Unmarshal([]byte(authors), &t.Authors); err != nil {
			return fmt.Errorf("paper texts: paper %d: authors: %w", t.ID, err)
		}
		if err := fn(t); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("paper texts: %w", err)
	}
	return nil
}
