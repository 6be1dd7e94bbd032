package feeds

import (
	"context"
	"net/http"
	"runtime"
	"sync/atomic"
)

// A render (store query, template, gzip) costs milliseconds of CPU and holds a
// connection of the store's read pool; a cache hit costs microseconds. Without
// a bound, a flood of requests that each miss the cache (distinct searches,
// random ?limit=) runs as many renders at once as there are connections, and
// every reader waits behind them. renderGate lets a few renders run at a time
// and a few more wait; past that, an ad-hoc document is refused with 503 and
// Retry-After at once, so the cost of the flood stays with whoever sends it.
// Cache hits never enter the gate. Configured documents (each topic in each
// format, the index, the OPML, the empty search form) wait however long the
// queue is: there are few of them, each renders at most once at a time (the
// cache's single flight), and a reader of a topic must not be refused because
// someone else is searching.

// renderGate bounds the renders in flight and the requests waiting for one.
type renderGate struct {
	slots    chan struct{}
	waiting  atomic.Int64
	maxQueue int64
}

// Default bounds. A render is CPU work: renders get half the CPUs (at least
// one slot), so that cache hits keep the other half, and stay under the
// store's read pool (8 connections), so that the generation check and /status
// always find a connection.
const (
	maxRenderSlots        = 4
	renderQueuePerSlot    = 4
	busyRetryAfterSeconds = 2
)

func newRenderGate(slots, queue int) *renderGate {
	if slots <= 0 {
		slots = min(max(runtime.GOMAXPROCS(0)/2, 1), maxRenderSlots)
	}
	if queue <= 0 {
		queue = renderQueuePerSlot * slots
	}
	return &renderGate{slots: make(chan struct{}, slots), maxQueue: int64(queue)}
}

// errBusy answers a render refused because the queue is full.
var errBusy = &httpError{
	code:       http.StatusServiceUnavailable,
	msg:        "busy: too many uncached feeds and searches are being rendered; retry in a few seconds (cached feeds are still served)",
	retryAfter: busyRetryAfterSeconds,
}

// enter takes a render slot, waiting for one. An ad-hoc render (pinned false)
// is refused with errBusy when the queue is full; every wait ends with ctx.
func (g *renderGate) enter(ctx context.Context, pinned bool) error {
	select {
	case g.slots <- struct{}{}:
		return nil
	default:
	}
	if n := g.waiting.Add(1); !pinned && n > g.maxQueue {
		g.waiting.Add(-1)
		return errBusy
	}
	defer g.waiting.Add(-1)
	select {
	case g.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// leave gives the slot back.
func (g *renderGate) leave() { <-g.slots }
