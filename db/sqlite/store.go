// Package sqlite is the SQLite engine of paperfeed's store (the contract is
// package db). Every SQL statement of the project for SQLite lives here.
//
// SQLite runs in WAL mode with synchronous=NORMAL: readers never block the writer.
// Writes go through one connection with BEGIN IMMEDIATE, so a write transaction
// takes the lock up front and waits (busy_timeout) instead of failing with
// "database is locked" when another process (a cron `paperfeed collect`) writes.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/paperfeed/paperfeed/db"
)

// Store is a paper store in one SQLite file. It implements db.Store,
// db.Backuper and db.IntegrityChecker.
type Store struct {
	w    *sql.DB // one connection: every write transaction
	r    *sql.DB // a pool of read-only connections
	path string
	now  func() time.Time
	ws   [numWriteStmts]*sql.Stmt // the write path's statements, prepared once on w
	gen  *sql.Stmt                // Generation's query, prepared on the read pool

	writes   atomic.Int64            // committed write transactions of this Store that changed papers
	genCache atomic.Pointer[genSnap] // the last generation read
	forms    atomic.Pointer[formsCache]
}

// Statements of the write path, prepared once at Open and reused by every
// transaction (preparing one costs about as much as running it).
const (
	stCandidates = iota
	stCandidateByID
	stPaperByID
	stSightingsOf
	stInsertPaper
	stUpdatePaper
	stOldText
	stExactInsert
	stExactDelete
	stInsertCategory
	stUpsertSighting
	stUIDTaken
	stTouch
	stBlockPapers
	stInsertBlock
	stRestorePaper
	stInsertSighting
	numWriteStmts
)

var writeSQL = [numWriteStmts]string{
	stCandidates: `
		SELECT paper_id, 1 FROM sightings WHERE source = ?1 AND guid = ?2
		UNION ALL SELECT id, 0 FROM papers WHERE ?3 <> '' AND arxiv_id = ?3 AND arxiv_id <> ''
		UNION ALL SELECT id, 0 FROM papers WHERE ?4 <> '' AND doi = ?4 AND doi <> ''
		UNION ALL SELECT id, 0 FROM papers WHERE ?5 <> '' AND title_key = ?5`,
	stCandidateByID: `SELECT ` + candidateColumns + ` FROM papers WHERE id = ?`,
	stPaperByID:     `SELECT ` + paperColumns + ` FROM papers WHERE id = ?`,
	stSightingsOf:   `SELECT ` + sightingColumns + ` FROM sightings WHERE paper_id = ? ORDER BY first_seen, source`,
	stInsertPaper: `INSERT INTO papers (title, title_key, abstract, authors, published, updated, first_seen,
			categories, arxiv_id, doi, links, upvotes, comment, journal_ref, uid)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
	stUpdatePaper: `UPDATE papers SET title=?, title_key=?, abstract=?, authors=?, published=?, updated=?, first_seen=?,
			categories=?, arxiv_id=?, doi=?, links=?, upvotes=?, comment=?, journal_ref=? WHERE id=?`,
	stOldText:        `SELECT title, abstract, authors FROM papers WHERE id = ?`,
	stExactInsert:    `INSERT INTO papers_exact(rowid, title, abstract, authors) VALUES (?, ?, ?, ?)`,
	stExactDelete:    `INSERT INTO papers_exact(papers_exact, rowid, title, abstract, authors) VALUES ('delete', ?, ?, ?, ?)`,
	stInsertCategory: `INSERT INTO paper_categories (category, paper_id) VALUES (?, ?) ON CONFLICT DO NOTHING`,
	stUpsertSighting: `INSERT INTO sightings (source, guid, paper_id, link, first_seen, last_seen, rule, reason) VALUES (?,?,?,?,?,?,?,?)
			ON CONFLICT (source, guid) DO UPDATE SET paper_id = excluded.paper_id, link = excluded.link, last_seen = excluded.last_seen,
			rule = excluded.rule, reason = excluded.reason`,
	stUIDTaken:    "SELECT count(*) FROM papers WHERE uid = ?",
	stTouch:       `UPDATE sightings SET last_seen = ? WHERE source = ? AND guid = ?`,
	stBlockPapers: `SELECT paper_id FROM paper_blocks WHERE key = ? ORDER BY paper_id DESC LIMIT ` + strconv.Itoa(db.MaxPerBlock),
	stInsertBlock: `INSERT INTO paper_blocks (key, paper_id) VALUES (?, ?) ON CONFLICT DO NOTHING`,
	stRestorePaper: `INSERT INTO papers (title, title_key, abstract, authors, published, updated, first_seen,
			categories, arxiv_id, doi, links, upvotes, comment, journal_ref, uid, id)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
	stInsertSighting: `INSERT INTO sightings (source, guid, paper_id, link, first_seen, last_seen, rule, reason) VALUES (?,?,?,?,?,?,?,?)`,
}

var (
	_ db.Store            = (*Store)(nil)
	_ db.Backuper         = (*Store)(nil)
	_ db.IntegrityChecker = (*Store)(nil)
)

// BusyTimeout is how long a write waits for another writer (another process).
const BusyTimeout = 30 * time.Second

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Options are a Store's optional settings.
type Options struct {
	// Now is the store's clock, on which a cached generation expires (see
	// Generation); nil means time.Now. The program passes its one clock (see
	// cmd/paperfeed). time.Now's monotonic reading keeps the expiry right when
	// the wall clock steps; a clock that steps back ends the cached value at
	// once. A fake clock that does not move keeps the cached value until a
	// write through this Store: tests advance it to see another process's writes.
	Now func() time.Time
}

// Open opens (creating if needed) the database at path and migrates it.
func Open(ctx context.Context, path string, o Options) (*Store, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	st := &Store{w: w, r: r, path: path, now: o.Now}
	if st.gen, err = r.PrepareContext(ctx, "SELECT value FROM meta WHERE key = 'generation'"); err != nil {
		st.Close()
		return nil, fmt.Errorf("open %s: prepare: %w", path, err)
	}
	for i, q := range writeSQL {
		if st.ws[i], err = w.PrepareContext(ctx, q); err != nil {
			st.Close()
			return nil, fmt.Errorf("open %s: prepare: %w", path, err)
		}
	}
	return st, nil
}

// Close closes the store.
func (s *Store) Close() error {
	var errs []error
	for _, st := range append(s.ws[:], s.gen) {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(append(errs, s.r.Close(), s.w.Close())...)
}

// Ping checks the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping %s: %w", s.path, err)
	}
	return nil
}

// GenerationTTL bounds how long, on the store's clock, Generation may miss a
// write committed by another process (a cron `paperfeed collect`); writes
// through this Store are seen at once.
const GenerationTTL = 250 * time.Millisecond

// genSnap is a generation read at a time of the store's clock, valid while
// no write of this process has committed since (writes counts them).
type genSnap struct {
	value  int64
	at     time.Time
	writes int64
}

// Generation changes whenever a write transaction changed papers. Caches of
// rendered feeds key on it. It is read from the database at most every
// GenerationTTL (a feed request then costs no query), and at once after a write
// through this Store.
func (s *Store) Generation(ctx context.Context) (int64, error) {
	writes := s.writes.Load()
	now := s.now()
	if g := s.genCache.Load(); g != nil && g.writes == writes {
		if age := now.Sub(g.at); age >= 0 && age < GenerationTTL {
			return g.value, nil
		}
	}
	var g int64
	if err := s.gen.QueryRowContext(ctx).Scan(&g); err != nil {
		return 0, fmt.Errorf("read generation: %w", err)
	}
	s.genCache.Store(&genSnap{value: g, at: now, writes: writes})
	return g, nil
}

// Stats counts papers and sightings.
func (s *Store) Stats(ctx context.Context) (db.Stats, error) {
	var st db.Stats
	err := s.r.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM papers), (SELECT count(*) FROM sightings)").Scan(&st.Papers, &st.Sightings)
	if err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}
	return st, nil
}

// Update runs fn in one write transaction: committed when fn returns nil,
// rolled back otherwise (nothing of a failed pass is stored).
func (s *Store) Update(ctx context.Context, fn func(db.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	t := &Tx{tx: tx, store: s}
	if err := fn(t); err != nil {
		tx.Rollback()
		return err
	}
	if err := t.flushFTS(ctx); err != nil {
		tx.Rollback()
		return err
	}
	if t.changed {
		if _, err := tx.ExecContext(ctx, "UPDATE meta SET value = value + 1 WHERE key = 'generation'"); err != nil {
			tx.Rollback()
			return fmt.Errorf("bump generation: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if t.changed {
		s.writes.Add(1) // invalidates the cached generation
	}
	return nil
}
