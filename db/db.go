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
	"errors"
	"time"

	"github.com/paperfeed/paperfeed/db/model"
)

// ErrNotFound is a lookup of something the store does not hold.
var ErrNotFound = errors.New("not found")

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
	// Paper returns the paper of a UID with its sightings, ErrNotFound when
	// no stored paper has it.
	Paper(ctx context.Context, uid string) (*model.Paper, error)
	// Identified returns the stored papers holding one of the arXiv ids or
	// DOIs (normalised as model.Item's), each once, with their sightings.
	Identified(ctx context.Context, arxivIDs, dois []string) ([]*model.Paper, error)
	// Texts calls fn with the text of every stored paper, in ID order, from
	// one consistent snapshot; fn's error stops it and is returned.
	Texts(ctx context.Context, fn func(Text) error) error
	// UnknownIDs returns the paper ids ("doi:10....", "arxiv:...") an
	// upstream answered it does not know, with when it last said so.
	UnknownIDs(ctx context.Context) (map[string]time.Time, error)
	// Stats counts papers and sightings.
	Stats(ctx context.Context) (Stats, error)
	// Ping checks the store answers.
	Ping(ctx context.Context) error
}

// QueryChecker validates a topic or search query (package db/query).
type QueryChecker interface {
	// CheckQuery returns nil when expr parses (ParseQuery) and the engine can
	// run its tree ("" matches every paper), a *QueryError when not.
	CheckQuery(ctx context.Context, expr string) error
}

// Tx is a write transaction (see Store.Update), valid only while the
// function given to Update runs.
// MaxPerBlock caps the papers one blocking key contributes to Candidates, so
// the lookup cost stays flat however many papers share a common key.
const MaxPerBlock = 4

type Tx interface {
	// Candidates returns the stored papers an incoming listing may be: the
	// paper already holding the (source, guid) sighting (its Listed set),
	// then those with the same arXiv id, DOI or title key (empty keys match
	// nothing), then those sharing a blocking key (at most MaxPerBlock
	// papers per key). Each paper appears once, as the fields the matching
	// rules read (Candidate): index lookups that load no abstract, link or
	// sighting, so the cost per incoming listing stays flat however large the
	// store and however many candidates a common key brings.
	Candidates(ctx context.Context, source, guid, arxivID, doi, titleKey string, blocks []string) ([]Candidate, error)
	// Paper returns the stored paper of a row id with its sightings (the
	// candidate a listing joins), ErrNotFound when there is none.
	Paper(ctx context.Context, id int64) (*model.Paper, error)
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
	// RecordArxivLookups stores what asking the arXiv API for ids brought,
	// replacing an id's earlier record.
	RecordArxivLookups(ctx context.Context, ls []ArxivLookup) error
	// RecordUnknownID is SourceStore.RecordUnknownID inside the transaction.
	RecordUnknownID(ctx context.Context, id string, at time.Time) error
	// SaveWebSubState is WebSubStore.SaveWebSubState inside the transaction
	// (a copy writes the records with the rest of a batch and its mark).
	SaveWebSubState(ctx context.Context, st WebSubState) error
	// RestoreDigests inserts rows of what digests sent read from another
	// store (Copier.DigestRunsAfter ...) as they are there; a row whose key
	// the store holds already is an error (a copy never writes one twice).
	// Deliveries' Papers are not written: they are ps.
	RestoreDigests(ctx context.Context, runs []DigestRun, ds []DigestDelivery, ps []DigestPaperRecord) error
	// Restore inserts papers read from another store (Copier.PapersAfter)
	// as they are there: their IDs, UIDs and every field, their categories,
	// blocking keys and sightings. The derived indexes (full text,
	// categories) are kept as Save keeps them, and papers saved later get IDs
	// above every restored one. An ID, UID or sighting already stored is an
	// error, never an overwrite. Many papers at once cost an engine fewer
	// round trips than one at a time.
	Restore(ctx context.Context, ps []*model.Paper) error
	// SaveCopyMark records how far a copy into this store has come (see
	// Copier.CopyMarks), replacing the part's earlier mark.
	SaveCopyMark(ctx context.Context, m CopyMark) error
}

// LookupStore knows which arXiv ids were asked of the arXiv API (see
// Tx.RecordArxivLookups): an id found or not found is never asked twice, a
// failed one is asked again later.
type LookupStore interface {
	// ArxivLookups returns the records of the ids asked, by id; ids never
	// asked are absent.
	ArxivLookups(ctx context.Context, ids []string) (map[string]ArxivLookup, error)
	// ArxivIDsToComplete returns up to limit arXiv ids of stored papers
	// without categories that were never asked, or whose last asking failed
	// before retryBefore; the most recently stored papers first.
	ArxivIDsToComplete(ctx context.Context, retryBefore time.Time, limit int) ([]string, error)
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
	// RecordUnknownID records that an upstream does not know id at t (see
	// Reader.UnknownIDs); recording it again moves t.
	RecordUnknownID(ctx context.Context, id string, at time.Time) error
}

// Leaser hands out named, expiring leases: a lease is held by one holder (a
// replica) at a time, until it is released or its time to live runs out
// without a renewal. Replicas on one store use them so that one of them does
// a job (collect a source, send a digest): a replica that dies holding one
// loses it when it expires. Leases are not part of the papers: taking,
// renewing or releasing one never changes Generation.
type Leaser interface {
	// ClaimLease takes the named lease for holder for ttl when nobody holds
	// it, its holder let it expire, or holder holds it already (then it is
	// renewed). It reports whether holder holds it now; two claims at once
	// never both win.
	ClaimLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	// RenewLease extends a lease holder holds to ttl from now; false when
	// holder does not hold it (it expired and another holder took it, or it
	// was released).
	RenewLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	// ReleaseLease gives up a lease holder holds (nothing when it holds none).
	ReleaseLease(ctx context.Context, name, holder string) error
	// Leases lists the leases held now (unexpired), by name.
	Leases(ctx context.Context) ([]Lease, error)
}

// WebSubStore remembers, per WebSub hub and feed URL, what was last
// announced: the publisher announces only feeds whose content changed since,
// whichever replica announced it last, and /status shows how each hub fared.
// Like leases, these records are not part of the papers: saving one never
// changes Generation.
type WebSubStore interface {
	// WebSubStates returns every record, ordered by hub, then URL.
	WebSubStates(ctx context.Context) ([]WebSubState, error)
	// SaveWebSubState writes the record of st.Hub and st.URL, replacing it.
	SaveWebSubState(ctx context.Context, st WebSubState) error
}

// DigestStore records digest emails: which slots were claimed and sent,
// what went to whom, so that one slot of a digest is sent once by one
// replica whatever restarts there are, and a paper reaches a recipient at
// most once per topic. Times are the caller's clock.
type DigestStore interface {
	// ClaimDigestRun takes the run (digest, slot) for holder until at+ttl,
	// when no run of it exists, or it is not sent and its claim expired by at,
	// or holder holds it already (then the claim is renewed). A sent run is
	// never claimed again. Two claims at once never both win.
	ClaimDigestRun(ctx context.Context, digest, slot, holder string, at time.Time, ttl time.Duration) (bool, error)
	// FailDigestRun records a failed attempt of holder's run at at, and keeps
	// the claim until retryAt, so that no other replica retries sooner.
	FailDigestRun(ctx context.Context, digest, slot, holder, reason string, at, retryAt time.Time) error
	// FinishDigestRun marks holder's run sent at at, having sent the papers
	// first seen before until.
	FinishDigestRun(ctx context.Context, digest, slot, holder string, at, until time.Time) error
	// RecordDigestDelivery records one message sent, with its papers (a paper
	// already recorded for the recipient and topic keeps its first record).
	RecordDigestDelivery(ctx context.Context, d DigestDelivery) error
	// DigestRun returns the run (digest, slot), ErrNotFound when none.
	DigestRun(ctx context.Context, digest, slot string) (DigestRun, error)
	// LastDigestRun returns the digest's most recently sent run, ErrNotFound
	// when none was ever sent.
	LastDigestRun(ctx context.Context, digest string) (DigestRun, error)
	// DigestDeliveries returns the messages of the run (digest, slot) by
	// recipient, without their papers.
	DigestDeliveries(ctx context.Context, digest, slot string) (map[string]DigestDelivery, error)
	// DigestSentPapers returns which of the UIDs were sent to recipient
	// under topic, by any digest.
	DigestSentPapers(ctx context.Context, recipient, topic string, uids []string) (map[string]bool, error)
}

// Copier is what copying a whole store into another (db/copystore) reads
// beyond the rest of the contract: every row in pages, counts of every kind
// of row, and the marks a copy leaves in its destination so that it can be
// resumed. Writing is Tx.Restore, Tx.SaveCopyMark and the ordinary writes.
type Copier interface {
	// PapersAfter returns up to n papers with an ID above after, in ID
	// order, each with its sightings and its stored blocking keys
	// (BlockKeys, sorted).
	PapersAfter(ctx context.Context, after int64, n int) ([]*model.Paper, error)
	// ArxivLookupsAfter returns up to n arXiv lookup records with an id
	// above after, in the store's order of ids (paging with the last id
	// returned continues after it).
	ArxivLookupsAfter(ctx context.Context, after string, n int) ([]ArxivLookup, error)
	// DigestRunsAfter, DigestDeliveriesAfter and DigestPapersAfter return up
	// to n rows of what digests sent with a primary key above after (its
	// columns in order: (digest, period); (digest, period, recipient);
	// (recipient, topic, UID); nil: from the first), in the store's order of
	// keys. Deliveries come without their papers, which are rows of their own.
	DigestRunsAfter(ctx context.Context, after []string, n int) ([]DigestRun, error)
	DigestDeliveriesAfter(ctx context.Context, after []string, n int) ([]DigestDelivery, error)
	DigestPapersAfter(ctx context.Context, after []string, n int) ([]DigestPaperRecord, error)
	// Counts counts every kind of row the store holds.
	Counts(ctx context.Context) (Counts, error)
	// CopyMarks returns the marks copies into this store left (see
	// Tx.SaveCopyMark), by part; none for a store no copy wrote into.
	CopyMarks(ctx context.Context) (map[string]CopyMark, error)
}

// Store is a paper store.
type Store interface {
	Reader
	SourceStore
	Leaser
	LookupStore
	WebSubStore
	DigestStore
	Copier
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
