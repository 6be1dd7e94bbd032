package aggregator

import (
	"context"
	"fmt"
	"strings"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/redact"
	"github.com/paperfeed/paperfeed/aggregator/topic"
	"github.com/paperfeed/paperfeed/db"
)

// ExemplarSummary is the outcome of one FetchExemplars.
type ExemplarSummary struct {
	Asked, Stored, Failed int
	NotFound              []string // arXiv ids the API does not know
	Err                   error    // reading or writing the store
}

func (s ExemplarSummary) String() string {
	line := fmt.Sprintf("%d asked, %d stored, %d not found on arXiv, %d failed", s.Asked, s.Stored, len(s.NotFound), s.Failed)
	if len(s.NotFound) > 0 {
		line += " (" + strings.Join(s.NotFound, ", ") + ")"
	}
	if s.Err != nil {
		line += "; error: " + redact.Text(s.Err.Error())
	}
	return line
}

// FetchExemplars stores the like and unlike entries of every topic that are
// arXiv ids no stored paper has, fetched from the arXiv API as listings of
// CompletionSource. Each id is asked once: found and not-found ids are
// recorded and never asked again, failed ones after completeRetry. Like
// Complete, it logs its failures and returns them in the summary only.
func (c *Collector) FetchExemplars(ctx context.Context) ExemplarSummary {
	var sum ExemplarSummary
	if c.lookup == nil {
		return sum
	}
	c.completing.Lock()
	defer c.completing.Unlock()
	ids, err := c.missingExemplars(ctx)
	if err != nil || len(ids) == 0 {
		sum.Err = err
		c.logExemplars(sum)
		return sum
	}
	sum.Asked = len(ids)
	res := c.lookup.Lookup(ctx, c.fetcher, ids)
	sum.NotFound, sum.Failed = res.NotFound, len(res.Failed)
	now := c.now()
	src := config.Source{Name: CompletionSource, Type: "arxiv-api"}
	err = c.store.Update(ctx, func(tx db.Tx) error {
		sum.Stored = 0
		for _, id := range ids {
			it, ok := res.Found[id]
			if !ok {
				continue
			}
			it.Source = CompletionSource
			if _, err := c.ingest(ctx, tx, src, &it, now); err != nil {
				return err
			}
			sum.Stored++
		}
		return tx.RecordArxivLookups(ctx, lookupRecords(res, now))
	})
	if err != nil {
		sum.Err = fmt.Errorf("store: %w", err)
	}
	c.logExemplars(sum)
	return sum
}

func (c *Collector) logExemplars(sum ExemplarSummary) {
	switch {
	case sum.Err != nil:
		c.log.Warn("exemplar fetch", "summary", sum.String())
	case sum.Asked > 0:
		c.log.Info("exemplar fetch", "summary", sum.String())
	}
}

// missingExemplars are the arXiv ids among the topics' like and unlike
// entries that no stored paper has and that are due to be asked.
func (c *Collector) missingExemplars(ctx context.Context) ([]string, error) {
	var ids []string
	seen := map[string]bool{}
	for _, t := range c.cfg.Topics {
		if !t.IsLike() {
			continue
		}
		likes, _ := topic.Exemplars(c.likeFiles, t) // like and like_file's entries
		_, missing, err := topic.Resolve(ctx, c.store, append(append([]string(nil), likes...), t.Unlike...))
		if err != nil {
			return nil, fmt.Errorf("topic %q exemplars: %w", t.Name, err)
		}
		for _, e := range missing {
			if id := topic.ArxivEntry(e); id != "" && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	recs, err := c.store.ArxivLookups(ctx, ids)
	if err != nil {
		return nil, err
	}
	retryBefore := c.now().Add(-completeRetry)
	due := ids[:0]
	for _, id := range ids {
		r, ok := recs[id]
		if !ok || (r.Outcome == db.LookupFailed && r.At.Before(retryBefore)) {
			due = append(due, id)
		}
	}
	return due, nil
}
