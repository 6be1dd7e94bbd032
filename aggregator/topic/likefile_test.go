package topic

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/likefile"
	"github.com/paperfeed/paperfeed/aggregator/recommend"
)

// TestLikeFileJoinsLike: a like_file's ids are exemplars beside like, its
// entries without ids are warnings, and a changed file is read again.
func TestLikeFileJoinsLike(t *testing.T) {
	st := likeStore(t)
	ctx := context.Background()
	// The ranking's own like_file cache: it must see the file change.
	lk := Likes{Models: recommend.NewEngine(st, recommend.DefaultOptions()), Files: likefile.NewCache()}
	path := filepath.Join(t.TempDir(), "lib.bib")
	write := func(text string, at time.Time) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, at, at); err != nil {
			t.Fatal(err)
		}
	}
	write("@article{a, eprint = {2611.00002}, archivePrefix = {arXiv}}\n@book{nothing, title = {No id}}\n", now)
	tp := config.Topic{Name: "prot", Like: []string{"2611.00001"}, LikeFile: path, Sort: "relevance", Limit: 30, Cap: 500}

	rk, err := Rank(ctx, st, lk, tp, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	if got := titlesOf(rk.Papers); slices.Contains(got, 1) || slices.Contains(got, 2) || len(got) != 22 {
		t.Errorf("feed %v: want the 22 papers that are not exemplars 1 and 2", got)
	}
	if len(rk.Warnings) != 1 || !strings.Contains(rk.Warnings[0], `"nothing"`) {
		t.Errorf("warnings %q", rk.Warnings)
	}
	if ws := Warnings([]config.Topic{tp}); len(ws) != 1 || !strings.Contains(ws[0], `[[topic]] "prot": like_file:`) {
		t.Errorf("check warnings %q", ws)
	}

	write("# ids now, not BibTeX\n10.1000/market.24\n2611.00003\n", now.Add(time.Minute))
	rk, err = Rank(ctx, st, lk, tp, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	if got := titlesOf(rk.Papers); !slices.Contains(got, 2) || slices.Contains(got, 3) || slices.Contains(got, 24) || len(rk.Warnings) != 0 {
		t.Errorf("after the change: feed %v warnings %q; want 2 back, 3 and 24 out", got, rk.Warnings)
	}

	// Without a cache of its own, a call reads the file as it is now.
	noCache := Likes{Models: lk.Models}
	if rk2, err := Rank(ctx, st, noCache, tp, 0, now); err != nil || !slices.Equal(titlesOf(rk2.Papers), titlesOf(rk.Papers)) {
		t.Errorf("without a like_file cache: %v, %v; want %v", titlesOf(rk2.Papers), err, titlesOf(rk.Papers))
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	rk, err = Rank(ctx, st, lk, tp, 0, now)
	if err != nil || len(rk.Papers) == 0 || len(rk.Warnings) != 1 || !strings.Contains(rk.Warnings[0], "like_file") {
		t.Errorf("file gone: %d papers, warnings %q, %v; want like's ranking and a warning", len(rk.Papers), rk.Warnings, err)
	}
}

// TestUnknownExemplarWarns: an exemplar an upstream said it does not know is
// a warning of the topic, which still ranks by the others.
func TestUnknownExemplarWarns(t *testing.T) {
	st := likeStore(t)
	ctx := context.Background()
	for _, id := range []string{"doi:10.9999/unknown.1", "arxiv:2611.99999"} {
		if err := st.RecordUnknownID(ctx, id, now); err != nil {
			t.Fatal(err)
		}
	}
	tp := config.Topic{Name: "prot", Like: []string{"2611.00001", "https://doi.org/10.9999/UNKNOWN.1"}, Unlike: []string{"arXiv:2611.99999v2"}, Sort: "relevance", Limit: 5, Cap: 500}
	rk, err := Rank(ctx, st, Likes{Models: recommend.NewEngine(st, recommend.DefaultOptions())}, tp, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://doi.org/10.9999/UNKNOWN.1: Crossref does not know this paper", "arXiv:2611.99999v2: the arXiv API does not know this paper"}
	if !slices.Equal(rk.Warnings, want) || len(rk.Papers) != 5 {
		t.Errorf("warnings %q (want %q), %d papers", rk.Warnings, want, len(rk.Papers))
	}
}
