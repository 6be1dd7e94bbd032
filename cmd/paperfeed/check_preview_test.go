package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperfeed/paperfeed/db/dbtest"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

const previewConfig = `[server]
listen = "127.0.0.1:8080"
base_url = "http://127.0.0.1:8080"

[storage]
path = "pf.db"

[[source]]
name = "arxiv-q"
type = "arxiv-api"
query = "cat:cs.CL"
interval = "30m"

[[topic]]
name = "lang"
title = "Language"
query = "language"
exclude = "survey"
categories = ["cs.CL"]
min_upvotes = 0
since = "720h"

[[topic]]
name = "fish"
query = "zebrafish"
`

// TestCheckPreview: with a store, check shows each topic's filters in full,
// how many stored papers it matches and its newest titles, and warns about an
// empty topic, an arXiv API source polled more often than hourly and a
// loopback base_url; without one it says the preview needs a store (and
// creates none).
func TestCheckPreview(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfgPath, []byte(previewConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), []string{"check", "-config", cfgPath}, &stdout, &stderr); err != nil {
			t.Fatalf("check: %v\n%s", err, stderr.String())
		}
		return stdout.String()
	}
	always := []string{
		"warning: source \"arxiv-q\" (arxiv-api) is polled every 30m0s",
		"warning: base_url \"http://127.0.0.1:8080\" is a loopback address",
		"query:      language", "exclude:    survey", "categories: cs.CL", "sources:    any",
		"upvotes:    no minimum", "since:      published within 30d", "sort:       newest;",
		"query:      zebrafish",
	}
	t.Run("without a store", func(t *testing.T) {
		out := check(t)
		for _, w := range append(always, "the preview of what each topic matches needs one") {
			if !strings.Contains(out, w) {
				t.Errorf("output lacks %q:\n%s", w, out)
			}
		}
		if strings.Contains(out, "matches:") {
			t.Errorf("a preview without a store:\n%s", out)
		}
		if _, err := os.Stat(filepath.Join(dir, "pf.db")); !os.IsNotExist(err) {
			t.Errorf("check created the store: %v", err)
		}
	})
	t.Run("with a store", func(t *testing.T) {
		st, err := sqlite.Open(context.Background(), filepath.Join(dir, "pf.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		dbtest.Save(t, st,
			dbtest.Paper(1, "Oldest language paper"), dbtest.Paper(2, "Second language paper"),
			dbtest.Paper(3, "Third language paper"), dbtest.Paper(4, "Newest language paper"),
			dbtest.Paper(5, "A language survey"), dbtest.Paper(6, "Protein folding"))
		st.Close()
		out := check(t)
		want := append(always,
			"matched against the 6 papers stored now",
			"matches:    4 of 6 papers",
			"Newest language paper", "Third language paper", "Second language paper",
			"warning: topic \"fish\" matches none of the 6 stored papers")
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("output lacks %q:\n%s", w, out)
			}
		}
		_, lang, _ := strings.Cut(out, "  lang  ")
		lang, _, _ = strings.Cut(lang, "  fish  ")
		for _, a := range []string{"Oldest language paper", "A language survey", "warning: topic \"lang\""} {
			if strings.Contains(lang, a) || strings.Contains(a, "warning") && strings.Contains(out, a) {
				t.Errorf("output has %q:\n%s", a, out)
			}
		}
		if i, j := strings.Index(out, "Newest language paper"), strings.Index(out, "Third language paper"); i > j {
			t.Errorf("titles not newest first:\n%s", out)
		}
	})
}
