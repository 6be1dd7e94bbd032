package recommend

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// Similar is a stored paper and its tf-idf cosine similarity to another.
type Similar struct {
	Paper  *model.Paper
	Cosine float64
}

// Similarity search bounds: the heaviest single words of the paper make a
// full-text query (any of them) whose newest similarCandidates matches are
// compared by cosine, so a page costs one indexed query, not a scan.
const (
	similarTerms      = 10
	similarCandidates = 2000
)

// Similar returns the n stored papers most similar to p (tf-idf cosine,
// above 0), most similar first, p itself left out.
func (e *Engine) Similar(ctx context.Context, p *model.Paper, n int) ([]Similar, error) {
	c, err := e.Corpus(ctx)
	if err != nil {
		return nil, err
	}
	v := c.Vectorize(TextOf(p))
	type term struct {
		name string
		w    float32
	}
	var terms []term
	for i, b := range v.Idx {
		if name := c.Name(b); name != "" && !strings.Contains(name, " ") {
			terms = append(terms, term{name, v.Val[i]})
		}
	}
	if len(terms) == 0 {
		return nil, nil
	}
	slices.SortFunc(terms, func(a, b term) int { return cmp.Or(cmp.Compare(b.w, a.w), strings.Compare(a.name, b.name)) })
	var q []string
	for _, t := range terms[:min(similarTerms, len(terms))] {
		q = append(q, `"`+t.name+`"`) // letters, digits and '_' only: safe in a phrase
	}
	cands, err := e.r.Topic(ctx, db.TopicQuery{Match: strings.Join(q, " OR "), Limit: similarCandidates, Cap: similarCandidates})
	if err != nil {
		return nil, fmt.Errorf("similar papers: %w", err)
	}
	var out []Similar
	for _, cp := range cands {
		if cp.ID == p.ID {
			continue
		}
		if s := v.Dot(c.Vectorize(TextOf(cp))); s > 0 {
			out = append(out, Similar{Paper: cp, Cosine: s})
		}
	}
	slices.SortStableFunc(out, func(a, b Similar) int { return cmp.Compare(b.Cosine, a.Cosine) })
	return out[:min(n, len(out))], nil
}
