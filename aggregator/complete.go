package aggregator

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/merge"
	"github.com/paperfeed/paperfeed/aggregator/redact"
	"github.com/paperfeed/paperfeed/aggregator/sources"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// CompletionSource names the sighting a paper gets when the arXiv API
// completed it. It is no slug, so no configured source can have it.
const CompletionSource = "arXiv API"

const (
	// completeRound is the most ids one completion round asks for: ten
	// requests, half a minute of arXiv's 3 s turns.
	completeRound = 10 * sources.ArxivLookupBatch
	// completeRetry is how long a failed id waits before it is asked again.
	completeRetry = time.Hour
)

// CompletionSummary is the outcome of one completion round.
type CompletionSummary struct {
	Asked, Completed, NotFound, Failed int
	Requests                           int
	Err                                error // reading or writing the store
}

func (s CompletionSummary) String() string {
	line := fmt.Sprintf("%d asked, %d completed, %d not found on arXiv, %d failed (%d requests)", s.Asked, s.Completed, s.NotFound, s.Failed, s.Requests)
	if s.Err != nil {
		line += "; error: " + redact.Text(s.Err.Error())
	}
	return line
}

// Complete asks the arXiv API for papers stored with an arXiv id but without
// categories (Hugging Face, journals, generic feeds list none) and merges its
// answer into them: categories, the full author list, DOI, journal reference,
// comments, through merge.Into, which never erases what another source gave.
// Every id asked is recorded: found and not-found ids are never asked again,
// failed ones after completeRetry. Failures are logged, never returned: a
// round cannot fail a pass. It does nothing when completion is off.
func (c *Collector) Complete(ctx context.Context) CompletionSummary {
	var sum CompletionSummary
	if c.lookup == nil {
		return sum
	}
	c.completing.Lock()
	defer c.completing.Unlock()
	ids, err := c.store.ArxivIDsToComplete(ctx, c.now().Add(-completeRetry), completeRound)
	if err != nil {
		sum.Err = err
		c.log.Warn("category completion", "err", redact.Text(err.Error()))
		return sum
	}
	if len(ids) == 0 {
		return sum
	}
	sum.Asked = len(ids)
	res := c.lookup.Lookup(ctx, c.fetcher, ids)
	sum.Requests, sum.NotFound, sum.Failed = res.Requests, len(res.NotFound), len(res.Failed)
	now := c.now()
	err = c.store.Update(ctx, func(tx db.Tx) error {
		sum.Completed = 0
		for _, id := range ids {
			it, ok := res.Found[id]
			if !ok {
				continue
			}
			done, err := completeOne(ctx, tx, id, it, now)
			if err != nil {
				return err
			}
			if done {
				sum.Completed++
			}
		}
		return tx.RecordArxivLookups(ctx, lookupRecords(res, now))
	})
	if err != nil {
		sum.Err = fmt.Errorf("store: %w", err)
	}
	attrs := []any{"asked", sum.Asked, "completed", sum.Completed, "not_found", sum.NotFound, "failed", sum.Failed, "requests", sum.Requests}
	for _, ferr := range res.Failed {
		attrs = append(attrs, "first_failure", redact.Text(ferr.Error()))
		break
	}
	if sum.Err != nil {
		c.log.Warn("category completion", append(attrs, "err", redact.Text(sum.Err.Error()))...)
	} else {
		c.log.Info("category completion", attrs...)
	}
	return sum
}

// lookupRecords are what a lookup learnt of each id, as the store keeps it.
func lookupRecords(res *sources.LookupResult, now time.Time) []db.ArxivLookup {
	var out []db.ArxivLookup
	for id := range res.Found {
		out = append(out, db.ArxivLookup{ArxivID: id, Outcome: db.LookupFound, At: now})
	}
	for _, id := range res.NotFound {
		out = append(out, db.ArxivLookup{ArxivID: id, Outcome: db.LookupNotFound, At: now})
	}
	for id, err := range res.Failed {
		out = append(out, db.ArxivLookup{ArxivID: id, Outcome: db.LookupFailed, At: now, Error: redact.Text(err.Error())})
	}
	return out
}

// completeOne merges the arXiv API's record of id into the stored paper
// holding that id, and reports whether a paper was there to complete.
func completeOne(ctx context.Context, tx db.Tx, id string, it model.Item, now time.Time) (bool, error) {
	cands, err := tx.Candidates(ctx, "", "", id, "", "", nil)
	if err != nil {
		return false, err
	}
	i := slices.IndexFunc(cands, func(c db.Candidate) bool { return c.ArxivID == id })
	if i < 0 {
		return false, nil // stored under another id since it was listed to complete
	}
	p, err := tx.Paper(ctx, cands[i].ID)
	if err != nil {
		return false, err
	}
	it.Source = CompletionSource
	known := slices.ContainsFunc(p.Sightings, func(s model.Sighting) bool { return s.Source == it.Source && s.GUID == it.GUID })
	merge.Into(p, &it, now)
	if !known {
		merge.Joined(p, &it, model.RuleIdentifier, "the arXiv API's record of arXiv id "+id+", asked to complete the paper's categories")
	}
	return true, tx.Save(ctx, p)
}
