package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// firstStatsCheck is the number of papers a write transaction inserts before
// it first compares its inserts with the planner's statistics; the checks
// then come at every doubling, so a pass of n papers costs log2(n) cheap
// catalog reads and at most as many ANALYZEs.
const firstStatsCheck = 256

// analyzeGrown refreshes the statistics of the tables a pass grows. Their
// rows, uncommitted, are counted by ANALYZE in the transaction that inserted
// them; it also invalidates this connection's cached plans of the tables.
const analyzeGrown = "ANALYZE papers, sightings, paper_blocks, paper_categories"

// statsKeeper keeps the planner's statistics in step with a write
// transaction that inserts many papers. A collect pass is one transaction,
// so autovacuum, which sees only committed rows, never analyzes what it
// inserts: a pass into an empty store planned every lookup for a table of a
// few rows (a sequential scan of papers joined by hash for each incoming
// item's candidates), and its time grew with the square of its papers.
type statsKeeper struct {
	papers int64 // papers inserted by the transaction
	next   int64 // inserts at which to check next
}

// inserted counts one inserted paper and, at each check, analyzes the grown
// tables when the transaction has inserted more papers than the statistics
// count in all (reltuples is -1 for a table never analyzed).
func (k *statsKeeper) inserted(ctx context.Context, tx pgx.Tx) error {
	k.papers++
	if k.next == 0 {
		k.next = firstStatsCheck
	}
	if k.papers < k.next {
		return nil
	}
	k.next *= 2
	var known float64
	if err := tx.QueryRow(ctx, "SELECT reltuples FROM pg_class WHERE oid = 'papers'::regclass").Scan(&known); err != nil {
		return fmt.Errorf("read planner statistics: %w", err)
	}
	if float64(k.papers) <= known {
		return nil
	}
	if _, err := tx.Exec(ctx, analyzeGrown); err != nil {
		return fmt.Errorf("refresh planner statistics: %w", err)
	}
	return nil
}
