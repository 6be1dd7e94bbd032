package feeds

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/recommend"
	"github.com/paperfeed/paperfeed/db/model"
)

// fillers are n arXiv papers on topics far from ranking, numbered from
// first: a store large enough (1,000 papers and more) that a few arrivals
// leave the idf alone.
func fillers(first, n int, published time.Time) []model.Item {
	fields := [][]string{
		{"protein", "folding", "enzyme", "kinetics", "membrane"},
		{"galaxy", "redshift", "telescope", "spectra", "quasar"},
		{"lattice", "fermion", "gauge", "symmetry", "quark"},
		{"soil", "erosion", "rainfall", "sediment", "basin"},
	}
	out := make([]model.Item, n)
	for i := range out {
		k := first + i
		ws := fields[k%len(fields)]
		id := fmt.Sprintf("2504.%05d", k)
		out[i] = model.Item{
			Source: "arxiv", GUID: "oai:arXiv.org:" + id, Link: "https://arxiv.org/abs/" + id, ArxivID: id,
			Title:     fmt.Sprintf("On %s and %s, study %d", ws[k%5], ws[(k+1)%5], k),
			Abstract:  fmt.Sprintf("We measure %s with %s and %s across %d samples.", ws[(k+2)%5], ws[(k+3)%5], ws[(k+4)%5], k),
			Authors:   []string{fmt.Sprintf("Author%d Writer%d", k%37, k%11)},
			Published: published.Add(-time.Duration(k) * time.Minute),
		}
	}
	return out
}

// TestLikeTopicScoredOnArrival: once Refresh ran (as Watch runs it after a
// collect), a like-topic's request trains nothing and scores nothing; papers
// that arrive are scored by the refresh, alone (not the whole window), and a
// store grown enough to move the idf retrains the model there, rescoring the
// window from cached terms.
func TestLikeTopicScoredOnArrival(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: stores 1,200 papers")
	}
	ctx := context.Background()
	items := append(likeItems(), fillers(0, 1200, t0.Add(-2*time.Hour))...)
	f := newFixture(t, likeConfig(t), items...)
	counts := f.srv.models.Counts
	request := func(step string) string {
		t.Helper()
		before := counts()
		body := string(f.get(t, "/topics/like-rank.atom"))
		if after := counts(); after != before {
			t.Errorf("%s: the request did the model's work: %+v, then %+v", step, before, after)
		}
		return body
	}
	refresh := func(step string) (before, after recommend.Counts) {
		t.Helper()
		before = counts()
		if err := f.srv.Refresh(ctx); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		return before, counts()
	}

	_, start := refresh("start")
	if start.Trainings != 1 || start.CorpusBuilds != 1 || start.Scored == 0 {
		t.Fatalf("first refresh: %+v", start)
	}
	request("after the first refresh")

	// A collect brings two papers, one of them on ranking.
	arrived := fillers(5000, 1, t0.Add(-time.Minute))
	arrived = append(arrived, model.Item{
		Source: "arxiv", GUID: "oai:arXiv.org:2503.09999", Link: "https://arxiv.org/abs/2503.09999", ArxivID: "2503.09999",
		Title: "Pairwise Ranking of Papers for Readers", Abstract: "Ranking models learn from pairwise preferences of readers.",
		Authors: []string{"Ada Lovelace"}, Published: t0.Add(-30 * time.Minute),
	})
	seed(t, f.store, t0.Add(-time.Minute), arrived...)
	before, after := refresh("after a collect")
	if after.Trainings != before.Trainings || after.CorpusBuilds != before.CorpusBuilds {
		t.Errorf("two arrivals in 1,200 papers retrained: %+v, then %+v", before, after)
	}
	if n := after.Scored - before.Scored; n != 2 {
		t.Errorf("the refresh scored %d papers, want the 2 that arrived", n)
	}
	if n := after.Tokenised - before.Tokenised; n != 2 {
		t.Errorf("the refresh read %d texts, want the 2 that arrived", n)
	}
	if feed := request("after a collect"); !strings.Contains(feed, "Pairwise Ranking of Papers for Readers") {
		t.Error("the arrived ranking paper is not in the like-topic's feed")
	}

	// A tenth more papers: the corpus is rebuilt and the model retrained, in
	// the refresh; only the new papers' texts are read.
	seed(t, f.store, t0.Add(-time.Minute), fillers(6000, 130, t0.Add(-3*time.Minute))...)
	before, after = refresh("after the store grew by a tenth")
	if after.CorpusBuilds != before.CorpusBuilds+1 || after.Trainings != before.Trainings+1 {
		t.Errorf("a store grown by a tenth: %+v, then %+v; want one corpus built, one model trained", before, after)
	}
	if n := after.Tokenised - before.Tokenised; n != 130 {
		t.Errorf("the retrain read %d texts, want the 130 that arrived", n)
	}
	if n := after.Scored - before.Scored; n < 1300 {
		t.Errorf("the retrain scored %d papers, want the whole window (over 1,300)", n)
	}
	request("after the retrain")
}

// TestWatchRefreshesOnArrival: Watch scores a like-topic at once, again when
// a collect commits papers, and stops with its context.
func TestWatchRefreshesOnArrival(t *testing.T) {
	f := newFixture(t, likeConfig(t), likeItems()...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.srv.Watch(ctx, 5*time.Millisecond)
	}()
	waitFor := func(what string, ok func(recommend.Counts) bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !ok(f.srv.models.Counts()); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no %s after 30 s: %+v", what, f.srv.models.Counts())
			}
		}
	}
	waitFor("first scoring", func(c recommend.Counts) bool { return c.Scored > 0 })
	scored := f.srv.models.Counts().Scored
	seed(t, f.store, t0.Add(-time.Minute), fillers(0, 1, t0.Add(-time.Minute))...)
	waitFor("scoring of the arrived paper", func(c recommend.Counts) bool { return c.Scored > scored })
	cancel()
	<-done
}

// TestWatchWithoutLikeTopics: with no like-topic Watch has nothing to do.
func TestWatchWithoutLikeTopics(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.Watch(context.Background(), time.Millisecond) // returns
	if c := f.srv.models.Counts(); c != (recommend.Counts{}) {
		t.Errorf("work without like-topics: %+v", c)
	}
}
