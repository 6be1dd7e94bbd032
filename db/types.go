package db

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/paperfeed/paperfeed/db/query"
)

// TopicQuery selects the candidates of a topic: the papers that pass every
// filter, newest first, bounded by the window, Limit and Cap.
type TopicQuery struct {
	Match      string   // query (package db/query) over title, abstract, authors; "" matches every paper
	Exclude    string   // query; papers it matches are left out
	Sources    []string // only papers sighted by one of these sources
	Categories []string // only papers in one of these categories
	MinUpvotes int
	Since      time.Time // only papers published at or after Since (zero: no bound)
	// Only papers the store first saw in [SeenFrom, SeenUntil) (zero: no
	// bound): what was new to a reader in a period, as digests want.
	SeenFrom, SeenUntil time.Time
	// Every paper published at or after WindowStart is selected, up to Cap,
	// and at least Limit papers however old. Without a WindowStart exactly the
	// Limit newest are.
	WindowStart time.Time
	Limit       int // DefaultLimit when 0
	Cap         int // raised to Limit when lower
}

// DefaultLimit is the Limit of a TopicQuery that sets none.
const DefaultLimit = 50

// Bounded returns q with Limit defaulted and Cap at least Limit: engines
// select with it, reading at most Cap rows.
func (q TopicQuery) Bounded() TopicQuery {
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	if q.Cap < q.Limit {
		q.Cap = q.Limit
	}
	return q
}

// Keeps reports whether a bounded query keeps the next candidate, newest
// first, when n candidates are kept already and the next was published at
// published. Engines stop reading at the first it does not keep.
func (q TopicQuery) Keeps(n int, published time.Time) bool {
	if n >= q.Cap {
		return false
	}
	if n < q.Limit {
		return true
	}
	return !q.WindowStart.IsZero() && !published.Before(q.WindowStart)
}

// Tree is the one syntax tree every engine compiles for q: papers matching
// Match and not Exclude (nil: every paper). A query that does not parse is a
// *QueryError naming the column.
func (q TopicQuery) Tree() (*query.Node, error) {
	m, err := ParseQuery(q.Match)
	if err != nil {
		return nil, err
	}
	x, err := ParseQuery(q.Exclude)
	if err != nil {
		return nil, err
	}
	return query.Combine(m.Root, x.Root), nil
}

// ParseQuery parses a topic or search query; one that does not parse is a
// *QueryError whose Reason names the column.
func ParseQuery(expr string) (*query.Query, error) {
	q, err := query.Parse(expr)
	if err != nil {
		qe := &QueryError{Query: expr, Reason: strings.TrimPrefix(err.Error(), "query: "), Err: err}
		var pe *query.Error
		if errors.As(err, &pe) {
			qe.Column = pe.Col
		}
		return nil, qe
	}
	return q, nil
}

// QueryError is a query that does not parse, or that the engine cannot run.
type QueryError struct {
	Query  string
	Reason string // why, in words that name no engine internals (the engine cleans its message)
	Column int    // where in Query the problem is (1-based, in characters); 0 when no one place is
	Err    error  // a *query.Error, or the engine's error
}

func (e *QueryError) Error() string { return fmt.Sprintf("bad query %q: %s", e.Query, e.Reason) }

func (e *QueryError) Unwrap() error { return e.Err }

// SourceState is what the store keeps about a source between passes.
type SourceState struct {
	Name        string
	Type        string
	State       []byte // the source's own state (HTTP validators ...), JSON
	LastAttempt time.Time
	LastSuccess time.Time
	LastError   string
	LastErrorAt time.Time
	Failures    int // consecutive failed passes
	NextCheck   time.Time
	LastSummary string // the last pass's summary line
	Papers      int64  // papers this source has sighted (computed by the store)
}

// Candidate is a stored paper as Tx.Candidates returns it: what the matching
// rules read of it, and whether it holds the sighting looked up. Tx.Paper
// loads the whole record of the one a listing joins.
type Candidate struct {
	ID        int64
	Title     string
	TitleKey  string
	Authors   []string
	Published time.Time
	FirstSeen time.Time
	ArxivID   string
	DOI       string
	// Listed is set on the paper holding the (source, guid) sighting asked for.
	Listed bool
}

// Stats are store-wide counts.
type Stats struct {
	Papers    int64
	Sightings int64
}

// Counts are the rows of each kind a store holds (Copier.Counts): what a
// copy must have copied. Leases, the generation and copy marks are the
// store's own and not counted.
type Counts struct {
	Papers       int64
	Sightings    int64
	Categories   int64 // (paper, category) pairs in the category index
	BlockKeys    int64 // (paper, blocking key) pairs
	SourceStates int64
	ArxivLookups int64
	UnknownIDs   int64
	WebSubStates int64 // (hub, feed URL) records
	DigestRuns   int64
	Deliveries   int64 // digest messages sent
	DigestPapers int64 // (recipient, topic, paper) sent
}

// CopyMark is how far one part of a copy into a store has come: written in
// the transaction of each batch the copy writes, so the mark and the rows
// it counts are committed together.
type CopyMark struct {
	Part   string    // the part copied (db/copystore names them: "papers", "sources" ...)
	Source string    // the store copied from, as the copy named it (never with a password)
	After  string    // the key of the last row copied (a paper's ID in decimal, a source's name ...)
	Rows   int64     // rows of the part copied so far
	At     time.Time // when the batch was written
}

// Text is the words of one stored paper that models read (aggregator/recommend).
type Text struct {
	ID       int64
	Title    string
	Abstract string
	Authors  []string
	// Updated is the stored record's (as model.Paper's): a model that keeps
	// a text's terms knows from it when they are stale.
	Updated time.Time
}

// Lease is a named claim one holder has until Expires (see Leaser).
type Lease struct {
	Name    string
	Holder  string
	Since   time.Time // when this holder took it
	Expires time.Time
}

// SourceLease is the name of the lease a replica holds while it collects the
// named source.
func SourceLease(source string) string { return "source:" + source }

// WebSubState is what was last announced to one WebSub hub of one feed URL.
type WebSubState struct {
	Hub, URL string
	// Fingerprint is the feed's content (its entries' ids and dates) as of
	// the last announcement done with: accepted, or refused (4xx) and so not
	// to be sent again; "" when none was.
	Fingerprint string
	LastSuccess time.Time // when the hub last accepted an announcement
	// LastError is why the last failed announcement failed (without the
	// hub's body), at LastErrorAt; a later success leaves it, older.
	LastError   string
	LastErrorAt time.Time
}

// WebSubLease is the name of the lease the replica that announces feeds to
// the WebSub hubs holds.
const WebSubLease = "websub"

// LookupOutcome is what asking the arXiv API for one id brought.
type LookupOutcome string

const (
	// LookupFound: the API returned the paper; the id is never asked again.
	LookupFound LookupOutcome = "found"
	// LookupNotFound: the API answered without it; never asked again.
	LookupNotFound LookupOutcome = "not_found"
	// LookupFailed: the request failed; the id is asked again later.
	LookupFailed LookupOutcome = "failed"
)

// ArxivLookup records the last time one arXiv id was asked of the arXiv API.
type ArxivLookup struct {
	ArxivID string // version-less, normalised as model.Item's
	Outcome LookupOutcome
	At      time.Time // when it was asked
	Error   string    // why it failed (LookupFailed only)
}

// DigestRun is one slot of one digest email (see DigestStore): claimed by
// one holder, then sent, or failed and retried. A slot is the span between
// two of a digest's send times; its key (mail.SlotOf, plus "+forced-..." for
// a forced send) is stored in the column named period.
type DigestRun struct {
	Digest, Slot string
	Holder       string    // who claimed it last
	Claimed      time.Time // when Holder took it
	Expires      time.Time // Holder's claim ends
	Sent         time.Time // when every recipient's message was out; zero until then
	// Until is where the run's papers end: it sent the papers first seen
	// before Until, and the digest's next run starts
	// there (less mail.SeenGrace).
	Until       time.Time
	Attempts    int // failed attempts
	LastError   string
	LastErrorAt time.Time
}

// DigestDelivery is one digest message to one recipient.
type DigestDelivery struct {
	Digest, Slot string
	Recipient    string // the bare address, lower case
	MessageID    string
	Sent         time.Time
	Papers       []DigestPaper // what it listed
}

// DigestPaper is one paper of a delivered message, under its topic.
type DigestPaper struct {
	Topic, UID string
}

// DigestPaperRecord is one row of what digests sent: the paper UID went to
// Recipient under Topic, first in the message of (Digest, Slot) at Sent.
type DigestPaperRecord struct {
	Recipient, Topic, UID string
	Digest, Slot          string
	Sent                  time.Time
}
