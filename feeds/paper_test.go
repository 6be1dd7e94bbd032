package feeds

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/db/model"
)

// likeItems are the usual seed, three more papers on ranking and one on
// protein folding with only a DOI, so that the ranking paper and the
// DOI-named bioRxiv paper have neighbours.
func likeItems() []model.Item {
	items := testItems()
	items = append(items, model.Item{
		Source: "biorxiv", GUID: "10.1101/2025.03.02.222222v1", Link: "https://www.biorxiv.org/content/10.1101/2025.03.02.222222v1",
		Title: "Protein Folding Dynamics in Living Cells", Abstract: "Proteins fold in cells; folding dynamics measured.",
		Authors: []string{"Rosalind Franklin"}, Published: t0.Add(-50 * time.Hour), DOI: "10.1101/2025.03.02.222222",
		Links: []model.Link{{Kind: model.LinkDOI, URL: "https://doi.org/10.1101/2025.03.02.222222"}},
	})
	for i, title := range []string{"Neural Ranking of Scientific Papers", "Ranking Papers with Citations", "Learning to Rank with Pairwise Losses"} {
		id := "2503.0200" + string(rune('1'+i))
		items = append(items, model.Item{
			Source: "arxiv", GUID: "oai:arXiv.org:" + id, Link: "https://arxiv.org/abs/" + id,
			Title: title, Abstract: "We rank papers for readers; ranking models learn from pairwise preferences.",
			Authors: []string{"Ada Lovelace"}, Categories: []string{"cs.IR"}, Published: t0.Add(-time.Duration(i+2) * time.Hour),
			ArxivID: id, Links: []model.Link{{Kind: model.LinkAbstract, URL: "https://arxiv.org/abs/" + id}},
		})
	}
	return items
}

func likeConfig(t *testing.T) *config.Config {
	cfg := testConfig(t)
	cfg.Topics = append(cfg.Topics, config.Topic{Name: "like-rank", Title: "Like my ranking papers",
		Like: []string{"arxiv:2503.01234", "https://doi.org/10.9999/not.stored"}, Sort: "relevance", Limit: 3})
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestPaperPage(t *testing.T) {
	f := newFixture(t, likeConfig(t), likeItems()...)
	page := string(f.get(t, "/papers/arxiv:2503.01234"))
	for _, want := range []string{
		"<h1 dir=\"auto\">Learning to Rank Papers</h1>",
		"Ada Lovelace, Alan Turing, Grace Hopper",
		"We learn to rank papers. Results: x &lt; y &amp; z &gt; w.",
		`href="https://arxiv.org/pdf/2503.01234"`, `href="https://github.com/example/rank"`, `href="https://example.org/rank"`,
		`href="https://huggingface.co/papers/2503.01234"`, `href="https://doi.org/10.48550/arxiv.2503.01234"`,
		"<h2>Sightings</h2>", "<b>arxiv</b>", "oai:arXiv.org:2503.01234",
		`href="./arxiv:2503.01234/similar.atom"`, `href="./arxiv:2503.01234/similar.json"`,
		`href="../papers/arxiv:2503.02001"`, "similarity 0.",
		`<link rel="alternate" type="application/rss&#43;xml" title="Similar papers (RSS)" href="https://papers.example.org/papers/arxiv:2503.01234/similar.rss">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("paper page lacks %q", want)
		}
	}
	if strings.Contains(page, `href="../papers/arxiv:2503.01234"`) {
		t.Error("the paper lists itself as similar")
	}

	for _, tt := range []struct {
		path string
		code int
	}{
		{"/papers/doi:10.1101%2F2025.03.01.123456", 200},
		{"/papers/arxiv:0000.00000", 404},
		{"/papers/arxiv:0000.00000/similar.atom", 404},
		{"/papers/arxiv:2503.01234/similar.html", 404},
		{"/papers/arxiv:2503.01234/other", 404},
	} {
		t.Run(tt.path, func(t *testing.T) {
			if res, body := f.do(t, "GET", tt.path, nil); res.StatusCode != tt.code {
				t.Errorf("GET %s: %d, want %d: %s", tt.path, res.StatusCode, tt.code, body)
			}
		})
	}

	var feed struct {
		Title string `json:"title"`
		Items []struct {
			URL   string `json:"url"`
			Title string `json:"title"`
		} `json:"items"`
	}
	if err := json.Unmarshal(f.get(t, "/papers/arxiv:2503.01234/similar.json"), &feed); err != nil {
		t.Fatal(err)
	}
	if feed.Title != "Similar to: Learning to Rank Papers" || len(feed.Items) < 3 {
		t.Fatalf("similar feed: %+v", feed)
	}
	for _, it := range feed.Items[:3] {
		if !strings.Contains(it.Title, "Rank") {
			t.Errorf("similar feed leads with %q", it.Title)
		}
	}
	res, _ := f.do(t, "GET", "/papers/arxiv:2503.01234/similar.atom", nil)
	if ct := res.Header.Get("Content-Type"); res.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "application/atom+xml") {
		t.Errorf("similar.atom: %d %s", res.StatusCode, ct)
	}
}

func TestLikeTopicPage(t *testing.T) {
	f := newFixture(t, likeConfig(t), likeItems()...)
	page := string(f.get(t, "/topics/like-rank.html"))
	for _, want := range []string{"Words for: ", "Words against: ", "Ranked by a linear model trained on 1 exemplar, 0 explicit negatives and 7 other stored papers.",
		"Not in the store: https://doi.org/10.9999/not.stored"} {
		if !strings.Contains(page, want) {
			t.Errorf("like-topic page lacks %q", want)
		}
	}
	if n := len(regexp.MustCompile(` · score -?[0-9]\.[0-9]{3} · <a href="\.\./papers/[^"/]+">paper page</a>`).FindAllString(page, -1)); n != 3 {
		t.Errorf("%d papers with a score and a paper page link, want 3", n)
	}
	if n := strings.Count(page, "<article "); n != 3 {
		t.Errorf("%d papers on the page, want the limit 3", n)
	}
	if strings.Contains(page, `href="../papers/arxiv:2503.01234">paper page`) {
		t.Error("the exemplar is an item of its topic")
	}
	if search := string(f.get(t, "/search?q=protein")); !strings.Contains(search, `href="./papers/doi:10.1101%2F2025.03.01.123456">paper page</a>`) {
		t.Errorf("search page does not link the paper page:\n%s", search)
	}
}
