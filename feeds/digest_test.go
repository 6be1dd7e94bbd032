package feeds

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/digest"
	"github.com/paperfeed/paperfeed/db/model"
)

// TestDigestFeeds: one item per completed period that had papers, its id
// stable, dated at the period's end, holding the papers as an HTML list.
func TestDigestFeeds(t *testing.T) {
	items := testItems()
	six := items[0]
	six.GUID, six.ArxivID, six.DOI, six.Title = "oai:arXiv.org:2503.09999", "2503.09999", "", "Six Authors Learning"
	six.Authors = []string{"A One", "B Two", "C Three", "D Four", "E Five", "F Six"}
	six.Links = []model.Link{{Kind: model.LinkAbstract, URL: "https://arxiv.org/abs/2503.09999"}}
	f := newFixture(t, nil, append(items, six)...) // first seen 2025-03-10 11:00 UTC
	f.clock.Set(t0.Add(7 * 24 * time.Hour))        // day and week of the seed are over

	var feed struct {
		Items []struct {
			ID            string `json:"id"`
			Title         string `json:"title"`
			URL           string `json:"url"`
			ContentHTML   string `json:"content_html"`
			DatePublished string `json:"date_published"`
		} `json:"items"`
		FeedURL string `json:"feed_url"`
	}
	if err := json.Unmarshal(f.get(t, "/topics/ml/daily.json"), &feed); err != nil {
		t.Fatal(err)
	}
	if len(feed.Items) != 1 {
		t.Fatalf("%d items, want 1 (one day had papers)", len(feed.Items))
	}
	it := feed.Items[0]
	day := digest.DayOf(t0, time.UTC)
	if it.ID != DigestEntryID("ml", day) {
		t.Errorf("id %s", it.ID)
	}
	if it.DatePublished != "2025-03-11T00:00:00Z" {
		t.Errorf("date %s, want the day's end", it.DatePublished)
	}
	if feed.FeedURL != "https://papers.example.org/topics/ml/daily.json" {
		t.Errorf("feed_url %s", feed.FeedURL)
	}
	for _, want := range []string{
		`<a href="https://arxiv.org/abs/2503.01234"><b>Learning to Rank Papers</b></a>`,
		"Ada Lovelace, Alan Turing, Grace Hopper",
		"A One, B Two, C Three, D Four, E Five et al. (6 authors)",
		`<a href="https://arxiv.org/pdf/2503.01234">PDF</a>`,
		`<a href="https://github.com/example/rank">Code</a>`,
		"via arxiv",
		"We learn to rank papers.",
	} {
		if !strings.Contains(it.ContentHTML, want) {
			t.Errorf("content lacks %q:\n%s", want, it.ContentHTML)
		}
	}
	if strings.Contains(it.ContentHTML, "Results:") {
		t.Errorf("content has more than the first sentence:\n%s", it.ContentHTML)
	}
	if !strings.Contains(it.Title, "2025-03-10") || !strings.Contains(it.Title, "2 papers") {
		t.Errorf("title %q", it.Title)
	}

	weekly := f.get(t, "/topics/ml/weekly.atom")
	if !bytes.Contains(weekly, []byte("week of 2025-03-10")) || !bytes.Contains(weekly, []byte("<updated>2025-03-17T00:00:00Z</updated>")) {
		t.Errorf("weekly feed lacks the week of the seed:\n%s", weekly)
	}

	t.Run("stable across re-renders", func(t *testing.T) {
		for _, p := range []string{"/topics/ml/daily.atom", "/topics/ml/daily.rss", "/topics/ml/weekly.json"} {
			first := f.get(t, p)
			f.clock.Set(f.clock.Now().Add(2 * time.Hour)) // past the cache's max age, same day
			if again := f.get(t, p); !bytes.Equal(first, again) {
				t.Errorf("%s changed on a re-render with nothing new:\n%s\n----\n%s", p, first, again)
			}
		}
	})
	t.Run("unknown", func(t *testing.T) {
		for _, p := range []string{"/topics/ml/hourly.atom", "/topics/nope/daily.atom", "/topics/ml/daily.html"} {
			if resp, _ := f.do(t, http.MethodGet, p, nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %d", p, resp.StatusCode)
			}
		}
	})
	t.Run("exported", func(t *testing.T) {
		dir := t.TempDir()
		if err := f.srv.Export(context.Background(), dir); err != nil {
			t.Fatal(err)
		}
		for _, k := range digestKinds {
			for _, ext := range []string{"atom", "rss", "json"} {
				p := "/topics/ml/" + k + "." + ext
				b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
				if err != nil || !bytes.Equal(b, f.get(t, p)) {
					t.Errorf("%s: exported copy differs from the served one (%v)", p, err)
				}
			}
		}
	})
	t.Run("listed", func(t *testing.T) {
		if b := f.get(t, "/topics.opml"); !bytes.Contains(b, []byte(`xmlUrl="https://papers.example.org/topics/ml/weekly.rss"`)) {
			t.Errorf("OPML lacks the weekly digest:\n%s", b)
		}
		if b := f.get(t, "/topics/ml.html"); !bytes.Contains(b, []byte(`href="ml/daily.atom"`)) {
			t.Errorf("topic page lacks the daily digest")
		}
		if b := f.get(t, "/"); !bytes.Contains(b, []byte(`href="topics/ml/weekly.json"`)) {
			t.Errorf("index lacks the weekly digest")
		}
	})
}

// TestDigestTimezone: days run in [server] timezone.
func TestDigestTimezone(t *testing.T) {
	cfg := testConfig(t)
	cfg.Server.Timezone = "Asia/Tokyo" // UTC+9: 11:00 UTC on the 10th is 20:00 on the 10th
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, cfg)
	f.clock.Set(time.Date(2025, 3, 10, 15, 30, 0, 0, time.UTC)) // 00:30 on the 11th in Tokyo
	b := f.get(t, "/topics/ml/daily.atom")
	if !bytes.Contains(b, []byte("<published>2025-03-10T15:00:00Z</published>")) {
		t.Errorf("the Tokyo day of the 10th should end 15:00 UTC:\n%s", b)
	}
}
