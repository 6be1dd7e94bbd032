package feeds

import (
	"context"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// TestConcurrentMisses: callers that miss one key share one render; a caller
// that leaves does not fail it for the others; a render that panics answers
// 500 and leaves the key, the gate and the server usable.
func TestConcurrentMisses(t *testing.T) {
	f := newFixture(t, nil)
	srv := f.srv
	var renders atomic.Int64
	var panicNext atomic.Bool
	entered, release := make(chan string, 8), make(chan struct{})
	srv.renderHook = func(key string) {
		renders.Add(1)
		if panicNext.CompareAndSwap(true, false) {
			panic("test: the render fails")
		}
		if strings.HasSuffix(key, "\x00learning") || strings.HasSuffix(key, "\x00diffusion") {
			entered <- key
			<-release
		}
	}
	type result struct {
		code int
		body string
	}
	do := func(ctx context.Context, target string) result {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", target, nil).WithContext(ctx))
		return result{rec.Code, rec.Body.String()}
	}
	results := make(chan result, 8)
	async := func(ctx context.Context, target string) {
		go func() { results <- do(ctx, target) }()
	}
	// waitCallers waits (no time bound: the test's own) until n callers wait for renders.
	waitCallers := func(n int) {
		for {
			srv.mu.Lock()
			got := 0
			for _, fl := range srv.flights {
				got += fl.callers
			}
			srv.mu.Unlock()
			if got == n {
				return
			}
			runtime.Gosched()
		}
	}

	t.Run("one render for concurrent misses", func(t *testing.T) {
		before, hits := renders.Load(), counterValue(t, srv.hits)
		for range 3 {
			async(context.Background(), "/search.atom?q=learning")
		}
		<-entered
		waitCallers(3)
		release <- struct{}{}
		var bodies []string
		for range 3 {
			r := <-results
			if r.code != 200 {
				t.Fatalf("%d %s", r.code, r.body)
			}
			bodies = append(bodies, r.body)
		}
		if bodies[0] != bodies[1] || bodies[1] != bodies[2] {
			t.Error("callers got different bodies")
		}
		if got := renders.Load() - before; got != 1 {
			t.Errorf("%d renders, want 1", got)
		}
		if got := counterValue(t, srv.hits) - hits; got != 2 {
			t.Errorf("%v cache hits, want 2 (the callers that did not render)", got)
		}
	})

	t.Run("a caller that leaves does not fail the others", func(t *testing.T) {
		before := renders.Load()
		ctx, cancel := context.WithCancel(context.Background())
		async(ctx, "/search.rss?q=diffusion") // starts the render
		<-entered
		async(context.Background(), "/search.rss?q=diffusion")
		waitCallers(2)
		cancel()
		if r := <-results; r.code == 200 {
			t.Errorf("the caller that left: %d", r.code)
		}
		waitCallers(1)
		release <- struct{}{}
		if r := <-results; r.code != 200 || !strings.Contains(r.body, "Diffusion Models Are Trendy") {
			t.Errorf("the caller that stayed: %d %.200s", r.code, r.body)
		}
		if got := renders.Load() - before; got != 1 {
			t.Errorf("%d renders, want 1", got)
		}
	})

	t.Run("a render that panics answers 500", func(t *testing.T) {
		panicNext.Store(true)
		if r := do(context.Background(), "/search.json?q=protein"); r.code != 500 || !strings.Contains(r.body, "internal error") {
			t.Errorf("panicking render: %d %q", r.code, r.body)
		}
		if r := do(context.Background(), "/search.json?q=protein"); r.code != 200 {
			t.Errorf("the same key after the panic: %d %q", r.code, r.body)
		}
	})

	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.flights) != 0 || len(srv.gate.slots) != 0 || srv.gate.waiting.Load() != 0 {
		t.Errorf("left behind: %d flights, %d slots held, %d waiting", len(srv.flights), len(srv.gate.slots), srv.gate.waiting.Load())
	}
}
