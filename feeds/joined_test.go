package feeds

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator"
	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

// TestPaperPageNamesTheRuleOfEachMerge collects two synthetic listings of the
// same papers (testdata/joined_a.xml, then joined_b.xml), each pair joined by
// another rule, and reads on each paper's page how every sighting joined it.
// A second pass lists everything again under the same (source, guid).
func TestPaperPageNamesTheRuleOfEachMerge(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := os.ReadFile(filepath.Join("testdata", filepath.Base(r.URL.Path)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	cfg := config.Default()
	cfg.Server.BaseURL = "https://papers.example.org"
	cfg.Sources = []config.Source{
		{Name: "journal-a", Type: "feed", URL: srv.URL + "/joined_a.xml"},
		{Name: "index-b", Type: "feed", URL: srv.URL + "/joined_b.xml"},
	}
	cfg.Collect.Workers = 1 // journal-a's pass commits first: its listings start the papers
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "joined.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	clk := &clock{t: t0}
	c, err := aggregator.New(cfg, store, fetch.New(fetch.Options{Timeout: 5 * time.Second}), aggregator.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	for pass := range 2 {
		for _, s := range c.CollectAll(ctx) {
			if s.Err != nil {
				t.Fatalf("pass %d: %v", pass, s.Err)
			}
		}
		clk.Set(t0.Add(48 * time.Hour)) // the second pass lists everything again two days later
	}
	server, err := NewServer(cfg, store, Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := store.Topic(ctx, db.TopicQuery{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 5 {
		t.Fatalf("%d papers stored, want 5 (four merged pairs and one of index-b's own)", len(stored))
	}
	page := func(t *testing.T, title string) string {
		t.Helper()
		for _, p := range stored {
			if p.Title == title {
				rec := httptest.NewRecorder()
				server.ServeHTTP(rec, httptest.NewRequest("GET", "/"+paperPath(p.UID), nil))
				if rec.Code != http.StatusOK {
					t.Fatalf("GET %s: %d", paperPath(p.UID), rec.Code)
				}
				return html.UnescapeString(rec.Body.String())
			}
		}
		t.Fatalf("no paper %q stored", title)
		return ""
	}
	started := "<b>journal-a</b> · <a href=\"https://a.example.org/articles/%s\">https://a.example.org/articles/%s</a> · started this paper"
	for _, tt := range []struct {
		name, title, first string
		joined             string // index-b's sighting
	}{
		{"identifier", "Sparse Attention for Long Scientific Documents", "1",
			"joined by identifier: same DOI 10.5555/syn.0001"},
		{"exact key", "Denoising Diffusion Models for Molecule Generation", "2",
			"joined by exact key: same title key; authors agree: G. Hopper; year 2021"},
		{"tolerant key, a typo", "Robust Estimation of Optical Flow under Bandwith Limits", "3",
			"joined by tolerant key: titles agree word for word, spelling variants and typos aside; authors agree: B. Liskov; year 2021"},
		{"tolerant key, a dropped word", "Learning Sparse Representations for Fast Protein Structure Search", "4",
			"joined by tolerant key: title differs by one word; authors agree: F. Allen, K. Thompson; year 2021"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := page(t, tt.title)
			for _, want := range []string{
				strings.ReplaceAll(started, "%s", tt.first),
				"<b>index-b</b> · <a href=\"https://b.example.org/records/" + tt.first + "\">https://b.example.org/records/" + tt.first + "</a> · " + tt.joined + " · first seen 2025-03-10",
				", seen again as the same listing (source and guid) until 2025-03-12",
			} {
				if !strings.Contains(got, want) {
					t.Errorf("page lacks %q:\n%s", want, sightingsOf(got))
				}
			}
			if n := strings.Count(got, "started this paper"); n != 1 {
				t.Errorf("%d sightings say they started the paper, want 1:\n%s", n, sightingsOf(got))
			}
		})
	}
	t.Run("a paper of one listing", func(t *testing.T) {
		got := page(t, "An Unrelated Survey of Graph Colouring Heuristics")
		if !strings.Contains(got, "<b>index-b</b> · <a href=\"https://b.example.org/records/5\">https://b.example.org/records/5</a> · started this paper") ||
			strings.Contains(got, "joined by") {
			t.Errorf("page of a paper of one listing:\n%s", sightingsOf(got))
		}
	})
}

// sightingsOf is the Sightings list of a paper page (for failure messages).
func sightingsOf(page string) string {
	i := strings.Index(page, "<h2>Sightings</h2>")
	j := strings.Index(page, "</article>")
	if i < 0 || j < i {
		return page
	}
	return page[i:j]
}
