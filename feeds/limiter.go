package feeds

import (
	"context"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"
)

// A render (store query, template, gzip) costs milliseconds of CPU and holds a
// connection of the store's read pool; a cache hit costs microseconds. Without
// a bound, a flood of requests that each miss the cache (distinct searches,
// random ?limit=) runs as many renders at once as there are connections, and
// every reader waits behind them. renderGate lets a few renders run at a time
// and a few more wait; past that, an ad-hoc document is refused with 503 and
// Retry-After, so the cost of the flood stays with whoever sends it.
//
// The refusal is held (refuseHold) before it is sent. A client that ignores
// Retry-After and asks again at once would otherwise turn each connection
// into thousands of refusals a second, and the CPU that the client, the
// loopback or network stack and the server spend on them is taken from the
// cache hits the gate protects. Held, a connection costs a parked goroutine
// and a timer, and a client's refusals are paced by the server, not by the
// client's good will: at most one per connection per hold.
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
	// hold delays a refusal until it returns; holdRefusal by default, a
	// channel wait in tests.
	hold func(ctx context.Context)
}

// Default bounds. A render is CPU work: renders get half the CPUs (at least
// one slot), so that cache hits keep the other half, and stay under the
// store's read pool (8 connections), so that the generation check and /status
// always find a connection.
const (
	maxRenderSlots        = 4
	renderQueuePerSlot    = 4
	busyRetryAfterSeconds = 2
	// refuseHold is under Retry-After, so that a client that honours it is
	// never slower for the hold than for its own wait.
	refuseHold = time.Second
)

// newRenderGate makes a gate of slots slots and queue waiting places (0: the
// defaults) whose refusals are held for hold (0: refuseHold; negative: none).
func newRenderGate(slots, queue int, hold time.Duration) *renderGate {
	if slots <= 0 {
		slots = min(max(runtime.GOMAXPROCS(0)/2, 1), maxRenderSlots)
	}
	if queue <= 0 {
		queue = renderQueuePerSlot * slots
	}
	if hold == 0 {
		hold = refuseHold
	}
	return &renderGate{slots: make(chan struct{}, slots), maxQueue: int64(queue), hold: holdRefusal(hold)}
}

// holdRefusal waits d, or until ctx ends (the client left: nobody waits for
// the refusal any more).
func holdRefusal(d time.Duration) func(ctx context.Context) {
	return func(ctx context.Context) {
		if d <= 0 {
			return
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
}

// errBusy answers a render refused because the queue is full.
var errBusy = &httpError{
	code:       http.StatusServiceUnavailable,
	msg:        "busy: too many uncached feeds and searches are being rendered; retry in a few seconds (cached feeds are still served)",
	retryAfter: busyRetryAfterSeconds,
}

// enter takes a render slot, waiting for one. An ad-hoc render (pinned false)
// is refused with errBusy when the queue is full, after the gate's hold;
// every wait ends with ctx.
func (g *renderGate) enter(ctx context.Context, pinned bool) error {
	select {
	case g.slots <- struct{}{}:
		return nil
	default:
	}
	if n := g.waiting.Add(1); !pinned && n > g.maxQueue {
		g.waiting.Add(-1)
		g.hold(ctx)
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
