// Package db states what a paper store is: the operations the collector, the
// feed server, the status page and the CLI use, as interfaces, and the
// engine-neutral types they exchange. Engines implement it in their own
// package (db/sqlite); package db/dbtest is the conformance suite every engine
// runs. Consumers depend on these interfaces only, never on an engine's types.
//
// The contract every engine keeps:
//   - Update runs its function in one write transaction: all of it is stored
//     or, when the function (or the commit) fails, none of it.
//   - Readers are never blocked by a write in progress and never see a write
//     before it commits.
//   - Generation changes when a committed Update saved a paper; a pass that
//     only touched sightings or saved source state leaves it alone, so caches
//     of rendered feeds keyed on it stay valid.
package db

import (
	"context"
	"time"

	"github.com/paperfeed/paperfeed/db/model"
)

// Reader is the read side: what the feed server and the status page ask.
type Reader interface {
	QueryChecker
	// Topic returns the candidates of a topic selection, newest first
	// (published descending, then the most recently stored first); ranking
	// them is the caller's (aggregator/rank). Each paper has its sightings. A
	// query the engine cannot run is a *QueryError.
	Topic(ctx context.Context, q TopicQuery) ([]*model.Paper, error)
	// Generation changes whenever a committed write changed papers. A write
	// through this handle is seen at once; one through another handle (another
	// process) within a bound the engine documents.
	Generation(ctx context.Context) (int64, error)
	// Stats counts papers and sightings.
	Stats(ctx context.Context) (Stats, error)
	// Ping checks the store answers.
	Ping(ctx context.Context) error
}

// QueryChecker validates a full-text expression in the engine's query
// language.
type QueryChecker interface {
	// CheckQuery returns nil when expr can run ("" matches every paper), a
	// *QueryError when it cannot.
	CheckQuery(ctx context.Context, expr string) error
}

// Tx is a write transaction (see Store.Update), valid only while the
// function given to Update runs.
// MaxPerBlock caps the papers one blocking key contributes to Candidates, so
// the lookup cost stays flat however many papers share a common key.
const MaxPerBlock = 4

type Tx interface {
	// Candidates returns the stored papers an incoming listing may be: the
	// paper already holding the (source, guid) sighting, then those with the
	// same arXiv id, DOI or title key (empty keys match nothing), then those
	// sharing a blocking key (at most MaxPerBlock papers per key). Each paper
	// appears once, with its sightings.
	Candidates(ctx context.Context, source, guid, arxivID, doi, titleKey string, blocks []string) ([]*model.Paper, error)
	// Save inserts a new paper (ID 0: ID, and UID when empty, are assigned) or
	// updates a stored one, with its categories and sightings (upserted by
	// source and guid: a sighting belongs to one paper). A new paper's UID is
	// "arxiv:" and its arXiv id, else "doi:" and its DOI, else "pf:" and a hash
	// of its first sighting, the first one no stored paper has (the hash with
	// a suffix when all are taken); feeds derive entry ids from it, so it
	// never changes.
	Save(ctx context.Context, p *model.Paper) error
	// Touch moves the last-seen time of a stored sighting without counting as
	// a change of the papers.
	Touch(ctx context.Context, source, guid string, seen time.Time) error
	// SaveSourceState writes a source's state with the pass that produced it.
	SaveSourceState(ctx context.Context, st SourceState) error
}

// SourceStore keeps what the collector knows about each source between passes.
type SourceStore interface {
	// SourceState returns the named source's state (the zero value with Name
	// set when it never ran).
	SourceState(ctx context.Context, name string) (SourceState, error)
	// SourceStates returns the state of every source that ever ran, by name.
	SourceStates(ctx context.Context) (map[string]SourceState, error)
	// SaveSourceState writes a source's state outside a pass (after a failed
	// pass, whose items were not stored).
	SaveSourceState(ctx context.Context, st SourceState) error
}

// Store is a paper store.
type Store interface {
	Reader
	SourceStore
	// Update runs fn in one write transaction: committed when fn returns nil,
	// rolled back otherwise (then it returns fn's error).
	Update(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// Backuper is a store that can write a consistent copy of itself to a file
// while in use. Engines without a file of their own need not implement it.
type Backuper interface {
	Backup(ctx context.Context, path string) error
}

// IntegrityChecker is a store that can verify its own files; "ok" means sound.
type IntegrityChecker interface {
	IntegrityCheck(ctx context.Context) (string, error)
}
