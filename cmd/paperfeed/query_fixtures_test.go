package main

import (
	"context"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/topic"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

// TestQueriesOnRecordedListings: each query a new user got wrong (issue 11),
// run over the real recorded Hugging Face, arXiv, bioRxiv and journal
// listings, selects exactly the papers whose text says what the query says.
func TestQueriesOnRecordedListings(t *testing.T) {
	up := upstreams(t)
	cfgPath := writeE2EConfig(t, t.TempDir(), up.URL)
	ctx := context.Background()
	if err := run(ctx, []string{"collect", "-config", cfgPath}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(ctx, cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.Open(ctx, cfg.Storage.Path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	all, err := store.Topic(ctx, db.TopicQuery{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	text := func(p *model.Paper) string { return p.Title + "\n" + p.Abstract + "\n" + strings.Join(p.Authors, ", ") }
	// having: the papers whose text matches re, by UID.
	having := func(re string) []string {
		rx := regexp.MustCompile(re)
		out := []string{}
		for _, p := range all {
			if rx.MatchString(text(p)) {
				out = append(out, p.UID)
			}
		}
		slices.Sort(out)
		return out
	}
	selects := func(match string) []string {
		t.Helper()
		ps, err := store.Topic(ctx, db.TopicQuery{Match: match, Limit: 500})
		if err != nil {
			t.Fatalf("%q: %v", match, err)
		}
		out := []string{}
		for _, p := range ps {
			out = append(out, p.UID)
		}
		slices.Sort(out)
		return out
	}
	tests := []struct {
		query, text string // the query selects exactly the papers whose text matches the regexp
		atLeast     int    // papers the recordings hold for it
	}{
		{"interpretab*", `(?i)\binterpretab`, 2},
		{`"contrastive"`, `(?i)\bcontrastive\b`, 1},
		{`"in contrast"`, `(?i)\bin contrast\b`, 1},
		{"embedding*", `(?i)\bembedding`, 1},
		{"embed*", `(?i)\bembed`, 1},
		// The recordings hold no self-supervised paper; the query used to fail
		// ("no such column: supervised").
		{"self-supervised", `(?i)\bself[- ]supervis(ed|ion)\b`, 0},
		{"GPT-4", `(?i)\bgpt-4\b`, 1},
		{"jepa OR contrastive", `(?i)\b(jepa|contrast(s|ed|ing|ive)?)\b`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got, want := selects(tt.query), having(tt.text)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%q selects %d papers %v\nthe text says %d: %v", tt.query, len(got), got, len(want), want)
			}
			if len(want) < tt.atLeast {
				t.Errorf("%q: %d papers in the recordings, want at least %d", tt.query, len(want), tt.atLeast)
			}
		})
	}
	t.Run("NOT survey", func(t *testing.T) {
		surveys := having(`(?i)\bsurvey(s|ed|ing)?\b`)
		want := []string{}
		for _, uid := range selects("") {
			if !slices.Contains(surveys, uid) {
				want = append(want, uid)
			}
		}
		if got := selects("NOT survey"); len(surveys) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("NOT survey selects %d papers, want the %d without one of the %d surveys", len(got), len(want), len(surveys))
		}
	})
	t.Run("embedding* never matches Embedded", func(t *testing.T) {
		embedded := having(`(?i)\bembedded\b`)
		for _, uid := range selects("embedding*") {
			if slices.Contains(embedded, uid) && !slices.Contains(having(`(?i)\bembedding`), uid) {
				t.Errorf("%s matched through Embedded", uid)
			}
		}
	})
	t.Run("lower-case or warns", func(t *testing.T) {
		w := topic.Warnings([]config.Topic{{Name: "jepa", Query: "jepa or contrastive"}})
		if len(w) != 1 || !strings.Contains(w[0], "did you mean OR?") {
			t.Errorf("warnings %q", w)
		}
	})
	t.Run("default since keeps old papers out of feeds, not out of search", func(t *testing.T) {
		now := time.Date(2026, 9, 25, 0, 0, 0, 0, time.UTC) // the newest recordings
		deflt := config.Default()
		deflt.Storage.Path = "unused.db"
		if err := deflt.Validate(); err != nil {
			t.Fatal(err)
		}
		allTopic := deflt.Topics[len(deflt.Topics)-1]
		if allTopic.Name != config.AllTopic || time.Duration(allTopic.Since) != config.DefaultTopicSince {
			t.Fatalf("the default all topic is %+v", allTopic)
		}
		ps, err := topic.Papers(ctx, store, allTopic, 0, now)
		if err != nil {
			t.Fatal(err)
		}
		old := 0
		for _, p := range all {
			if p.Published.Before(now.Add(-config.DefaultTopicSince)) {
				old++
			}
		}
		if old == 0 || len(ps) == 0 {
			t.Fatalf("the recordings hold %d papers older than the default since, the feed %d", old, len(ps))
		}
		for _, p := range ps {
			if p.Published.Before(now.Add(-config.DefaultTopicSince)) {
				t.Errorf("%q published %s is in the all feed at %s", p.Title, p.Published, now)
			}
		}
		hf, err := topic.Papers(ctx, store, topic.Search("huggingface OR contrastive"), 0, now)
		if err != nil {
			t.Fatal(err)
		}
		searchOld := 0
		for _, p := range hf {
			if p.Published.Before(now.Add(-config.DefaultTopicSince)) {
				searchOld++
			}
		}
		if searchOld == 0 {
			t.Error("search finds no old paper")
		}
	})
}
