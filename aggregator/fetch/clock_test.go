package fetch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestGroupSpacingReadsTheClock: the spacing of a politeness group is measured
// on Options.Now. With an hour's interval, a second request goes out at once
// when the clock says the hour has passed, and waits when it says it has not.
func TestGroupSpacingReadsTheClock(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	var at atomic.Int64 // the fake clock, in Unix nanoseconds
	at.Store(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	advance := func(d time.Duration) { at.Add(int64(d)) }
	c := New(Options{
		GroupInterval: map[string]time.Duration{ArxivGroup: time.Hour},
		Now:           func() time.Time { return time.Unix(0, at.Load()) },
	})
	get := func(ctx context.Context) error {
		_, err := c.Get(ctx, Request{URL: srv.URL, Group: ArxivGroup})
		return err
	}
	if err := get(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		advance time.Duration
		waits   bool
	}{
		{"interval passed on the clock", time.Hour, false},
		{"interval not passed on the clock", 59 * time.Minute, true},
		{"clock stepped back", -2 * time.Hour, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			advance(tt.advance)
			// A request that waits (a minute or more) is cut by the deadline; one
			// that does not wait ends long before it.
			timeout := 20 * time.Second
			if tt.waits {
				timeout = 100 * time.Millisecond
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			err := get(ctx)
			waited := err != nil && strings.Contains(err.Error(), "waiting for a turn on "+ArxivGroup)
			if waited != tt.waits || (err != nil && !waited) {
				t.Errorf("want waits=%v, got error %v", tt.waits, err)
			}
			if !tt.waits {
				return
			}
			// The request that waited did not start: the next one, an interval
			// later on the clock, goes out at once.
			advance(time.Hour)
		})
	}
}
