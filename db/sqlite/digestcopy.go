package sqlite

import (
	"context"
	"database/sql"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/internal/digestrows"
)

// digestRows reads the sent-digest tables through q and writes them in tx
// (nil: reading only).
func digestRows(ctx context.Context, q *sql.DB, tx *sql.Tx) digestrows.Engine {
	return digestrows.Engine{
		Placeholder: func(int) string { return "?" },
		Query: func(query string, args []any, row func(scan func(...any) error) error) error {
			rows, err := q.QueryContext(ctx, query, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				if err := row(rows.Scan); err != nil {
					return err
				}
			}
			return rows.Err()
		},
		Exec: func(query string, args []any) error {
			_, err := tx.ExecContext(ctx, query, args...)
			return err
		},
	}
}

// DigestRunsAfter pages the digest runs by (digest, period).
func (s *Store) DigestRunsAfter(ctx context.Context, after []string, n int) ([]db.DigestRun, error) {
	return digestrows.After(digestRows(ctx, s.r, nil), digestrows.Runs(), after, n)
}

// DigestDeliveriesAfter pages the digest messages by (digest, period, recipient).
func (s *Store) DigestDeliveriesAfter(ctx context.Context, after []string, n int) ([]db.DigestDelivery, error) {
	return digestrows.After(digestRows(ctx, s.r, nil), digestrows.Deliveries(), after, n)
}

// DigestPapersAfter pages the papers digests sent by (recipient, topic, UID).
func (s *Store) DigestPapersAfter(ctx context.Context, after []string, n int) ([]db.DigestPaperRecord, error) {
	return digestrows.After(digestRows(ctx, s.r, nil), digestrows.Papers(), after, n)
}

// RestoreDigests inserts copied digest rows as they are, in the transaction.
func (t *Tx) RestoreDigests(ctx context.Context, runs []db.DigestRun, ds []db.DigestDelivery, ps []db.DigestPaperRecord) error {
	return digestrows.Restore(digestRows(ctx, nil, t.tx), runs, ds, ps)
}
