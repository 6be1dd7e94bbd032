package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are applied in order, each in its own transaction, and tracked by
// PRAGMA user_version: migration i brings the schema to version i+1. Never edit
// one that has shipped; append a new one.
var migrations = []string{
	// 1: papers, their sightings, categories, full-text index, source state, store generation.
	`
CREATE TABLE papers (
	id          INTEGER PRIMARY KEY,
	uid         TEXT NOT NULL UNIQUE,
	title       TEXT NOT NULL,
	title_key   TEXT NOT NULL,
	abstract    TEXT NOT NULL DEFAULT '',
	authors     TEXT NOT NULL DEFAULT '[]',
	published   INTEGER NOT NULL,
	updated     INTEGER NOT NULL,
	first_seen  INTEGER NOT NULL,
	categories  TEXT NOT NULL DEFAULT '[]',
	arxiv_id    TEXT NOT NULL DEFAULT '',
	doi         TEXT NOT NULL DEFAULT '',
	links       TEXT NOT NULL DEFAULT '[]',
	upvotes     INTEGER NOT NULL DEFAULT 0,
	comment     TEXT NOT NULL DEFAULT '',
	journal_ref TEXT NOT NULL DEFAULT ''
);
CREATE INDEX papers_title_key ON papers(title_key);
CREATE INDEX papers_arxiv_id ON papers(arxiv_id) WHERE arxiv_id <> '';
CREATE INDEX papers_doi ON papers(doi) WHERE doi <> '';
CREATE INDEX papers_published ON papers(published DESC, id DESC);

CREATE TABLE sightings (
	source     TEXT NOT NULL,
	guid       TEXT NOT NULL,
	paper_id   INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
	link       TEXT NOT NULL DEFAULT '',
	first_seen INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	PRIMARY KEY (source, guid)
);
CREATE INDEX sightings_paper ON sightings(paper_id);

CREATE TABLE paper_categories (
	category TEXT NOT NULL,
	paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
	PRIMARY KEY (category, paper_id)
) WITHOUT ROWID;

CREATE VIRTUAL TABLE papers_fts USING fts5(
	title, abstract, authors,
	content='papers', content_rowid='id',
	tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER papers_fts_ai AFTER INSERT ON papers BEGIN
	INSERT INTO papers_fts(rowid, title, abstract, authors) VALUES (new.id, new.title, new.abstract, new.authors);
END;
CREATE TRIGGER papers_fts_ad AFTER DELETE ON papers BEGIN
	INSERT INTO papers_fts(papers_fts, rowid, title, abstract, authors) VALUES ('delete', old.id, old.title, old.abstract, old.authors);
END;
CREATE TRIGGER papers_fts_au AFTER UPDATE OF title, abstract, authors ON papers
	WHEN old.title IS NOT new.title OR old.abstract IS NOT new.abstract OR old.authors IS NOT new.authors BEGIN
	INSERT INTO papers_fts(papers_fts, rowid, title, abstract, authors) VALUES ('delete', old.id, old.title, old.abstract, old.authors);
	INSERT INTO papers_fts(rowid, title, abstract, authors) VALUES (new.id, new.title, new.abstract, new.authors);
END;

CREATE TABLE sources (
	name          TEXT PRIMARY KEY,
	type          TEXT NOT NULL DEFAULT '',
	state         TEXT NOT NULL DEFAULT '{}',
	last_attempt  INTEGER NOT NULL DEFAULT 0,
	last_success  INTEGER NOT NULL DEFAULT 0,
	last_error    TEXT NOT NULL DEFAULT '',
	last_error_at INTEGER NOT NULL DEFAULT 0,
	failures      INTEGER NOT NULL DEFAULT 0,
	next_check    INTEGER NOT NULL DEFAULT 0,
	last_summary  TEXT NOT NULL DEFAULT ''
);

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value INTEGER NOT NULL
);
INSERT INTO meta(key, value) VALUES ('generation', 1);
`,
	// 2: Tx.Save keeps the full-text index itself (explicit INSERTs into
	// papers_fts) instead of the INSERT and UPDATE triggers. A statement that
	// fires a trigger runs under a statement journal, and FTS5 flushes its
	// pending terms into a new segment at every statement savepoint: with the
	// triggers each paper of a pass became its own segment, and automerge then
	// rewrote them (a third of the ingest time). The DELETE trigger stays (the
	// code deletes no paper; it keeps manual repairs consistent).
	`
DROP TRIGGER IF EXISTS papers_fts_ai;
DROP TRIGGER IF EXISTS papers_fts_au;
`,
	// 3: a second full-text index, exact (no stemming), beside the stemmed
	// one: quoted words and phrases and prefixes match the words as written
	// ("contrastive" never matches contrast; embedding* never matches
	// embedded). External content (the text stays in papers alone), kept by
	// Tx.Save like papers_fts; built here for the papers already stored.
	`
CREATE VIRTUAL TABLE papers_exact USING fts5(
	title, abstract, authors,
	content='papers', content_rowid='id',
	tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO papers_exact(papers_exact) VALUES ('rebuild');
CREATE TRIGGER papers_exact_ad AFTER DELETE ON papers BEGIN
	INSERT INTO papers_exact(papers_exact, rowid, title, abstract, authors) VALUES ('delete', old.id, old.title, old.abstract, old.authors);
END;
`,
	// 4: leases (db.Leaser): which process collects a source, sends a digest.
	// Times are Unix nanoseconds on the store's clock.
	`
CREATE TABLE leases (
	name    TEXT PRIMARY KEY,
	holder  TEXT NOT NULL,
	since   INTEGER NOT NULL,
	expires INTEGER NOT NULL
);
`,
	// 5: digests select the papers first seen in a period (db.TopicQuery's
	// SeenFrom/SeenUntil).
	`
CREATE INDEX papers_first_seen ON papers(first_seen);
`,
	// 6: what the arXiv API said of each id asked (category completion,
	// exemplar fetching), and the papers still to complete: an arXiv id and
	// no categories.
	`
CREATE TABLE arxiv_lookups (
	arxiv_id TEXT PRIMARY KEY,
	outcome  TEXT NOT NULL CHECK (outcome IN ('found', 'not_found', 'failed')),
	asked    INTEGER NOT NULL,
	error    TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX papers_uncategorised ON papers(id) WHERE categories = '[]' AND arxiv_id <> '';
`,
	// 7: one full-text index. The stemmed (porter) index goes: a second
	// inverted index grew the store by a third. An unquoted word now matches
	// on papers_exact through its word forms, looked up by stem in the
	// index's vocabulary (papers_exact_vocab, see fts.go). The space the
	// dropped index held is reused by later writes; VACUUM returns it.
	`
DROP TRIGGER IF EXISTS papers_fts_ad;
DROP TABLE IF EXISTS papers_fts;
CREATE VIRTUAL TABLE papers_exact_vocab USING fts5vocab(papers_exact, 'row');
`,
	// 8: the paper ids (exemplars of like-topics) an upstream answered it
	// does not know, so they are not asked again and check can say so.
	`
CREATE TABLE unknown_ids (
	id TEXT PRIMARY KEY,
	at INTEGER NOT NULL
) WITHOUT ROWID;
`,
	// 9: blocking keys of tolerant title matching (model.Paper.BlockKeys), so
	// the collector finds near-duplicate candidates by index, never by a scan.
	`
CREATE TABLE paper_blocks (
	key      TEXT NOT NULL,
	paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
	PRIMARY KEY (key, paper_id)
) WITHOUT ROWID;
CREATE INDEX paper_blocks_paper ON paper_blocks(paper_id);
`,
	// 10: what was last announced to each WebSub hub (db.WebSubStore).
	`
CREATE TABLE websub (
	hub           TEXT NOT NULL,
	url           TEXT NOT NULL,
	fingerprint   TEXT NOT NULL DEFAULT '',
	last_success  INTEGER NOT NULL DEFAULT 0,
	last_error    TEXT NOT NULL DEFAULT '',
	last_error_at INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (hub, url)
) WITHOUT ROWID;
`,
	// 11: how each listing joined its paper (model.Sighting's Rule and
	// Reason); an empty rule means unknown: the sighting was stored before
	// rules were recorded.
	`
ALTER TABLE sightings ADD COLUMN rule TEXT NOT NULL DEFAULT '';
ALTER TABLE sightings ADD COLUMN reason TEXT NOT NULL DEFAULT '';
`,
	// 12: digest emails (db.DigestStore): a run per (digest, period), claimed
	// by one process, then sent; each message sent, and each paper it listed
	// per recipient and topic. Times are Unix nanoseconds.
	`
CREATE TABLE digest_runs (
	digest        TEXT NOT NULL,
	period        TEXT NOT NULL,
	holder        TEXT NOT NULL,
	claimed       INTEGER NOT NULL,
	expires       INTEGER NOT NULL,
	sent          INTEGER NOT NULL DEFAULT 0,
	until_at      INTEGER NOT NULL DEFAULT 0,
	attempts      INTEGER NOT NULL DEFAULT 0,
	last_error    TEXT NOT NULL DEFAULT '',
	last_error_at INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (digest, period)
) WITHOUT ROWID;
CREATE INDEX digest_runs_sent ON digest_runs(digest, sent);

CREATE TABLE digest_deliveries (
	digest     TEXT NOT NULL,
	period     TEXT NOT NULL,
	recipient  TEXT NOT NULL,
	message_id TEXT NOT NULL,
	sent       INTEGER NOT NULL,
	PRIMARY KEY (digest, period, recipient)
) WITHOUT ROWID;

CREATE TABLE digest_papers (
	recipient TEXT NOT NULL,
	topic     TEXT NOT NULL,
	paper_uid TEXT NOT NULL,
	digest    TEXT NOT NULL,
	period    TEXT NOT NULL,
	sent      INTEGER NOT NULL,
	PRIMARY KEY (recipient, topic, paper_uid)
) WITHOUT ROWID;
`,
	// 13: how far a copy into this store (paperfeed copy-store) has come,
	// one row per part, written with each batch: a copy stopped midway is
	// resumed from it, and a store holding papers but no marks is never
	// written into by a copy. Times are Unix seconds.
	`
CREATE TABLE copy_marks (
	part   TEXT PRIMARY KEY,
	source TEXT NOT NULL,
	after  TEXT NOT NULL,
	rows   INTEGER NOT NULL,
	at     INTEGER NOT NULL
) WITHOUT ROWID;
`,
}

// migrate brings the schema to the newest version. It is idempotent: applied
// migrations are skipped, and each runs in one transaction with its version bump.
func migrate(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	for {
		var version int
		if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
			return fmt.Errorf("migrate: read user_version: %w", err)
		}
		if version > len(migrations) {
			return fmt.Errorf("migrate: database schema version %d is newer than this paperfeed knows (%d)", version, len(migrations))
		}
		if version == len(migrations) {
			return nil
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate to %d: %w", version+1, err)
		}
		// Re-read inside the write transaction: another process may have migrated meanwhile.
		var again int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&again); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate: read user_version: %w", err)
		}
		if again != version {
			tx.Rollback()
			continue
		}
		if _, err := tx.ExecContext(ctx, migrations[version]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to %d: %w", version+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to %d: %w", version+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate to %d: %w", version+1, err)
		}
	}
}
