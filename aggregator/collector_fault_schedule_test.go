package aggregator

// Scheduling under faults: when the next check of a source falls (interval
// with jitter, Cache-Control / Expires, Retry-After, backoff after failures,
// recovery), and Collector.Run never running two passes of a source at once.

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/db"
)

// TestNextCheck: the next check is the latest of the interval (±10% jitter),
// the upstream's freshness (Cache-Control max-age, Expires) and Retry-After;
// a failed pass waits for the backoff or Retry-After, whichever is later.
func TestNextCheck(t *testing.T) {
	const interval = time.Hour
	tests := []struct {
		name     string
		handler  http.HandlerFunc
		fail     bool
		min, max time.Duration // next check, from the end of the pass
	}{
		{name: "interval only", handler: feedWith(nil), min: interval * 9 / 10, max: interval * 11 / 10},
		{name: "max-age later than interval", handler: feedWith(map[string]string{"Cache-Control": "public, max-age=7200"}), min: 2*time.Hour - 5*time.Second, max: 2*time.Hour + 5*time.Second},
		{name: "max-age sooner than interval", handler: feedWith(map[string]string{"Cache-Control": "max-age=60"}), min: interval * 9 / 10, max: interval * 11 / 10},
		{name: "Expires later than interval", handler: feedWith(map[string]string{"Expires": time.Now().Add(3 * time.Hour).UTC().Format(http.TimeFormat)}), min: 3*time.Hour - 5*time.Second, max: 3*time.Hour + 5*time.Second},
		{name: "Expires in the past", handler: feedWith(map[string]string{"Expires": time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)}), min: interval * 9 / 10, max: interval * 11 / 10},
		{name: "Retry-After later than backoff", fail: true, handler: retryAfter(429, "10800"), min: 3*time.Hour - 5*time.Second, max: 3*time.Hour + 5*time.Second},
		{name: "Retry-After sooner than backoff", fail: true, handler: retryAfter(429, "10"), min: 15 * time.Minute, max: 15*time.Minute + 5*time.Second},
		{name: "Retry-After garbage", fail: true, handler: retryAfter(503, "soon"), min: 15 * time.Minute, max: 15*time.Minute + 5*time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newFaultUpstream(t)
			u.set(tt.handler)
			c, store := faultSetup(t, interval, config.Source{Name: "s", Type: "feed", URL: u.URL + "/feed.xml"})
			s := c.CollectAll(context.Background())[0]
			end := time.Now()
			if (s.Err != nil) != tt.fail {
				t.Fatalf("pass error %v, want failure %v", s.Err, tt.fail)
			}
			d := s.NextCheck.Sub(end)
			if d < tt.min-time.Second || d > tt.max+time.Second {
				t.Errorf("next check in %v, want within [%v, %v]", d.Round(time.Second), tt.min, tt.max)
			}
			st, _ := store.SourceState(context.Background(), "s")
			if diff := st.NextCheck.Sub(s.NextCheck); diff > time.Second || diff < -time.Second {
				t.Errorf("stored next check %v, summary says %v", st.NextCheck, s.NextCheck)
			}
		})
	}
}

// TestJitterSpread: jitter stays within ±10% and actually spreads passes.
func TestJitterSpread(t *testing.T) {
	seen := map[time.Duration]bool{}
	for range 1000 {
		d := jitter(time.Hour)
		if d < 54*time.Minute || d > 66*time.Minute {
			t.Fatalf("jitter(1h) = %v, outside ±10%%", d)
		}
		seen[d.Truncate(time.Minute)] = true
	}
	if len(seen) < 6 {
		t.Errorf("jitter(1h) hit only %d distinct minutes in 1000 draws", len(seen))
	}
	if jitter(0) != 0 {
		t.Errorf("jitter(0) = %v", jitter(0))
	}
}

// TestBackoffThenRecovery: consecutive failures double the wait from
// min(interval, 15 min); a success resets the count and returns to the interval.
func TestBackoffThenRecovery(t *testing.T) {
	u := newFaultUpstream(t)
	c, store := faultSetup(t, time.Hour, config.Source{Name: "s", Type: "feed", URL: u.URL + "/feed.xml"})
	goodPass(t, c, store, u)
	u.set(retryAfter(500, ""))
	ctx := context.Background()
	for i, want := range []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour} {
		s := c.CollectAll(ctx)[0]
		if s.Err == nil {
			t.Fatal("pass succeeded against HTTP 500")
		}
		st, _ := store.SourceState(ctx, "s")
		if st.Failures != i+1 {
			t.Errorf("failure %d: Failures = %d", i+1, st.Failures)
		}
		if d := st.NextCheck.Sub(st.LastAttempt); d < want-time.Second || d > want+time.Second {
			t.Errorf("failure %d: next check after %v, want %v", i+1, d, want)
		}
		assertServed(t, store)
	}
	u.set(serveBytes("application/rss+xml", goodFeed(faultGood)))
	s := c.CollectAll(ctx)[0]
	if s.Err != nil {
		t.Fatalf("recovery pass: %v", s.Err)
	}
	st, _ := store.SourceState(ctx, "s")
	if st.Failures != 0 || st.LastSuccess.Before(st.LastErrorAt) {
		t.Errorf("not recovered: %+v", st)
	}
	if d := st.NextCheck.Sub(st.LastAttempt); d < 54*time.Minute-time.Second || d > 66*time.Minute+time.Second {
		t.Errorf("after recovery next check in %v, want the interval ±10%%", d)
	}
	if s.Known != faultGood {
		t.Errorf("recovery pass: %v", s)
	}
	assertServed(t, store)
}

// TestRunNoOverlap: Collector.Run with an interval far shorter than a pass runs
// the source again and again, never two passes of it at once, and returns
// after ctx is cancelled once the pass in flight has finished.
//
// Run rescans the sources only when the earliest future next check is due (at
// most once a minute, at least once a second) and not when a pass ends (see
// TestRunReschedulesAfterPass). To make it rescan every second or so while the
// slow source is in flight, a second configured source "tick" is kept due
// ~1.5 s ahead by the test.
func TestRunNoOverlap(t *testing.T) {
	const passTime = 1200 * time.Millisecond
	var inflight, maxInflight, passes atomic.Int32
	u := newFaultUpstream(t)
	body := goodFeed(faultGood)
	u.set(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/feed.xml" {
			t.Errorf("unexpected request %s", r.URL)
			return
		}
		n := inflight.Add(1)
		defer inflight.Add(-1)
		for {
			m := maxInflight.Load()
			if n <= m || maxInflight.CompareAndSwap(m, n) {
				break
			}
		}
		passes.Add(1)
		time.Sleep(passTime) // far slower than the interval
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	})
	c, store := faultSetup(t, 50*time.Millisecond,
		config.Source{Name: "s", Type: "feed", URL: u.URL + "/feed.xml"},
		config.Source{Name: "tick", Type: "feed", URL: u.URL + "/tick.xml", Interval: config.Duration(time.Hour)})
	// The fetch timeout (300 ms) would cut a slow answer: use a longer one here.
	c.fetcher = fetchWithTimeout(5 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tick := func() {
		st := db.SourceState{Name: "tick", Type: "feed", NextCheck: time.Now().Add(1500 * time.Millisecond)}
		if err := store.SaveSourceState(context.Background(), st); err != nil {
			t.Error(err)
		}
	}
	tick()
	tickDone := make(chan struct{})
	go func() {
		defer close(tickDone)
		for ctx.Err() == nil {
			tick()
			time.Sleep(100 * time.Millisecond)
		}
	}()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Run(ctx)
	}()
	deadline := time.Now().Add(8 * time.Second)
	for passes.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	// Cancel while a pass is in flight: Run must wait for it.
	for inflight.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-tickDone
	select {
	case <-done:
	case <-time.After(passTime + faultSlack):
		t.Fatal("Run did not return after cancel")
	}
	if inflight.Load() != 0 {
		t.Errorf("Run returned with a request in flight")
	}
	if passes.Load() < 3 {
		t.Errorf("%d passes in 8 s, want at least 3", passes.Load())
	}
	if maxInflight.Load() != 1 {
		t.Errorf("%d passes of one source ran at once", maxInflight.Load())
	}
	assertServed(t, store)
	st, _ := store.SourceState(context.Background(), "s")
	if st.Failures != 0 || st.LastError != "" || st.LastSuccess.IsZero() {
		t.Errorf("state after Run: %+v", st)
	}
}

// TestRunReschedulesAfterPass: a pass that ends with a next check in a few
// seconds (short interval, short Retry-After) should run again then, not at
// Run's next once-a-minute rescan.
func TestRunReschedulesAfterPass(t *testing.T) {
	var passes atomic.Int32
	u := newFaultUpstream(t)
	body := goodFeed(faultGood)
	u.set(func(w http.ResponseWriter, r *http.Request) {
		passes.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	})
	c, _ := faultSetup(t, 50*time.Millisecond, config.Source{Name: "s", Type: "feed", URL: u.URL + "/feed.xml"})
	ctx, cancel := context.WithTimeout(context.Background(), 3500*time.Millisecond)
	defer cancel()
	c.Run(ctx)
	if n := passes.Load(); n < 3 {
		t.Errorf("%d passes in 3.5 s with a 50 ms interval, want at least 3", n)
	}
}

// TestRunHonoursRetryAfter: under Run, a 429 with Retry-After keeps the source
// quiet although its interval and backoff (50 ms) would retry at once.
func TestRunHonoursRetryAfter(t *testing.T) {
	u := newFaultUpstream(t)
	u.set(retryAfter(429, "3600"))
	c, store := faultSetup(t, 50*time.Millisecond, config.Source{Name: "s", Type: "feed", URL: u.URL + "/feed.xml"})
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	c.Run(ctx)
	if n := u.requests.Load(); n != 1 {
		t.Errorf("%d requests in 2.5 s, want 1 (Retry-After: 3600)", n)
	}
	st, _ := store.SourceState(context.Background(), "s")
	if st.NextCheck.Before(time.Now().Add(59 * time.Minute)) {
		t.Errorf("next check %v ignores Retry-After", st.NextCheck)
	}
}

func feedWith(headers map[string]string) http.HandlerFunc {
	body := goodFeed(faultGood)
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	}
}

func retryAfter(code int, v string) http.HandlerFunc {
	return status(code, v)(nil)
}

func fetchWithTimeout(d time.Duration) *fetch.Client {
	return fetch.New(fetch.Options{Timeout: d, MaxBody: faultMaxBody})
}
