package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/internal/digestrows"
)

// ClaimDigestRun takes the run for holder (see db.DigestStore): one upsert
// under SQLite's write lock, so two claims never both win.
func (s *Store) ClaimDigestRun(ctx context.Context, digest, slot, holder string, at time.Time, ttl time.Duration) (bool, error) {
	res, err := s.w.ExecContext(ctx, `INSERT INTO digest_runs (digest, period, holder, claimed, expires) VALUES (?1, ?2, ?3, ?4, ?5)
		ON CONFLICT (digest, period) DO UPDATE SET
			claimed = CASE WHEN digest_runs.holder = excluded.holder THEN digest_runs.claimed ELSE excluded.claimed END,
			holder = excluded.holder, expires = excluded.expires
		WHERE digest_runs.sent = 0 AND (digest_runs.holder = excluded.holder OR digest_runs.expires <= ?4)`,
		digest, slot, holder, at.UnixNano(), at.Add(ttl).UnixNano())
	if err != nil {
		return false, fmt.Errorf("claim digest %s %s: %w", digest, slot, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim digest %s %s: %w", digest, slot, err)
	}
	return n > 0, nil
}

// FailDigestRun records a failed attempt and holds the claim until retryAt.
func (s *Store) FailDigestRun(ctx context.Context, digest, slot, holder, reason string, at, retryAt time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE digest_runs SET attempts = attempts + 1, last_error = ?, last_error_at = ?, expires = ?
		WHERE digest = ? AND period = ? AND holder = ? AND sent = 0`, reason, at.UnixNano(), retryAt.UnixNano(), digest, slot, holder)
	if err != nil {
		return fmt.Errorf("record failed digest %s %s: %w", digest, slot, err)
	}
	return nil
}

// FinishDigestRun marks the run sent.
func (s *Store) FinishDigestRun(ctx context.Context, digest, slot, holder string, at, until time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE digest_runs SET sent = ?, until_at = ?, expires = ? WHERE digest = ? AND period = ? AND holder = ?`,
		at.UnixNano(), until.UnixNano(), at.UnixNano(), digest, slot, holder)
	if err != nil {
		return fmt.Errorf("record sent digest %s %s: %w", digest, slot, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("record sent digest %s %s: %s does not hold it", digest, slot, holder)
	}
	return nil
}

// RecordDigestDelivery records one message and its papers in one transaction.
func (s *Store) RecordDigestDelivery(ctx context.Context, d db.DigestDelivery) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record digest delivery: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO digest_deliveries (digest, period, recipient, message_id, sent) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (digest, period, recipient) DO UPDATE SET message_id = excluded.message_id, sent = excluded.sent`,
		d.Digest, d.Slot, d.Recipient, d.MessageID, d.Sent.UnixNano()); err != nil {
		return fmt.Errorf("record digest delivery: %w", err)
	}
	for _, p := range d.Papers {
		if _, err := tx.ExecContext(ctx, `INSERT INTO digest_papers (recipient, topic, paper_uid, digest, period, sent) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, d.Recipient, p.Topic, p.UID, d.Digest, d.Slot, d.Sent.UnixNano()); err != nil {
			return fmt.Errorf("record digest delivery: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record digest delivery: %w", err)
	}
	return nil
}

// scanDigestRun reads one digest_runs row as digestrows defines it for
// both engines.
func scanDigestRun(row *sql.Row) (db.DigestRun, error) {
	r, err := digestrows.Runs().Scan(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return r, db.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("read digest run: %w", err)
	}
	return r, nil
}

// DigestRun returns one run.
func (s *Store) DigestRun(ctx context.Context, digest, slot string) (db.DigestRun, error) {
	return scanDigestRun(s.r.QueryRowContext(ctx, digestrows.Runs().Select()+` WHERE digest = ? AND period = ?`, digest, slot))
}

// LastDigestRun returns the digest's most recently sent run.
func (s *Store) LastDigestRun(ctx context.Context, digest string) (db.DigestRun, error) {
	return scanDigestRun(s.r.QueryRowContext(ctx, digestrows.Runs().Select()+` WHERE digest = ? AND sent > 0 ORDER BY sent DESC LIMIT 1`, digest))
}

// DigestDeliveries returns a run's messages by recipient.
func (s *Store) DigestDeliveries(ctx context.Context, digest, slot string) (map[string]db.DigestDelivery, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT recipient, message_id, sent FROM digest_deliveries WHERE digest = ? AND period = ?`, digest, slot)
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
	out := map[string]bool{}
	for start := 0; start < len(uids); start += 500 {
		chunk := uids[start:min(start+500, len(uids))]
		args := []any{recipient, topic}
		for _, u := range chunk {
			args = append(args, u)
		}
		rows, err := s.r.QueryContext(ctx, `SELECT paper_uid FROM digest_papers WHERE recipient = ? AND topic = ? AND paper_uid IN (?`+
			strings.Repeat(", ?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read sent digest papers: %w", err)
		}
		for rows.Next() {
			var uid string
			if err := rows.Scan(&uid); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read sent digest papers: %w", err)
			}
			out[uid] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read sent digest papers: %w", err)
		}
	}
	return out, nil
}
