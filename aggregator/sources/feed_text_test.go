package sources

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/dedup"
	"github.com/paperfeed/paperfeed/aggregator/ident"
	"github.com/paperfeed/paperfeed/db/model"
)

// parseTestdata parses a synthetic feed of testdata/ as the feed source does.
func parseTestdata(t *testing.T, name string) []model.Item {
	t.Helper()
	doc, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	items, _, err := parseFeed(doc, "")
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return items
}

// itemByGUID finds the item with the given guid.
func itemByGUID(t *testing.T, items []model.Item, guid string) model.Item {
	t.Helper()
	for _, it := range items {
		if it.GUID == guid {
			return it
		}
	}
	t.Fatalf("no item with guid %q among %d", guid, len(items))
	return model.Item{}
}

// TestFeedTextDecoding: each text field is decoded once, by its declared type
// (Atom text/html/xhtml, JSON Feed plain text or content_html) or, for RSS,
// as feedparser does: HTML only when it looks like HTML. A literal "<" in
// text stays; script and style bodies never become text.
func TestFeedTextDecoding(t *testing.T) {
	type want struct{ guid, title, abstract string }
	for _, tc := range []struct {
		file  string
		items []want
	}{
		{"feed_text_rss.xml", []want{
			{"j-1", "Is P<NP? A survey of x<y bounds", "We show n<m and m>k for all k."},
			{"j-2", "Is P<NP? Lower bounds from x<z", ""},
			{"j-3", "CDATA title: a<b and c>d", "An HTML abstract with n<m inside."},
			{"j-4", "Escaped markup in a title", "Real abstract."},
			{"j-5", "AT&T and Q&A", "CDATA abstract."},
			{"j-11", "Script in a title", ""},
			{"https://journal.example.org/guid/10", "A link beats the guid", "Content n<m"},
		}},
		{"feed_text_atom.xml", []want{
			{"urn:x:1", "Is P<NP? A survey of x<y bounds", "We show n<m and m>k"},
			{"urn:x:2", "Untyped text <b>stays</b> literal", "Real abstract with n<m."},
			{"urn:x:3", "In vivo imaging of P<NP", "An XHTML summary with n<m."},
			{"urn:x:4", "An XHTML title: x<y", ""},
			{"urn:x:5", "CDATA text title: a<b", "CDATA HTML summary"},
			{"urn:x:6", "Naked markup in a text title", ""},
		}},
		{"feed_atom03.xml", []want{
			{"urn:y:4", "Escaped HTML title", "Escaped text n<m"},
		}},
		{"feed_text.json", []want{
			{"1", "Is P<NP? A survey of x<y bounds", "We show n<m and m>k"},
			{"2", "HTML content", "Real abstract."},
		}},
	} {
		items := parseTestdata(t, tc.file)
		for _, w := range tc.items {
			t.Run(tc.file+"/"+w.guid, func(t *testing.T) {
				it := itemByGUID(t, items, w.guid)
				eq(t, "Title", it.Title, w.title)
				eq(t, "Abstract", it.Abstract, w.abstract)
			})
		}
	}
}

// TestFeedLessThanTitlesStayApart: two papers whose titles share the part
// before a "<" are two papers, not one.
func TestFeedLessThanTitlesStayApart(t *testing.T) {
	items := parseTestdata(t, "feed_text_rss.xml")
	a, b := itemByGUID(t, items, "j-1"), itemByGUID(t, items, "j-2")
	if ident.TitleKey(a.Title) == ident.TitleKey(b.Title) {
		t.Errorf("title keys of %q and %q are equal", a.Title, b.Title)
	}
	if dedup.Same(dedup.FromItem(&a), dedup.FromItem(&b)) {
		t.Errorf("%q and %q are matched as one paper", a.Title, b.Title)
	}
}

// TestFeedKeptFields: the guid permalink as the link, the dates of Dublin
// Core terms, PRISM and Atom 0.3, and authors' names without their addresses.
func TestFeedKeptFields(t *testing.T) {
	day := func(s string) time.Time { return date(s + "T00:00:00Z") }
	for _, tc := range []struct {
		file, guid string
		link       string
		published  time.Time
		updated    time.Time
		authors    []string
	}{
		{"feed_text_rss.xml", "https://journal.example.org/a/6", "https://journal.example.org/a/6", day("2026-03-04"), time.Time{}, []string{"Jane Doe"}},
		{"feed_text_rss.xml", "https://journal.example.org/a/7", "https://journal.example.org/a/7", date("2026-03-05T10:00:00Z"), time.Time{}, []string{"John Roe", "Doe, Jane", "Kristina Lång"}},
		{"feed_text_rss.xml", "https://journal.example.org/a/8", "", day("2026-03-06"), time.Time{}, nil},
		{"feed_text_rss.xml", "oai:journal.example.org:9", "", date("2026-03-07T06:30:00Z"), date("2026-03-07T06:30:00Z"), nil},
		{"feed_text_rss.xml", "https://journal.example.org/guid/10", "https://journal.example.org/a/10", date("2026-03-08T12:00:00Z"), time.Time{}, nil},
		{"feed_text_atom.xml", "urn:x:1", "", day("2026-03-01"), day("2026-03-01"), []string{"Jane Doe"}},
		{"feed_text_atom.xml", "urn:x:2", "", day("2026-02-28"), day("2026-03-02"), nil},
		{"feed_atom03.xml", "urn:y:1", "", date("2026-03-01T09:00:00Z"), date("2026-03-09T09:00:00Z"), []string{"Jane Doe"}},
		{"feed_atom03.xml", "urn:y:2", "", date("2026-02-02T09:00:00Z"), date("2026-03-09T09:00:00Z"), nil},
		{"feed_atom03.xml", "urn:y:3", "", date("2026-03-08T09:00:00Z"), date("2026-03-08T09:00:00Z"), nil},
		{"feed_text.json", "1", "https://journal.example.org/j/1", day("2026-03-01"), time.Time{}, []string{"Jane Doe"}},
	} {
		t.Run(tc.file+"/"+tc.guid, func(t *testing.T) {
			it := itemByGUID(t, parseTestdata(t, tc.file), tc.guid)
			eq(t, "Link", it.Link, tc.link)
			eq(t, "Published", it.Published, tc.published)
			eq(t, "Updated", it.Updated, tc.updated)
			eq(t, "Authors", it.Authors, tc.authors)
			for _, a := range it.Authors {
				if strings.Contains(a, "@") {
					t.Errorf("author %q holds an address", a)
				}
			}
		})
	}
}

func TestPersonName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Jane Doe", "Jane Doe"},
		{"Jane Doe <jane@example.org>", "Jane Doe"},
		{`"Doe, Jane" <jane@example.org>`, "Doe, Jane"},
		{"jane@example.org (Jane Doe)", "Jane Doe"},
		{"jane@example.org", ""},
		{"<jane@example.org>", ""},
		{"Team @ Lab", "Team @ Lab"},
	} {
		t.Run(tc.in, func(t *testing.T) { eq(t, "personName", personName(tc.in), tc.want) })
	}
}

// FuzzParseFeed: whatever the bytes, parseFeed returns items with a title and
// a guid, or an error; it never panics.
func FuzzParseFeed(f *testing.F) {
	for _, name := range []string{"feed_text_rss.xml", "feed_text_atom.xml", "feed_atom03.xml", "feed_text.json", "feed_ids.xml"} {
		doc, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(doc)
	}
	f.Add([]byte("\xff\xfe<\x00r\x00s\x00s\x00"))
	f.Add([]byte(`<feed><entry><title type="html">&lt;b`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		items, _, err := parseFeed(doc, "")
		if err != nil {
			return
		}
		for _, it := range items {
			if it.Title == "" || it.GUID == "" {
				t.Fatalf("item without title or guid: %+v", it)
			}
		}
	})
}
