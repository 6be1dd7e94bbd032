package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// Paper returns the paper of a UID, db.ErrNotFound when none has it.
func (s *Store) Paper(ctx context.Context, uid string) (*model.Paper, error) {
	ps, err := selectPapers(ctx, s.r, "uid = ?", uid)
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
	var where string
	var args []any
	add := func(col string, vs []string) {
		var keep []any
		for _, v := range vs {
			if v != "" {
				keep = append(keep, v)
			}
		}
		if len(keep) == 0 {
			return
		}
		if where != "" {
			where += " OR "
		}
		where += col + " IN (" + qmarks(len(keep)) + ")"
		args = append(args, keep...)
	}
	add("arxiv_id", arxivIDs)
	add("doi", dois)
	if where == "" {
		return nil, nil
	}
	ps, err := selectPapers(ctx, s.r, where, args...)
	if err != nil {
		return nil, fmt.Errorf("identified papers: %w", err)
	}
	return ps, nil
}

// selectPapers reads the papers matching a WHERE clause, in ID order, with
// their sightings.
func selectPapers(ctx context.Context, q querier, where string, args ...any) ([]*model.Paper, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+paperColumns+" FROM papers WHERE "+where+" ORDER BY id", args...)
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
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, nil
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

// Texts calls fn with every paper's text in ID order, inside one read
// transaction (one snapshot however long fn takes).
func (s *Store) Texts(ctx context.Context, fn func(db.Text) error) error {
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("paper texts: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, "SELECT id, title, abstract, authors, updated FROM papers ORDER BY id")
	if err != nil {
		return fmt.Errorf("paper texts: %w", err)
	}
	defer rows.Close()
	var authors []byte
	for rows.Next() {
		var t db.Text
		var updated int64
		if err := rows.Scan(&t.ID, &t.Title, &t.Abstract, &authors, &updated); err != nil {
			return fmt.Errorf("paper texts: %w", err)
		}
		t.Updated = fromUnix(updated)
		if err := json.Unmarshal(authors, &t.Authors); err != nil {
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
