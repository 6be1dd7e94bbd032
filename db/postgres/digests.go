package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/internal/digestrows"
)

// ClaimDigestRun takes the run for holder (see db.DigestStore). The upsert
// locks the run's row: of two claims at once, the second waits for the
// first and then sees its holder, so they never both win.
func (s *Store) ClaimDigestRun(ctx context.Context, digest, slot, holder string, at time.Time, ttl time.Duration) (bool, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO digest_runs (digest, period, holder, claimed, expires) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (digest, period) DO UPDATE SET
			claimed = CASE WHEN digest_runs.holder = excluded.holder THEN digest_runs.claimed ELSE excluded.claimed END,
			holder = excluded.holder, expires = excluded.expires
		WHERE digest_runs.sent = 0 AND (digest_runs.holder = excluded.holder OR digest_runs.expires <= $4)`,
		digest, slot, holder, at.UnixNano(), at.Add(ttl).UnixNano())
	if err != nil {
		return false, fmt.Errorf("claim digest %s %s: %w", digest, slot, err)
	}
	return tag.RowsAffected() > 0, nil
}

// FailDigestRun records a failed attempt and holds the claim until retryAt.
func (s *Store) FailDigestRun(ctx context.Context, digest, slot, holder, reason string, at, retryAt time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE digest_runs SET attempts = attempts + 1, last_error = $1, last_error_at = $2, expires = $3
		WHERE digest = $4 AND period = $5 AND holder = $6 AND sent = 0`, reason, at.UnixNano(), retryAt.UnixNano(), digest, slot, holder)
	if err != nil {
		return fmt.Errorf("record failed digest %s %s: %w", digest, slot, err)
	}
	return nil
}

// FinishDigestRun marks the run sent.
func (s *Store) FinishDigestRun(ctx context.Context, digest, slot, holder string, at, until time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE digest_runs SET sent = $1, until_at = $2, expires = $1 WHERE digest = $3 AND period = $4 AND holder = $5`,
		at.UnixNano(), until.UnixNano(), digest, slot, holder)
	if err != nil {
		return fmt.Errorf("record sent digest %s %s: %w", digest, slot, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("record sent digest %s %s: %s does not hold it", digest, slot, holder)
	}
	return nil
}

// RecordDigestDelivery records one message and its papers in one transaction.
func (s *Store) RecordDigestDelivery(ctx context.Context, d db.DigestDelivery) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("record digest delivery: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `INSERT INTO digest_deliveries (digest, period, recipient, message_id, sent) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (digest, period, recipient) DO UPDATE SET message_id = excluded.message_id, sent = excluded.sent`,
		d.Digest, d.Slot, d.Recipient, d.MessageID, d.Sent.UnixNano()); err != nil {
		return fmt.Errorf("record digest delivery: %w", err)
	}
	if len(d.Papers) > 0 {
		topics, uids := make([]string, len(d.Papers)), make([]string, len(d.Papers))
		for i, p := range d.Papers {
			topics[i], uids[i] = p.Topic, p.UID
		}
		if _, err := tx.Exec(ctx, `INSERT INTO digest_papers (recipient, topic, paper_uid, digest, period, sent)
			SELECT $1, t, u, $4, $5, $6 FROM unnest($2::text[], $3::text[]) AS x(t, u)
			ON CONFLICT DO NOTHING`, d.Recipient, topics, uids, d.Digest, d.Slot, d.Sent.UnixNano()); err != nil {
			return fmt.Errorf("record digest delivery: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("record digest delivery: %w", err)
	}
	return nil
}

// scanDigestRun reads one digest_runs row as digestrows defines it for
// both engines.
func scanDigestRun(row pgx.Row) (db.DigestRun, error) {
	r, err := digestrows.Runs().Scan(row.Scan)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, db.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("read digest run: %w", err)
	}
	return r, nil
}

// DigestRun returns one run.
func (s *Store) DigestRun(ctx context.Context, digest, slot string) (db.DigestRun, error) {
	return scanDigestRun(s.pool.QueryRow(ctx, digestrows.Runs().Select()+` WHERE digest = $1 AND period = $2`, digest, slot))
}

// LastDigestRun returns the digest's most recently sent run.
func (s *Store) LastDigestRun(ctx context.Context, digest string) (db.DigestRun, error) {
	return scanDigestRun(s.pool.QueryRow(ctx, digestrows.Runs().Select()+` WHERE digest = $1 AND sent > 0 ORDER BY sent DESC LIMIT 1`, digest))
}

// DigestDeliveries returns a run's messages by recipient.
func (s *Store) DigestDeliveries(ctx context.Context, digest, slot string) (map[string]db.DigestDelivery, error) {
	rows, err := s.pool.Query(ctx, `SELECT recipient, message_id, sent FROM digest_deliveries WHERE digest = $1 AND period = $2`, digest, slot)
	if err != nil {
		return nil, fmt.Errorf("read digest deliveries: %w", err)
	}
	defer rows.Close()
	out := map[string]db.DigestDelivery{}
	for rows.Next() {
		d := db.DigestDelivery{Digest: digest, Slot: slot}
		var sent int64
		if err := rows.Scan(&d.Recipient, &d.MessageID, &sent); err != nil {
			return nil, fmt.Errorf("read digest deliveries: %w", err)
		}
		d.Sent = digestrows.FromNano(sent)
		out[d.Recipient] = d
	}
	return out, rows.Err()
}

// DigestSentPapers returns which UIDs went to recipient under topic.
func (s *Store) DigestSentPapers(ctx context.Context, recipient, topic string, uids []string) (map[string]bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT paper_uid FROM digest_papers WHERE recipient = $1 AND topic = $2 AND paper_uid = ANY($3)`, recipient, topic, uids)
	if err != nil {
		return nil, fmt.Errorf("read sent digest papers: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var uid string
		if err := rows.Scan(&uid); err != nil {
			return nil, fmt.Errorf("read sent digest papers: %w", err)
		}
		out[uid] = true
	}
	return out, rows.Err()
}
