package feeds

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
)

// TestLikeTopicPageWarnings: the page names a like_file entry without an id
// by the file's name (not where the server keeps it), and an exemplar
// Crossref does not know.
func TestLikeTopicPageWarnings(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "my-library.bib")
	if err := os.WriteFile(lib, []byte("@book{nothing, title = {No id}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.Topics = append(cfg.Topics, config.Topic{Name: "like-file", Like: []string{"arxiv:2503.01234", "doi:10.9999/unknown.1"},
		LikeFile: lib, Sort: "relevance", Limit: 3})
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, cfg, likeItems()...)
	if err := f.store.RecordUnknownID(context.Background(), "doi:10.9999/unknown.1", time.Now()); err != nil {
		t.Fatal(err)
	}
	page := string(f.get(t, "/topics/like-file.html"))
	for _, want := range []string{
		`Warning: my-library.bib:1: entry &#34;nothing&#34; has no arXiv id or DOI; left out`,
		"Warning: doi:10.9999/unknown.1: Crossref does not know this paper",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, dir) {
		t.Error("the page names the server's folder")
	}
}
