package postgres

import (
	"context"
	"sync"
	"testing"

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
