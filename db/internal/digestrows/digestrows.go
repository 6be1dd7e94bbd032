// Package digestrows is the sent-digest tables as both engines store them
// (the same columns; times as Unix nanoseconds, 0 for none): the copy's
// paging reads and restores build their statements and scan and write rows
// through it, so the engines differ only in placeholders and drivers.
package digestrows

import (
	"fmt"
	"strings"
	"time"

	"github.com/paperfeed/paperfeed/db"
)

// Table is one sent-digest table.
type Table[T any] struct {
	Name    string
	Columns []string // in the order Scan and Values take them
	Key     []string // the primary key's columns
	// Scan reads a row with scan (a driver's Rows.Scan).
	Scan   func(scan func(...any) error) (T, error)
	Values func(T) []any
}

// Runs is digest_runs.
func Runs() Table[db.DigestRun] {
	return Table[db.DigestRun]{
		Name:    "digest_runs",
		Columns: []string{"digest", "period", "holder", "claimed", "expires", "sent", "until_at", "attempts", "last_error", "last_error_at"},
		Key:     []string{"digest", "period"},
		Scan: func(scan func(...any) error) (db.DigestRun, error) {
			var r db.DigestRun
			var claimed, expires, sent, until, errAt int64
			err := scan(&r.Digest, &r.Slot, &r.Holder, &claimed, &expires, &sent, &until, &r.Attempts, &r.LastError, &errAt)
			r.Claimed, r.Expires, r.Sent, r.Until, r.LastErrorAt = FromNano(claimed), FromNano(expires), FromNano(sent), FromNano(until), FromNano(errAt)
			return r, err
		},
		Values: func(r db.DigestRun) []any {
			return []any{r.Digest, r.Slot, r.Holder, nano(r.Claimed), nano(r.Expires), nano(r.Sent), nano(r.Until), r.Attempts, r.LastError, nano(r.LastErrorAt)}
		},
	}
}

// Deliveries is digest_deliveries (a delivery's Papers are DigestPapers rows).
func Deliveries() Table[db.DigestDelivery] {
	return Table[db.DigestDelivery]{
		Name:    "digest_deliveries",
		Columns: []string{"digest", "period", "recipient", "message_id", "sent"},
		Key:     []string{"digest", "period", "recipient"},
		Scan: func(scan func(...any) error) (db.DigestDelivery, error) {
			var d db.DigestDelivery
			var sent int64
			err := scan(&d.Digest, &d.Slot, &d.Recipient, &d.MessageID, &sent)
			d.Sent = FromNano(sent)
			return d, err
		},
		Values: func(d db.DigestDelivery) []any {
			return []any{d.Digest, d.Slot, d.Recipient, d.MessageID, nano(d.Sent)}
		},
	}
}

// Papers is digest_papers.
func Papers() Table[db.DigestPaperRecord] {
	return Table[db.DigestPaperRecord]{
		Name:    "digest_papers",
		Columns: []string{"recipient", "topic", "paper_uid", "digest", "period", "sent"},
		Key:     []string{"recipient", "topic", "paper_uid"},
		Scan: func(scan func(...any) error) (db.DigestPaperRecord, error) {
			var p db.DigestPaperRecord
			var sent int64
			err := scan(&p.Recipient, &p.Topic, &p.UID, &p.Digest, &p.Slot, &sent)
			p.Sent = FromNano(sent)
			return p, err
		},
		Values: func(p db.DigestPaperRecord) []any {
			return []any{p.Recipient, p.Topic, p.UID, p.Digest, p.Slot, nano(p.Sent)}
		},
	}
}

// Select is the statement reading every column of t, for the caller's
// WHERE and ORDER BY.
func (t Table[T]) Select() string {
	return `SELECT ` + strings.Join(t.Columns, ", ") + ` FROM ` + t.Name
}

// SelectAfter is the statement reading up to n rows of t with a key above
// after (nil: from the first) in key order, and its arguments; ph is the
// engine's placeholder of argument i (from 1).
func SelectAfter[T any](t Table[T], after []string, n int, ph func(i int) string) (string, []any, error) {
	q := t.Select()
	var args []any
	if after != nil {
		if len(after) != len(t.Key) {
			return "", nil, fmt.Errorf("read %s: a key of %d columns, want %d", t.Name, len(after), len(t.Key))
		}
		marks := make([]string, len(after))
		for i, a := range after {
			marks[i] = ph(i + 1)
			args = append(args, a)
		}
		q += ` WHERE (` + strings.Join(t.Key, ", ") + `) > (` + strings.Join(marks, ", ") + `)`
	}
	return q + ` ORDER BY ` + strings.Join(t.Key, ", ") + ` LIMIT ` + ph(len(args)+1), append(args, n), nil
}

// Insert is the statement inserting one row of t (Values); a key the table
// holds already fails it.
func Insert[T any](t Table[T], ph func(i int) string) string {
	marks := make([]string, len(t.Columns))
	for i := range marks {
		marks[i] = ph(i + 1)
	}
	return `INSERT INTO ` + t.Name + ` (` + strings.Join(t.Columns, ", ") + `) VALUES (` + strings.Join(marks, ", ") + `)`
}

// Engine is what an engine gives the reads and restores: its placeholder
// of argument i (from 1), a query calling row on each row it returns with
// the driver's Scan, and an exec in the restoring transaction.
type Engine struct {
	Placeholder func(i int) string
	Query       func(q string, args []any, row func(scan func(...any) error) error) error
	Exec        func(q string, args []any) error
}

// After reads up to n rows of t with a key above after (nil: from the
// first), in key order.
func After[T any](e Engine, t Table[T], after []string, n int) ([]T, error) {
	if n <= 0 {
		return nil, nil
	}
	q, args, err := SelectAfter(t, after, n, e.Placeholder)
	if err != nil {
		return nil, err
	}
	var out []T
	err = e.Query(q, args, func(scan func(...any) error) error {
		r, err := t.Scan(scan)
		out = append(out, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", t.Name, err)
	}
	return out, nil
}

// Restore inserts copied rows of every sent-digest table as they are (see
// db.Tx.RestoreDigests).
func Restore(e Engine, runs []db.DigestRun, ds []db.DigestDelivery, ps []db.DigestPaperRecord) error {
	if err := restore(e, Runs(), runs); err != nil {
		return err
	}
	if err := restore(e, Deliveries(), ds); err != nil {
		return err
	}
	return restore(e, Papers(), ps)
}

func restore[T any](e Engine, t Table[T], rows []T) error {
	q := Insert(t, e.Placeholder)
	for _, r := range rows {
		if err := e.Exec(q, t.Values(r)); err != nil {
			return fmt.Errorf("restore %s %v: %w", t.Name, t.Values(r)[:len(t.Key)], err)
		}
	}
	return nil
}

// FromNano is a stored time: Unix nanoseconds, 0 for none.
func FromNano(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(0, v).UTC()
}

func nano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}
