// Package plaintext turns upstream strings (HTML fragments, entity-escaped text,
// hard-wrapped lines) into clean plain text.
package plaintext

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
)

// FromHTML drops tags, decodes entities, removes control characters and
// invalid UTF-8, and collapses whitespace. Plain text without markup passes
// through with only its whitespace collapsed.
func FromHTML(s string) string {
	if strings.ContainsAny(s, "<&") {
		s = stripTags(s)
	}
	return Collapse(s)
}

func stripTags(s string) string {
	var b strings.Builder
	z := xhtml.NewTokenizerFragment(strings.NewReader(s), "div")
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return b.String()
		case xhtml.TextToken:
			b.Write(z.Text()) // Text() decodes entities
		case xhtml.StartTagToken, xhtml.EndTagToken, xhtml.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6":
				b.WriteByte(' ')
			}
		}
	}
}

// Unescape decodes HTML entities only (for fields that never hold markup).
func Unescape(s string) string { return Collapse(html.UnescapeString(s)) }

// Collapse turns every run of whitespace into one space, trims the ends, and
// drops control characters and invalid UTF-8.
func Collapse(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r) || r == '\uFEFF':
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
