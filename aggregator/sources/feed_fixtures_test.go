package sources

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"

	"github.com/paperfeed/paperfeed/aggregator/sharedtest"
)

// fixtureFiles lists the recorded documents of one shared fixtures folder,
// skipping the test when the shared folder is absent.
func fixtureFiles(t *testing.T, dir string) []string {
	t.Helper()
	folder := sharedtest.Path(t, "fixtures/"+dir)
	m, _ := filepath.Glob(filepath.Join(folder, "*"))
	if len(m) == 0 {
		t.Fatalf("shared fixtures folder %s holds no documents", folder)
	}
	return m
}

// TestFeedSharedFixtures runs gofeed's edge cases, feedjira's real feeds and
// Miniflux's encoding cases through the feed source's parse: each document
// either gives items or fails with an error, and the documents that are not
// feeds are exactly those listed.
func TestFeedSharedFixtures(t *testing.T) {
	notFeeds := map[string]string{
		"json__invalid__invalid.json":              "unexpected end of JSON input",
		"universal__invalid.json":                  "unexpected end of JSON input",
		"universal__empty_feed.xml":                "empty body",
		"universal__unknown_feed.xml":              "not a feed",
		"feedjira__DuplicateContentAtomFeed.xml":   "not a feed",       // an Atom feed inside XHTML
		"feedjira__InvalidDateFormat.xml":          "XML syntax error", // truncated
		"miniflux_xml__iso88591_utf8_mismatch.xml": "not valid UTF-8",  // declares UTF-8, is Latin-1
	}
	for _, dir := range []string{"gofeed-testdata", "robustness-real", "encodings"} {
		for _, path := range fixtureFiles(t, dir) {
			name := filepath.Base(path)
			t.Run(dir+"/"+name, func(t *testing.T) {
				doc, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				items, _, err := parseFeed(doc, "")
				if want, ok := notFeeds[name]; ok {
					if err == nil || !strings.Contains(err.Error(), want) {
						t.Fatalf("error %v, want %q", err, want)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range items {
					if it.Title == "" || it.GUID == "" {
						t.Errorf("item without title or guid: %+v", it)
					}
				}
			})
		}
	}
}

// TestFeedPermalinksFixture: feedjira's guid isPermaLink cases.
func TestFeedPermalinksFixture(t *testing.T) {
	items, _, err := parseFeed(fixture(t, "robustness-real/feedjira__Permalinks.xml"), "")
	if err != nil {
		t.Fatal(err)
	}
	for title, link := range map[string]string{
		"Item 1": "",                     // isPermaLink="false"
		"Item 2": "http://example.com/2", // isPermaLink="true"
		"Item 3": "http://example.com/3", // absent: true by default
		"Item 4": "http://example.com/4", // <link> wins over the guid
	} {
		eq(t, title+" link", findItem(t, items, title).Link, link)
	}
}

// TestFeedEncodingFixtures: Miniflux's encoding cases, with their
// declarations removed or their bytes re-encoded to the forms of issue 10.
func TestFeedEncodingFixtures(t *testing.T) {
	prolog := regexp.MustCompile(`^<\?xml[^>]*\?>`)
	undeclared := func(rel string) []byte { return prolog.ReplaceAll(fixture(t, rel), nil) }
	koi8, _, err := toUTF8(fixture(t, "encodings/miniflux_encoding__koi8r.xml"), "")
	if err != nil {
		t.Fatal(err)
	}
	reencode := func(e interface{ Bytes([]byte) ([]byte, error) }) []byte {
		b, err := e.Bytes(koi8)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name     string
		body     []byte
		want     string
		wantNote bool
	}{
		{"windows-1252 declared", fixture(t, "encodings/miniflux_encoding__windows-1252.xml"), "Euro €", false},
		{"windows-1252 undeclared", undeclared("encodings/miniflux_encoding__windows-1252.xml"), "Euro €", true},
		{"ISO-8859-1 undeclared", undeclared("encodings/miniflux_encoding__iso-8859-1.xml"), "Café", true},
		{"UTF-8 declared windows-1252", fixture(t, "encodings/miniflux_encoding__windows-1252-incorrect-prolog.xml"), "Euro €", false},
		{"KOI8-R declared", fixture(t, "encodings/miniflux_encoding__koi8r.xml"), "Первая новость", false},
		{"KOI8-R as UTF-16BE without BOM", reencode(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewEncoder()), "Первая новость", false},
		{"KOI8-R as UTF-32LE with BOM", reencode(utf32.UTF32(utf32.LittleEndian, utf32.UseBOM).NewEncoder()), "Первая новость", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, note, err := toUTF8(tc.body, "")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(out, []byte(tc.want)) {
				t.Errorf("decoded document lacks %q: %.200q", tc.want, out)
			}
			if (note != "") != tc.wantNote {
				t.Errorf("note %q, want one: %v", note, tc.wantNote)
			}
		})
	}
}
