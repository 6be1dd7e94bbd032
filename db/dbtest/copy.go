package dbtest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// copyPapers are three stored papers for the copy cases: every field set,
// blocking keys, two sightings on one.
func copyPapers() []*model.Paper {
	a, b, c := Paper(1, "Contrastive embeddings"), Paper(2, "Parsing with grammars"), Paper(3, "Sparse note")
	a.DOI, a.Upvotes, a.Comment, a.JournalRef = "10.1/a", 12, "9 pages", "ACL 2026"
	a.Categories = []string{"cs.CL", "cs.LG"}
	a.BlockKeys = []string{"contrastive embeddings", "lovelace contrastive"}
	a.Sightings = append(a.Sightings, model.Sighting{Source: "hf", GUID: "h1", Link: "https://hf.co/papers/x", FirstSeen: Day.Add(time.Hour), LastSeen: Day.Add(2 * time.Hour)})
	b.BlockKeys = []string{"grammars parsing"}
	c.ArxivID, c.Categories, c.Links, c.Authors = "", nil, nil, nil
	c.UID = "pf:0123456789abcdef"
	return []*model.Paper{a, b, c}
}

// testPapersAfter: papers page in ID order with their sightings and
// blocking keys, each once, until none is left.
func testPapersAfter(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.New(t)
	want := copyPapers()
	Save(t, s, want...)
	var got []*model.Paper
	for after := int64(0); ; {
		page, err := s.PapersAfter(ctx, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 2 {
			t.Fatalf("page of %d papers, asked for 2", len(page))
		}
		if len(page) == 0 {
			break
		}
		got = append(got, page...)
		after = page[len(page)-1].ID
	}
	if len(got) != len(want) {
		t.Fatalf("paged %d papers, stored %d", len(got), len(want))
	}
	for i := range want {
		assertPaper(t, got[i], want[i])
	}
	if page, err := s.PapersAfter(ctx, want[2].ID, 10); err != nil || len(page) != 0 {
		t.Errorf("after the last paper: %d papers, %v", len(page), err)
	}
}

// testRestore: a paper restored into another store keeps its ID, UID and
// every field, is found by the derived indexes (full text, categories,
// blocking keys), and later papers are saved above it; a restored ID or UID
// that is taken fails the transaction.
func testRestore(t *testing.T, b Backend) {
	ctx := context.Background()
	src := b.New(t)
	ps := copyPapers()
	Save(t, src, ps...)
	read, err := src.PapersAfter(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	read = read[1:] // the destination holds no paper of ID 1: restored IDs keep their gaps
	dst := b.New(t)
	restore := func(ps ...*model.Paper) error {
		return dst.Update(ctx, func(tx db.Tx) error { return tx.Restore(ctx, ps) })
	}
	if err := restore(read...); err != nil {
		t.Fatal(err)
	}
	t.Run("every field", func(t *testing.T) {
		got, err := dst.PapersAfter(ctx, 0, 10)
		if err != nil || len(got) != 2 {
			t.Fatalf("%d papers, %v", len(got), err)
		}
		for i := range got {
			assertPaper(t, got[i], read[i])
		}
	})
	t.Run("derived indexes", func(t *testing.T) {
		if got, err := dst.Topic(ctx, db.TopicQuery{Match: "grammars", Categories: []string{"cs.CL"}, Limit: 10}); err != nil || len(got) != 1 || got[0].UID != read[0].UID {
			t.Errorf("full text and categories: %v %v", numbers(got), err)
		}
		var got []db.Candidate
		err := dst.Update(ctx, func(tx db.Tx) error {
			var err error
			got, err = tx.Candidates(ctx, "", "", "", "", "", []string{"grammars parsing"})
			return err
		})
		if err != nil || len(got) != 1 || got[0].ID != read[0].ID {
			t.Errorf("blocking key: %+v %v", got, err)
		}
	})
	t.Run("saved later above", func(t *testing.T) {
		p := Paper(9, "Saved after the copy")
		Save(t, dst, p)
		if p.ID <= read[len(read)-1].ID {
			t.Errorf("new paper got ID %d, restored ones reach %d", p.ID, read[len(read)-1].ID)
		}
	})
	for _, tt := range []struct {
		name string
		edit func(p *model.Paper)
	}{
		{"taken ID", func(p *model.Paper) { p.UID = "pf:other" }},
		{"taken UID", func(p *model.Paper) { p.ID = 100 }},
		{"no ID", func(p *model.Paper) { p.ID, p.UID = 0, "pf:fresh" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := stats(t, dst)
			p := *read[0]
			p.Sightings = []model.Sighting{{Source: "other", GUID: tt.name, FirstSeen: Day, LastSeen: Day}}
			tt.edit(&p)
			ok := Paper(50, "Restored in the same failed transaction")
			ok.ID, ok.UID = 50, "pf:fifty"
			if err := restore(ok, &p); err == nil {
				t.Fatal("restore succeeded")
			}
			if after := stats(t, dst); after != before {
				t.Errorf("failed restore left %+v, had %+v", after, before)
			}
		})
	}
}

// testCopyRows: lookups page by id, Counts counts every kind of row, unknown
// ids and websub records are written in a transaction (and roll back with it), copy marks round-trip, are replaced by
// part and roll back with their transaction.
func testCopyRows(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.New(t)
	if c, err := s.Counts(ctx); err != nil || c != (db.Counts{}) {
		t.Fatalf("empty store counts %+v, %v", c, err)
	}
	if m, err := s.CopyMarks(ctx); err != nil || len(m) != 0 {
		t.Fatalf("empty store marks %v, %v", m, err)
	}
	Save(t, s, copyPapers()...)
	ls := []db.ArxivLookup{
		{ArxivID: "2611.00001", Outcome: db.LookupFound, At: Day},
		{ArxivID: "2611.00002", Outcome: db.LookupNotFound, At: Day.Add(time.Hour)},
		{ArxivID: "2611.00003", Outcome: db.LookupFailed, At: Day.Add(2 * time.Hour), Error: "HTTP 503"},
	}
	ws := db.WebSubState{Hub: "https://hub.example/", URL: "https://papers.example/topics/all.atom", Fingerprint: "f1",
		LastSuccess: Day, LastError: "hub answered 503", LastErrorAt: Day.Add(time.Minute)}
	mark := db.CopyMark{Part: "papers", Source: "SQLite /tmp/a.db", After: "3", Rows: 3, At: Day}
	err := s.Update(ctx, func(tx db.Tx) error {
		if err := tx.RecordArxivLookups(ctx, ls); err != nil {
			return err
		}
		if err := tx.SaveSourceState(ctx, db.SourceState{Name: "arxiv", Type: "arxiv"}); err != nil {
			return err
		}
		if err := tx.RecordUnknownID(ctx, "doi:10.9/x", Day); err != nil {
			return err
		}
		if err := tx.SaveWebSubState(ctx, ws); err != nil {
			return err
		}
		return tx.SaveCopyMark(ctx, mark)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("lookups page by id", func(t *testing.T) {
		var got []db.ArxivLookup
		for after := ""; ; {
			page, err := s.ArxivLookupsAfter(ctx, after, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			got = append(got, page...)
			after = page[len(page)-1].ArxivID
		}
		if !reflect.DeepEqual(got, ls) {
			t.Errorf("paged lookups\n got %+v\nwant %+v", got, ls)
		}
	})
	t.Run("counts", func(t *testing.T) {
		want := db.Counts{Papers: 3, Sightings: 4, Categories: 3, BlockKeys: 3, SourceStates: 1, ArxivLookups: 3, UnknownIDs: 1, WebSubStates: 1}
		if c, err := s.Counts(ctx); err != nil || c != want {
			t.Errorf("counts %+v, %v; want %+v", c, err, want)
		}
	})
	t.Run("unknown id in a transaction", func(t *testing.T) {
		if got, err := s.UnknownIDs(ctx); err != nil || !got["doi:10.9/x"].Equal(Day) {
			t.Errorf("unknown ids %v, %v", got, err)
		}
	})
	t.Run("websub in a transaction", func(t *testing.T) {
		rolledBack := db.WebSubState{Hub: "https://other.example/", URL: ws.URL, Fingerprint: "f2", LastSuccess: Day}
		s.Update(ctx, func(tx db.Tx) error {
			if err := tx.SaveWebSubState(ctx, rolledBack); err != nil {
				t.Error(err)
			}
			return context.Canceled // rolled back
		})
		if got, err := s.WebSubStates(ctx); err != nil || !reflect.DeepEqual(got, []db.WebSubState{ws}) {
			t.Errorf("websub records %+v, %v; want %+v", got, err, ws)
		}
	})
	t.Run("marks", func(t *testing.T) {
		next := db.CopyMark{Part: "papers", Source: "SQLite /tmp/a.db", After: "1000", Rows: 1000, At: Day.Add(time.Minute)}
		other := db.CopyMark{Part: "sources", Source: "SQLite /tmp/a.db", After: "arxiv", Rows: 1, At: Day.Add(time.Minute)}
		if err := s.Update(ctx, func(tx db.Tx) error {
			if err := tx.SaveCopyMark(ctx, next); err != nil {
				return err
			}
			return tx.SaveCopyMark(ctx, other)
		}); err != nil {
			t.Fatal(err)
		}
		s.Update(ctx, func(tx db.Tx) error {
			tx.SaveCopyMark(ctx, db.CopyMark{Part: "papers", After: "2000", Rows: 2000})
			return context.Canceled // rolled back
		})
		got, err := s.CopyMarks(ctx)
		if want := map[string]db.CopyMark{"papers": next, "sources": other}; err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("marks\n got %+v\nwant %+v (%v)", got, want, err)
		}
	})
}
