package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

var _ db.Tx = (*Tx)(nil)

// Tx is a write transaction; it implements db.Tx.
type Tx struct {
	tx      *sql.Tx
	store   *Store
	changed bool
	stmts   [numWriteStmts]*sql.Stmt // the store's statements bound to this transaction, made on first use
	// fts are full-text index writes not yet run, in order. FTS5 flushes its
	// pending terms into a new segment whenever another statement of the
	// transaction opens a statement savepoint, so the index writes of many
	// papers are run together (see flushFTS) rather than one paper at a time.
	fts []ftsOp
}

// ftsOp is one write to the full-text index: index (or, with del, unindex) a
// paper's text exactly as given.
type ftsOp struct {
	del                      bool
	id                       int64
	title, abstract, authors string
}

// ftsBatch bounds the queued index writes (and the text they hold).
const ftsBatch = 1000

func (t *Tx) queueFTS(ctx context.Context, op ftsOp) error {
	t.fts = append(t.fts, op)
	if len(t.fts) >= ftsBatch {
		return t.flushFTS(ctx)
	}
	return nil
}

// flushFTS runs the queued index writes, back to back, on the full-text index.
func (t *Tx) flushFTS(ctx context.Context) error {
	for _, op := range t.fts {
		st := stExactInsert
		if op.del {
			st = stExactDelete
		}
		if _, err := t.stmt(ctx, st).ExecContext(ctx, op.id, op.title, op.abstract, op.authors); err != nil {
			return fmt.Errorf("index paper %d: %w", op.id, err)
		}
	}
	clear(t.fts)
	t.fts = t.fts[:0]
	return nil
}

// stmt returns prepared statement i bound to the transaction.
func (t *Tx) stmt(ctx context.Context, i int) *sql.Stmt {
	if t.stmts[i] == nil {
		t.stmts[i] = t.tx.StmtContext(ctx, t.store.ws[i])
	}
	return t.stmts[i]
}

// Candidates returns the stored papers an incoming item may be: the paper that
// already holds this (source, guid) sighting, and those with the same arXiv id,
// DOI or title key, then those sharing a blocking key (db.MaxPerBlock each,
// newest first). Each is an index lookup, and each candidate one primary-key
// read of the columns the rules need. Duplicates are removed; the sighting's
// paper comes first.
func (t *Tx) Candidates(ctx context.Context, source, guid, arxivID, doi, titleKey string, blocks []string) ([]db.Candidate, error) {
	rows, err := t.stmt(ctx, stCandidates).QueryContext(ctx, source, guid, arxivID, doi, titleKey)
	if err != nil {
		return nil, fmt.Errorf("find candidates: %w", err)
	}
	var ids []int64
	var listed int64 // the paper holding the sighting, 0 when none does
	for rows.Next() {
		var id int64
		var bySighting bool
		if err := rows.Scan(&id, &bySighting); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find candidates: %w", err)
		}
		if bySighting {
			listed = id
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find candidates: %w", err)
	}
	for _, k := range blocks {
		if ids, err = t.appendBlock(ctx, ids, k); err != nil {
			return nil, err
		}
	}
	out := make([]db.Candidate, 0, len(ids))
	for _, id := range ids {
		c, err := t.candidate(ctx, id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("find candidates: %w", err)
		}
		c.Listed = id == listed
		out = append(out, c)
	}
	return out, nil
}

// candidate reads the matching fields of one paper.
func (t *Tx) candidate(ctx context.Context, id int64) (db.Candidate, error) {
	rows, err := t.stmt(ctx, stCandidateByID).QueryContext(ctx, id)
	if err != nil {
		return db.Candidate{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return db.Candidate{}, err
		}
		return db.Candidate{}, sql.ErrNoRows
	}
	return scanCandidate(rows)
}

// appendBlock appends the ids of the papers holding blocking key k that ids
// does not hold yet.
func (t *Tx) appendBlock(ctx context.Context, ids []int64, k string) ([]int64, error) {
	rows, err := t.stmt(ctx, stBlockPapers).QueryContext(ctx, k)
	if err != nil {
		return nil, fmt.Errorf("find candidates by block %q: %w", k, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("find candidates by block %q: %w", k, err)
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find candidates by block %q: %w", k, err)
	}
	return ids, nil
}

// Paper loads one paper and its sightings, db.ErrNotFound when there is none.
func (t *Tx) Paper(ctx context.Context, id int64) (*model.Paper, error) {
	rows, err := t.stmt(ctx, stPaperByID).QueryContext(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load papers: %w", err)
	}
	var p *model.Paper
	if rows.Next() {
		p, err = scanPaper(rows)
	}
	rows.Close()
	if err == nil {
		err = rows.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("load papers: %w", err)
	}
	if p == nil {
		return nil, fmt.Errorf("paper %d: %w", id, db.ErrNotFound)
	}
	rows, err = t.stmt(ctx, stSightingsOf).QueryContext(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load sightings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		_, sg, err := scanSighting(rows)
		if err != nil {
			return nil, fmt.Errorf("load sightings: %w", err)
		}
		p.Sightings = append(p.Sightings, sg)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load sightings: %w", err)
	}
	return p, nil
}

// Save inserts a new paper (ID 0; ID and UID are set) or updates a stored one,
// with its sightings and categories.
func (t *Tx) Save(ctx context.Context, p *model.Paper) error {
	args, authors := paperRow(p)
	if p.ID == 0 {
		if p.UID == "" {
			uid, err := t.newUID(ctx, p)
			if err != nil {
				return err
			}
			p.UID = uid
		}
		res, err := t.stmt(ctx, stInsertPaper).ExecContext(ctx, append(args, p.UID)...)
		if err != nil {
			return fmt.Errorf("insert paper %q: %w", p.Title, err)
		}
		if p.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert paper %q: %w", p.Title, err)
		}
		if err := t.queueFTS(ctx, ftsOp{id: p.ID, title: p.Title, abstract: p.Abstract, authors: authors}); err != nil {
			return err
		}
	} else {
		// The full-text index is external-content: remove the old text (exactly as
		// indexed) before indexing the new, and only when the text changed.
		var oldTitle, oldAbstract, oldAuthors string
		if err := t.stmt(ctx, stOldText).QueryRowContext(ctx, p.ID).Scan(&oldTitle, &oldAbstract, &oldAuthors); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("update paper %d: %w", p.ID, err)
		}
		res, err := t.stmt(ctx, stUpdatePaper).ExecContext(ctx, append(args, p.ID)...)
		if err != nil {
			return fmt.Errorf("update paper %d: %w", p.ID, err)
		}
		if n, _ := res.RowsAffected(); n > 0 && (oldTitle != p.Title || oldAbstract != p.Abstract || oldAuthors != authors) {
			if err := t.queueFTS(ctx, ftsOp{del: true, id: p.ID, title: oldTitle, abstract: oldAbstract, authors: oldAuthors}); err != nil {
				return err
			}
			if err := t.queueFTS(ctx, ftsOp{id: p.ID, title: p.Title, abstract: p.Abstract, authors: authors}); err != nil {
				return err
			}
		}
	}
	return t.saveRelated(ctx, p, stUpsertSighting)
}

// Restore inserts papers copied from another store with their IDs and UIDs.
func (t *Tx) Restore(ctx context.Context, ps []*model.Paper) error {
	for _, p := range ps {
		if p.ID <= 0 || p.UID == "" {
			return fmt.Errorf("restore paper %q: it has no ID or UID", p.Title)
		}
		args, authors := paperRow(p)
		if _, err := t.stmt(ctx, stRestorePaper).ExecContext(ctx, append(args, p.UID, p.ID)...); err != nil {
			return fmt.Errorf("restore paper %d (%s): %w", p.ID, p.UID, err)
		}
		if err := t.queueFTS(ctx, ftsOp{id: p.ID, title: p.Title, abstract: p.Abstract, authors: authors}); err != nil {
			return err
		}
		if err := t.saveRelated(ctx, p, stInsertSighting); err != nil {
			return err
		}
	}
	return nil
}

// saveRelated writes a stored paper's blocking keys, categories and
// sightings, the sightings with statement sighting (an upsert for Save, a
// plain insert for Restore).
func (t *Tx) saveRelated(ctx context.Context, p *model.Paper, sighting int) error {
	for _, k := range p.BlockKeys {
		if _, err := t.stmt(ctx, stInsertBlock).ExecContext(ctx, k, p.ID); err != nil {
			return fmt.Errorf("save blocking key of paper %d: %w", p.ID, err)
		}
	}
	for _, c := range p.Categories {
		if _, err := t.stmt(ctx, stInsertCategory).ExecContext(ctx, c, p.ID); err != nil {
			return fmt.Errorf("save category of paper %d: %w", p.ID, err)
		}
	}
	for _, sg := range p.Sightings {
		_, err := t.stmt(ctx, sighting).ExecContext(ctx, sg.Source, sg.GUID, p.ID, sg.Link, unix(sg.FirstSeen), unix(sg.LastSeen), sg.Rule, sg.Reason)
		if err != nil {
			return fmt.Errorf("save sighting %s/%s: %w", sg.Source, sg.GUID, err)
		}
	}
	t.changed = true
	return nil
}

// newUID picks the public id of a new paper (see db.NewUID).
func (t *Tx) newUID(ctx context.Context, p *model.Paper) (string, error) {
	return db.NewUID(p, func(uid string) (bool, error) { return t.uidTaken(ctx, uid) })
}

func (t *Tx) uidTaken(ctx context.Context, uid string) (bool, error) {
	var n int
	if err := t.stmt(ctx, stUIDTaken).QueryRowContext(ctx, uid).Scan(&n); err != nil {
		return false, fmt.Errorf("pick paper id: %w", err)
	}
	return n > 0, nil
}

// Touch records that a source listed an already stored item again, without
// counting as a change of the papers.
func (t *Tx) Touch(ctx context.Context, source, guid string, seen time.Time) error {
	if _, err := t.stmt(ctx, stTouch).ExecContext(ctx, unix(seen), source, guid); err != nil {
		return fmt.Errorf("touch sighting %s/%s: %w", source, guid, err)
	}
	return nil
}
