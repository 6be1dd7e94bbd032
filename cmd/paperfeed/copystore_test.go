package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/dbtest"
	"github.com/paperfeed/paperfeed/db/postgres/pgtest"
)

// TestCopyStoreRoundTrip collects the recorded upstreams into SQLite, then
// copies the store SQLite -> PostgreSQL -> SQLite (SQLite -> SQLite without
// PostgreSQL) through the CLI: every row comes back equal, a second copy
// into a filled store is refused, and no password is printed.
func TestCopyStoreRoundTrip(t *testing.T) {
	up := upstreams(t)
	dir := t.TempDir()
	cfgPath := writeE2EConfig(t, dir, up.URL)
	ctx := context.Background()
	if err := run(ctx, []string{"collect", "-config", cfgPath}, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(ctx, cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	orig, err := openStore(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	// What `publish` leaves: the copy must not announce unchanged feeds again.
	for _, st := range []db.WebSubState{
		{Hub: "https://hub.example/", URL: "https://papers.example.org/topics/all.atom", Fingerprint: "f1", LastSuccess: dbtest.Day},
		{Hub: "https://hub.example/", URL: "https://papers.example.org/topics/all.rss", LastError: "hub answered 503", LastErrorAt: dbtest.Day},
	} {
		if err := orig.SaveWebSubState(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	dbtest.SendDigests(t, orig)
	want := dbtest.Dump(t, orig)
	orig.Close()
	if len(want.Papers) < 50 || len(want.SourceStates) != len(cfg.Sources) {
		t.Fatalf("collected %d papers, %d source states", len(want.Papers), len(want.SourceStates))
	}

	copyStore := func(t *testing.T, from, to string) (string, int) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		err := run(ctx, []string{"copy-store", "-from", from, "-to", to, "-batch", "20"}, &stdout, &stderr)
		out := stdout.String() + stderr.String()
		code := exitCode(err, &stderr)
		out += stderr.String()
		if strings.Contains(out, "paperfeed:paperfeed@") || strings.Contains(out, ":"+"secret@") {
			t.Errorf("copy-store printed a password:\n%s", out)
		}
		return out, code
	}
	for _, tt := range []struct {
		name string
		via  func(t *testing.T) string
	}{
		{"sqlite-sqlite-sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "via.db") }},
		{"sqlite-postgres-sqlite", func(t *testing.T) string { return pgtest.URL(t) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			via := tt.via(t)
			back := filepath.Join(t.TempDir(), "back.db")
			for _, step := range [][2]string{{cfg.Storage.Path, via}, {via, back}} {
				out, code := copyStore(t, step[0], step[1])
				if code != 0 || !strings.Contains(out, "papers ") {
					t.Fatalf("copy-store %s -> %s: exit %d\n%s", step[0], step[1], code, out)
				}
			}
			store, err := openStorage(ctx, config.Storage{Path: back}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			dbtest.AssertSameContents(t, dbtest.Dump(t, store), want)

			// A filled store that is no partial copy is refused: exit 2, untouched.
			out, code := copyStore(t, via, cfg.Storage.Path)
			if code != 2 || !strings.Contains(out, "refusing to copy into SQLite "+cfg.Storage.Path+": it holds") {
				t.Errorf("copy into the original: exit %d\n%s", code, out)
			}
		})
	}
}
