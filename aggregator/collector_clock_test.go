package aggregator

import (
	"context"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/db"
)

// TestRunWaitsOnItsClock: Run measures the wait until a source is due on
// Options.Now. With a clock two days ahead of the wall clock and a source due
// a second later on it, the pass runs after about a second, not two days.
func TestRunWaitsOnItsClock(t *testing.T) {
	u := newFaultUpstream(t)
	u.set(serveBytes("application/rss+xml", goodFeed(faultGood)))
	c, store := faultSetup(t, time.Hour, config.Source{Name: "s", Type: "feed", URL: u.URL + "/feed.xml"})
	c.now = func() time.Time { return time.Now().Add(48 * time.Hour) }
	st := db.SourceState{Name: "s", Type: "feed", NextCheck: c.now().Add(1200 * time.Millisecond)}
	if err := store.SaveSourceState(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	// The deadline only ends a Run that waits on the wall clock.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Run(ctx)
	}()
	for u.requests.Load() == 0 && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if u.requests.Load() == 0 {
		t.Fatal("the source due a second later on the collector's clock was not collected")
	}
	assertServed(t, store)
}
