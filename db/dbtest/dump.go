package dbtest

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// Contents are every row a store holds, read through the contract and
// normalised for comparison (an empty list is nil, sightings in one order):
// two stores with equal Contents hold the same papers, IDs and UIDs
// included, and the same state.
type Contents struct {
	Papers       []model.Paper
	SourceStates map[string]db.SourceState
	ArxivLookups []db.ArxivLookup
	UnknownIDs   map[string]time.Time
	WebSub       []db.WebSubState
	DigestRuns   []db.DigestRun
	Deliveries   []db.DigestDelivery
	DigestPapers []db.DigestPaperRecord
}

// Dump reads the Contents of s.
func Dump(t testing.TB, s db.Store) Contents {
	t.Helper()
	ctx := context.Background()
	var c Contents
	for after := int64(0); ; {
		ps, err := s.PapersAfter(ctx, after, 500)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) == 0 {
			break
		}
		for _, p := range ps {
			n := normal(p)
			if len(n.BlockKeys) == 0 {
				n.BlockKeys = nil
			}
			// Sightings first seen at once by one source may come in either order.
			n.Sightings = slices.Clone(n.Sightings)
			slices.SortStableFunc(n.Sightings, func(a, b model.Sighting) int {
				return strings.Compare(a.Source+"\x00"+a.GUID, b.Source+"\x00"+b.GUID)
			})
			c.Papers = append(c.Papers, n)
		}
		after = ps[len(ps)-1].ID
	}
	var err error
	if c.SourceStates, err = s.SourceStates(ctx); err != nil {
		t.Fatal(err)
	}
	for after := ""; ; {
		ls, err := s.ArxivLookupsAfter(ctx, after, 500)
		if err != nil {
			t.Fatal(err)
		}
		if len(ls) == 0 {
			break
		}
		c.ArxivLookups = append(c.ArxivLookups, ls...)
		after = ls[len(ls)-1].ArxivID
	}
	slices.SortFunc(c.ArxivLookups, func(a, b db.ArxivLookup) int { return strings.Compare(a.ArxivID, b.ArxivID) })
	if c.UnknownIDs, err = s.UnknownIDs(ctx); err != nil {
		t.Fatal(err)
	}
	if c.WebSub, err = s.WebSubStates(ctx); err != nil {
		t.Fatal(err)
	}
	key := func(k ...string) string { return strings.Join(k, "\x00") }
	c.DigestRuns = pageAll(t, s.DigestRunsAfter, func(r db.DigestRun) []string { return []string{r.Digest, r.Slot} })
	c.Deliveries = pageAll(t, s.DigestDeliveriesAfter, func(d db.DigestDelivery) []string { return []string{d.Digest, d.Slot, d.Recipient} })
	c.DigestPapers = pageAll(t, s.DigestPapersAfter, func(p db.DigestPaperRecord) []string { return []string{p.Recipient, p.Topic, p.UID} })
	// Byte order: engines' collations may page in other orders.
	slices.SortFunc(c.DigestRuns, func(a, b db.DigestRun) int { return strings.Compare(key(a.Digest, a.Slot), key(b.Digest, b.Slot)) })
	slices.SortFunc(c.Deliveries, func(a, b db.DigestDelivery) int {
		return strings.Compare(key(a.Digest, a.Slot, a.Recipient), key(b.Digest, b.Slot, b.Recipient))
	})
	slices.SortFunc(c.DigestPapers, func(a, b db.DigestPaperRecord) int {
		return strings.Compare(key(a.Recipient, a.Topic, a.UID), key(b.Recipient, b.Topic, b.UID))
	})
	return c
}

// pageAll reads every row of a Copier's paging read, two at a time (so that
// a few rows take several pages), continuing after key of each page's last.
func pageAll[T any](t testing.TB, after func(context.Context, []string, int) ([]T, error), key func(T) []string) []T {
	t.Helper()
	var out []T
	var from []string
	for {
		rows, err := after(context.Background(), from, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			return out
		}
		out = append(out, rows...)
		from = key(rows[len(rows)-1])
	}
}

// AssertSameContents fails t with the first difference between two stores'
// Contents.
func AssertSameContents(t testing.TB, got, want Contents) {
	t.Helper()
	if len(got.Papers) != len(want.Papers) {
		t.Errorf("%d papers, want %d", len(got.Papers), len(want.Papers))
	}
	for i := range min(len(got.Papers), len(want.Papers)) {
		if !reflect.DeepEqual(got.Papers[i], want.Papers[i]) {
			t.Errorf("paper %d differs:\n got %+v\nwant %+v", i, got.Papers[i], want.Papers[i])
			break
		}
	}
	for _, part := range []struct {
		what      string
		got, want any
	}{
		{"source states", got.SourceStates, want.SourceStates},
		{"arXiv lookups", got.ArxivLookups, want.ArxivLookups},
		{"unknown ids", got.UnknownIDs, want.UnknownIDs},
		{"websub records", got.WebSub, want.WebSub},
		{"digest runs", got.DigestRuns, want.DigestRuns},
		{"digest deliveries", got.Deliveries, want.Deliveries},
		{"digest papers", got.DigestPapers, want.DigestPapers},
	} {
		if !reflect.DeepEqual(part.got, part.want) {
			t.Errorf("%s differ:\n got %+v\nwant %+v", part.what, part.got, part.want)
		}
	}
}
