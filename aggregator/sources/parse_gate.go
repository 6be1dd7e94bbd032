package sources

import (
	"context"
	"fmt"

	"golang.org/x/sync/semaphore"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/aggregator/redact"
)

// ParseGate bounds the bodies being parsed at once by their total size. What a
// parser builds from a document grows with its length (gofeed: 10 to 20 times
// the body for a large feed of small items, BENCHMARKS.md section 7), so
// bounding the bytes in parse bounds the memory of parsing, whatever the
// number of sources collected at once.
//
// A body weighs its length, clamped to the gate's size: a body of the size of
// the body cap parses alone, ten bodies of a tenth of it parse together.
// Waiters are served in order, so a large body is not starved by small ones.
type ParseGate struct {
	sem  *semaphore.Weighted
	size int64
	// blocked, when set, is called when an acquire has to wait (tests).
	blocked func()
}

// NewParseGate returns a gate admitting bodies of at most size bytes in
// total; size is the body cap ([collect] max_body_bytes), the default cap when
// not positive. One gate serves every source of a process.
func NewParseGate(size int64) *ParseGate {
	if size <= 0 {
		size = config.DefaultMaxBodyBytes
	}
	return &ParseGate{sem: semaphore.NewWeighted(size), size: size}
}

// acquire waits until a body of n bytes may be parsed, or ctx ends.
func (g *ParseGate) acquire(ctx context.Context, n int) (int64, error) {
	w := min(int64(n), g.size)
	if g.sem.TryAcquire(w) {
		return w, nil
	}
	if g.blocked != nil {
		g.blocked()
	}
	if err := g.sem.Acquire(ctx, w); err != nil {
		return 0, err
	}
	return w, nil
}

// gatedSource is a source whose passes parse each body they fetch under gate.
type gatedSource struct {
	Source
	gate *ParseGate
}

// Collect runs the pass with a fetcher that holds the gate for each body from
// its arrival until the pass asks for the next one or ends: sources parse a
// body before their next request, so that span covers the parse.
func (s gatedSource) Collect(ctx context.Context, f Fetcher, st *State) (*Result, error) {
	gf := &gatedFetcher{f: f, gate: s.gate}
	defer gf.release()
	return s.Source.Collect(ctx, gf, st)
}

// gatedFetcher is the fetcher of one pass; a pass sends its requests one
// after the other, so it holds at most one body's weight.
type gatedFetcher struct {
	f    Fetcher
	gate *ParseGate
	held int64
}

func (g *gatedFetcher) Get(ctx context.Context, r fetch.Request) (*fetch.Response, error) {
	g.release()
	resp, err := g.f.Get(ctx, r)
	if err != nil || resp == nil || resp.NotModified || len(resp.Body) == 0 {
		// Nothing to parse: error answers are reported, not parsed.
		return resp, err
	}
	w, err := g.gate.acquire(ctx, len(resp.Body))
	if err != nil {
		return nil, fmt.Errorf("GET %s: waiting for memory to parse %d bytes: %w", redact.URL(r.URL), len(resp.Body), err)
	}
	g.held = w
	return resp, nil
}

func (g *gatedFetcher) release() {
	if g.held > 0 {
		g.gate.sem.Release(g.held)
		g.held = 0
	}
}
