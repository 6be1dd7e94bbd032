package dbtest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// testArxivLookups: records of ids asked of the arXiv API round-trip and are
// replaced; papers without categories are to complete until found or not
// found, and failed ones again once their failure is older than the bound.
func testArxivLookups(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.New(t)
	p1, p2, p3, p4, p5 := Paper(1, "Categorised"), Paper(2, "Found"), Paper(3, "Not found"), Paper(4, "Failed"), Paper(5, "Never asked")
	for _, p := range []*model.Paper{p2, p3, p4, p5} {
		p.Categories = nil
	}
	p6 := Paper(6, "No arXiv id")
	p6.ArxivID, p6.Categories = "", nil
	Save(t, s, p1, p2, p3, p4, p5, p6)

	record := func(t *testing.T, ls ...db.ArxivLookup) {
		t.Helper()
		if err := s.Update(ctx, func(tx db.Tx) error { return tx.RecordArxivLookups(ctx, ls) }); err != nil {
			t.Fatal(err)
		}
	}
	toComplete := func(t *testing.T, retryBefore time.Time, limit int) []string {
		t.Helper()
		ids, err := s.ArxivIDsToComplete(ctx, retryBefore, limit)
		if err != nil {
			t.Fatal(err)
		}
		if ids == nil {
			ids = []string{}
		}
		return ids
	}
	failed := db.ArxivLookup{ArxivID: p4.ArxivID, Outcome: db.LookupFailed, At: Day.Add(time.Hour), Error: "HTTP 503"}

	t.Run("never asked", func(t *testing.T) {
		got := toComplete(t, Day, 10)
		if want := []string{p5.ArxivID, p4.ArxivID, p3.ArxivID, p2.ArxivID}; !reflect.DeepEqual(got, want) {
			t.Errorf("to complete %v, want %v (newest first, only arXiv ids without categories)", got, want)
		}
		if got := toComplete(t, Day, 2); len(got) != 2 {
			t.Errorf("limit 2 gave %v", got)
		}
		if got, err := s.ArxivLookups(ctx, []string{p2.ArxivID}); err != nil || len(got) != 0 {
			t.Errorf("lookups before any: %v %v", got, err)
		}
	})
	t.Run("recorded", func(t *testing.T) {
		record(t,
			db.ArxivLookup{ArxivID: p2.ArxivID, Outcome: db.LookupFailed, At: Day, Error: "timeout"},
			db.ArxivLookup{ArxivID: p2.ArxivID, Outcome: db.LookupFound, At: Day.Add(time.Hour)},
			db.ArxivLookup{ArxivID: p3.ArxivID, Outcome: db.LookupNotFound, At: Day.Add(time.Hour)},
			failed)
		got, err := s.ArxivLookups(ctx, []string{p2.ArxivID, p3.ArxivID, p4.ArxivID, p5.ArxivID})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]db.ArxivLookup{
			p2.ArxivID: {ArxivID: p2.ArxivID, Outcome: db.LookupFound, At: Day.Add(time.Hour)},
			p3.ArxivID: {ArxivID: p3.ArxivID, Outcome: db.LookupNotFound, At: Day.Add(time.Hour)},
			p4.ArxivID: failed,
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("lookups:\n got %+v\nwant %+v", got, want)
		}
	})
	t.Run("failed is retried once older than the bound", func(t *testing.T) {
		if got, want := toComplete(t, failed.At, 10), []string{p5.ArxivID}; !reflect.DeepEqual(got, want) {
			t.Errorf("failure at the bound: %v, want %v", got, want)
		}
		if got, want := toComplete(t, failed.At.Add(time.Second), 10), []string{p5.ArxivID, p4.ArxivID}; !reflect.DeepEqual(got, want) {
			t.Errorf("failure before the bound: %v, want %v", got, want)
		}
	})
	t.Run("completed paper leaves the list", func(t *testing.T) {
		p5.Categories = []string{"cs.LG"}
		Save(t, s, p5)
		if got := toComplete(t, failed.At.Add(time.Second), 10); !reflect.DeepEqual(got, []string{p4.ArxivID}) {
			t.Errorf("after completing %s: %v", p5.ArxivID, got)
		}
	})
	t.Run("many ids", func(t *testing.T) {
		ids := make([]string, 1200)
		for i := range ids {
			ids[i] = p2.ArxivID
		}
		got, err := s.ArxivLookups(ctx, ids)
		if err != nil || len(got) != 1 {
			t.Errorf("1200 ids: %v %v", got, err)
		}
	})
}
