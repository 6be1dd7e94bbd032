package sources

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// TestParseFeedCharsets: parseFeed decodes documents to UTF-8 by the rules of
// toUTF8 (BOM, the UTF-16/32 byte pattern of "<", valid UTF-8, Content-Type
// charset, XML declaration, windows-1252 when nothing is declared) and fails
// when a declaration is unusable and the bytes are not UTF-8.
func TestParseFeedCharsets(t *testing.T) {
	const title = "Café Übersicht Квант"
	doc := func(decl string) string {
		return decl + `<rss version="2.0"><channel><title>c</title><item><title>` + title + `</title><guid>g</guid></item></channel></rss>`
	}
	latinDoc := func(decl string) string {
		return decl + `<rss version="2.0"><channel><title>c</title><item><title>Café Übersicht</title><guid>g</guid></item></channel></rss>`
	}
	enc := func(e encoding.Encoding, s string) []byte {
		b, err := e.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	const assumed = "read as windows-1252"
	tests := []struct {
		name     string
		body     []byte
		ctype    string
		want     string
		wantNote string
		wantErr  string
	}{
		{"UTF-8 undeclared", []byte(doc(`<?xml version="1.0"?>`)), "", title, "", ""},
		{"UTF-8 with BOM declared ISO-8859-1", []byte("\uFEFF" + doc(`<?xml version="1.0" encoding="ISO-8859-1"?>`)), "", title, "", ""},
		{"UTF-8 after blank lines declared windows-1252", []byte("\n\n" + doc(`<?xml version='1.0' encoding='windows-1252'?>`)), "", title, "", ""},
		{"UTF-16LE with BOM", enc(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), doc(`<?xml version="1.0" encoding="UTF-16"?>`)), "", title, "", ""},
		{"UTF-16BE with BOM", enc(unicode.UTF16(unicode.BigEndian, unicode.UseBOM), doc(`<?xml version="1.0" encoding="UTF-16"?>`)), "", title, "", ""},
		{"UTF-16LE without BOM", enc(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), doc(`<?xml version="1.0" encoding="UTF-16"?>`)), "", title, "", ""},
		{"UTF-16BE without BOM", enc(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), doc(`<?xml version="1.0" encoding="UTF-16"?>`)), "", title, "", ""},
		{"UTF-16LE without BOM or declaration", enc(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), doc("")), "", title, "", ""},
		{"UTF-32LE with BOM", enc(utf32.UTF32(utf32.LittleEndian, utf32.UseBOM), doc(`<?xml version="1.0" encoding="UTF-32"?>`)), "", title, "", ""},
		{"UTF-32BE with BOM", enc(utf32.UTF32(utf32.BigEndian, utf32.UseBOM), doc(`<?xml version="1.0" encoding="UTF-32"?>`)), "", title, "", ""},
		{"UTF-32LE without BOM", enc(utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), doc(`<?xml version="1.0" encoding="UTF-32"?>`)), "", title, "", ""},
		{"UTF-32BE without BOM", enc(utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), doc(`<?xml version="1.0" encoding="UTF-32"?>`)), "", title, "", ""},
		{"ISO-8859-1 declared", enc(charmap.ISO8859_1, latinDoc(`<?xml version="1.0" encoding="iso-8859-1"?>`)), "", "Café Übersicht", "", ""},
		{"ISO-8859-1 charset in Content-Type", enc(charmap.ISO8859_1, latinDoc("")), "text/xml; charset=latin1", "Café Übersicht", "", ""},
		{"ISO-8859-1 unknown label", enc(charmap.ISO8859_1, latinDoc(`<?xml version="1.0" encoding="bogus"?>`)), "", "", "", "not valid UTF-8"},
		{"ISO-8859-1 declared UTF-8", enc(charmap.ISO8859_1, latinDoc(`<?xml version="1.0" encoding="utf-8"?>`)), "", "", "", "not valid UTF-8"},
		// Nothing declared and not UTF-8: the WHATWG default, as Miniflux and feedparser read it.
		{"ISO-8859-1 undeclared", enc(charmap.ISO8859_1, latinDoc("")), "application/rss+xml", "Café Übersicht", assumed, ""},
		{"windows-1252 undeclared with a declaration lacking encoding", enc(charmap.Windows1252,
			`<?xml version="1.0"?><rss version="2.0"><channel><title>c</title><item><title>“Quoted” – 5 €</title><guid>g</guid></item></channel></rss>`),
			"", "“Quoted” – 5 €", assumed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, notes, err := parseFeed(tt.body, tt.ctype)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 || items[0].Title != tt.want {
				t.Fatalf("items %+v, want title %q", items, tt.want)
			}
			if got := strings.Join(notes, "; "); (tt.wantNote == "") != (got == "") || !strings.Contains(got, tt.wantNote) {
				t.Errorf("notes %q, want %q", got, tt.wantNote)
			}
		})
	}
}
