package aggregator

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/sharedtest"
	"github.com/paperfeed/paperfeed/db"
)

// encode encodes a UTF-8 string in a single-byte charset.
func encode(t *testing.T, cm *charmap.Charmap, s string) []byte {
	t.Helper()
	b, err := cm.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return b
}

// charsetFeed is an RSS document with one item titled title, with the given
// XML declaration (empty: none), as UTF-8 text to be encoded by the caller.
func charsetFeed(decl, title string) string {
	if decl != "" {
		decl += "\n"
	}
	return decl + `<rss version="2.0"><channel><title>c</title><link>http://example.org/</link><description>d</description>` +
		`<item><title>` + title + `</title><guid>enc-1</guid><link>http://example.org/enc/1</link></item></channel></rss>`
}

// TestCollectorCharsets: what a pass stores for feeds in other encodings.
// Policy (sources.toUTF8): a UTF-16 BOM decides; a document that is valid UTF-8
// is UTF-8 whatever it declares; otherwise the Content-Type charset, then the
// XML declaration; otherwise the pass fails with an error saying so (no guess,
// so no silently stored mojibake). A single-byte document that declares the
// wrong single-byte charset cannot be detected and is decoded as declared.
func TestCollectorCharsets(t *testing.T) {
	const (
		latin  = "Café naïve Übersicht à Zürich"
		cyr    = "Квантовая теория пучков"
		w1252  = "Euro € and “quotes”"
		xmlDec = `<?xml version="1.0" encoding="%s"?>`
	)
	tests := []struct {
		name     string
		ctype    string
		body     func(t *testing.T) []byte
		want     []string // titles stored; nil means the pass must fail
		wantErr  string
		wantNote string // in the pass summary
		fixture  string // needs this shared fixture
		anyTitle bool   // only check the stored titles are clean UTF-8 text
	}{
		{name: "ISO-8859-1 declared", ctype: "application/rss+xml",
			body: func(t *testing.T) []byte {
				return encode(t, charmap.ISO8859_1, charsetFeed(fmt.Sprintf(xmlDec, "ISO-8859-1"), latin))
			}, want: []string{latin}},
		{name: "ISO-8859-1 in Content-Type only", ctype: "text/xml; charset=ISO-8859-1",
			body: func(t *testing.T) []byte {
				return encode(t, charmap.ISO8859_1, charsetFeed(`<?xml version="1.0"?>`, latin))
			},
			want: []string{latin}},
		// Nothing declared and not UTF-8: read as windows-1252 (the WHATWG
		// default), and the summary says so.
		{name: "ISO-8859-1 undeclared", ctype: "application/rss+xml",
			body: func(t *testing.T) []byte {
				return encode(t, charmap.ISO8859_1, charsetFeed(`<?xml version="1.0"?>`, latin))
			},
			want: []string{latin}, wantNote: "read as windows-1252"},
		{name: "ISO-8859-1 declared as UTF-8", ctype: "application/rss+xml",
			body: func(t *testing.T) []byte {
				return encode(t, charmap.ISO8859_1, charsetFeed(fmt.Sprintf(xmlDec, "UTF-8"), latin))
			}, wantErr: "not valid UTF-8"},
		{name: "windows-1251 declared", ctype: "application/rss+xml",
			body: func(t *testing.T) []byte {
				return encode(t, charmap.Windows1251, charsetFeed(fmt.Sprintf(xmlDec, "windows-1251"), cyr))
			}, want: []string{cyr}},
		{name: "windows-1251 in Content-Type, XML says UTF-8", ctype: "application/xml; charset=windows-1251",
			body: func(t *testing.T) []byte {
				return encode(t, charmap.Windows1251, charsetFeed(fmt.Sprintf(xmlDec, "utf-8"), cyr))
			}, want: []string{cyr}},
		{name: "windows-1251 undeclared", ctype: "application/rss+xml",
			body:     func(t *testing.T) []byte { return encode(t, charmap.Windows1251, charsetFeed("", cyr)) },
			want:     []string{"Êâàíòîâàÿ òåîðèÿ ïó÷êîâ"}, // its bytes read as windows-1252, as every reader reads them
			wantNote: "read as windows-1252"},
		{name: "windows-1252 declared", ctype: "application/rss+xml",
			body: func(t *testing.T) []byte {
				return encode(t, charmap.Windows1252, charsetFeed(fmt.Sprintf(xmlDec, "windows-1252"), w1252))
			}, want: []string{w1252}},
		{name: "UTF-8 declared as ISO-8859-1", ctype: "text/xml; charset=ISO-8859-1",
			body: func(t *testing.T) []byte {
				return []byte(charsetFeed(fmt.Sprintf(xmlDec, "ISO-8859-1"), latin+" "+cyr))
			},
			want: []string{latin + " " + cyr}},
		{name: "UTF-8 with an unknown encoding label", ctype: "application/rss+xml",
			body: func(t *testing.T) []byte { return []byte(charsetFeed(fmt.Sprintf(xmlDec, "invalid"), latin)) },
			want: []string{latin}},
		{name: "windows-1251 declared as ISO-8859-1 (undetectable)", ctype: "application/rss+xml", anyTitle: true,
			body: func(t *testing.T) []byte {
				return encode(t, charmap.Windows1251, charsetFeed(fmt.Sprintf(xmlDec, "ISO-8859-1"), cyr))
			}},
		{name: "fixture KOI8-R declared", ctype: "application/rss+xml", fixture: "miniflux_encoding__koi8r.xml",
			want: []string{"Первая новость", "Вторая новость"}},
		{name: "fixture ISO-8859-1 Golem", ctype: "application/rss+xml", fixture: "miniflux_parser__encoding_ISO-8859-1.xml", anyTitle: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body []byte
			if tt.fixture != "" {
				body = sharedtest.File(t, "fixtures/encodings/"+tt.fixture)
			} else {
				body = tt.body(t)
			}
			u := newFaultUpstream(t)
			feedURL := u.URL + "/feed.xml"
			c, store := faultSetup(t, time.Hour, config.Source{Name: "journal", Type: "feed", URL: feedURL})
			goodPass(t, c, store, u)
			u.set(serveBytes(tt.ctype, body))
			s := c.CollectAll(context.Background())[0]
			st, _ := store.SourceState(context.Background(), "journal")
			ps, err := store.Topic(context.Background(), db.TopicQuery{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			var stored []string
			for _, p := range ps {
				if !strings.Contains(p.Title, "sheaves") {
					stored = append(stored, p.Title)
				}
			}
			switch {
			case tt.wantErr != "":
				if s.Err == nil || !strings.Contains(st.LastError, tt.wantErr) || !strings.Contains(st.LastError, feedURL) {
					t.Errorf("want a recorded error %q naming the URL, got %v / %q", tt.wantErr, s.Err, st.LastError)
				}
				if len(stored) != 0 {
					t.Errorf("a failed pass stored %q", stored)
				}
				t.Logf("recorded: %s", st.LastError)
			case tt.anyTitle:
				if s.Err != nil {
					t.Fatalf("pass failed: %v", s.Err)
				}
				if len(stored) == 0 {
					t.Errorf("nothing stored")
				}
				for _, title := range stored {
					if !utf8.ValidString(title) || strings.ContainsRune(title, utf8.RuneError) || strings.Contains(title, "Ã") {
						t.Errorf("title %q is not clean UTF-8 text", title)
					}
				}
				t.Logf("stored e.g. %q", stored[0])
			default:
				if s.Err != nil {
					t.Fatalf("pass failed: %v", s.Err)
				}
				for _, want := range tt.want {
					if !containsString(stored, want) {
						t.Errorf("stored titles %q, want %q", stored, want)
					}
				}
				if !strings.Contains(s.Outcome(), tt.wantNote) {
					t.Errorf("summary %q, want %q", s.Outcome(), tt.wantNote)
				}
			}
			assertServed(t, store)
		})
	}
}
