package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db/sqlite"
)

// TestCheckWarnsOfExemplars: check names a like_file entry without an id
// and an exemplar DOI that Crossref answered it does not know (once, as
// /status does), and one not fetched yet.
func TestCheckWarnsOfExemplars(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "lib.bib"), []byte("@book{nothing, title = {No id}}\n@misc{a, doi = {10.1000/x.1}}\n"), 0o644)
	cfgPath := filepath.Join(dir, "pf.toml")
	os.WriteFile(cfgPath, []byte("[storage]\npath = \""+filepath.Join(dir, "pf.db")+"\"\n\n[[topic]]\nname = \"mine\"\nsort = \"relevance\"\nlike = [\"doi:10.9999/unknown.1\"]\nlike_file = \"lib.bib\"\n"), 0o644)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "pf.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RecordUnknownID(ctx, "doi:10.9999/unknown.1", time.Now()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"check", "-config", cfgPath}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	for _, want := range []string{
		`warning: [[topic]] "mine": like_file: ` + filepath.Join(dir, "lib.bib") + `:1: entry "nothing" has no arXiv id or DOI`,
		`warning: topic "mine": exemplar doi:10.9999/unknown.1: Crossref does not know this DOI (asked `,
		`warning: topic "mine": exemplar doi:10.1000/x.1 is not stored yet: ` + "`paperfeed collect`" + ` fetches it from Crossref`,
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, stdout.String())
		}
	}
	if n := strings.Count(stdout.String(), "10.9999/unknown.1"); n != 1 {
		t.Errorf("the unknown DOI is warned of %d times, want once:\n%s", n, stdout.String())
	}
}
