package db

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/paper"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var day = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func testPaper(i int, title string) *paper.Paper {
	return &paper.Paper{
		Title: title, TitleKey: fmt.Sprintf("key%d", i), Abstract: "We study " + title + ".",
		Authors: []string{"Ada Lovelace", "Alan Turing"}, Published: day.Add(time.Duration(i) * time.Hour),
		Updated: day.Add(time.Duration(i) * time.Hour), FirstSeen: day.Add(time.Duration(i) * time.Hour),
		Categories: []string{"cs.CL"}, ArxivID: fmt.Sprintf("2611.%05d", i),
		Links:     []paper.Link{{Kind: paper.LinkAbstract, URL: fmt.Sprintf("https://arxiv.org/abs/2611.%05d", i)}},
		Sightings: []paper.Sighting{{Source: "arxiv", GUID: fmt.Sprintf("g%d", i), Link: "https://arxiv.org/abs/x", FirstSeen: day, LastSeen: day}},
	}
}

func save(t *testing.T, s *Store, ps ...*paper.Paper) {
	t.Helper()
	err := s.Update(context.Background(), func(tx *Tx) error {
		for _, p := range ps {
			if err := tx.Save(context.Background(), p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRoundTrip(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	p := testPaper(1, "Attention Is All You Need")
	p.DOI, p.Upvotes, p.Comment, p.JournalRef = "10.1/x", 42, "15 pages", "NeurIPS 2017"
	p.Links = append(p.Links, paper.Link{Kind: paper.LinkPDF, URL: "https://arxiv.org/pdf/2611.00001"})
	g0, _ := s.Generation(ctx)
	save(t, s, p)
	if p.ID == 0 || p.UID != "arxiv:2611.00001" {
		t.Fatalf("id %d uid %q", p.ID, p.UID)
	}
	if g1, _ := s.Generation(ctx); g1 != g0+1 {
		t.Errorf("generation %d -> %d", g0, g1)
	}
	var got []*paper.Paper
	err := s.Update(ctx, func(tx *Tx) error {
		var err error
		got, err = tx.Candidates(ctx, "other", "nope", "2611.00001", "", "")
		return err
	})
	if err != nil || len(got) != 1 {
		t.Fatalf("candidates by arXiv id: %v %d", err, len(got))
	}
	if !reflect.DeepEqual(got[0], p) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got[0], p)
	}
	// Every lookup path finds it; nothing else does.
	for name, args := range map[string][4]string{
		"sighting": {"arxiv", "g1", "", ""}, "doi": {"x", "y", "", "10.1/x"}, "title key": {"x", "y", "", ""},
	} {
		key := ""
		if name == "title key" {
			key = "key1"
		}
		s.Update(ctx, func(tx *Tx) error {
			c, err := tx.Candidates(ctx, args[0], args[1], args[2], args[3], key)
			if err != nil || len(c) != 1 || c[0].ID != p.ID {
				t.Errorf("%s lookup: %v %d", name, err, len(c))
			}
			return nil
		})
	}
	s.Update(ctx, func(tx *Tx) error {
		c, _ := tx.Candidates(ctx, "x", "y", "2611.99999", "10.9/z", "other")
		if len(c) != 0 {
			t.Errorf("unrelated lookup found %d", len(c))
		}
		return nil
	})
}

func TestFailedUpdateStoresNothing(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx *Tx) error {
		if err := tx.Save(ctx, testPaper(1, "A")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if st, _ := s.Stats(ctx); st.Papers != 0 {
		t.Errorf("rolled back pass left %d papers", st.Papers)
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	save(t, s, testPaper(1, "Kept"))
	s.Close()
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var v int
	s.r.QueryRow("PRAGMA user_version").Scan(&v)
	if v != len(migrations) {
		t.Errorf("user_version %d", v)
	}
	if st, _ := s.Stats(ctx); st.Papers != 1 {
		t.Errorf("papers after reopen: %d", st.Papers)
	}
	var mode string
	s.r.QueryRow("PRAGMA journal_mode").Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal_mode %q", mode)
	}
	if ok, err := s.IntegrityCheck(ctx); err != nil || ok != "ok" {
		t.Errorf("integrity: %q %v", ok, err)
	}
}

func TestTopicQuery(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	var ps []*paper.Paper
	for i := range 10 {
		p := testPaper(i, fmt.Sprintf("Paper %d about embeddings", i))
		if i%2 == 1 {
			p.Title = fmt.Sprintf("Paper %d about parsing", i)
			p.Abstract = "We study parsing."
			p.Categories = []string{"cs.LG"}
			p.Sightings[0].Source = "hf"
			p.Upvotes = i * 10
		}
		ps = append(ps, p)
	}
	save(t, s, ps...)
	ids := func(ps []*paper.Paper) []int {
		var out []int
		for _, p := range ps {
			var n int
			fmt.Sscanf(p.ArxivID, "2611.%05d", &n)
			out = append(out, n)
		}
		return out
	}
	tests := []struct {
		name string
		q    TopicQuery
		want []int
	}{
		{"all newest first", TopicQuery{Limit: 3}, []int{9, 8, 7}},
		{"fts", TopicQuery{Match: "embeddings", Limit: 50}, []int{8, 6, 4, 2, 0}},
		{"fts prefix and author", TopicQuery{Match: "embed* AND lovelace", Limit: 2}, []int{8, 6}},
		{"exclude", TopicQuery{Exclude: "embeddings", Limit: 50}, []int{9, 7, 5, 3, 1}},
		{"categories", TopicQuery{Categories: []string{"cs.LG"}, Limit: 2}, []int{9, 7}},
		{"sources", TopicQuery{Sources: []string{"hf"}, Limit: 50, MinUpvotes: 50}, []int{9, 7, 5}},
		{"since", TopicQuery{Since: day.Add(7 * time.Hour), Limit: 50}, []int{9, 8, 7}},
		{"window beyond limit", TopicQuery{WindowStart: day.Add(5 * time.Hour), Limit: 2, Cap: 100}, []int{9, 8, 7, 6, 5}},
		{"window capped", TopicQuery{WindowStart: day, Limit: 2, Cap: 4}, []int{9, 8, 7, 6}},
		{"limit beyond window", TopicQuery{WindowStart: day.Add(9 * time.Hour), Limit: 3, Cap: 100}, []int{9, 8, 7}},
		{"trending", TopicQuery{Sources: []string{"hf"}, Limit: 3, Sort: "trending", Now: day.Add(10 * time.Hour)}, []int{9, 7, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Topic(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ids(got), tt.want) {
				t.Errorf("got %v want %v", ids(got), tt.want)
			}
			for _, p := range got {
				if len(p.Sightings) != 1 {
					t.Errorf("paper %d has %d sightings loaded", p.ID, len(p.Sightings))
				}
			}
		})
	}
	_, err := s.Topic(ctx, TopicQuery{Match: "foo AND ("})
	var qe *QueryError
	if !errors.As(err, &qe) {
		t.Errorf("bad query: %v", err)
	}
	if err := s.CheckQuery(ctx, `"a b" OR c*`); err != nil {
		t.Error(err)
	}
	if err := s.CheckQuery(ctx, `NOT x`); !errors.As(err, &qe) {
		t.Errorf("CheckQuery(NOT x) = %v", err)
	}
}

func TestTrendingScoreWeighsAge(t *testing.T) {
	now := day.Add(48 * time.Hour)
	fresh := &paper.Paper{Upvotes: 10, Published: now.Add(-2 * time.Hour)}
	old := &paper.Paper{Upvotes: 30, Published: now.Add(-40 * time.Hour)}
	if TrendingScore(fresh, now) <= TrendingScore(old, now) {
		t.Error("10 upvotes in 2 hours should outrank 30 in 40 hours")
	}
}

func TestSourceState(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	st, err := s.SourceState(ctx, "nope")
	if err != nil || st.Name != "nope" || !st.LastAttempt.IsZero() {
		t.Fatalf("unknown source: %+v %v", st, err)
	}
	want := SourceState{Name: "a", Type: "feed", State: []byte(`{"validators":{}}`), LastAttempt: day, LastError: "HTTP 500", LastErrorAt: day, Failures: 2, NextCheck: day.Add(time.Hour), LastSummary: "x"}
	if err := s.SaveSourceState(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.SourceState(ctx, "a")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, %v", got, err)
	}
	all, err := s.SourceStates(ctx)
	if err != nil || !reflect.DeepEqual(all["a"], want) {
		t.Errorf("all: %+v %v", all, err)
	}
}

func TestGenerationSeesWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	ctx := context.Background()
	a, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, path) // stands in for another process
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	g0, _ := a.Generation(ctx)
	save(t, a, testPaper(1, "Own write"))
	if g, _ := a.Generation(ctx); g != g0+1 {
		t.Fatalf("own write not seen at once: %d -> %d", g0, g)
	}
	g1, _ := a.Generation(ctx)
	save(t, b, testPaper(2, "Other process"))
	// Seen within GenerationTTL (polled, not assumed: no wall-clock bound asserted beyond the TTL's own).
	deadline := time.Now().Add(10 * GenerationTTL)
	for {
		g, err := a.Generation(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if g == g1+1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a write by another store never became visible (generation %d)", g)
		}
		time.Sleep(GenerationTTL / 5)
	}
}

// TestCandidateLookupUsesIndexes keeps matching independent of the store's
// size: every branch of the candidate query is an index search, never a scan.
func TestCandidateLookupUsesIndexes(t *testing.T) {
	s := openTest(t)
	rows, err := s.w.Query("EXPLAIN QUERY PLAN "+writeSQL[stCandidates], "src", "guid", "2401.00001", "10.1/x", "key")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	joined := strings.Join(plan, "\n")
	for _, want := range []string{"sqlite_autoindex_sightings_1", "papers_arxiv_id", "papers_doi", "papers_title_key"} {
		if !strings.Contains(joined, want) {
			t.Errorf("plan does not use %s:\n%s", want, joined)
		}
	}
	for _, line := range plan {
		if strings.HasPrefix(line, "SCAN") {
			t.Errorf("plan scans a table: %q\n%s", line, joined)
		}
	}
}
