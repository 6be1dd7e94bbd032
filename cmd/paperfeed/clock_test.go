package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/dbtest"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

// TestOneClock: the clock openApp is given reaches the collector (the time of
// the pass), the fetcher (Cache-Control max-age is counted from it) and the
// store (its cached generation expires on it). The clock is years ahead of
// the wall clock and stands still unless the test moves it.
func TestOneClock(t *testing.T) {
	body, err := os.ReadFile("testdata/journal.xml")
	if err != nil {
		t.Fatal(err)
	}
	const maxAge = 30 * 24 * time.Hour // longer than the interval: the next check is the upstream's
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Cache-Control", "max-age=2592000")
		w.Write(body)
	}))
	defer up.Close()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfgPath, []byte("[storage]\npath = \"pf.db\"\n[collect]\narxiv_api_url = \"\"\n\n[[source]]\nname = \"j\"\ntype = \"feed\"\nurl = \""+up.URL+"/journal.xml\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg, err := loadConfig(ctx, cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2031, 5, 4, 3, 2, 1, 0, time.UTC)
	var at atomic.Int64
	at.Store(start.UnixNano())
	now := func() time.Time { return time.Unix(0, at.Load()) }
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), now, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.store.Close()

	if s := a.collector.CollectAll(ctx)[0]; s.Err != nil || s.New == 0 {
		t.Fatalf("pass: %v", s)
	}
	st, err := a.store.SourceState(ctx, "j")
	if err != nil {
		t.Fatal(err)
	}
	if !st.LastSuccess.Equal(start) {
		t.Errorf("collector: last success %v, want the clock's %v", st.LastSuccess, start)
	}
	if want := start.Add(maxAge); !st.NextCheck.Equal(want) {
		t.Errorf("fetcher: next check %v, want the clock's %v + max-age", st.NextCheck, want)
	}

	generation := func() int64 {
		t.Helper()
		g, err := a.store.Generation(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	gen := generation()
	other, err := sqlite.Open(ctx, cfg.Storage.Path, sqlite.Options{}) // another process
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Update(ctx, func(tx db.Tx) error { return tx.Save(ctx, dbtest.Paper(1, "From another process")) }); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * sqlite.GenerationTTL) // on the wall clock the cached generation has expired
	if g := generation(); g != gen {
		t.Errorf("store: generation %d -> %d re-read although its clock stood still", gen, g)
	}
	at.Add(int64(sqlite.GenerationTTL))
	if g := generation(); g == gen {
		t.Errorf("store: generation %d not re-read after GenerationTTL on its clock", g)
	}
}
