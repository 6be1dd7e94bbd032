package aggregator

import (
	"context"
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
	c.leasedPass(ctx, c.sources[0])
	if n := up.requests.Load(); n != 0 {
		t.Fatalf("fetched %d times while another replica held the lease", n)
	}
	if err := store.ReleaseLease(ctx, lease, "other-replica"); err != nil {
		t.Fatal(err)
	}
	c.leasedPass(ctx, c.sources[0])
	if n := up.requests.Load(); n != 1 {
		t.Fatalf("fetched %d times with the lease free, want 1", n)
	}
	if ls, err := store.Leases(ctx); err != nil || len(ls) != 0 {
		t.Errorf("leases after the pass: %+v %v", ls, err)
	}
	// The pass moved the next check past now: another replica that got the
	// lease late skips it instead of fetching again.
	c.leasedPass(ctx, c.sources[0])
	if n := up.requests.Load(); n != 1 {
		t.Errorf("a source not due was fetched again (%d requests)", n)
	}
}
