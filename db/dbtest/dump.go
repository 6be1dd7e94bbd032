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
	return c
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
	if !reflect.DeepEqual(got.SourceStates, want.SourceStates) {
		t.Errorf("source states differ:\n got %+v\nwant %+v", got.SourceStates, want.SourceStates)
	}
	if !reflect.DeepEqual(got.ArxivLookups, want.ArxivLookups) {
		t.Errorf("arXiv lookups differ:\n got %+v\nwant %+v", got.ArxivLookups, want.ArxivLookups)
	}
	if !reflect.DeepEqual(got.UnknownIDs, want.UnknownIDs) {
		t.Errorf("unknown ids differ:\n got %v\nwant %v", got.UnknownIDs, want.UnknownIDs)
	}
	if !reflect.DeepEqual(got.WebSub, want.WebSub) {
		t.Errorf("websub records differ:\n got %+v\nwant %+v", got.WebSub, want.WebSub)
	}
}
