package feeds

import (
	"encoding/json"
	"encoding/xml"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db/model"
)

// Minimal decoders of what the tests assert, independent of the writer's structs.
type xAtom struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Links   []xLink  `xml:"link"`
	Entries []xEntry `xml:"entry"`
}

type xLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type xEntry struct {
	ID        string   `xml:"id"`
	Title     string   `xml:"title"`
	Updated   string   `xml:"updated"`
	Published string   `xml:"published"`
	Authors   []string `xml:"author>name"`
	Cats      []struct {
		Term string `xml:"term,attr"`
	} `xml:"category"`
	Links   []xLink `xml:"link"`
	Summary struct {
		Type string `xml:"type,attr"`
		Text string `xml:",chardata"`
	} `xml:"summary"`
	Content struct {
		Type string `xml:"type,attr"`
		Text string `xml:",chardata"`
	} `xml:"content"`
}

type xRSS struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		Title string `xml:"title"`
		Links []struct {
			XMLName xml.Name
			xLink
			Text string `xml:",chardata"`
		} `xml:"link"`
		Items []struct {
			Title string `xml:"title"`
			Link  string `xml:"link"`
			GUID  struct {
				PermaLink string `xml:"isPermaLink,attr"`
				ID        string `xml:",chardata"`
			} `xml:"guid"`
			PubDate  string   `xml:"pubDate"`
			Creators []string `xml:"http://purl.org/dc/elements/1.1/ creator"`
			Cats     []string `xml:"category"`
			Desc     string   `xml:"description"`
		} `xml:"item"`
	} `xml:"channel"`
}

type xJSON struct {
	Version     string `json:"version"`
	Title       string `json:"title"`
	FeedURL     string `json:"feed_url"`
	HomePageURL string `json:"home_page_url"`
	Items       []struct {
		ID            string   `json:"id"`
		URL           string   `json:"url"`
		ExternalURL   string   `json:"external_url"`
		Title         string   `json:"title"`
		DatePublished string   `json:"date_published"`
		DateModified  string   `json:"date_modified"`
		Tags          []string `json:"tags"`
		ContentHTML   string   `json:"content_html"`
		Summary       string   `json:"summary"`
		Authors       []struct {
			Name string `json:"name"`
		} `json:"authors"`
	} `json:"items"`
}

func parseAtom(t *testing.T, b []byte) xAtom {
	t.Helper()
	var a xAtom
	if err := xml.Unmarshal(b, &a); err != nil {
		t.Fatalf("atom: %v\n%s", err, b)
	}
	return a
}

func parseRSS(t *testing.T, b []byte) xRSS {
	t.Helper()
	var r xRSS
	if err := xml.Unmarshal(b, &r); err != nil {
		t.Fatalf("rss: %v\n%s", err, b)
	}
	return r
}

func parseJSON(t *testing.T, b []byte) xJSON {
	t.Helper()
	var j xJSON
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatalf("json: %v\n%s", err, b)
	}
	return j
}

func TestAtomElements(t *testing.T) {
	f := newFixture(t, nil)
	a := parseAtom(t, f.get(t, "/topics/all.atom"))
	uid := "arxiv:2503.01234"
	checks := []struct {
		name string
		ok   bool
		got  any
	}{
		{"feed id is a tag URI, not the link", a.ID == "tag:papers.example.org,2025:paperfeed/topics/all", a.ID},
		{"feed title", a.Title == "All papers", a.Title},
		{"feed updated is the newest entry's", a.Updated == "2025-03-10T06:00:00Z", a.Updated},
		{"rel=self", slices.Contains(a.Links, xLink{"https://papers.example.org/topics/all.atom", "self", "application/atom+xml"}), a.Links},
		{"rel=alternate html", slices.Contains(a.Links, xLink{"https://papers.example.org/topics/all.html", "alternate", "text/html"}), a.Links},
		{"four entries newest first", len(a.Entries) == 4 && a.Entries[0].Title == "Diffusion Models Are Trendy", len(a.Entries)},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if !c.ok {
				t.Errorf("got %v", c.got)
			}
		})
	}
	e := a.Entries[1]
	var cats []string
	for _, c := range e.Cats {
		cats = append(cats, c.Term)
	}
	entryChecks := []struct {
		name      string
		got, want any
	}{
		{"id from UID", e.ID, EntryID(uid)},
		{"id is urn:uuid", strings.HasPrefix(e.ID, "urn:uuid:") && len(e.ID) == len("urn:uuid:")+36, true},
		{"title", e.Title, "Learning to Rank Papers"},
		{"published UTC RFC 3339", e.Published, "2025-03-09T12:00:00Z"},
		{"updated", e.Updated, "2025-03-09T12:00:00Z"},
		{"every author", strings.Join(e.Authors, "|"), "Ada Lovelace|Alan Turing|Grace Hopper"},
		{"category terms", strings.Join(cats, "|"), "cs.LG|cs.IR"},
		{"alternate is the primary link", e.Links[0], xLink{Href: "https://arxiv.org/abs/2503.01234", Rel: "alternate"}},
		{"related links", len(e.Links), 6},
		{"pdf is the enclosure", slices.Contains(e.Links, xLink{"https://arxiv.org/pdf/2503.01234", "enclosure", "application/pdf"}), true},
		{"doi related", slices.Contains(e.Links, xLink{Href: "https://doi.org/10.48550/arxiv.2503.01234", Rel: "related"}), true},
		{"hf related", slices.Contains(e.Links, xLink{Href: "https://huggingface.co/papers/2503.01234", Rel: "related"}), true},
		{"code related", slices.Contains(e.Links, xLink{Href: "https://github.com/example/rank", Rel: "related"}), true},
		{"summary is plain text", e.Summary.Type + ":" + e.Summary.Text, "text:We learn to rank papers. Results: x < y & z > w."},
		{"content is html", e.Content.Type, "html"},
		{"content escapes the abstract", strings.Contains(e.Content.Text, "x &lt; y &amp; z"), true},
		{"content lists links", strings.Contains(e.Content.Text, `<a href="https://arxiv.org/pdf/2503.01234">PDF</a>`), true},
	}
	for _, c := range entryChecks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
	t.Run("paper without links falls back to its sighting", func(t *testing.T) {
		if got := a.Entries[3].Links[0].Href; got != "https://huggingface.co/papers/2401.00001" {
			t.Errorf("got %q", got)
		}
	})
}

func TestRSSElements(t *testing.T) {
	f := newFixture(t, nil)
	body := f.get(t, "/topics/all.rss")
	r := parseRSS(t, body)
	it := r.Channel.Items[1]
	cases := []struct {
		name      string
		got, want any
	}{
		{"version", r.Version, "2.0"},
		{"declares atom", strings.Contains(string(body), `xmlns:atom="http://www.w3.org/2005/Atom"`), true},
		{"declares dc", strings.Contains(string(body), `xmlns:dc="http://purl.org/dc/elements/1.1/"`), true},
		{"channel link is the html page", r.Channel.Links[0].XMLName.Space + r.Channel.Links[0].Text, "https://papers.example.org/topics/all.html"},
		{"atom:link self", r.Channel.Links[1].XMLName.Space == "http://www.w3.org/2005/Atom" && r.Channel.Links[1].xLink == xLink{"https://papers.example.org/topics/all.rss", "self", "application/rss+xml"}, true},
		{"guid not a permalink", it.GUID.PermaLink, "false"},
		{"guid from UID", it.GUID.ID, EntryID("arxiv:2503.01234")},
		{"pubDate RFC 1123 +0000", it.PubDate, "Sun, 09 Mar 2025 12:00:00 +0000"},
		{"one dc:creator with every author in order", strings.Join(it.Creators, "|"), "Ada Lovelace, Alan Turing, Grace Hopper"},
		{"category per category", strings.Join(it.Cats, "|"), "cs.LG|cs.IR"},
		{"link", it.Link, "https://arxiv.org/abs/2503.01234"},
		{"description is escaped html", strings.HasPrefix(it.Desc, "<p>We learn to rank papers. Results: x &lt; y"), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
}

func TestJSONFeedElements(t *testing.T) {
	f := newFixture(t, nil)
	j := parseJSON(t, f.get(t, "/topics/all.json"))
	it := j.Items[1]
	var authors []string
	for _, a := range it.Authors {
		authors = append(authors, a.Name)
	}
	bio := j.Items[2]
	cases := []struct {
		name      string
		got, want any
	}{
		{"version", j.Version, "https://jsonfeed.org/version/1.1"},
		{"title", j.Title, "All papers"},
		{"feed_url", j.FeedURL, "https://papers.example.org/topics/all.json"},
		{"home_page_url", j.HomePageURL, "https://papers.example.org/topics/all.html"},
		{"id", it.ID, EntryID("arxiv:2503.01234")},
		{"url", it.URL, "https://arxiv.org/abs/2503.01234"},
		{"external_url is the DOI", it.ExternalURL, "https://doi.org/10.48550/arxiv.2503.01234"},
		{"date_published", it.DatePublished, "2025-03-09T12:00:00Z"},
		{"date_modified", it.DateModified, "2025-03-09T12:00:00Z"},
		{"all authors", strings.Join(authors, "|"), "Ada Lovelace|Alan Turing|Grace Hopper"},
		{"tags", strings.Join(it.Tags, "|"), "cs.LG|cs.IR"},
		{"summary plain", it.Summary, "We learn to rank papers. Results: x < y & z > w."},
		{"content_html", strings.HasPrefix(it.ContentHTML, "<p>We learn"), true},
		{"doi-primary paper: url is the DOI, external_url the PDF", bio.URL + " " + bio.ExternalURL, "https://doi.org/10.1101/2025.03.01.123456 https://www.biorxiv.org/content/10.1101/2025.03.01.123456v1.full.pdf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
}

func TestOPML(t *testing.T) {
	f := newFixture(t, nil)
	var o struct {
		Version  string `xml:"version,attr"`
		Title    string `xml:"head>title"`
		Outlines []struct {
			Type    string `xml:"type,attr"`
			Text    string `xml:"text,attr"`
			Title   string `xml:"title,attr"`
			XMLURL  string `xml:"xmlUrl,attr"`
			HTMLURL string `xml:"htmlUrl,attr"`
		} `xml:"body>outline"`
	}
	if err := xml.Unmarshal(f.get(t, "/topics.opml"), &o); err != nil {
		t.Fatal(err)
	}
	if o.Version != "2.0" || o.Title != "Test papers" || len(o.Outlines) != 3*len(f.cfg.Topics) {
		t.Fatalf("got %+v", o)
	}
	for i, tp := range f.cfg.Topics {
		t.Run(tp.Name, func(t *testing.T) {
			ol := o.Outlines[3*i] // then its daily and weekly digests
			for j, k := range digestKinds {
				if d := o.Outlines[3*i+1+j]; d.XMLURL != "https://papers.example.org/topics/"+tp.Name+"/"+k+".rss" {
					t.Errorf("digest outline %+v", d)
				}
			}
			if ol.Type != "rss" || ol.Text != tp.Title || ol.Title != tp.Title ||
				ol.XMLURL != "https://papers.example.org/topics/"+tp.Name+".rss" ||
				ol.HTMLURL != "https://papers.example.org/topics/"+tp.Name+".html" {
				t.Errorf("outline %+v", ol)
			}
		})
	}
}

// TestStability: ids, links and published never change, across renders and new
// generations; updated changes only when the paper's record does.
func TestStability(t *testing.T) {
	f := newFixture(t, nil)
	first := parseAtom(t, f.get(t, "/topics/all.atom"))
	firstJSON := parseJSON(t, f.get(t, "/topics/all.json"))
	byID := func(a xAtom) map[string]xEntry {
		m := map[string]xEntry{}
		for _, e := range a.Entries {
			m[e.ID] = e
		}
		return m
	}

	// A new generation: more upvotes for one paper, the others untouched.
	it := testItems()[1]
	it.Upvotes = 99
	upvotedAt := t0.Add(time.Minute)
	mergeInto(t, f.store, upvotedAt, it)
	f.clock.Set(t0.Add(2 * time.Minute))
	second := parseAtom(t, f.get(t, "/topics/all.atom"))

	// Content change: a longer abstract.
	it = testItems()[0]
	it.Abstract += " Now with an extended abstract."
	changedAt := t0.Add(3 * time.Minute)
	mergeInto(t, f.store, changedAt, it)
	third := parseAtom(t, f.get(t, "/topics/all.atom"))
	thirdJSON := parseJSON(t, f.get(t, "/topics/all.json"))

	m1, m2, m3 := byID(first), byID(second), byID(third)
	if len(m1) != 4 || len(m2) != 4 || len(m3) != 4 {
		t.Fatalf("entries %d %d %d", len(m1), len(m2), len(m3))
	}
	changedID, upvotedID := EntryID("arxiv:2503.01234"), EntryID("arxiv:2503.05555")
	for id, e1 := range m1 {
		t.Run(e1.Title, func(t *testing.T) {
			e2, ok2 := m2[id]
			e3, ok3 := m3[id]
			if !ok2 || !ok3 {
				t.Fatalf("id %s changed", id)
			}
			if e1.Links[0] != e3.Links[0] || e1.Published != e2.Published || e1.Published != e3.Published {
				t.Errorf("link/published changed: %v %v %v / %s %s %s", e1.Links[0], e2.Links[0], e3.Links[0], e1.Published, e2.Published, e3.Published)
			}
			wantUpdated := e1.Updated
			if id == upvotedID {
				wantUpdated = upvotedAt.Format(time.RFC3339)
			}
			if e2.Updated != wantUpdated {
				t.Errorf("updated after new upvotes = %s, want %s", e2.Updated, wantUpdated)
			}
			if id == changedID {
				wantUpdated = changedAt.Format(time.RFC3339)
			}
			if e3.Updated != wantUpdated {
				t.Errorf("updated after abstract change = %s, want %s", e3.Updated, wantUpdated)
			}
		})
	}
	t.Run("json ids and dates", func(t *testing.T) {
		for i := range firstJSON.Items {
			a, b := firstJSON.Items[i], thirdJSON.Items[i]
			if a.ID != b.ID || a.URL != b.URL || a.DatePublished != b.DatePublished {
				t.Errorf("item %d changed: %+v -> %+v", i, a, b)
			}
		}
	})
	t.Run("entry id depends only on the UID", func(t *testing.T) {
		if EntryID("arxiv:2503.01234") != "urn:uuid:839fbf3f-68d4-581d-9019-9887b89ffe66" {
			t.Errorf("EntryID changed: %s; every published id would change", EntryID("arxiv:2503.01234"))
		}
	})
}

func TestSortAndLimit(t *testing.T) {
	f := newFixture(t, nil)
	cases := []struct {
		path  string
		first string
		n     int
	}{
		{"/topics/all.json", "Diffusion Models Are Trendy", 4},
		{"/topics/all.json?limit=2", "Diffusion Models Are Trendy", 2},
		{"/topics/trending.json", "Diffusion Models Are Trendy", 2},
		{"/topics/bio.json", "Protein Folding in Cells", 1},
		{"/search.json?q=protein", "Protein Folding in Cells", 1},
		{"/search.json?q=paper&limit=1", "Diffusion Models Are Trendy", 1},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			j := parseJSON(t, f.get(t, c.path))
			if len(j.Items) != c.n || j.Items[0].Title != c.first {
				t.Errorf("got %d items, first %q", len(j.Items), j.Items[0].Title)
			}
		})
	}
	t.Run("self link keeps the limit", func(t *testing.T) {
		j := parseJSON(t, f.get(t, "/topics/all.json?limit=2"))
		if j.FeedURL != "https://papers.example.org/topics/all.json?limit=2" {
			t.Errorf("feed_url %q", j.FeedURL)
		}
	})
	t.Run("window keeps at least limit", func(t *testing.T) {
		// bio's window is 7 days; a 30-day-old biorxiv paper still appears since limit (50) is not reached.
		old := model.Item{Source: "biorxiv", GUID: "old-bio", Title: "Old Bio", Published: t0.Add(-40 * 24 * time.Hour)}
		seed(t, f.store, t0, old)
		j := parseJSON(t, f.get(t, "/topics/bio.json"))
		if len(j.Items) != 2 {
			t.Errorf("got %d items", len(j.Items))
		}
	})
}

// readerView parses a served feed with gofeed, an independent reader, and
// returns its items by id (Atom id, RSS guid, JSON Feed id).
