package sources

import (
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// TestParseFeedCharsets: parseFeed decodes documents to UTF-8 by the rules of
// toUTF8 (BOM, valid UTF-8, Content-Type charset, XML declaration) and refuses
// to guess when nothing usable is declared.
func TestParseFeedCharsets(t *testing.T) {
	const title = "Café Übersicht Квант"
	doc := func(decl string) string {
		return decl + `<rss version="2.0"><channel><title>c</title><item><title>` + title + `</title><guid>g</guid></item></channel></rss>`
	}
	latinDoc := func(decl string) string {
		return decl + `<rss version="2.0"><channel><title>c</title><item><title>Café Übersicht</title><guid>g</guid></item></channel></rss>`
	}
	enc := func(e interface{ Bytes([]byte) ([]byte, error) }, s string) []byte {
		b, err := e.Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	utf16le := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder()
	tests := []struct {
		name    string
		body    []byte
		ctype   string
		want    string
		wantErr string
	}{
		{"UTF-8 undeclared", []byte(doc(`<?xml version="1.0"?>`)), "", title, ""},
		{"UTF-8 with BOM declared ISO-8859-1", []byte("\uFEFF" + doc(`<?xml version="1.0" encoding="ISO-8859-1"?>`)), "", title, ""},
		{"UTF-8 after blank lines declared windows-1252", []byte("\n\n" + doc(`<?xml version='1.0' encoding='windows-1252'?>`)), "", title, ""},
		{"UTF-16LE with BOM", enc(utf16le, doc(`<?xml version="1.0" encoding="UTF-16"?>`)), "", title, ""},
		{"ISO-8859-1 declared", enc(charmap.ISO8859_1.NewEncoder(), latinDoc(`<?xml version="1.0" encoding="iso-8859-1"?>`)), "", "Café Übersicht", ""},
		{"ISO-8859-1 charset in Content-Type", enc(charmap.ISO8859_1.NewEncoder(), latinDoc("")), "text/xml; charset=latin1", "Café Übersicht", ""},
		{"ISO-8859-1 unknown label", enc(charmap.ISO8859_1.NewEncoder(), latinDoc(`<?xml version="1.0" encoding="bogus"?>`)), "", "", "not valid UTF-8"},
		{"ISO-8859-1 undeclared", enc(charmap.ISO8859_1.NewEncoder(), latinDoc("")), "application/rss+xml", "", "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := parseFeed(gofeed.NewParser(), tt.body, tt.ctype)
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
		})
	}
}
