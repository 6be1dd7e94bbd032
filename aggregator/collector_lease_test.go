package aggregator

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/db"
)

// TestLeasedPass: a scheduled pass runs only while this replica holds the
// source's lease, skips a source another replica has just collected, and
// gives the lease back when it ends.
func TestLeasedPass(t *testing.T) {
	up := newUpstream(t)
	c, store := setup(t, config.Source{Name: "journal", Type: "feed", URL: up.URL + "/journal.xml"})
	ctx := context.Background()
	lease := db.SourceLease("journal")
	if ok, err := store.ClaimLease(ctx, lease, "other-replica", time.Hour); err != nil || !ok {
		t.Fatal(ok, err)
	}
	c.leasedPass(ctx, c.sources[0], c.notDue)
	if n := up.requests.Load(); n != 0 {
		t.Fatalf("fetched %d times while another replica held the lease", n)
	}
	if err := store.ReleaseLease(ctx, lease, "other-replica"); err != nil {
		t.Fatal(err)
	}
	c.leasedPass(ctx, c.sources[0], c.notDue)
	if n := up.requests.Load(); n != 1 {
		t.Fatalf("fetched %d times with the lease free, want 1", n)
	}
	if ls, err := store.Leases(ctx); err != nil || len(ls) != 0 {
		t.Errorf("leases after the pass: %+v %v", ls, err)
	}
	// The pass moved the next check past now: another replica that got the
	// lease late skips it instead of fetching again.
	c.leasedPass(ctx, c.sources[0], c.notDue)
	if n := up.requests.Load(); n != 1 {
		t.Errorf("a source not due was fetched again (%d requests)", n)
	}
}

// TestKilledPassRecordsAttempt: a replica that dies after the upstream
// answered and before its pass committed leaves the attempt in the store,
// so another replica that gets the lease once it expired does not fetch the
// source again before its next due time. The upstream plays the other
// replica while it answers the first: the first replica's lease is given up
// (as if it had expired) and the second one's pass is tried.
func TestKilledPassRecordsAttempt(t *testing.T) {
	var requests atomic.Int32
	var second Summary
	var secondRan bool
	var during db.SourceState
	var a, b *Collector
	var store db.Store
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 1 {
			ctx := context.Background()
			var err error
			if during, err = store.SourceState(ctx, "journal"); err != nil {
				t.Error(err)
			}
			if err := store.ReleaseLease(ctx, db.SourceLease("journal"), a.Replica()); err != nil {
				t.Error(err)
			}
			second, secondRan = b.leasedPass(ctx, b.sources[0], b.notDue)
		}
		body, _ := os.ReadFile(filepath.Join("testdata", "journal.xml"))
		w.Write(body)
	}))
	t.Cleanup(up.Close)
	a, store = setup(t, config.Source{Name: "journal", Type: "feed", URL: up.URL + "/journal.xml", Interval: config.Duration(time.Hour)})
	var err error
	b, err = New(a.cfg, store, a.fetcher, Options{Now: a.now, Replica: "replica-b"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ran := a.leasedPass(context.Background(), a.sources[0], a.notDue); !ran {
		t.Fatal("the first replica's pass did not run")
	}
	if n := requests.Load(); n != 1 {
		t.Fatalf("the upstream was asked %d times, want 1: the second replica fetched inside the interval", n)
	}
	if secondRan || !strings.Contains(second.NotRun, "not due") {
		t.Errorf("second replica: ran %v, %q; want skipped as not due", secondRan, second.NotRun)
	}
	if !during.LastAttempt.Equal(now) || during.NextCheck.Before(now.Add(54*time.Minute)) {
		t.Errorf("state while fetching: last attempt %v, next check %v; want the attempt at %v and the next check an interval (±10 %%) later",
			during.LastAttempt, during.NextCheck, now)
	}
}

// TestCollectAllClaimsLeases: the one-shot collect skips a source whose
// lease another process holds, and one another process collected after the
// collect began, and says why; otherwise it collects whether or not the
// source is due.
func TestCollectAllClaimsLeases(t *testing.T) {
	up := newUpstream(t)
	c, store := setup(t, config.Source{Name: "journal", Type: "feed", URL: up.URL + "/journal.xml"})
	ctx := context.Background()
	lease := db.SourceLease("journal")
	if ok, err := store.ClaimLease(ctx, lease, "serve-replica:42", time.Hour); err != nil || !ok {
		t.Fatal(ok, err)
	}
	sum := c.CollectAll(ctx)[0]
	if n := up.requests.Load(); n != 0 {
		t.Fatalf("collect fetched %d times while a serve replica held the lease", n)
	}
	if sum.Err != nil || !strings.Contains(sum.NotRun, "serve-replica:42") || !strings.HasPrefix(sum.Outcome(), "skipped: ") {
		t.Errorf("summary while held: err %v, %q", sum.Err, sum.String())
	}
	if err := store.ReleaseLease(ctx, lease, "serve-replica:42"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ { // collected again though not due: collect is asked for
		if sum := c.CollectAll(ctx)[0]; sum.Err != nil || sum.NotRun != "" {
			t.Fatalf("collect %d: %s", i, sum.String())
		}
		if n := up.requests.Load(); n != int32(i) {
			t.Fatalf("after collect %d: %d requests", i, n)
		}
	}
	// Another process's pass began after this collect did (its clock is
	// ahead of the collect's start).
	st, err := store.SourceState(ctx, "journal")
	if err != nil {
		t.Fatal(err)
	}
	st.LastAttempt = now.Add(time.Second)
	if err := store.SaveSourceState(ctx, st); err != nil {
		t.Fatal(err)
	}
	sum = c.CollectAll(ctx)[0]
	if n := up.requests.Load(); n != 2 || !strings.Contains(sum.NotRun, "collected by another process") {
		t.Errorf("after another process collected: %d requests, %q", n, sum.String())
	}
	if ls, err := store.Leases(ctx); err != nil || len(ls) != 0 {
		t.Errorf("leases after collect: %+v %v", ls, err)
	}
}
