package topic

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/ident"
	"github.com/paperfeed/paperfeed/aggregator/likefile"
	"github.com/paperfeed/paperfeed/aggregator/redact"
	"github.com/paperfeed/paperfeed/db"
)

// ExemplarProblem is a like or unlike entry of a topic that no stored paper
// answers and that asking for it did not bring: an upstream said it does not
// know the paper, or the last asking failed.
type ExemplarProblem struct {
	Entry  string `json:"entry"`  // as the config or the like_file writes it
	Reason string `json:"reason"` // what the upstream answered, and what to do
}

// LookupReader is what ExemplarProblems reads: the store and its record of
// the arXiv API's answers.
type LookupReader interface {
	db.Reader
	db.LookupStore
}

// ExemplarProblems returns t's exemplars (like, like_file, unlike) that
// cannot be found, each with the reason: a DOI Crossref does not know, an
// arXiv id the arXiv API does not know, or whose fetching failed. Entries
// not asked for yet are not problems: the next collect fetches them. The
// like_file is read through files (see Exemplars).
func ExemplarProblems(ctx context.Context, files *likefile.Cache, r LookupReader, t config.Topic) ([]ExemplarProblem, error) {
	likes, _ := Exemplars(files, t)
	entries := append(slices.Clip(likes), t.Unlike...)
	if len(entries) == 0 {
		return nil, nil
	}
	_, missing, err := Resolve(ctx, r, entries)
	if err != nil || len(missing) == 0 {
		return nil, err
	}
	unknown, err := r.UnknownIDs(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range missing {
		if id := ArxivEntry(e); id != "" {
			ids = append(ids, id)
		}
	}
	asked, err := r.ArxivLookups(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []ExemplarProblem
	for _, e := range missing {
		id := ArxivEntry(e)
		l, ok := asked[id]
		switch {
		case id == "":
			if at, ok := unknown[ident.Exemplar(e)]; ok {
				out = append(out, ExemplarProblem{e, fmt.Sprintf("Crossref does not know this DOI (asked %s): check it", at.UTC().Format(time.RFC3339))})
			}
		case ok && l.Outcome == db.LookupNotFound:
			out = append(out, ExemplarProblem{e, fmt.Sprintf("not found on arXiv (asked %s): check the id", l.At.UTC().Format(time.RFC3339))})
		case ok && l.Outcome == db.LookupFailed:
			out = append(out, ExemplarProblem{e, fmt.Sprintf("fetching it from arXiv failed at %s (%s); collect asks again", l.At.UTC().Format(time.RFC3339), redact.Text(l.Error))})
		default:
			if at, ok := unknown[ident.Exemplar(e)]; ok {
				out = append(out, ExemplarProblem{e, fmt.Sprintf("the arXiv API does not know this paper (asked %s): check the id", at.UTC().Format(time.RFC3339))})
			}
		}
	}
	return out, nil
}
