package feeds

import (
	"strings"
	"testing"
)

func TestSearchPage(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		name, target string
		status       int
		want, absent []string
	}{
		{"form alone", "/search", 200,
			[]string{`<form class="search" action="search"`, `name="q" value=""`, "FTS5 syntax"},
			[]string{"No papers yet", "search.atom?q="}},
		{"results with subscribe links", "/search?q=diffusion", 200,
			[]string{"Diffusion Models Are Trendy", `href="search.atom?q=diffusion"`, `href="search.rss?q=diffusion"`, `href="search.json?q=diffusion"`,
				`<link rel="alternate" type="application/atom&#43;xml" title="Search: diffusion (Atom)" href="https://papers.example.org/search.atom?q=diffusion">`},
			[]string{"Learning to Rank Papers"}},
		{"query escaped in the page", "/search?q=%22%3Cscript%3E%22", 200,
			[]string{`value="&#34;&lt;script&gt;&#34;"`, "No paper matches this query yet."},
			[]string{"<script>"}},
		{"bad query", "/search?q=AND+OR", 400, []string{"bad query"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := f.do(t, "GET", tt.target, nil)
			if res.StatusCode != tt.status {
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
		})
	}
	// A search feed's alternate link is its HTML page.
	atom := string(f.get(t, "/search.atom?q=diffusion"))
	if !strings.Contains(atom, `<link href="https://papers.example.org/search?q=diffusion" rel="alternate"`) &&
		!strings.Contains(atom, `rel="alternate" href="https://papers.example.org/search?q=diffusion"`) {
		t.Errorf("search feed's alternate link: %s", atom[:min(len(atom), 800)])
	}
}
