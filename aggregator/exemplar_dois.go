package aggregator

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/ident"
	"github.com/paperfeed/paperfeed/aggregator/likefile"
	"github.com/paperfeed/paperfeed/aggregator/sources"
	"github.com/paperfeed/paperfeed/aggregator/topic"
	"github.com/paperfeed/paperfeed/db"
)

// ExemplarSource is the source name of the sighting of an exemplar paper
// fetched by its DOI.
const ExemplarSource = "exemplar-doi"

// ExemplarRetry is how long a DOI Crossref did not know is not asked again.
const ExemplarRetry = 30 * 24 * time.Hour

// ExemplarReport is what one FetchExemplarDOIs did.
type ExemplarReport struct {
	Stored   []string // DOIs fetched and stored
	NotFound []string // DOIs Crossref does not know (now, or recorded within ExemplarRetry)
	Failed   []error  // lookups that failed otherwise; tried again next time
}

// FetchExemplarDOIs stores the like-topics' exemplar DOIs (like, like_file,
// unlike) that no stored paper holds, each looked up once at Crossref
// (/works/{doi}, polite pool with [collect] user_agent's contact) and stored
// through the same ingest as a listing. A DOI Crossref does not know is
// recorded in the store (db.SourceStore.RecordUnknownID), which check and
// the topic page read, and not asked again for ExemplarRetry. arXiv ids are
// not looked up here.
func (c *Collector) FetchExemplarDOIs(ctx context.Context) ExemplarReport {
	var rep ExemplarReport
	dois := exemplarDOIs(c.likeFiles, c.cfg.Topics)
	if len(dois) == 0 {
		return rep
	}
	have, err := c.store.Identified(ctx, nil, dois)
	if err != nil {
		rep.Failed = append(rep.Failed, err)
		return rep
	}
	stored := map[string]bool{}
	for _, p := range have {
		stored[p.DOI] = true
	}
	unknown, err := c.store.UnknownIDs(ctx)
	if err != nil {
		rep.Failed = append(rep.Failed, err)
		return rep
	}
	for _, doi := range dois {
		if stored[doi] || ctx.Err() != nil {
			continue
		}
		if at, ok := unknown["doi:"+doi]; ok && c.now().Sub(at) < ExemplarRetry {
			rep.NotFound = append(rep.NotFound, doi)
			continue
		}
		it, err := sources.FetchCrossrefWork(ctx, c.fetcher, c.crossrefAPI, doi, c.cfg.Collect.UserAgent)
		if errors.Is(err, sources.ErrWorkNotFound) {
			if err := c.store.RecordUnknownID(ctx, "doi:"+doi, c.now()); err != nil {
				rep.Failed = append(rep.Failed, err)
			}
			rep.NotFound = append(rep.NotFound, doi)
			c.log.Warn("exemplar DOI unknown to Crossref", "doi", doi)
			continue
		}
		if err != nil {
			rep.Failed = append(rep.Failed, err)
			c.log.Warn("exemplar lookup failed", "doi", doi, "err", err)
			continue
		}
		it.Source = ExemplarSource
		now := c.now()
		err = c.store.Update(ctx, func(tx db.Tx) error {
			_, err := c.ingest(ctx, tx, config.Source{Name: ExemplarSource, Type: "crossref"}, &it, now)
			return err
		})
		if err != nil {
			rep.Failed = append(rep.Failed, err)
			continue
		}
		rep.Stored = append(rep.Stored, doi)
	}
	return rep
}

// exemplarDOIs are the DOIs the like-topics name, each once; arXiv's own
// DOIs (10.48550/arXiv.*) read as arXiv ids and are left to the arXiv lookup.
// The like_files are read through files.
func exemplarDOIs(files *likefile.Cache, topics []config.Topic) []string {
	var out []string
	for _, t := range topics {
		if !t.IsLike() {
			continue
		}
		likes, _ := topic.Exemplars(files, t)
		for _, e := range append(slices.Clip(likes), t.Unlike...) {
			if d, ok := strings.CutPrefix(ident.Exemplar(e), "doi:"); ok && !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	return out
}
