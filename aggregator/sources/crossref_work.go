package sources

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/db/model"
)

// CrossrefAPI is Crossref's REST API, where single works are looked up.
const CrossrefAPI = crossrefAPI

// ErrWorkNotFound is Crossref's answer for a DOI it does not know (HTTP 404).
var ErrWorkNotFound = errors.New("Crossref does not know this DOI")

// FetchCrossrefWork looks up one work by DOI at api (/works/{doi}), in the
// polite pool when userAgent names a contact, and converts it as the crossref
// source converts a listed work.
func FetchCrossrefWork(ctx context.Context, f Fetcher, api, doi, userAgent string) (model.Item, error) {
	u := strings.TrimRight(api, "/") + (&url.URL{Path: "/works/" + doi}).EscapedPath()
	if m := contactOf(userAgent); m != "" {
		u += "?" + url.Values{"mailto": {m}}.Encode()
	}
	resp, err := f.Get(ctx, fetch.Request{URL: u, Accept: "application/json"})
	if err != nil {
		var he *fetch.HTTPError
		if errors.As(err, &he) && he.Status == 404 {
			return model.Item{}, fmt.Errorf("%s: %w", doi, ErrWorkNotFound)
		}
		return model.Item{}, withUpstreamMessage("Crossref", err, resp)
	}
	w, err := ParseCrossrefWork(resp.Body)
	if err != nil {
		return model.Item{}, fmt.Errorf("Crossref work %s: %w", doi, err)
	}
	it, ok := CrossrefItem(w)
	if !ok {
		return model.Item{}, fmt.Errorf("Crossref work %s: no title or DOI to store", doi)
	}
	return it, nil
}
