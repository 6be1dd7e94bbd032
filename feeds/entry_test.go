package feeds

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/paperfeed/paperfeed/db/model"
)

// TestEntryIDPinned: entry ids are what readers store to tell read papers
// from new ones; these were computed by the hand-written UUID v5 that
// uuid.NewSHA1 replaced, and must never change.
func TestEntryIDPinned(t *testing.T) {
	cases := []struct{ uid, id string }{
		{"arxiv:2503.01234", "urn:uuid:839fbf3f-68d4-581d-9019-9887b89ffe66"},
		{"doi:10.1101/2025.03.01.123456", "urn:uuid:efff1ad9-d6ed-59f6-b2bd-7c0d71664645"},
		{"hf:2503.05555", "urn:uuid:331b1a81-6abf-5869-8cbc-ecc0f6d86451"},
		{"", "urn:uuid:93333cd8-995f-5ffe-8672-d8062650c131"},
		{"title:ünïcödé \x00 key", "urn:uuid:c2ff1558-cd8e-5b16-900f-464419947885"},
		{"src:rss/https://example.org/feed?id=1&x=<y>", "urn:uuid:d7e936d0-3e91-5ab5-89f5-cfab4d86794d"},
	}
	for _, c := range cases {
		t.Run(c.uid, func(t *testing.T) {
			if got := EntryID(c.uid); got != c.id {
				t.Errorf("EntryID(%q) = %s, want %s: every published id would change", c.uid, got, c.id)
			}
		})
	}
}

func readerView(t *testing.T, body []byte) (*gofeed.Feed, map[string]*gofeed.Item) {
	t.Helper()
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("gofeed: %v\n%s", err, body)
	}
	items := map[string]*gofeed.Item{}
	for _, it := range feed.Items {
		items[it.GUID] = it
	}
	return feed, items
}

// itemContent is the HTML a reader shows for an item: Atom content, RSS
// description, JSON Feed content_html.
func itemContent(it *gofeed.Item) string {
	if it.Content != "" {
		return it.Content
	}
	return it.Description
}

func personNames(ps []*gofeed.Person) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

// anonymousItem is a listing without authors (some journal and HF feeds give none).
func anonymousItem() model.Item {
	return model.Item{
		Source: "hf", GUID: "2503.07777", Link: "https://huggingface.co/papers/2503.07777",
		Title: "A Paper Without Listed Authors", Abstract: "Nobody signed it.",
		Published: t0.Add(-3 * time.Hour), ArxivID: "2503.07777",
	}
}

// TestReaderAuthors: readers that keep one author string (Miniflux) see every
// author in order, and never the site's name as an author.
func TestReaderAuthors(t *testing.T) {
	f := newFixture(t, nil, append(testItems(), anonymousItem())...)
	ranked, anon := EntryID("arxiv:2503.01234"), ""
	for _, format := range []string{"atom", "rss", "json"} {
		t.Run(format, func(t *testing.T) {
			body := f.get(t, "/topics/all."+format)
			feed, items := readerView(t, body)
			if len(feed.Authors) != 0 {
				t.Errorf("feed-level authors %q: readers credit them to every item", personNames(feed.Authors))
			}
			want := "Ada Lovelace|Alan Turing|Grace Hopper"
			if format == "rss" {
				want = "Ada Lovelace, Alan Turing, Grace Hopper" // one dc:creator, as arXiv's RSS writes it
			}
			if got := strings.Join(personNames(items[ranked].Authors), "|"); got != want {
				t.Errorf("authors %q, want %q", got, want)
			}
			for id, it := range items {
				if it.Title == "A Paper Without Listed Authors" {
					anon = id
					if len(it.Authors) != 0 {
						t.Errorf("paper without authors credited to %q", personNames(it.Authors))
					}
				}
			}
			if anon == "" {
				t.Fatal("paper without authors not served")
			}
			switch format {
			case "rss":
				if n := strings.Count(string(body), "<dc:creator>"); n != len(items)-1 {
					t.Errorf("%d dc:creator elements for %d items with authors", n, len(items)-1)
				}
			case "json":
				var top map[string]json.RawMessage
				if err := json.Unmarshal(body, &top); err != nil {
					t.Fatal(err)
				}
				for _, k := range []string{"authors", "author"} {
					if v, ok := top[k]; ok {
						t.Errorf("top-level %s %s: Miniflux credits it as every item's author", k, v)
					}
				}
			case "atom":
				// RFC 4287 4.1.2: an entry without atom:author needs one in
				// atom:source or atom:feed. It is in atom:source, which readers
				// do not credit as the entry's author.
				var doc struct {
					Authors []string `xml:"author>name"`
					Entries []struct {
						ID      string   `xml:"id"`
						Authors []string `xml:"author>name"`
						Source  []string `xml:"source>author>name"`
					} `xml:"entry"`
				}
				if err := xml.Unmarshal(body, &doc); err != nil {
					t.Fatal(err)
				}
				if len(doc.Authors) != 0 {
					t.Errorf("feed-level author %q", doc.Authors)
				}
				for _, e := range doc.Entries {
					if len(e.Authors) == 0 && len(e.Source) == 0 {
						t.Errorf("entry %s has no author anywhere (RFC 4287 4.1.2)", e.ID)
					}
					if len(e.Authors) > 0 && len(e.Source) > 0 {
						t.Errorf("entry %s has authors and a source author", e.ID)
					}
				}
			}
		})
	}
}

// TestPDFEnclosure: the PDF is an enclosure in every format, typed
// application/pdf; a paper without a PDF has none.
func TestPDFEnclosure(t *testing.T) {
	f := newFixture(t, nil)
	cases := []struct {
		title, pdf string
	}{
		{"Learning to Rank Papers", "https://arxiv.org/pdf/2503.01234"},
		{"Protein Folding in Cells", "https://www.biorxiv.org/content/10.1101/2025.03.01.123456v1.full.pdf"},
		{"Diffusion Models Are Trendy", ""},
	}
	for _, format := range []string{"atom", "rss", "json"} {
		feed, _ := readerView(t, f.get(t, "/topics/all."+format))
		for _, c := range cases {
			t.Run(format+"/"+c.title, func(t *testing.T) {
				i := slices.IndexFunc(feed.Items, func(it *gofeed.Item) bool { return it.Title == c.title })
				if i < 0 {
					t.Fatalf("%q not served", c.title)
				}
				it := feed.Items[i]
				var got []string
				for _, e := range it.Enclosures {
					got = append(got, e.URL+" "+e.Type)
				}
				var want []string
				if c.pdf != "" {
					want = []string{c.pdf + " application/pdf"}
				}
				if !slices.Equal(got, want) {
					t.Errorf("enclosures %q, want %q", got, want)
				}
				if format == "rss" && len(it.Enclosures) == 1 && it.Enclosures[0].Length != "0" {
					t.Errorf("RSS enclosure length %q, want 0 (required; size unknown)", it.Enclosures[0].Length)
				}
			})
		}
	}
}

// TestContentShowsRecord: upvotes, the code repository and the sources are in
// every format's item content; when the record changes (new upvotes, a second
// source) the content and updated / date_modified follow, the id never moves.
func TestContentShowsRecord(t *testing.T) {
	f := newFixture(t, nil)
	ranked, trendy := EntryID("arxiv:2503.01234"), EntryID("arxiv:2503.05555")
	type view struct {
		content, updated string
	}
	render := func(t *testing.T, format string) map[string]view {
		_, items := readerView(t, f.get(t, "/topics/all."+format))
		out := map[string]view{}
		for id, it := range items {
			out[id] = view{content: itemContent(it), updated: it.Updated}
		}
		return out
	}
	formats := []string{"atom", "rss", "json"}
	before := map[string]map[string]view{}
	for _, format := range formats {
		before[format] = render(t, format)
	}

	it := testItems()[1]
	it.Upvotes = 99
	changedAt := t0.Add(time.Minute)
	mergeInto(t, f.store, changedAt, it) // new upvotes
	second := model.Item{Source: "arxiv", GUID: "oai:arXiv.org:2503.05555", ArxivID: "2503.05555",
		Title: "Diffusion Models Are Trendy", Link: "https://arxiv.org/abs/2503.05555"}
	mergeInto(t, f.store, changedAt, second) // a second source
	f.clock.Set(t0.Add(2 * time.Minute))

	for _, format := range formats {
		after := render(t, format)
		b, a := before[format], after
		checks := []struct {
			name string
			ok   bool
			got  any
		}{
			{"upvotes shown", strings.Contains(b[trendy].content, "<b>Upvotes:</b> 42"), b[trendy].content},
			{"sources shown", strings.Contains(b[trendy].content, "<b>Sources:</b> hf"), b[trendy].content},
			{"code repository shown", strings.Contains(b[ranked].content, `<b>Code:</b> <a href="https://github.com/example/rank">github.com/example/rank</a>`), b[ranked].content},
			{"paper without upvotes shows none", !strings.Contains(b[ranked].content, "Upvotes"), b[ranked].content},
			{"id stays", len(a) == len(b) && a[trendy].content != "", len(a)},
			{"new upvotes shown", strings.Contains(a[trendy].content, "<b>Upvotes:</b> 99"), a[trendy].content},
			{"second source shown", strings.Contains(a[trendy].content, "<b>Sources:</b> hf, arxiv"), a[trendy].content},
			{"unchanged paper keeps its updated", a[ranked].updated == b[ranked].updated, a[ranked].updated},
		}
		if format != "rss" { // RSS 2.0 has no modification date
			checks = append(checks, struct {
				name string
				ok   bool
				got  any
			}{"updated moves", a[trendy].updated == changedAt.Format(time.RFC3339) && b[trendy].updated != a[trendy].updated, b[trendy].updated + " -> " + a[trendy].updated})
		}
		for _, c := range checks {
			t.Run(format+"/"+c.name, func(t *testing.T) {
				if !c.ok {
					t.Errorf("got %v", c.got)
				}
			})
		}
	}
}
