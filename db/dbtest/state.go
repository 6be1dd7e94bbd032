package dbtest

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// testSourceState: a source's state round-trips, outside a pass and within
// one, and counts the papers the source sighted.
func testSourceState(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.New(t)
	st, err := s.SourceState(ctx, "nope")
	if err != nil || !reflect.DeepEqual(st, db.SourceState{Name: "nope"}) {
		t.Fatalf("unknown source: %+v %v", st, err)
	}
	outside := db.SourceState{Name: "a", Type: "feed", State: []byte(`{"validators":{}}`), LastAttempt: Day, LastError: "HTTP 500",
		LastErrorAt: Day, Failures: 2, NextCheck: Day.Add(time.Hour), LastSummary: "x"}
	inPass := db.SourceState{Name: "arxiv", Type: "arxiv", State: []byte(`{"etag":"\"v1\""}`), LastAttempt: Day, LastSuccess: Day,
		NextCheck: Day.Add(2 * time.Hour), LastSummary: "2 new", Papers: 2}

	t.Run("outside a pass", func(t *testing.T) {
		if err := s.SaveSourceState(ctx, outside); err != nil {
			t.Fatal(err)
		}
		got, err := s.SourceState(ctx, "a")
		if err != nil || !reflect.DeepEqual(got, outside) {
			t.Errorf("got %+v, %v", got, err)
		}
	})
	t.Run("in a pass", func(t *testing.T) {
		err := s.Update(ctx, func(tx db.Tx) error {
			for _, p := range []*model.Paper{Paper(1, "A"), Paper(2, "B")} {
				if err := tx.Save(ctx, p); err != nil {
					return err
				}
			}
			return tx.SaveSourceState(ctx, inPass)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.SourceState(ctx, "arxiv")
		if err != nil || !reflect.DeepEqual(got, inPass) {
			t.Errorf("got %+v, %v", got, err)
		}
	})
	t.Run("overwritten", func(t *testing.T) {
		outside.Failures, outside.LastError, outside.LastSuccess = 0, "", Day.Add(time.Hour)
		if err := s.SaveSourceState(ctx, outside); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.SourceState(ctx, "a"); !reflect.DeepEqual(got, outside) {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("all", func(t *testing.T) {
		all, err := s.SourceStates(ctx)
		if err != nil || !reflect.DeepEqual(all, map[string]db.SourceState{"a": outside, "arxiv": inPass}) {
			t.Errorf("all: %+v %v", all, err)
		}
	})
}

// testGeneration: a committed write of papers changes the generation; a pass
// that only touches sightings or saves source state, and a rolled-back one, do
// not; another handle sees a change within the engine's lag.
func testGeneration(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.New(t)
	p := Paper(1, "A")
	for _, tt := range []struct {
		name    string
		fn      func(tx db.Tx) error
		changes bool
	}{
		{"save", func(tx db.Tx) error { return tx.Save(ctx, p) }, true},
		{"touch only", func(tx db.Tx) error { return tx.Touch(ctx, "arxiv", "g1", Day.Add(time.Hour)) }, false},
		{"source state only", func(tx db.Tx) error { return tx.SaveSourceState(ctx, db.SourceState{Name: "arxiv"}) }, false},
		{"nothing", func(tx db.Tx) error { return nil }, false},
		{"rolled back save", func(tx db.Tx) error {
			if err := tx.Save(ctx, Paper(2, "B")); err != nil {
				return err
			}
			return fmt.Errorf("fail the pass")
		}, false},
		{"update of a stored paper", func(tx db.Tx) error { p.Upvotes++; return tx.Save(ctx, p) }, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := generation(t, s)
			s.Update(ctx, tt.fn)
			after := generation(t, s)
			if tt.changes && after <= before {
				t.Errorf("generation %d -> %d: want it to grow", before, after)
			}
			if !tt.changes && after != before {
				t.Errorf("generation %d -> %d: want it unchanged", before, after)
			}
		})
	}
	t.Run("saving source state outside a pass", func(t *testing.T) {
		before := generation(t, s)
		if err := s.SaveSourceState(ctx, db.SourceState{Name: "b"}); err != nil {
			t.Fatal(err)
		}
		if after := generation(t, s); after != before {
			t.Errorf("generation %d -> %d", before, after)
		}
	})
	t.Run("another handle's write", func(t *testing.T) {
		if b.Again == nil {
			t.Skip("the backend opens no second handle")
		}
		other := b.Again(t, s)
		before := generation(t, s)
		Save(t, other, Paper(3, "From another process"))
		// Polled, not assumed: the only bound asserted is the engine's own.
		deadline := time.Now().Add(10 * b.GenerationLag)
		for generation(t, s) == before {
			if time.Now().After(deadline) {
				t.Fatalf("a write through another handle never became visible (generation %d)", before)
			}
			time.Sleep(b.GenerationLag / 5)
		}
	})
}

// testMigrations: a store written by the oldest schema opens, keeps every
// paper, finds them by text, and takes updates and new papers.
func testMigrations(t *testing.T, b Backend) {
	if b.Old == nil {
		t.Skip("the backend has no older schema")
	}
	ctx := context.Background()
	old := []*model.Paper{Paper(1, "Sheaves on graphs"), Paper(2, "Operads in practice")}
	old[1].DOI, old[1].Upvotes = "10.3/op", 5
	s := b.Old(t, old)
	for _, p := range old {
		assertPaper(t, byArxivID(t, s, p.ArxivID), p)
	}
	match := func(expr string) []int {
		t.Helper()
		ps, err := s.Topic(ctx, db.TopicQuery{Match: expr, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return numbers(ps)
	}
	for _, expr := range []string{"sheaves", `"sheaves"`, "shea*"} {
		if got := match(expr); !reflect.DeepEqual(got, []int{1}) {
			t.Errorf("old paper by %s: %v", expr, got)
		}
	}
	p := byArxivID(t, s, "2611.00001")
	p.Title, p.Abstract = "Cosheaves on graphs", "We study cosheaves."
	Save(t, s, p, Paper(3, "Sheaves again"))
	for _, tt := range []struct {
		expr string
		want []int
	}{{"cosheaves", []int{1}}, {"sheaves", []int{3}}, {"operads", []int{2}}} {
		if got := match(tt.expr); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("after migration, %q matches %v, want %v", tt.expr, got, tt.want)
		}
	}
	if st := stats(t, s); st.Papers != 3 {
		t.Errorf("stats %+v", st)
	}
}

// testConcurrentReaders: readers are not blocked by an open write
// transaction and do not see its writes before it commits.
func testConcurrentReaders(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.New(t)
	Save(t, s, Paper(1, "Committed"))
	g0 := generation(t, s)
	reads := map[string]func() error{
		"topic": func() error {
			ps, err := s.Topic(ctx, db.TopicQuery{Match: "committed OR uncommitted", Limit: 10})
			if err == nil && !reflect.DeepEqual(numbers(ps), []int{1}) {
				err = fmt.Errorf("sees %v", numbers(ps))
			}
			return err
		},
		"stats": func() error {
			st, err := s.Stats(ctx)
			if err == nil && st.Papers != 1 {
				err = fmt.Errorf("sees %d papers", st.Papers)
			}
			return err
		},
		"generation": func() error {
			g, err := s.Generation(ctx)
			if err == nil && g != g0 {
				err = fmt.Errorf("sees generation %d, committed %d", g, g0)
			}
			return err
		},
		"source states": func() error {
			all, err := s.SourceStates(ctx)
			if err == nil && len(all) != 0 {
				err = fmt.Errorf("sees %d", len(all))
			}
			return err
		},
		"check query": func() error { return s.CheckQuery(ctx, "uncommitted") },
		"ping":        func() error { return s.Ping(ctx) },
	}
	err := s.Update(ctx, func(tx db.Tx) error {
		if err := tx.Save(ctx, Paper(2, "Uncommitted")); err != nil {
			return err
		}
		if err := tx.SaveSourceState(ctx, db.SourceState{Name: "arxiv"}); err != nil {
			return err
		}
		var wg sync.WaitGroup
		errs := make(chan error, 4*len(reads))
		for name, read := range reads {
			for range 4 {
				wg.Go(func() {
					if err := read(); err != nil {
						errs <- fmt.Errorf("%s during a write: %w", name, err)
					}
				})
			}
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(time.Minute): // liveness only: a blocked reader never returns
			t.Fatal("readers blocked by an open write transaction")
		}
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st := stats(t, s); st.Papers != 2 {
		t.Errorf("after commit: %+v", st)
	}
}
