package sqlite

import (
	"context"
	"fmt"
	"time"
)

// UnknownIDs returns the ids recorded unknown, with when.
func (s *Store) UnknownIDs(ctx context.Context) (map[string]time.Time, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, at FROM unknown_ids`)
	if err != nil {
		return nil, fmt.Errorf("read unknown ids: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var id string
		var at int64
		if err := rows.Scan(&id, &at); err != nil {
			return nil, fmt.Errorf("read unknown ids: %w", err)
		}
		out[id] = fromUnix(at)
	}
	return out, rows.Err()
}

// RecordUnknownID records id as unknown at t.
func (s *Store) RecordUnknownID(ctx context.Context, id string, at time.Time) error {
	return recordUnknownID(ctx, s.w, id, at)
}

// RecordUnknownID records id as unknown at t in the transaction.
func (t *Tx) RecordUnknownID(ctx context.Context, id string, at time.Time) error {
	return recordUnknownID(ctx, t.tx, id, at)
}

func recordUnknownID(ctx context.Context, e execer, id string, at time.Time) error {
	_, err := e.ExecContext(ctx, `INSERT INTO unknown_ids (id, at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at`, id, unix(at))
	if err != nil {
		return fmt.Errorf("record unknown id %s: %w", id, err)
	}
	return nil
}
