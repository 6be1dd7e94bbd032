package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/paperfeed/paperfeed/db"
)

// digestRowsAfter reads up to n rows of table with a key (keys, its primary
// key's columns) above after (nil: from the first), in key order, calling
// scan on each.
func (s *Store) digestRowsAfter(ctx context.Context, table, cols string, keys []string, after []string, n int, scan func(*sql.Rows) error) error {
	if n <= 0 {
		return nil
	}
	q := `SELECT ` + cols + ` FROM ` + table
	var args []any
	if after != nil {
		if len(after) != len(keys) {
			return fmt.Errorf("read %s: a key of %d columns, want %d", table, len(after), len(keys))
		}
		q += ` WHERE (` + strings.Join(keys, ", ") + `) > (?` + strings.Repeat(", ?", len(keys)-1) + `)`
		for _, a := range after {
			args = append(args, a)
		}
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY `+strings.Join(keys, ", ")+` LIMIT ?`, append(args, n)...)
	if err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("read %s: %w", table, err)
		}
	}
	return rows.Err()
}

// DigestRunsAfter pages the digest runs by (digest, period).
func (s *Store) DigestRunsAfter(ctx context.Context, after []string, n int) ([]db.DigestRun, error) {
	var out []db.DigestRun
	err := s.digestRowsAfter(ctx, "digest_runs", digestRunColumns, []string{"digest", "period"}, after, n, func(rows *sql.Rows) error {
		var r db.DigestRun
		var claimed, expires, sent, until, errAt int64
		if err := rows.Scan(&r.Digest, &r.Period, &r.Holder, &claimed, &expires, &sent, &until, &r.Attempts, &r.LastError, &errAt); err != nil {
			return err
		}
		r.Claimed, r.Expires, r.Sent, r.Until, r.LastErrorAt = fromNano(claimed), fromNano(expires), fromNano(sent), fromNano(until), fromNano(errAt)
		out = append(out, r)
		return nil
	})
	return out, err
}

// DigestDeliveriesAfter pages the digest messages by (digest, period, recipient).
func (s *Store) DigestDeliveriesAfter(ctx context.Context, after []string, n int) ([]db.DigestDelivery, error) {
	var out []db.DigestDelivery
	err := s.digestRowsAfter(ctx, "digest_deliveries", "digest, period, recipient, message_id, sent", []string{"digest", "period", "recipient"}, after, n, func(rows *sql.Rows) error {
		var d db.DigestDelivery
		var sent int64
		if err := rows.Scan(&d.Digest, &d.Period, &d.Recipient, &d.MessageID, &sent); err != nil {
			return err
		}
		d.Sent = fromNano(sent)
		out = append(out, d)
		return nil
	})
	return out, err
}

// DigestPapersAfter pages the papers digests sent by (recipient, topic, UID).
func (s *Store) DigestPapersAfter(ctx context.Context, after []string, n int) ([]db.DigestPaperRecord, error) {
	var out []db.DigestPaperRecord
	err := s.digestRowsAfter(ctx, "digest_papers", "recipient, topic, paper_uid, digest, period, sent", []string{"recipient", "topic", "paper_uid"}, after, n, func(rows *sql.Rows) error {
		var p db.DigestPaperRecord
		var sent int64
		if err := rows.Scan(&p.Recipient, &p.Topic, &p.UID, &p.Digest, &p.Period, &sent); err != nil {
			return err
		}
		p.Sent = fromNano(sent)
		out = append(out, p)
		return nil
	})
	return out, err
}

// RestoreDigests inserts copied digest rows as they are, in the transaction.
func (t *Tx) RestoreDigests(ctx context.Context, runs []db.DigestRun, ds []db.DigestDelivery, ps []db.DigestPaperRecord) error {
	for _, r := range runs {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO digest_runs (`+digestRunColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.Digest, r.Period, r.Holder, nano(r.Claimed), nano(r.Expires), nano(r.Sent), nano(r.Until), r.Attempts, r.LastError, nano(r.LastErrorAt)); err != nil {
			return fmt.Errorf("restore digest run %s %s: %w", r.Digest, r.Period, err)
		}
	}
	for _, d := range ds {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO digest_deliveries (digest, period, recipient, message_id, sent) VALUES (?, ?, ?, ?, ?)`,
			d.Digest, d.Period, d.Recipient, d.MessageID, nano(d.Sent)); err != nil {
			return fmt.Errorf("restore digest delivery %s %s %s: %w", d.Digest, d.Period, d.Recipient, err)
		}
	}
	for _, p := range ps {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO digest_papers (recipient, topic, paper_uid, digest, period, sent) VALUES (?, ?, ?, ?, ?, ?)`,
			p.Recipient, p.Topic, p.UID, p.Digest, p.Period, nano(p.Sent)); err != nil {
			return fmt.Errorf("restore sent digest paper %s %s %s: %w", p.Recipient, p.Topic, p.UID, err)
		}
	}
	return nil
}

// nano is fromNano's inverse: the zero time is 0.
func nano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}
