// Package db is paperfeed's store. Every SQL statement of the project lives here,
// behind a small API (Store, Tx) that a PostgreSQL backend can implement later.
//
// SQLite runs in WAL mode with synchronous=NORMAL: readers never block the writer.
// Writes go through one connection with BEGIN IMMEDIATE, so a write transaction
// takes the lock up front and waits (busy_timeout) instead of failing with
// "database is locked" when another process (a cron `paperfeed collect`) writes.
package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/paperfeed/paperfeed/aggregator/paper"
)

// Store is the paper store.
type Store struct {
	w    *sql.DB // one connection: every write transaction
	r    *sql.DB // a pool of read-only connections
	path string
	ws   [numWriteStmts]*sql.Stmt // the write path's statements, prepared once on w
	gen  *sql.Stmt                // Generation's query, prepared on the read pool

	writes   atomic.Int64            // committed write transactions of this Store that changed papers
	genCache atomic.Pointer[genSnap] // the last generation read
}

// Statements of the write path, prepared once at Open and reused by every
// transaction (preparing one costs about as much as running it).
const (
	stCandidates = iota
	stPaperByID
	stSightingsOf
	stInsertPaper
	stUpdatePaper
	stOldText
	stFTSInsert
	stFTSDelete
	stInsertCategory
	stUpsertSighting
	stUIDTaken
	stTouch
	numWriteStmts
)

var writeSQL = [numWriteStmts]string{
	stCandidates: `
		SELECT paper_id FROM sightings WHERE source = ?1 AND guid = ?2
		UNION ALL SELECT id FROM papers WHERE ?3 <> '' AND arxiv_id = ?3 AND arxiv_id <> ''
		UNION ALL SELECT id FROM papers WHERE ?4 <> '' AND doi = ?4 AND doi <> ''
		UNION ALL SELECT id FROM papers WHERE ?5 <> '' AND title_key = ?5`,
	stPaperByID:   `SELECT ` + paperColumns + ` FROM papers WHERE id = ?`,
	stSightingsOf: `SELECT ` + sightingColumns + ` FROM sightings WHERE paper_id = ? ORDER BY first_seen, source`,
	stInsertPaper: `INSERT INTO papers (title, title_key, abstract, authors, published, updated, first_seen,
			categories, arxiv_id, doi, links, upvotes, comment, journal_ref, uid)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
	stUpdatePaper: `UPDATE papers SET title=?, title_key=?, abstract=?, authors=?, published=?, updated=?, first_seen=?,
			categories=?, arxiv_id=?, doi=?, links=?, upvotes=?, comment=?, journal_ref=? WHERE id=?`,
	stOldText:        `SELECT title, abstract, authors FROM papers WHERE id = ?`,
	stFTSInsert:      `INSERT INTO papers_fts(rowid, title, abstract, authors) VALUES (?, ?, ?, ?)`,
	stFTSDelete:      `INSERT INTO papers_fts(papers_fts, rowid, title, abstract, authors) VALUES ('delete', ?, ?, ?, ?)`,
	stInsertCategory: `INSERT INTO paper_categories (category, paper_id) VALUES (?, ?) ON CONFLICT DO NOTHING`,
	stUpsertSighting: `INSERT INTO sightings (source, guid, paper_id, link, first_seen, last_seen) VALUES (?,?,?,?,?,?)
			ON CONFLICT (source, guid) DO UPDATE SET paper_id = excluded.paper_id, link = excluded.link, last_seen = excluded.last_seen`,
	stUIDTaken: "SELECT count(*) FROM papers WHERE uid = ?",
	stTouch:    `UPDATE sightings SET last_seen = ? WHERE source = ? AND guid = ?`,
}

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

// Open opens (creating if needed) the database at path and migrates it.
func Open(ctx context.Context, path string) (*Store, error) {
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
	st := &Store{w: w, r: r, path: path}
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

// IntegrityCheck runs PRAGMA integrity_check and returns its verdict ("ok" when sound).
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	rows, err := s.r.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return "", fmt.Errorf("integrity check: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return "", fmt.Errorf("integrity check: %w", err)
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n"), rows.Err()
}

// Backup writes a consistent copy of the database to path (VACUUM INTO).
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := s.w.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// GenerationTTL bounds how long Generation may miss a write committed by
// another process (a cron `paperfeed collect`); writes through this Store are
// seen at once.
const GenerationTTL = 250 * time.Millisecond

// genSnap is a generation read at a time, valid while no write of this
// process has committed since (writes counts them).
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
	if g := s.genCache.Load(); g != nil && g.writes == writes && time.Since(g.at) < GenerationTTL {
		return g.value, nil
	}
	var g int64
	if err := s.gen.QueryRowContext(ctx).Scan(&g); err != nil {
		return 0, fmt.Errorf("read generation: %w", err)
	}
	s.genCache.Store(&genSnap{value: g, at: time.Now(), writes: writes})
	return g, nil
}

// Stats are store-wide counts.
type Stats struct {
	Papers    int64
	Sightings int64
}

// Stats counts papers and sightings.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.r.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM papers), (SELECT count(*) FROM sightings)").Scan(&st.Papers, &st.Sightings)
	if err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}
	return st, nil
}

// Update runs fn in one write transaction: committed when fn returns nil,
// rolled back otherwise (nothing of a failed pass is stored).
func (s *Store) Update(ctx context.Context, fn func(*Tx) error) error {
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

// Tx is a write transaction.
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

// flushFTS runs the queued index writes, back to back.
func (t *Tx) flushFTS(ctx context.Context) error {
	for _, op := range t.fts {
		st := stFTSInsert
		if op.del {
			st = stFTSDelete
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
// DOI or title key. Each is an index lookup. Duplicates are removed; the
// sighting's paper comes first.
func (t *Tx) Candidates(ctx context.Context, source, guid, arxivID, doi, titleKey string) ([]*paper.Paper, error) {
	rows, err := t.stmt(ctx, stCandidates).QueryContext(ctx, source, guid, arxivID, doi, titleKey)
	if err != nil {
		return nil, fmt.Errorf("find candidates: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find candidates: %w", err)
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find candidates: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	// Candidates are few (usually none or one): one prepared lookup per id.
	out := make([]*paper.Paper, 0, len(ids))
	for _, id := range ids {
		p, err := t.loadPaper(ctx, id)
		if err != nil {
			return nil, err
		}
		if p != nil {
			out = append(out, p)
		}
	}
	return out, nil
}

// loadPaper loads one paper and its sightings (nil when there is none).
func (t *Tx) loadPaper(ctx context.Context, id int64) (*paper.Paper, error) {
	rows, err := t.stmt(ctx, stPaperByID).QueryContext(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load papers: %w", err)
	}
	var p *paper.Paper
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
		return nil, nil
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
func (t *Tx) Save(ctx context.Context, p *paper.Paper) error {
	authors, _ := json.Marshal(nonNil(p.Authors))
	cats, _ := json.Marshal(nonNil(p.Categories))
	links, _ := json.Marshal(p.Links)
	if p.Links == nil {
		links = []byte("[]")
	}
	args := []any{p.Title, p.TitleKey, p.Abstract, string(authors), unix(p.Published), unix(p.Updated), unix(p.FirstSeen),
		string(cats), p.ArxivID, p.DOI, string(links), p.Upvotes, p.Comment, p.JournalRef}
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
		if err := t.queueFTS(ctx, ftsOp{id: p.ID, title: p.Title, abstract: p.Abstract, authors: string(authors)}); err != nil {
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
		if n, _ := res.RowsAffected(); n > 0 && (oldTitle != p.Title || oldAbstract != p.Abstract || oldAuthors != string(authors)) {
			if err := t.queueFTS(ctx, ftsOp{del: true, id: p.ID, title: oldTitle, abstract: oldAbstract, authors: oldAuthors}); err != nil {
				return err
			}
			if err := t.queueFTS(ctx, ftsOp{id: p.ID, title: p.Title, abstract: p.Abstract, authors: string(authors)}); err != nil {
				return err
			}
		}
	}
	for _, c := range p.Categories {
		if _, err := t.stmt(ctx, stInsertCategory).ExecContext(ctx, c, p.ID); err != nil {
			return fmt.Errorf("save category of paper %d: %w", p.ID, err)
		}
	}
	for _, sg := range p.Sightings {
		_, err := t.stmt(ctx, stUpsertSighting).ExecContext(ctx, sg.Source, sg.GUID, p.ID, sg.Link, unix(sg.FirstSeen), unix(sg.LastSeen))
		if err != nil {
			return fmt.Errorf("save sighting %s/%s: %w", sg.Source, sg.GUID, err)
		}
	}
	t.changed = true
	return nil
}

// newUID picks the public id of a new paper: its arXiv id or DOI when free,
// else a hash of its first sighting. It never changes afterwards.
func (t *Tx) newUID(ctx context.Context, p *paper.Paper) (string, error) {
	var tries []string
	if p.ArxivID != "" {
		tries = append(tries, "arxiv:"+p.ArxivID)
	}
	if p.DOI != "" {
		tries = append(tries, "doi:"+p.DOI)
	}
	seed := p.Title
	if len(p.Sightings) > 0 {
		seed = p.Sightings[0].Source + "\x00" + p.Sightings[0].GUID
	}
	tries = append(tries, "pf:"+shortHash(seed))
	for i, uid := range tries {
		var n int
		if err := t.stmt(ctx, stUIDTaken).QueryRowContext(ctx, uid).Scan(&n); err != nil {
			return "", fmt.Errorf("pick paper id: %w", err)
		}
		if n == 0 {
			return uid, nil
		}
		if i == len(tries)-1 {
			return uid + "-" + shortHash(fmt.Sprint(time.Now().UnixNano())), nil
		}
	}
	return "", errors.New("unreachable")
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func fromUnix(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(v, 0).UTC()
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

const paperColumns = `id, uid, title, title_key, abstract, authors, published, updated, first_seen, categories, arxiv_id, doi, links, upvotes, comment, journal_ref`

func scanPaper(rows *sql.Rows) (*paper.Paper, error) {
	var p paper.Paper
	var authors, cats, links string
	var pub, upd, first int64
	if err := rows.Scan(&p.ID, &p.UID, &p.Title, &p.TitleKey, &p.Abstract, &authors, &pub, &upd, &first, &cats, &p.ArxivID, &p.DOI, &links, &p.Upvotes, &p.Comment, &p.JournalRef); err != nil {
		return nil, err
	}
	p.Published, p.Updated, p.FirstSeen = fromUnix(pub), fromUnix(upd), fromUnix(first)
	if err := errors.Join(json.Unmarshal([]byte(authors), &p.Authors), json.Unmarshal([]byte(cats), &p.Categories), json.Unmarshal([]byte(links), &p.Links)); err != nil {
		return nil, fmt.Errorf("decode paper %d: %w", p.ID, err)
	}
	return &p, nil
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

func placeholders(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return qmarks(len(ids)), args
}

// Touch records that a source listed an already stored item again, without
// counting as a change of the papers.
func (t *Tx) Touch(ctx context.Context, source, guid string, seen time.Time) error {
	if _, err := t.stmt(ctx, stTouch).ExecContext(ctx, unix(seen), source, guid); err != nil {
		return fmt.Errorf("touch sighting %s/%s: %w", source, guid, err)
	}
	return nil
}
