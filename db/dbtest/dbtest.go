// Package dbtest is the conformance suite of the db contract: every engine's
// tests call Run, so each engine is held to the same behaviour.
package dbtest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// Backend is an engine under test.
type Backend struct {
	// New returns an empty store, closed when the test ends.
	New func(t *testing.T) db.Store
	// Again opens a second handle on the database of s, as another process
	// would, closed when the test ends.
	Again func(t *testing.T, s db.Store) db.Store
	// Old writes ps into a database of the engine's oldest schema, as that
	// version stored them, and returns it opened (so migrated) by the current
	// code, closed when the test ends. Nil skips the migration tests.
	Old func(t *testing.T, ps []*model.Paper) db.Store
	// GenerationLag bounds how long a write through another handle may stay
	// unseen by Generation.
	GenerationLag time.Duration
}

// Run runs the whole suite against b.
func Run(t *testing.T, b Backend) {
	for _, c := range []struct {
		name string
		run  func(*testing.T, Backend)
	}{
		{"RoundTrip", testRoundTrip},
		{"Update", testUpdate},
		{"UID", testUID},
		{"Candidates", testCandidates},
		{"CandidateBlocks", testCandidateBlocks},
		{"Sightings", testSightings},
		{"SourceState", testSourceState},
		{"Generation", testGeneration},
		{"Topic", testTopic},
		{"TopicBounds", testTopicBounds},
		{"CheckQuery", testCheckQuery},
		{"Lookups", testLookups},
		{"ArxivLookups", testArxivLookups},
		{"UnknownIDs", testUnknownIDs},
		{"QuerySemantics", testQuerySemantics},
		{"Migrations", testMigrations},
		{"ConcurrentReaders", testConcurrentReaders},
		{"Leases", testLeases},
		{"WebSub", testWebSub},
		{"Digests", testDigests},
		{"PapersAfter", testPapersAfter},
		{"Restore", testRestore},
		{"CopyRows", testCopyRows},
		{"CopyDigests", testCopyDigests},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, b) })
	}
}

// Day is the date the suite's papers are published around.
var Day = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// Paper is a complete paper record numbered i: published i hours after Day,
// arXiv id 2611.0000i, title key "key<i>", one arxiv sighting "g<i>".
func Paper(i int, title string) *model.Paper {
	at := Day.Add(time.Duration(i) * time.Hour)
	return &model.Paper{
		Title: title, TitleKey: fmt.Sprintf("key%d", i), Abstract: "We study " + title + ".",
		Authors: []string{"Ada Lovelace", "Alan Turing"}, Published: at, Updated: at, FirstSeen: at,
		Categories: []string{"cs.CL"}, ArxivID: fmt.Sprintf("2611.%05d", i),
		Links:     []model.Link{{Kind: model.LinkAbstract, URL: fmt.Sprintf("https://arxiv.org/abs/2611.%05d", i)}},
		Sightings: []model.Sighting{{Source: "arxiv", GUID: fmt.Sprintf("g%d", i), Link: "https://arxiv.org/abs/x", FirstSeen: Day, LastSeen: Day}},
	}
}

// Save stores ps in one Update.
func Save(t testing.TB, s db.Store, ps ...*model.Paper) {
	t.Helper()
	ctx := context.Background()
	err := s.Update(ctx, func(tx db.Tx) error {
		for _, p := range ps {
			if err := tx.Save(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// lookup runs one Candidates lookup in its own Update.
func lookup(t *testing.T, s db.Store, source, guid, arxivID, doi, titleKey string, blocks []string) []db.Candidate {
	t.Helper()
	ctx := context.Background()
	var out []db.Candidate
	err := s.Update(ctx, func(tx db.Tx) error {
		var err error
		out, err = tx.Candidates(ctx, source, guid, arxivID, doi, titleKey, blocks)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// candidates runs one Candidates lookup and loads each candidate in full
// (Tx.Paper) in the same Update, checking that the candidate carries the
// stored paper's matching fields.
func candidates(t *testing.T, s db.Store, source, guid, arxivID, doi, titleKey string) []*model.Paper {
	t.Helper()
	ctx := context.Background()
	var out []*model.Paper
	err := s.Update(ctx, func(tx db.Tx) error {
		cs, err := tx.Candidates(ctx, source, guid, arxivID, doi, titleKey, nil)
		if err != nil {
			return err
		}
		for _, c := range cs {
			p, err := tx.Paper(ctx, c.ID)
			if err != nil {
				return err
			}
			if want := candidateOf(p, c.Listed); !reflect.DeepEqual(normalCandidate(c), want) {
				t.Errorf("candidate %d\n got %+v\nwant %+v (the stored paper's fields)", c.ID, c, want)
			}
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// candidateOf is the Candidate a lookup should return for a stored paper.
func candidateOf(p *model.Paper, listed bool) db.Candidate {
	c := db.Candidate{ID: p.ID, Title: p.Title, TitleKey: p.TitleKey, Authors: p.Authors, Published: p.Published,
		FirstSeen: p.FirstSeen, ArxivID: p.ArxivID, DOI: p.DOI, Listed: listed}
	return normalCandidate(c)
}

func normalCandidate(c db.Candidate) db.Candidate {
	if len(c.Authors) == 0 {
		c.Authors = nil
	}
	return c
}

// byArxivID loads the stored paper with the given arXiv id (nil when none).
func byArxivID(t *testing.T, s db.Store, id string) *model.Paper {
	t.Helper()
	ps := candidates(t, s, "", "", id, "", "")
	if len(ps) > 1 {
		t.Fatalf("%d papers with arXiv id %s", len(ps), id)
	}
	if len(ps) == 0 {
		return nil
	}
	return ps[0]
}

// assertPaper compares two papers field by field; an engine may return an
// empty list as nil or empty.
func assertPaper(t *testing.T, got, want *model.Paper) {
	t.Helper()
	if got == nil {
		t.Fatalf("paper %q not found", want.Title)
	}
	g, w := normal(got), normal(want)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("stored paper differs:\n got %+v\nwant %+v", g, w)
	}
}

func normal(p *model.Paper) model.Paper {
	n := *p
	if len(n.Authors) == 0 {
		n.Authors = nil
	}
	if len(n.Categories) == 0 {
		n.Categories = nil
	}
	if len(n.Links) == 0 {
		n.Links = nil
	}
	if len(n.Sightings) == 0 {
		n.Sightings = nil
	}
	return n
}

// stats reads the store's counts.
func stats(t *testing.T, s db.Store) db.Stats {
	t.Helper()
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// generation reads the store's generation.
func generation(t *testing.T, s db.Store) int64 {
	t.Helper()
	g, err := s.Generation(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// numbers are the paper numbers (see Paper) of ps, in order.
func numbers(ps []*model.Paper) []int {
	out := []int{}
	for _, p := range ps {
		var n int
		fmt.Sscanf(p.ArxivID, "2611.%05d", &n)
		out = append(out, n)
	}
	return out
}
