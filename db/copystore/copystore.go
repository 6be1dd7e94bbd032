// Package copystore copies a whole paper store into another, whatever their
// engines (SQLite to PostgreSQL and back), through the db contract only:
// the command behind `paperfeed copy-store`.
//
// A copy is a list of parts (Parts), each read from the source in key order
// and written into the destination in batches, one transaction per batch.
// Each batch's transaction also records the part's copy mark (db.CopyMark:
// the last key written and the rows written so far), so a copy stopped at
// any point (killed, failed, cancelled) resumes after the last committed
// batch when run again, without duplicates or gaps. Papers keep their IDs
// and UIDs, so a destination's rows are the source's, row for row.
//
// A destination must be empty, or hold a partial copy of this source and
// nothing else: its rows are exactly what its copy marks count, and its last
// copied paper is the source's paper of that ID (same ID, same UID). Any
// other store is refused, so that two stores are never merged by mistake.
//
// At the end the counts of every part (papers, sightings, categories,
// blocking keys, source states, arXiv lookups, unknown ids) are compared;
// any difference is a *MismatchError.
package copystore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/paperfeed/paperfeed/db"
)

// DefaultBatch is the rows (papers) a batch writes when Options.Batch is 0.
const DefaultBatch = 1000

// Options are a copy's settings.
type Options struct {
	// Source and Dest name the two stores in marks and messages (the
	// destination keeps Source in its marks): never with a password.
	Source, Dest string
	Batch        int // rows per transaction; DefaultBatch when 0
	// Progress, when set, is called after each committed batch.
	Progress func(Progress)
	Now      func() time.Time // stamps the marks; time.Now when nil
	Parts    []Part           // what to copy; Parts() when nil
}

// Progress is how far a copy has come, after a batch.
type Progress struct {
	Part  string
	Rows  int64 // rows of the part in the destination now (earlier runs' included)
	Total int64 // rows of the part in the source when the copy started
	Batch int   // rows the batch wrote
}

// Result is what a copy did.
type Result struct {
	// Resumed is set when the destination held a partial copy, continued.
	Resumed bool
	// Counts are the counts of every part in both stores at the end.
	Counts []Compared
}

// Compared is one count in the source and in the destination.
type Compared struct {
	What         string
	Source, Dest int64
}

// RefusedError is a destination a copy will not write into.
type RefusedError struct {
	Dest   string
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refusing to copy into %s: %s", e.Dest, e.Reason)
}

// MismatchError is a finished copy whose counts differ between the stores:
// the source changed while it ran (a collect wrote into it), or a store
// holds rows the other lacks.
type MismatchError struct {
	Differ []Compared
}

func (e *MismatchError) Error() string {
	var parts []string
	for _, c := range e.Differ {
		parts = append(parts, fmt.Sprintf("%s: source %d, destination %d", c.What, c.Source, c.Dest))
	}
	return "copied, but the counts differ (" + strings.Join(parts, "; ") + "); stop whatever writes into either store and run copy-store again to check"
}

// Copy copies src into dst, or resumes an earlier copy of src into dst.
func Copy(ctx context.Context, src, dst db.Store, o Options) (*Result, error) {
	if o.Batch <= 0 {
		o.Batch = DefaultBatch
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Parts == nil {
		o.Parts = Parts()
	}
	marks, err := admit(ctx, src, dst, o)
	if err != nil {
		return nil, err
	}
	start, err := src.Counts(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range o.Parts {
		if err := copyPart(ctx, src, dst, p, marks[p.Name], p.Count(start)[0].N, o); err != nil {
			return nil, fmt.Errorf("copy %s: %w", p.Name, err)
		}
	}
	res := &Result{Resumed: len(marks) > 0}
	if res.Counts, err = verify(ctx, src, dst, o.Parts); err != nil {
		return res, err
	}
	return res, nil
}

// copyPart copies one part's rows after the destination's mark m, one
// transaction per batch, each with the part's new mark.
func copyPart(ctx context.Context, src, dst db.Store, p Part, m db.CopyMark, total int64, o Options) error {
	after, rows := m.After, m.Rows
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := p.Read(ctx, src, after, o.Batch)
		if err != nil {
			return err
		}
		if b.Rows == 0 {
			return nil
		}
		next := db.CopyMark{Part: p.Name, Source: o.Source, After: b.Last, Rows: rows + int64(b.Rows), At: o.Now()}
		err = dst.Update(ctx, func(tx db.Tx) error {
			if err := b.Write(ctx, tx); err != nil {
				return err
			}
			return tx.SaveCopyMark(ctx, next)
		})
		if err != nil {
			return err
		}
		after, rows = next.After, next.Rows
		if o.Progress != nil {
			o.Progress(Progress{Part: p.Name, Rows: rows, Total: total, Batch: b.Rows})
		}
	}
}

// admit decides whether the copy may write into dst and returns its marks:
// none for an empty store, those of a partial copy of src to resume.
func admit(ctx context.Context, src, dst db.Store, o Options) (map[string]db.CopyMark, error) {
	marks, err := dst.CopyMarks(ctx)
	if err != nil {
		return nil, err
	}
	counts, err := dst.Counts(ctx)
	if err != nil {
		return nil, err
	}
	refuse := func(format string, args ...any) error {
		return &RefusedError{Dest: o.Dest, Reason: fmt.Sprintf(format, args...)}
	}
	if len(marks) == 0 {
		var held []string
		for _, p := range o.Parts {
			for _, t := range p.Count(counts) {
				if t.N > 0 {
					held = append(held, fmt.Sprintf("%d %s", t.N, t.What))
				}
			}
		}
		if len(held) > 0 {
			return nil, refuse("it holds %s, and no copy into it was ever started (it has no copy marks): copy-store writes only into an empty store, or resumes its own partial copy", strings.Join(held, ", "))
		}
		return marks, nil
	}
	// Only copy batches wrote into it: each part holds the rows its mark counts.
	for _, p := range o.Parts {
		t := p.Count(counts)[0]
		if m := marks[p.Name]; t.N != m.Rows {
			return nil, refuse("it holds %d %s, but its copy marks account for %d: something else wrote into it since a copy from %s stopped", t.N, t.What, m.Rows, m.Source)
		}
	}
	// ... and they came from this source.
	proved := false
	for _, p := range o.Parts {
		m, ok := marks[p.Name]
		if !ok || p.Same == nil || m.Rows == 0 {
			continue
		}
		why, err := p.Same(ctx, src, dst, m.After)
		if err != nil {
			return nil, err
		}
		if why != "" {
			return nil, refuse("it is a partial copy of another store (%s, by its marks): %s", m.Source, why)
		}
		proved = true
	}
	if !proved {
		// Nothing copied can be compared (no paper yet): the marks must name this source.
		for _, m := range marks {
			if m.Source != o.Source {
				return nil, refuse("it holds the start of a copy from %s, not from %s", m.Source, o.Source)
			}
		}
	}
	return marks, nil
}

// verify compares every part's counts in both stores.
func verify(ctx context.Context, src, dst db.Store, parts []Part) ([]Compared, error) {
	sc, err := src.Counts(ctx)
	if err != nil {
		return nil, err
	}
	dc, err := dst.Counts(ctx)
	if err != nil {
		return nil, err
	}
	var all, differ []Compared
	for _, p := range parts {
		s, d := p.Count(sc), p.Count(dc)
		for i := range s {
			c := Compared{What: s[i].What, Source: s[i].N, Dest: d[i].N}
			all = append(all, c)
			if c.Source != c.Dest {
				differ = append(differ, c)
			}
		}
	}
	if len(differ) > 0 {
		return all, &MismatchError{Differ: differ}
	}
	return all, nil
}
