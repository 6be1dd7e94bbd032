// Package pgtest gives a test a PostgreSQL schema of its own on the database
// named by $PAPERFEED_TEST_POSTGRES_URL (.ci/run sets it), dropped when the
// test ends, so tests run in parallel on one database. Without the variable
// the test is skipped with a message saying so.
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// URLEnv names the environment variable with the URL of a database the
// tests may create schemas in.
const URLEnv = "PAPERFEED_TEST_POSTGRES_URL"

var schemaN atomic.Int64

// URL creates a fresh schema and returns the database's URL with that
// schema as its search_path: every store opened on it shares the schema, as
// replicas share a database.
func URL(t testing.TB) string {
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
	return u.String()
}
