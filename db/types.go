package db

import (
	"fmt"
	"time"
)

// TopicQuery selects the candidates of a topic: the papers that pass every
// filter, newest first, bounded by the window, Limit and Cap.
type TopicQuery struct {
	Match      string   // full-text expression over title, abstract, authors; "" matches every paper
	Exclude    string   // full-text expression; papers it matches are left out
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

// QueryError is a full-text expression the engine cannot run.
type QueryError struct {
	Query  string
	Reason string // why, in words that name no engine internals (the engine cleans its message)
	Err    error  // the engine's error
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

// Stats are store-wide counts.
type Stats struct {
	Papers    int64
	Sightings int64
}
