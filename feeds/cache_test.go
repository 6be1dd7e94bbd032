package feeds

import (
	"bytes"
	"context"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
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

func TestCacheAndMetrics(t *testing.T) {
	f := newFixture(t, nil)
	a := f.get(t, "/topics/ml.atom")
	b := f.get(t, "/topics/ml.atom")
	if !bytes.Equal(a, b) {
		t.Fatal("two renders differ")
	}
	if got := counterValue(t, f.srv.hits); got != 1 {
		t.Errorf("cache hits %v, want 1", got)
	}
	f.do(t, "GET", "/topics/nope.atom", nil)
	cases := []struct {
		labels []string
		want   float64
	}{
		{[]string{"ml", "atom", "200"}, 2},
		{[]string{"_unknown", "atom", "404"}, 1},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.labels, "/"), func(t *testing.T) {
			if got := counterValue(t, f.srv.requests.WithLabelValues(c.labels...)); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
	t.Run("new generation invalidates", func(t *testing.T) {
		it := testItems()[0]
		it.Abstract += " More learning."
		mergeInto(t, f.store, t0.Add(time.Minute), it)
		if c := f.get(t, "/topics/ml.atom"); bytes.Equal(c, a) {
			t.Error("served the stale feed")
		}
	})
	t.Run("max-age expiry re-renders", func(t *testing.T) {
		before := counterValue(t, f.srv.hits)
		f.get(t, "/topics/ml.atom")
		f.clock.Set(t0.Add(time.Hour))
		f.get(t, "/topics/ml.atom")
		if got := counterValue(t, f.srv.hits); got != before+1 {
			t.Errorf("hits %v, want %v", got, before+1)
		}
	})
	t.Run("cache is bounded", func(t *testing.T) {
		for i := range cacheMaxEntries + 20 {
			f.get(t, "/search.json?q=learning&limit="+itoa(i%500+1)+"&x="+itoa(i))
		}
		for i := range 600 {
			f.get(t, "/search.json?q=p"+itoa(i)+"*")
		}
		f.srv.mu.Lock()
		n := f.srv.cache.len()
		f.srv.mu.Unlock()
		if n > cacheMaxEntries {
			t.Errorf("cache holds %d entries", n)
		}
	})
	t.Run("second registration reuses the collectors", func(t *testing.T) {
		if _, err := NewServer(f.cfg, f.store, Options{Registerer: f.reg}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestRenderGate fills the render gate (one slot, one waiting) with searches
// held inside their render, then checks who is served: cache hits and
// configured documents are, a further search or ?limit= is refused with 503.
func TestRenderGate(t *testing.T) {
	f := newFixture(t, nil)
	srv, err := NewServer(f.cfg, f.store, Options{Now: f.clock.Now, RenderSlots: 1, RenderQueue: 1, RefuseHold: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	do := func(ctx context.Context, target string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", target, nil).WithContext(ctx))
		return rec
	}
	if rec := do(context.Background(), "/topics/ml.atom"); rec.Code != 200 {
		t.Fatalf("warm-up: %d", rec.Code)
	}
	entered, release := make(chan string, 8), make(chan struct{})
	srv.renderHook = func(key string) {
		if strings.HasPrefix(key, "search") {
			entered <- key
			<-release
		}
	}
	// waitQueued waits (no time bound: the test's own) until n requests wait for a slot.
	waitQueued := func(n int64) {
		for srv.gate.waiting.Load() != n {
			runtime.Gosched()
		}
	}
	results := make(chan int, 8)
	async := func(ctx context.Context, target string) {
		go func() { results <- do(ctx, target).Code }()
	}
	async(context.Background(), "/search.atom?q=learning") // holds the slot
	<-entered
	queuedCtx, cancelQueued := context.WithCancel(context.Background())
	async(queuedCtx, "/search.atom?q=diffusion") // waits: the queue is full
	waitQueued(1)

	t.Run("refused when the queue is full", func(t *testing.T) {
		for _, target := range []string{"/search.atom?q=protein", "/search?q=protein", "/topics/ml.atom?limit=2"} {
			rec := do(context.Background(), target)
			h := rec.Header()
			if rec.Code != 503 || h.Get("Retry-After") != "2" || h.Get("Cache-Control") != "no-store" ||
				!strings.HasPrefix(h.Get("Content-Type"), "text/plain") || !strings.Contains(rec.Body.String(), "busy") {
				t.Errorf("%s: %d %v %q", target, rec.Code, h, rec.Body)
			}
		}
	})
	t.Run("cache hits are served", func(t *testing.T) {
		for _, target := range []string{"/topics/ml.atom", "/favicon.ico"} {
			if rec := do(context.Background(), target); rec.Code != 200 {
				t.Errorf("%s: %d", target, rec.Code)
			}
		}
	})
	t.Run("a client that leaves frees its place", func(t *testing.T) {
		cancelQueued()
		waitQueued(0)
		if code := <-results; code == 200 {
			t.Errorf("cancelled request: %d", code)
		}
		async(context.Background(), "/search.rss?q=folding") // takes the freed place
		waitQueued(1)
	})
	t.Run("a configured document waits beyond the queue", func(t *testing.T) {
		async(context.Background(), "/topics/bio.atom") // not rendered yet
		waitQueued(2)
		if rec := do(context.Background(), "/search.json?q=cells"); rec.Code != 503 {
			t.Errorf("search while queued: %d", rec.Code)
		}
	})
	close(release)
	for range 3 { // the first search, the last search, the topic
		if code := <-results; code != 200 {
			t.Errorf("after release: %d", code)
		}
	}
	if srv.gate.waiting.Load() != 0 || len(srv.gate.slots) != 0 {
		t.Errorf("gate not empty: %d waiting, %d slots held", srv.gate.waiting.Load(), len(srv.gate.slots))
	}
	if rec := do(context.Background(), "/search.atom?q=protein"); rec.Code != 200 {
		t.Errorf("search after the flood: %d", rec.Code)
	}
}

// TestRefusalHeld: a refused render is answered only after the gate's hold,
// so a client that asks again at once gets at most one refusal per
// connection per hold; a client that leaves ends its hold.
func TestRefusalHeld(t *testing.T) {
	f := newFixture(t, nil)
	srv, err := NewServer(f.cfg, f.store, Options{Now: f.clock.Now, RenderSlots: 1, RenderQueue: 1})
	if err != nil {
		t.Fatal(err)
	}
	srv.gate.slots <- struct{}{} // the slot is taken and one request waits
	srv.gate.waiting.Add(1)
	held := make(chan struct{}, 1)
	srv.gate.hold = func(ctx context.Context) { held <- struct{}{}; <-ctx.Done() }
	results := make(chan *httptest.ResponseRecorder, 1)
	ask := func(ctx context.Context, target string) {
		go func() {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest("GET", target, nil).WithContext(ctx))
			results <- rec
		}()
	}

	t.Run("held until the client leaves", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ask(ctx, "/search.atom?q=protein")
		select {
		case <-held:
		case rec := <-results:
			t.Fatalf("answered %d without a hold", rec.Code)
		}
		cancel()
		if rec := <-results; rec.Code == 200 {
			t.Errorf("refused request answered 200")
		}
	})
	t.Run("503 with Retry-After when the hold ends", func(t *testing.T) {
		srv.gate.hold = holdRefusal(time.Nanosecond)
		ask(context.Background(), "/topics/ml.atom?limit=3")
		rec := <-results
		if rec.Code != 503 || rec.Header().Get("Retry-After") != "2" {
			t.Errorf("after the hold: %d %v", rec.Code, rec.Header())
		}
	})
	if n := srv.gate.waiting.Load(); n != 1 {
		t.Errorf("held refusals changed the queue: %d waiting, want 1", n)
	}
}

// TestSearchesDoNotEvictTopics: configured documents are cached apart, so a
// stream of distinct searches (more than the ad-hoc cache holds) leaves the
// topic feeds cached.
func TestSearchesDoNotEvictTopics(t *testing.T) {
	f := newFixture(t, nil)
	f.get(t, "/topics/ml.atom")
	f.get(t, "/")
	for i := range cacheMaxEntries + 10 {
		f.get(t, "/search.json?q=p"+itoa(i)+"*")
	}
	before := counterValue(t, f.srv.hits)
	f.get(t, "/topics/ml.atom")
	f.get(t, "/")
	if got := counterValue(t, f.srv.hits); got != before+2 {
		t.Errorf("cache hits %v, want %v: the searches evicted the topic", got, before+2)
	}
}

// TestCacheHitAllocates: the lookup of a cached document allocates nothing
// (the render path's closure must not move the hit path's variables to the
// heap); BenchmarkCachedFeed measures the whole request.
func TestCacheHitAllocates(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	d := f.srv.topicDocs[[2]string{"ml", FormatAtom}]
	if _, err := f.srv.get(ctx, d); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() {
		if _, err := f.srv.get(ctx, d); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("a cache hit allocates %v times", n)
	}
}
