package sources

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/aggregator/ident"
	"github.com/paperfeed/paperfeed/db/model"
)

// ArxivLookupBatch is the most ids one id_list request asks for: arXiv's
// guidance for the query API, and the max_results the request carries.
const ArxivLookupBatch = 100

// ArxivLookup asks the arXiv query API for papers by id (id_list). Its
// requests go through the one polite fetcher, so they share the 3 s arXiv
// group with every other arXiv request of the process.
type ArxivLookup struct {
	// Endpoint is the query API URL; "" means export.arxiv.org.
	Endpoint string
	// Attempts is how many times a failing request is sent (0 means 3). A
	// malformed-query answer (HTTP 400) is never repeated.
	Attempts int
	// Backoff is the wait before the second attempt, doubled for each next
	// one (0 means 10 s); the fetcher's 3 s spacing comes on top.
	Backoff time.Duration
	// Batch is the most ids a request asks for: 0 or more than
	// ArxivLookupBatch means ArxivLookupBatch.
	Batch int
}

// LookupResult is what a lookup learnt of each id asked, by version-less id.
type LookupResult struct {
	// Found holds the papers the API returned.
	Found map[string]model.Item
	// NotFound holds ids the API answered without an entry for, and ids that
	// are not arXiv ids at all (never sent: one would fail its whole batch).
	NotFound []string
	// Failed holds the ids of batches that failed after every attempt, with
	// the last error; they can be asked again later.
	Failed map[string]error
	// Requests counts the requests sent.
	Requests int
}

// Lookup asks for ids (any usual form: bare, "arXiv:", abs URL, with or
// without version) in batches of at most ArxivLookupBatch. A batch that fails
// after its attempts marks its ids Failed and the next batches are still
// asked; only a cancelled ctx stops early (the rest are then Failed too).
func (l *ArxivLookup) Lookup(ctx context.Context, f Fetcher, ids []string) *LookupResult {
	res := &LookupResult{Found: map[string]model.Item{}, Failed: map[string]error{}}
	var ask []string
	seen := map[string]bool{}
	for _, raw := range ids {
		id := ident.NormalizeArxivID(raw)
		if id == "" {
			res.NotFound = append(res.NotFound, strings.TrimSpace(raw))
			continue
		}
		if !seen[id] {
			seen[id] = true
			ask = append(ask, id)
		}
	}
	size := l.Batch
	if size <= 0 || size > ArxivLookupBatch {
		size = ArxivLookupBatch
	}
	for start := 0; start < len(ask); start += size {
		batch := ask[start:min(start+size, len(ask))]
		items, n, err := l.batchOnce(ctx, f, batch)
		res.Requests += n
		if err != nil {
			for _, id := range batch {
				res.Failed[id] = err
			}
			continue
		}
		for _, id := range batch {
			if it, ok := items[id]; ok {
				res.Found[id] = it
			} else {
				res.NotFound = append(res.NotFound, id)
			}
		}
	}
	return res
}

// batchOnce asks for one batch, retrying failures; it returns the entries by
// id and the number of requests sent.
func (l *ArxivLookup) batchOnce(ctx context.Context, f Fetcher, ids []string) (map[string]model.Item, int, error) {
	attempts, wait := l.Attempts, l.Backoff
	if attempts <= 0 {
		attempts = 3
	}
	if wait <= 0 {
		wait = 10 * time.Second
	}
	u, err := l.url(ids)
	if err != nil {
		return nil, 0, err
	}
	var last error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, i, fmt.Errorf("arXiv API id_list %s: %w (after %v)", idsShown(ids), ctx.Err(), last)
			case <-t.C:
			}
			wait *= 2
		}
		items, final, err := lookupOnce(ctx, f, u)
		if err == nil {
			return items, i + 1, nil
		}
		last = fmt.Errorf("arXiv API id_list %s: %w", idsShown(ids), err)
		if final || ctx.Err() != nil {
			return nil, i + 1, last
		}
	}
	return nil, attempts, last
}

// lookupOnce sends one request and reads its entries by version-less id.
// final reports an error asking again cannot cure: arXiv's 400, a refused query.
func lookupOnce(ctx context.Context, f Fetcher, u string) (items map[string]model.Item, final bool, err error) {
	resp, err := f.Get(ctx, fetch.Request{URL: u, Accept: "application/atom+xml"})
	if err != nil {
		var he *fetch.HTTPError
		return nil, errors.As(err, &he) && he.Status == 400, arxivAPIError(err, resp)
	}
	page, err := parseArxivAPI(resp.Body)
	if err != nil {
		return nil, false, err
	}
	out := map[string]model.Item{}
	for i := range page.Entries {
		if it, ok := arxivAPIItem(&page.Entries[i]); ok {
			out[it.ArxivID] = it
		}
	}
	return out, false, nil
}

// url is the id_list request of ids, as arXiv's own clients write it.
func (l *ArxivLookup) url(ids []string) (string, error) {
	ep := l.Endpoint
	if ep == "" {
		ep = arxivAPIEndpoint
	}
	u, err := url.Parse(ep)
	if err != nil {
		return "", fmt.Errorf("arXiv API endpoint %q: %w", ep, err)
	}
	q := u.Query()
	q.Set("search_query", "")
	q.Set("id_list", strings.Join(ids, ","))
	q.Set("start", "0")
	q.Set("max_results", strconv.Itoa(ArxivLookupBatch))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// idsShown names a batch in an error without listing a hundred ids.
func idsShown(ids []string) string {
	if len(ids) <= 3 {
		return strings.Join(ids, ",")
	}
	return fmt.Sprintf("%s,... (%d ids)", strings.Join(ids[:2], ","), len(ids))
}
