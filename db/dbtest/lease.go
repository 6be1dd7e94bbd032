package dbtest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db"
)

// testLeases: a lease has one holder at a time, across handles; its holder
// renews and releases it; an expired one goes to the next claimant; leases
// never change the generation.
func testLeases(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.New(t)
	other := s
	if b.Again != nil {
		other = b.Again(t, s)
	}
	claim := func(t *testing.T, st db.Store, name, holder string, ttl time.Duration) bool {
		t.Helper()
		ok, err := st.ClaimLease(ctx, name, holder, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	g0 := generation(t, s)
	t.Run("one holder", func(t *testing.T) {
		if !claim(t, s, "source:a", "r1", time.Hour) {
			t.Fatal("free lease not granted")
		}
		if claim(t, other, "source:a", "r2", time.Hour) {
			t.Error("a held lease was granted to another holder")
		}
		if !claim(t, other, "source:a", "r1", time.Hour) {
			t.Error("the holder's own claim was refused")
		}
		if !claim(t, other, "source:b", "r2", time.Hour) {
			t.Error("another lease was refused")
		}
	})
	t.Run("list", func(t *testing.T) {
		ls, err := other.Leases(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range ls {
			got = append(got, l.Name+"="+l.Holder)
			if !l.Expires.After(l.Since) {
				t.Errorf("lease %+v expires before it began", l)
			}
		}
		if fmt.Sprint(got) != "[source:a=r1 source:b=r2]" {
			t.Errorf("leases %v", got)
		}
	})
	t.Run("renew", func(t *testing.T) {
		for _, tt := range []struct {
			holder string
			want   bool
		}{{"r1", true}, {"r2", false}} {
			ok, err := s.RenewLease(ctx, "source:a", tt.holder, time.Hour)
			if err != nil || ok != tt.want {
				t.Errorf("renew by %s: %v %v, want %v", tt.holder, ok, err, tt.want)
			}
		}
		if ok, err := s.RenewLease(ctx, "nope", "r1", time.Hour); err != nil || ok {
			t.Errorf("renew of an unknown lease: %v %v", ok, err)
		}
	})
	t.Run("release", func(t *testing.T) {
		if err := other.ReleaseLease(ctx, "source:a", "r2"); err != nil {
			t.Fatal(err)
		}
		if claim(t, other, "source:a", "r2", time.Hour) {
			t.Error("another holder's release freed the lease")
		}
		if err := s.ReleaseLease(ctx, "source:a", "r1"); err != nil {
			t.Fatal(err)
		}
		if !claim(t, other, "source:a", "r2", time.Hour) {
			t.Error("a released lease was not granted")
		}
		if ok, _ := s.RenewLease(ctx, "source:a", "r1", time.Hour); ok {
			t.Error("a released lease was renewed by its old holder")
		}
	})
	t.Run("expiry", func(t *testing.T) {
		const ttl = 50 * time.Millisecond
		start := time.Now() // before the claim: the lease cannot expire sooner than ttl after it
		if !claim(t, s, "digest", "r1", ttl) {
			t.Fatal("free lease not granted")
		}
		// Polled: the lease must go to r2 once it expired, never before it did.
		for !claim(t, other, "digest", "r2", time.Hour) {
			if time.Since(start) > time.Minute {
				t.Fatal("an expired lease was never granted")
			}
			time.Sleep(ttl / 5)
		}
		if time.Since(start) < ttl {
			t.Errorf("lease granted to r2 after %v, before its ttl %v ran out", time.Since(start), ttl)
		}
		if ok, _ := s.RenewLease(ctx, "digest", "r1", time.Hour); ok {
			t.Error("the old holder renewed a lease another holder took")
		}
	})
	t.Run("concurrent claims", func(t *testing.T) {
		got := concurrentWins(t, s, other, func(st db.Store, holder string) (bool, error) {
			return st.ClaimLease(ctx, "race", holder, time.Hour)
		})
		if len(got) != 1 {
			t.Errorf("%d claims won at once: %v", len(got), got)
		}
	})
	if g := generation(t, s); g != g0 {
		t.Errorf("leases changed the generation %d -> %d", g0, g)
	}
}

// concurrentWins runs 16 claims at once, half through each handle, and
// returns the holders that won.
func concurrentWins(t *testing.T, s, other db.Store, claim func(st db.Store, holder string) (bool, error)) []string {
	var wg sync.WaitGroup
	wins := make(chan string, 16)
	for i := range 16 {
		st := s
		if i%2 == 1 {
			st = other
		}
		wg.Go(func() {
			holder := fmt.Sprintf("c%d", i)
			ok, err := claim(st, holder)
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins <- holder
			}
		})
	}
	wg.Wait()
	close(wins)
	var got []string
	for w := range wins {
		got = append(got, w)
	}
	return got
}
