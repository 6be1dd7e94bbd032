package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations are applied in order, each in its own transaction with its
// version in schema_version: migration i brings the schema to version i+1.
// Never edit one that has shipped; append a new one. Times are Unix seconds
// (lease times Unix nanoseconds), as on SQLite, so stores copy between the
// engines unchanged.
var migrations = []string{
	// 1: papers, their sightings and categories, the two full-text vectors,
	// source state, the store generation, leases.
	//
	// The text is cut into words as SQLite's unicode61 tokenizer cuts it:
	// every ASCII character that is not a letter or digit separates words
	// (paperfeed_words), so "GPT-4" is gpt, 4 and "self-supervised" self,
	// supervised, where PostgreSQL's parser would keep hyphenated words and
	// hosts whole. Accents are removed (unaccent); no stop words are dropped.
	// tsv_exact holds the words as written, tsv_stem their English stems; the
	// title is weight A, the abstract B, the authors C.
	`
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
CREATE FUNCTION paperfeed_words(text) RETURNS text IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql
	AS $$ SELECT regexp_replace($1, '[^0-9A-Za-z\u0080-\U0010FFFF]+', ' ', 'g') $$;
CREATE TEXT SEARCH DICTIONARY paperfeed_english (TEMPLATE = snowball, Language = english);
CREATE TEXT SEARCH CONFIGURATION paperfeed_exact (PARSER = default);
ALTER TEXT SEARCH CONFIGURATION paperfeed_exact ADD MAPPING FOR asciiword, word, numword, uint, int, float, version
	WITH public.unaccent, simple;
CREATE TEXT SEARCH CONFIGURATION paperfeed_stem (PARSER = default);
ALTER TEXT SEARCH CONFIGURATION paperfeed_stem ADD MAPPING FOR asciiword, word, numword, uint, int, float, version
	WITH public.unaccent, paperfeed_english;

CREATE TABLE papers (
	id          BIGSERIAL PRIMARY KEY,
	uid         TEXT NOT NULL UNIQUE,
	title       TEXT NOT NULL,
	title_key   TEXT NOT NULL,
	abstract    TEXT NOT NULL DEFAULT '',
	authors     TEXT NOT NULL DEFAULT '[]',
	published   BIGINT NOT NULL,
	updated     BIGINT NOT NULL,
	first_seen  BIGINT NOT NULL,
	categories  TEXT NOT NULL DEFAULT '[]',
	arxiv_id    TEXT NOT NULL DEFAULT '',
	doi         TEXT NOT NULL DEFAULT '',
	links       TEXT NOT NULL DEFAULT '[]',
	upvotes     INTEGER NOT NULL DEFAULT 0,
	comment     TEXT NOT NULL DEFAULT '',
	journal_ref TEXT NOT NULL DEFAULT '',
	tsv_exact   tsvector GENERATED ALWAYS AS (
		setweight(to_tsvector('paperfeed_exact', paperfeed_words(title)), 'A') ||
		setweight(to_tsvector('paperfeed_exact', paperfeed_words(abstract)), 'B') ||
		setweight(to_tsvector('paperfeed_exact', paperfeed_words(authors)), 'C')) STORED,
	tsv_stem    tsvector GENERATED ALWAYS AS (
		setweight(to_tsvector('paperfeed_stem', paperfeed_words(title)), 'A') ||
		setweight(to_tsvector('paperfeed_stem', paperfeed_words(abstract)), 'B') ||
		setweight(to_tsvector('paperfeed_stem', paperfeed_words(authors)), 'C')) STORED
);
CREATE INDEX papers_title_key ON papers(title_key);
CREATE INDEX papers_arxiv_id ON papers(arxiv_id) WHERE arxiv_id <> '';
CREATE INDEX papers_doi ON papers(doi) WHERE doi <> '';
CREATE INDEX papers_published ON papers(published DESC, id DESC);
CREATE INDEX papers_tsv_exact ON papers USING gin (tsv_exact);
CREATE INDEX papers_tsv_stem ON papers USING gin (tsv_stem);

CREATE TABLE sightings (
	source     TEXT NOT NULL,
	guid       TEXT NOT NULL,
	paper_id   BIGINT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
	link       TEXT NOT NULL DEFAULT '',
	first_seen BIGINT NOT NULL,
	last_seen  BIGINT NOT NULL,
	PRIMARY KEY (source, guid)
);
CREATE INDEX sightings_paper ON sightings(paper_id);

CREATE TABLE paper_categories (
	category TEXT NOT NULL,
	paper_id BIGINT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
	PRIMARY KEY (category, paper_id)
);
CREATE INDEX paper_categories_paper ON paper_categories(paper_id);

CREATE TABLE sources (
	name          TEXT PRIMARY KEY,
	type          TEXT NOT NULL DEFAULT '',
	state         TEXT NOT NULL DEFAULT '{}',
	last_attempt  BIGINT NOT NULL DEFAULT 0,
	last_success  BIGINT NOT NULL DEFAULT 0,
	last_error    TEXT NOT NULL DEFAULT '',
	last_error_at BIGINT NOT NULL DEFAULT 0,
	failures      INTEGER NOT NULL DEFAULT 0,
	next_check    BIGINT NOT NULL DEFAULT 0,
	last_summary  TEXT NOT NULL DEFAULT ''
);

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value BIGINT NOT NULL
);
INSERT INTO meta(key, value) VALUES ('generation', 1);

CREATE TABLE leases (
	name    TEXT PRIMARY KEY,
	holder  TEXT NOT NULL,
	since   BIGINT NOT NULL,
	expires BIGINT NOT NULL
);
`,
	// 2: digests select the papers first seen in a period (db.TopicQuery's
	// SeenFrom/SeenUntil).
	`
CREATE INDEX papers_first_seen ON papers(first_seen);
`,
	// 3: what the arXiv API said of each id asked (category completion,
	// exemplar fetching), and the papers still to complete.
	`
CREATE TABLE arxiv_lookups (
	arxiv_id TEXT PRIMARY KEY,
	outcome  TEXT NOT NULL CHECK (outcome IN ('found', 'not_found', 'failed')),
	asked    BIGINT NOT NULL,
	error    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX papers_uncategorised ON papers(id) WHERE categories = '[]' AND arxiv_id <> '';
`,
	// 4: the paper ids (exemplars of like-topics) an upstream answered it
	// does not know, so they are not asked again and check can say so.
	`
CREATE TABLE unknown_ids (
	id TEXT PRIMARY KEY,
	at BIGINT NOT NULL
);
`,
	// 5: blocking keys of tolerant title matching (model.Paper.BlockKeys), so
	// the collector finds near-duplicate candidates by index, never by a scan.
	`
CREATE TABLE paper_blocks (
	key      TEXT NOT NULL,
	paper_id BIGINT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
	PRIMARY KEY (key, paper_id)
);
CREATE INDEX paper_blocks_paper ON paper_blocks(paper_id);
`,
	// 6: what was last announced to each WebSub hub (db.WebSubStore).
	`
CREATE TABLE websub (
	hub           TEXT NOT NULL,
	url           TEXT NOT NULL,
	fingerprint   TEXT NOT NULL DEFAULT '',
	last_success  BIGINT NOT NULL DEFAULT 0,
	last_error    TEXT NOT NULL DEFAULT '',
	last_error_at BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (hub, url)
);
`,
	// 7: how each listing joined its paper (model.Sighting's Rule and
	// Reason); an empty rule means unknown: the sighting was stored before
	// rules were recorded.
	`
ALTER TABLE sightings ADD COLUMN rule TEXT NOT NULL DEFAULT '';
ALTER TABLE sightings ADD COLUMN reason TEXT NOT NULL DEFAULT '';
`,
	// 8: digest emails (db.DigestStore): a run per (digest, period), claimed
	// by one replica, then sent; each message sent, and each paper it listed
	// per recipient and topic. Times are Unix nanoseconds.
	`
CREATE TABLE digest_runs (
	digest        TEXT NOT NULL,
	period        TEXT NOT NULL,
	holder        TEXT NOT NULL,
	claimed       BIGINT NOT NULL,
	expires       BIGINT NOT NULL,
	sent          BIGINT NOT NULL DEFAULT 0,
	until_at      BIGINT NOT NULL DEFAULT 0,
	attempts      INTEGER NOT NULL DEFAULT 0,
	last_error    TEXT NOT NULL DEFAULT '',
	last_error_at BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (digest, period)
);
CREATE INDEX digest_runs_sent ON digest_runs(digest, sent);

CREATE TABLE digest_deliveries (
	digest     TEXT NOT NULL,
	period     TEXT NOT NULL,
	recipient  TEXT NOT NULL,
	message_id TEXT NOT NULL,
	sent       BIGINT NOT NULL,
	PRIMARY KEY (digest, period, recipient)
);

CREATE TABLE digest_papers (
	recipient TEXT NOT NULL,
	topic     TEXT NOT NULL,
	paper_uid TEXT NOT NULL,
	digest    TEXT NOT NULL,
	period    TEXT NOT NULL,
	sent      BIGINT NOT NULL,
	PRIMARY KEY (recipient, topic, paper_uid)
);
`,
	// 9: how far a copy into this store (paperfeed copy-store) has come,
	// one row per part, written with each batch (see SQLite's migration 13).
	`
CREATE TABLE copy_marks (
	part   TEXT PRIMARY KEY,
	source TEXT NOT NULL,
	after  TEXT NOT NULL,
	rows   BIGINT NOT NULL,
	at     BIGINT NOT NULL
);
`,
}

// migrateLock is the advisory lock key migrations hold: one migrating
// process per database at a time (also across schemas: extensions are
// database-wide).
const migrateLock = 0x70667367 // "pfsg"

// migrate brings the schema (the first of the connection's search_path) to
// the newest version. Idempotent: applied migrations are skipped.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	for {
		done, err := migrateOne(ctx, pool)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the next migration; done when there is none.
func migrateOne(ctx context.Context, pool *pgxpool.Pool) (done bool, err error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLock); err != nil {
		return false, fmt.Errorf("migrate: lock: %w", err)
	}
	if _, err := tx.Exec(ctx, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"); err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	var version int
	err = tx.QueryRow(ctx, "SELECT version FROM schema_version").Scan(&version)
	switch {
	case err == pgx.ErrNoRows:
		if _, err := tx.Exec(ctx, "INSERT INTO schema_version (version) VALUES (0)"); err != nil {
			return false, fmt.Errorf("migrate: %w", err)
		}
	case err != nil:
		return false, fmt.Errorf("migrate: read schema version: %w", err)
	}
	if version > len(migrations) {
		return false, fmt.Errorf("migrate: database schema version %d is newer than this paperfeed knows (%d)", version, len(migrations))
	}
	if version == len(migrations) {
		return true, tx.Commit(ctx)
	}
	if _, err := tx.Exec(ctx, migrations[version]); err != nil {
		return false, fmt.Errorf("migrate to %d: %w", version+1, err)
	}
	if _, err := tx.Exec(ctx, "UPDATE schema_version SET version = $1", version+1); err != nil {
		return false, fmt.Errorf("migrate to %d: %w", version+1, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("migrate to %d: %w", version+1, err)
	}
	return false, nil
}
