package sqlite

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/dbtest"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(dbtest.Day.UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// TestGenerationExpiresOnTheStoreClock: a cached generation lives
// GenerationTTL on Options.Now, not on the wall clock; a clock that steps back
// ends it; a write through the store itself is seen whatever the clock says.
func TestGenerationExpiresOnTheStoreClock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
	clock := newFakeClock()
	s, err := Open(ctx, path, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	other := openAt(t, path) // another process's handle
	gen := func() int64 {
		t.Helper()
		g, err := s.Generation(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	seen := gen()
	n := 0
	for _, tt := range []struct {
		name    string
		advance time.Duration
		fresh   bool // a write of the other handle is seen
	}{
		{"clock still", 0, false},
		{"just under the TTL", GenerationTTL - time.Nanosecond, false},
		{"TTL reached", time.Nanosecond, true},
		{"clock stepped back", -time.Hour, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n++
			dbtest.Save(t, other, dbtest.Paper(n, "From another process"))
			clock.advance(tt.advance)
			got := gen()
			if fresh := got != seen; fresh != tt.fresh {
				t.Errorf("generation %d after %d: want a fresh read %v", got, seen, tt.fresh)
			}
			seen = got
		})
	}
	t.Run("own write", func(t *testing.T) {
		dbtest.Save(t, s, dbtest.Paper(99, "From this process"))
		if got := gen(); got == seen {
			t.Errorf("generation %d unchanged after a write through the store", got)
		}
	})
}

// TestUIDSuffixIsDeterministic: when a new paper's ids are all taken, its uid
// gets a numbered suffix that the same saves give again, and that stays
// unique under a clock that does not move.
func TestUIDSuffixIsDeterministic(t *testing.T) {
	var runs [2][]string
	for r := range runs {
		clock := newFakeClock()
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), Options{Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		for i := 1; i <= 3; i++ {
			p := dbtest.Paper(i, "Same first sighting")
			p.ArxivID = ""
			p.Sightings[0].GUID = "g1" // each save moves the sighting to the new paper
			dbtest.Save(t, s, p)
			runs[r] = append(runs[r], p.UID)
		}
	}
	base := "pf:" + db.ShortHash("arxiv\x00g1")
	want := []string{base, base + "-" + db.ShortHash("arxiv\x00g1\x002"), base + "-" + db.ShortHash("arxiv\x00g1\x003")}
	for r, uids := range runs {
		for i := range want {
			if uids[i] != want[i] {
				t.Errorf("run %d, paper %d: uid %q, want %q", r, i+1, uids[i], want[i])
			}
		}
	}
}
