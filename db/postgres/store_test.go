package postgres

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/dbtest"
	"github.com/paperfeed/paperfeed/db/postgres/pgtest"
)

// urls remembers the URL of each store the suite opens, for Again.
var urls sync.Map // db.Store -> its URL

// openTest opens a store in a schema of its own, dropped when the test ends:
// tests run in parallel on one database.
func openTest(t *testing.T) *Store {
	t.Helper()
	return openURL(t, pgtest.URL(t))
}

func openURL(t *testing.T, u string) *Store {
	t.Helper()
	s, err := Open(context.Background(), u, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	urls.Store(db.Store(s), u)
	return s
}

func TestConformance(t *testing.T) {
	dbtest.Run(t, dbtest.Backend{
		New: func(t *testing.T) db.Store { return openTest(t) },
		Again: func(t *testing.T, s db.Store) db.Store {
			u, ok := urls.Load(s)
			if !ok {
				t.Fatal("store not opened by the suite")
			}
			return openURL(t, u.(string))
		},
		GenerationLag: GenerationTTL,
	})
}

// TestWritersLeaveConnectionsToReads: while another replica holds the write
// lock, this process's write transactions wait for it without taking every
// connection of its pool, so reads still get one. (Each waiting writer used
// to hold a connection: with as many passes as connections waiting, a feed's
// read waited for another replica's pass to end.)
func TestWritersLeaveConnectionsToReads(t *testing.T) {
	u := pgtest.URL(t)
	ctx := context.Background()
	s, err := Open(ctx, u, Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	other, err := pgx.Connect(ctx, u) // another replica, mid-write
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	otherTx, err := other.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := otherTx.Exec(ctx, lockWrites, writeLock); err != nil {
		t.Fatal(err)
	}
	var writers sync.WaitGroup
	for range 3 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			if err := s.Update(ctx, func(db.Tx) error { return nil }); err != nil {
				t.Error(err)
			}
		}()
	}
	// Wait until a writer waits for the lock in the database, and give the
	// others the time to take connections too, as they did before the queue.
	for waiting := 0; waiting == 0; {
		if err := otherTx.QueryRow(ctx, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").Scan(&waiting); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(100 * time.Millisecond)
	// A liveness bound, not a speed one: without the queue the read waits
	// for the other replica's commit, which never comes before it returns.
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := s.Stats(rctx); err != nil {
		t.Errorf("a read while three writers wait for another replica's write: %v", err)
	}
	otherTx.Rollback(ctx)
	writers.Wait()
}

// TestSchemasWriteApart: a write transaction in one schema does not wait for
// one in another schema of the same database.
func TestSchemasWriteApart(t *testing.T) {
	ctx := context.Background()
	a, b := openTest(t), openTest(t)
	held := make(chan struct{})
	release := make(chan struct{})
	go a.Update(ctx, func(db.Tx) error {
		close(held)
		<-release
		return nil
	})
	<-held
	defer close(release)
	// A liveness bound, not a speed one: with one lock for the database the
	// write waits until a's transaction ends, after this returns.
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := b.Update(wctx, func(db.Tx) error { return nil }); err != nil {
		t.Errorf("a write in another schema while one is in flight: %v", err)
	}
}
