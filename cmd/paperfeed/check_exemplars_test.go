package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/dbtest"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

// TestCheckExemplarWarnings: check names each like-topic entry missing from
// the store with what the arXiv API said of it (as /status does, through
// topic.ExemplarProblems), one not asked for yet as such, and none stored.
func TestCheckExemplarWarnings(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.toml")
	cfg := "[storage]\npath = \"pf.db\"\n\n[[topic]]\nname = \"mine\"\nlike = [\"2611.00001\", \"arxiv:2410.99999\", \"https://arxiv.org/abs/2410.88888v2\"]\nunlike = [\"2410.77777\"]\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "pf.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Save(t, store, dbtest.Paper(1, "Stored exemplar"))
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	err = store.Update(ctx, func(tx db.Tx) error {
		return tx.RecordArxivLookups(ctx, []db.ArxivLookup{
			{ArxivID: "2410.99999", Outcome: db.LookupNotFound, At: at},
			{ArxivID: "2410.88888", Outcome: db.LookupFailed, At: at, Error: "HTTP 503"},
		})
	})
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"check", "-config", cfgPath}, &stdout, &stderr); err != nil {
		t.Fatalf("check: %v\n%s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		`warning: topic "mine": exemplar arxiv:2410.99999: not found on arXiv (asked 2026-11-30T08:00:00Z): check the id`,
		`warning: topic "mine": exemplar https://arxiv.org/abs/2410.88888v2: fetching it from arXiv failed at 2026-11-30T08:00:00Z (HTTP 503); collect asks again`,
		`warning: topic "mine": exemplar 2410.77777 is not stored yet: ` + "`paperfeed collect`" + ` fetches it from arXiv`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "2410.99999"); n != 1 {
		t.Errorf("the unknown id is warned of %d times, want once:\n%s", n, out)
	}
	if strings.Contains(out, "exemplar 2611.00001") {
		t.Errorf("a stored exemplar is warned about:\n%s", out)
	}
}
