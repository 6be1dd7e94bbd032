package feeds

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
	"github.com/paperfeed/paperfeed/db/postgres"
	"github.com/paperfeed/paperfeed/db/postgres/pgtest"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

// TestReplicasFollowStore: a collect committed through one handle of the
// store (another replica, or a cron collect) shows in the feeds served from
// another handle once that one's generation check is due (the engine's
// GenerationTTL, 250 ms), though the cached feed's max-age is far off; the
// same on both engines. The server's and the store's clock is one fake
// clock, moved by hand.
func TestReplicasFollowStore(t *testing.T) {
	engines := []struct {
		name string
		ttl  time.Duration
		open func(t *testing.T, now func() time.Time) (serving, writing db.Store)
	}{
		{"sqlite", sqlite.GenerationTTL, func(t *testing.T, now func() time.Time) (db.Store, db.Store) {
			path := filepath.Join(t.TempDir(), "shared.db")
			return openSQLite(t, path, now), openSQLite(t, path, nil)
		}},
		{"postgres", postgres.GenerationTTL, func(t *testing.T, now func() time.Time) (db.Store, db.Store) {
			u := pgtest.URL(t)
			return openPostgres(t, u, now), openPostgres(t, u, nil)
		}},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			clk := &clock{t: t0}
			serving, writing := e.open(t, clk.Now)
			seed(t, writing, t0.Add(-time.Hour), testItems()...)
			srv, err := NewServer(testConfig(t), serving, Options{Now: clk.Now, Registerer: prometheus.NewRegistry()})
			if err != nil {
				t.Fatal(err)
			}
			f := &fixture{store: serving, srv: srv, clock: clk}
			before := string(f.get(t, "/topics/ml.atom"))
			if !strings.Contains(before, "Learning to Rank Papers") {
				t.Fatalf("the seeded paper is not in the feed:\n%s", before)
			}
			const title = "Learning Committed by Another Replica"
			seed(t, writing, t0, model.Item{Source: "arxiv", GUID: "oai:arXiv.org:2503.09999", Title: title,
				Abstract: "Collected elsewhere.", Authors: []string{"Ada Lovelace"}, Categories: []string{"cs.LG"},
				Published: t0.Add(-time.Minute), ArxivID: "2503.09999"})
			clk.Set(t0.Add(e.ttl))
			if after := string(f.get(t, "/topics/ml.atom")); !strings.Contains(after, title) {
				t.Errorf("%s after the other handle's commit: the feed still lacks the new paper", e.ttl)
			}
		})
	}
}

func openSQLite(t *testing.T, path string, now func() time.Time) db.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openPostgres(t *testing.T, url string, now func() time.Time) db.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url, postgres.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
