package copystore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/copystore"
	"github.com/paperfeed/paperfeed/db/dbtest"
	"github.com/paperfeed/paperfeed/db/model"
	"github.com/paperfeed/paperfeed/db/postgres"
	"github.com/paperfeed/paperfeed/db/postgres/pgtest"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

// engine opens empty stores of one kind.
type engine struct {
	name string
	open func(t *testing.T) db.Store
}

func sqliteStore(t *testing.T) db.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func postgresStore(t *testing.T) db.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), pgtest.URL(t), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var (
	onSQLite   = engine{"sqlite", sqliteStore}
	onPostgres = engine{"postgres", postgresStore}
)

// fill stores n papers (every field on some, blocking keys, several
// sightings, a given "pf:" UID, an ID gap), source states, arXiv lookups
// and unknown ids into s.
func fill(t *testing.T, s db.Store, n int) {
	t.Helper()
	ctx := context.Background()
	var ps []*model.Paper
	for i := 1; i <= n; i++ {
		p := dbtest.Paper(i, fmt.Sprintf("Paper %d on contrastive embeddings", i))
		p.FirstSeen = dbtest.Day.Add(time.Duration(i) * time.Minute)
		switch i % 4 {
		case 0:
			p.DOI, p.Upvotes, p.Comment, p.JournalRef = fmt.Sprintf("10.1/%d", i), i, "12 pages", "ACL"
			p.Authors = append(p.Authors, "Éva Tardos")
			p.Links = append(p.Links, model.Link{Kind: model.LinkCode, URL: "https://github.com/x/y"})
		case 1:
			p.BlockKeys = []string{fmt.Sprintf("contrastive paper%d", i), "embeddings lovelace"}
			p.Categories = append(p.Categories, "cs.LG")
		case 2:
			p.Sightings = append(p.Sightings, model.Sighting{Source: "hf", GUID: fmt.Sprintf("h%d", i), Link: "https://hf.co/x",
				FirstSeen: dbtest.Day, LastSeen: dbtest.Day.Add(time.Hour)})
		case 3:
			p.ArxivID, p.Categories, p.UID = "", nil, fmt.Sprintf("pf:%016x", i)
		}
		ps = append(ps, p)
	}
	dbtest.Save(t, s, ps...)
	err := s.Update(ctx, func(tx db.Tx) error {
		for _, st := range []db.SourceState{
			{Name: "arxiv", Type: "arxiv", State: []byte(`{"etag":"x"}`), LastAttempt: dbtest.Day, LastSuccess: dbtest.Day, NextCheck: dbtest.Day.Add(time.Hour), LastSummary: "3 new"},
			{Name: "hf", Type: "huggingface", LastAttempt: dbtest.Day, LastError: "HTTP 503", LastErrorAt: dbtest.Day, Failures: 2},
		} {
			if err := tx.SaveSourceState(ctx, st); err != nil {
				return err
			}
		}
		var ls []db.ArxivLookup
		for i := 1; i <= n; i += 3 {
			ls = append(ls, db.ArxivLookup{ArxivID: fmt.Sprintf("2611.%05d", i), Outcome: db.LookupFound, At: dbtest.Day})
		}
		ls = append(ls, db.ArxivLookup{ArxivID: "2611.99999", Outcome: db.LookupFailed, At: dbtest.Day, Error: "timeout"})
		if err := tx.RecordArxivLookups(ctx, ls); err != nil {
			return err
		}
		for _, id := range []string{"doi:10.9/unknown", "arxiv:2611.88888"} {
			if err := tx.RecordUnknownID(ctx, id, dbtest.Day); err != nil {
				return err
			}
		}
		for _, st := range []db.WebSubState{
			{Hub: "https://hub.example/", URL: "https://papers.example/topics/all.atom", Fingerprint: "f1", LastSuccess: dbtest.Day},
			{Hub: "https://hub.example/", URL: "https://papers.example/topics/all.rss", Fingerprint: "f2", LastSuccess: dbtest.Day,
				LastError: "hub answered 503", LastErrorAt: dbtest.Day.Add(time.Hour)},
			{Hub: "https://a-hub.example/", URL: "https://papers.example/topics/all.atom", LastError: "dial tcp: refused", LastErrorAt: dbtest.Day},
		} {
			if err := tx.SaveWebSubState(ctx, st); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dbtest.SendDigests(t, s)
}

func copyAll(t *testing.T, src, dst db.Store, o copystore.Options) *copystore.Result {
	t.Helper()
	if o.Source == "" {
		o.Source, o.Dest = "source", "destination"
	}
	res, err := copystore.Copy(context.Background(), src, dst, o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestRoundTrip: SQLite -> PostgreSQL -> SQLite gives back every row as it
// was, IDs and UIDs included; SQLite -> SQLite without PostgreSQL.
func TestRoundTrip(t *testing.T) {
	for _, path := range [][]engine{{onSQLite, onSQLite}, {onSQLite, onPostgres, onSQLite}, {onPostgres, onSQLite, onPostgres}} {
		var names []string
		for _, e := range path {
			names = append(names, e.name)
		}
		t.Run(strings.Join(names, "-"), func(t *testing.T) {
			src := path[0].open(t)
			fill(t, src, 60)
			want := dbtest.Dump(t, src)
			from := src
			for _, e := range path[1:] {
				to := e.open(t)
				res := copyAll(t, from, to, copystore.Options{Batch: 25})
				if res.Resumed {
					t.Error("a copy into an empty store says it resumed")
				}
				for _, c := range res.Counts {
					if c.Source != c.Dest {
						t.Errorf("count %+v", c)
					}
				}
				dbtest.AssertSameContents(t, dbtest.Dump(t, to), want)
				from = to
			}
			// The copy serves as the original: queries by the rebuilt
			// full-text index, categories and blocking keys, and new papers
			// get IDs above the copied ones.
			ctx := context.Background()
			got, err := from.Topic(ctx, db.TopicQuery{Match: `"paper 5"`, Categories: []string{"cs.LG"}, Limit: 10})
			if err != nil || len(got) != 1 || got[0].ArxivID != "2611.00005" {
				t.Errorf("query on the copy: %d papers, %v", len(got), err)
			}
			p := dbtest.Paper(1000, "After the copy")
			dbtest.Save(t, from, p)
			if p.ID <= want.Papers[len(want.Papers)-1].ID {
				t.Errorf("a paper saved into the copy got ID %d", p.ID)
			}
		})
	}
}

// copyCancelled copies src into dst in batches of batch rows, cancelling
// the copy after the batch stop is true of.
func copyCancelled(t *testing.T, src, dst db.Store, batch int, stop func(copystore.Progress) bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := copystore.Copy(ctx, src, dst, copystore.Options{Source: "source", Dest: "destination", Batch: batch, Progress: func(p copystore.Progress) {
		if stop(p) {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled copy returned %v", err)
	}
}

// TestResumeKeyedPart: a copy cancelled inside a part paged by a composite
// key (its mark a JSON array) resumes after that key, every row once.
func TestResumeKeyedPart(t *testing.T) {
	for _, e := range []engine{onSQLite, onPostgres} {
		t.Run(e.name, func(t *testing.T) {
			src := sqliteStore(t)
			fill(t, src, 10)
			want := dbtest.Dump(t, src)
			dst := e.open(t)
			copyCancelled(t, src, dst, 3, func(p copystore.Progress) bool { return p.Part == "digest-papers" })
			if c, _ := dst.Counts(context.Background()); c.DigestPapers != 3 {
				t.Errorf("cancelled after one batch of 3 digest papers: %d", c.DigestPapers)
			}
			if res := copyAll(t, src, dst, copystore.Options{Batch: 3}); !res.Resumed {
				t.Error("the second run did not resume")
			}
			dbtest.AssertSameContents(t, dbtest.Dump(t, dst), want)
		})
	}
}

// TestResume: a copy cancelled after some batches, or failing inside one,
// completes when run again, with every row once.
func TestResume(t *testing.T) {
	for _, e := range []engine{onSQLite, onPostgres} {
		t.Run(e.name, func(t *testing.T) {
			src := sqliteStore(t)
			fill(t, src, 50)
			want := dbtest.Dump(t, src)
			dst := e.open(t)
			ctx := context.Background()

			// Cancelled after three batches of 7 papers.
			batches := 0
			copyCancelled(t, src, dst, 7, func(copystore.Progress) bool { batches++; return batches == 3 })
			if st, _ := dst.Stats(ctx); st.Papers != 21 {
				t.Errorf("cancelled after 3 batches of 7: %d papers", st.Papers)
			}

			// Failing inside the next batch, after restoring some of its papers.
			parts := copystore.Parts()
			read := parts[0].Read
			parts[0].Read = func(ctx context.Context, s db.Store, after string, n int) (copystore.Batch, error) {
				b, err := read(ctx, s, after, n)
				write := b.Write
				b.Write = func(ctx context.Context, tx db.Tx) error {
					if err := write(ctx, tx); err != nil {
						return err
					}
					return errors.New("disk full")
				}
				return b, err
			}
			if _, err := copystore.Copy(ctx, src, dst, copystore.Options{Source: "source", Dest: "destination", Batch: 7, Parts: parts}); err == nil || !strings.Contains(err.Error(), "disk full") {
				t.Fatalf("failing copy returned %v", err)
			}
			if st, _ := dst.Stats(ctx); st.Papers != 21 {
				t.Errorf("the failed batch left %d papers, want the 21 committed before", st.Papers)
			}

			res := copyAll(t, src, dst, copystore.Options{Batch: 7})
			if !res.Resumed {
				t.Error("the second run did not resume")
			}
			dbtest.AssertSameContents(t, dbtest.Dump(t, dst), want)

			// Run again on the finished copy: nothing to copy, counts agree.
			copyAll(t, src, dst, copystore.Options{Batch: 7})
			dbtest.AssertSameContents(t, dbtest.Dump(t, dst), want)
		})
	}
}

// TestRefusesForeignDestination: a destination holding anything not copied
// from this source by copy-store is refused and left as it was.
func TestRefusesForeignDestination(t *testing.T) {
	ctx := context.Background()
	partial := func(t *testing.T, src, dst db.Store, batches int) {
		t.Helper()
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		n := 0
		copystore.Copy(cctx, src, dst, copystore.Options{Source: "source", Dest: "destination", Batch: 5, Progress: func(copystore.Progress) {
			if n++; n == batches {
				cancel()
			}
		}})
	}
	for _, tt := range []struct {
		name    string
		prepare func(t *testing.T, src, dst db.Store)
		want    string
	}{
		{"papers of its own", func(t *testing.T, _, dst db.Store) {
			dbtest.Save(t, dst, dbtest.Paper(1, "Collected elsewhere"))
		}, "it holds 1 papers, 1 sightings, 1 paper categories, and no copy into it was ever started"},
		{"only source state", func(t *testing.T, _, dst db.Store) {
			dst.SaveSourceState(ctx, db.SourceState{Name: "arxiv", Failures: 1})
		}, "it holds 1 source states"},
		{"partial copy of another store", func(t *testing.T, _, dst db.Store) {
			other := sqliteStore(t)
			for i := 1; i <= 12; i++ {
				p := dbtest.Paper(i, "Another store's paper")
				p.ArxivID = fmt.Sprintf("2612.%05d", i)
				dbtest.Save(t, other, p)
			}
			partial(t, other, dst, 2)
		}, "is a partial copy of another store (source, by its marks): the last paper copied into it (ID 10) is arxiv:2612.00010, the source's paper 10 is arxiv:2611.00010"},
		{"partial copy written into since", func(t *testing.T, src, dst db.Store) {
			partial(t, src, dst, 2)
			dbtest.Save(t, dst, dbtest.Paper(500, "Collected into the partial copy"))
		}, "it holds 11 papers, but its copy marks account for 10: something else wrote into it since"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := sqliteStore(t)
			fill(t, src, 20)
			dst := sqliteStore(t)
			tt.prepare(t, src, dst)
			before := dbtest.Dump(t, dst)
			_, err := copystore.Copy(ctx, src, dst, copystore.Options{Source: "source", Dest: "destination", Batch: 5})
			var re *copystore.RefusedError
			if !errors.As(err, &re) {
				t.Fatalf("copy returned %v, want a refusal", err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "refusing to copy into destination: ") {
				t.Errorf("refusal %q lacks %q", err, tt.want)
			}
			dbtest.AssertSameContents(t, dbtest.Dump(t, dst), before)
		})
	}
}

// TestCountMismatch: a source written into during the copy (a collect
// merging a sighting into a copied paper) fails the final count check,
// which names the differing counts.
func TestCountMismatch(t *testing.T) {
	ctx := context.Background()
	src := sqliteStore(t)
	fill(t, src, 20)
	dst := sqliteStore(t)
	written := false
	_, err := copystore.Copy(ctx, src, dst, copystore.Options{Source: "source", Dest: "destination", Batch: 5, Progress: func(p copystore.Progress) {
		if written || p.Part != "papers" {
			return
		}
		written = true
		err := src.Update(ctx, func(tx db.Tx) error {
			ps, err := src.PapersAfter(ctx, 0, 1)
			if err != nil {
				return err
			}
			ps[0].Sightings = append(ps[0].Sightings, model.Sighting{Source: "late", GUID: "l1", FirstSeen: dbtest.Day, LastSeen: dbtest.Day})
			return tx.Save(ctx, ps[0])
		})
		if err != nil {
			t.Error(err)
		}
	}})
	var me *copystore.MismatchError
	if !errors.As(err, &me) {
		t.Fatalf("copy returned %v, want a count mismatch", err)
	}
	if want := []copystore.Compared{{What: "sightings", Source: 26, Dest: 25}}; fmt.Sprint(me.Differ) != fmt.Sprint(want) {
		t.Errorf("differing counts %+v, want %+v", me.Differ, want)
	}
	if !strings.Contains(err.Error(), "sightings: source 26, destination 25") {
		t.Errorf("message %q", err)
	}
}
