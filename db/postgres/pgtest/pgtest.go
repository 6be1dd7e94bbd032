// Package pgtest gives a test a PostgreSQL database of its own: a schema
// made for it in the database PAPERFEED_TEST_POSTGRES_URL names and dropped
// when it ends, so tests run in parallel on one database. Without the
// variable the test skips, saying so.
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
// tests may create schemas in (.ci/run sets it).
const URLEnv = "PAPERFEED_TEST_POSTGRES_URL"

var schemaN atomic.Int64

// URL returns the URL of a new, empty schema (as search_path) for t,
// dropped with everything in it when t ends; it skips t when URLEnv is unset.
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
		t.Fatalf("connect to %s: %v", URLEnv, err)
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
		t.Fatalf("%s: %v", URLEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
