package feeds

import (
	"context"
	"strings"
	"testing"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/db"
)

// TestPagesExplainThemselves: the index links to search and status and names
// failing sources; an empty topic says how many stored papers it was matched
// against; each paper has one "Abstract" (the toggle), its abstract page
// named by its site.
func TestPagesExplainThemselves(t *testing.T) {
	cfg := testConfig(t)
	cfg.Topics = append(cfg.Topics, config.Topic{Name: "none", Title: "Nothing", Query: "zebrafishnomatch"})
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, cfg)
	if err := f.store.SaveSourceState(context.Background(), db.SourceState{
		Name: "hf", Type: "huggingface", LastAttempt: t0, LastError: "HTTP 503", LastErrorAt: t0, Failures: 2,
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, target string
		want, absent []string
	}{
		{"index", "/", []string{`<a href="search">Search all papers</a>`, `<a href="status">Source status</a>`,
			`class="alert"`, "1 source failing:</strong> hf.", "0 of 4 stored papers match"}, []string{"No papers yet"}},
		{"empty topic", "/topics/none.html", []string{"0 of 4 stored papers match this topic."}, []string{"No papers yet"}},
		{"topic with papers", "/topics/ml.html", []string{">arXiv</a>", "<summary>Abstract</summary>"}, []string{">Abstract</a>", "stored papers match"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := f.do(t, "GET", tt.target, nil)
			if res.StatusCode != 200 {
				t.Fatalf("status %d: %s", res.StatusCode, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(body), w) {
					t.Errorf("lacks %q", w)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(string(body), a) {
					t.Errorf("has %q", a)
				}
			}
			if n := strings.Count(string(body), ">Abstract<"); tt.name == "topic with papers" && n != strings.Count(string(body), "<article") {
				t.Errorf("%d \"Abstract\" labels for %d papers", n, strings.Count(string(body), "<article"))
			}
		})
	}
	res, body := f.do(t, "GET", "/search?q=%22unclosed", nil)
	if res.StatusCode != 400 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || res.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("bad query: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
}

func TestLinkLabel(t *testing.T) {
	for _, tt := range []struct{ kind, u, want string }{
		{"abstract", "https://arxiv.org/abs/2503.01234", "arXiv"},
		{"abstract", "https://www.biorxiv.org/content/10.1101/x", "bioRxiv"},
		{"abstract", "https://journals.example.org/a/1", "journals.example.org"},
		{"abstract", "::", "Paper page"},
		{"pdf", "https://arxiv.org/pdf/1", "PDF"},
	} {
		t.Run(tt.u, func(t *testing.T) {
			label := "PDF"
			if got := linkLabel(tt.kind, label, tt.u); got != tt.want {
				t.Errorf("linkLabel(%q, %q) = %q, want %q", tt.kind, tt.u, got, tt.want)
			}
		})
	}
}
