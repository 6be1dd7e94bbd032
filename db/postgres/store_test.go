package postgres

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/dbtest"
)

// URLEnv names the environment variable with the URL of a database the
// tests may create schemas in (.ci/run sets it).
const URLEnv = "PAPERFEED_TEST_POSTGRES_URL"

var (
	urls    sync.Map // db.Store -> its URL, for Again
	schemaN atomic.Int64
)

// openTest opens a store in a schema of its own, dropped when the test ends:
// tests run in parallel on one database.
func openTest(t *testing.T) *Store {
	t.Helper()
	base := os.Getenv(URLEnv)
	if base == "" {
		t.Skipf("%s is not set: no PostgreSQL to test against (.ci/run starts one)", URLEnv)
	}
	ctx := context.Background()
	schema := fmt.Sprintf("pftest_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, schemaN.Add(1))
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err == nil {
			c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			c.Close(context.Background())
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	qv := u.Query()
	qv.Set("search_path", schema)
	u.RawQuery = qv.Encode()
	return openURL(t, u.String())
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
