package postgres

import (
	"context"
	"fmt"
	"testing"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/dbtest"
)

// TestStatisticsFollowALargePass: a write transaction that fills an empty
// store brings the planner's statistics along while it runs, so its later
// lookups are planned for the rows it has inserted, not for an empty table
// (autovacuum never sees uncommitted rows). A store whose statistics already
// count more papers than a pass adds is not analyzed again.
func TestStatisticsFollowALargePass(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	reltuples := func(tx db.Tx) float64 {
		t.Helper()
		var n float64
		if err := tx.(*Tx).tx.QueryRow(ctx, "SELECT reltuples FROM pg_class WHERE oid = 'papers'::regclass").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	const n = 3 * firstStatsCheck
	var before, after float64
	err := s.Update(ctx, func(tx db.Tx) error {
		before = reltuples(tx)
		for i := range n {
			if err := tx.Save(ctx, dbtest.Paper(i, fmt.Sprintf("Paper number %d", i))); err != nil {
				return err
			}
		}
		after = reltuples(tx)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if before > 0 {
		t.Fatalf("an empty store's statistics count %v papers", before)
	}
	// Checked at 256 (analyzed: 256 > unknown) and 512 (analyzed: 512 > 256).
	if after != 2*firstStatsCheck {
		t.Errorf("statistics after %d inserts in one transaction count %v papers, want %d", n, after, 2*firstStatsCheck)
	}
	err = s.Update(ctx, func(tx db.Tx) error {
		known := reltuples(tx) // autovacuum may have analyzed the committed pass
		for i := range firstStatsCheck {
			if err := tx.Save(ctx, dbtest.Paper(n+i, fmt.Sprintf("Later paper %d", i))); err != nil {
				return err
			}
		}
		if got := reltuples(tx); got != known {
			t.Errorf("a pass of %d papers into a store whose statistics count %v re-analyzed it (now %v)", firstStatsCheck, known, got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
