// Package plaintext turns upstream strings (HTML fragments, entity-escaped text,
// hard-wrapped lines) into clean plain text.
package plaintext

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// FromHTML drops tags, and the content of script and style elements, decodes
// entities, removes control characters and invalid UTF-8, and collapses
// whitespace. Plain text without markup passes through with only its
// whitespace collapsed.
func FromHTML(s string) string {
	if strings.ContainsAny(s, "<&") {
		s = stripTags(s)
	}
	return Collapse(s)
}

// FromTextOrHTML is for fields whose format nobody declares, such as RSS
// titles and descriptions: by practice they hold escaped HTML, yet many
// publishers put plain text there, with a literal "<" ("Is P<NP?"). As Python
// feedparser does, the string is HTML only when it looks like HTML (a closing
// tag or a void element of a known HTML element, or a character reference);
// then a "<" that opens no known element is kept as text. Otherwise it is
// plain text and only its whitespace is collapsed.
func FromTextOrHTML(s string) string {
	if !looksLikeHTML(s) {
		return Collapse(s)
	}
	return FromHTML(escapeStrayLT(s))
}

// stripTags returns the text of an HTML fragment. Script and style bodies are
// code, never text: they are dropped.
func stripTags(s string) string {
	var b strings.Builder
	z := xhtml.NewTokenizerFragment(strings.NewReader(s), "div")
	skip := atom.Atom(0) // the script or style element being skipped
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return b.String()
		case xhtml.TextToken:
			if skip == 0 {
				b.Write(z.Text()) // Text() decodes entities
			}
		case xhtml.StartTagToken, xhtml.EndTagToken, xhtml.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Script, atom.Style:
				if tt == xhtml.StartTagToken {
					skip = a
				} else if skip == a {
					skip = 0
				}
			case atom.P, atom.Br, atom.Div, atom.Li, atom.Tr, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				b.WriteByte(' ')
			}
		}
	}
}

var (
	// closingOrVoidTag matches an end tag, or a void element's tag, by name.
	closingOrVoidTag = regexp.MustCompile(`</([A-Za-z][A-Za-z0-9]*)\s*>|<(br|hr|img|wbr)\b[^<>]*>`)
	// charRef matches a character reference; named ones are checked by decoding.
	charRef = regexp.MustCompile(`&(#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);`)
	// tagOpen matches what may open a tag after "<": an optional "/" and a name.
	tagOpen = regexp.MustCompile(`^/?([A-Za-z][A-Za-z0-9]*)`)
)

func looksLikeHTML(s string) bool {
	if !strings.ContainsAny(s, "<&") {
		return false
	}
	for _, m := range closingOrVoidTag.FindAllStringSubmatch(s, -1) {
		if knownElement(m[1] + m[2]) {
			return true
		}
	}
	for _, m := range charRef.FindAllString(s, -1) {
		if html.UnescapeString(m) != m {
			return true
		}
	}
	return false
}

// knownElement reports whether name is an HTML element (or attribute: the
// atom table holds both, and tells them apart nowhere).
func knownElement(name string) bool {
	return atom.Lookup([]byte(strings.ToLower(name))) != 0
}

// escapeStrayLT escapes every "<" that does not open a tag, a comment or a
// declaration of a known HTML element, so that the tokenizer keeps it as text.
func escapeStrayLT(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		rest := s[i+1:]
		if opensMarkup(rest) {
			b.WriteByte('<')
		} else {
			b.WriteString("&lt;")
		}
		s = rest
	}
}

// opensMarkup reports whether rest (what follows a "<") starts a comment,
// a declaration, or a tag of a known element whose name ends at a space, "/"
// or ">".
func opensMarkup(rest string) bool {
	if strings.HasPrefix(rest, "!") {
		return true
	}
	m := tagOpen.FindStringSubmatch(rest)
	if m == nil || !knownElement(m[1]) {
		return false
	}
	after := rest[len(m[0]):]
	return after == "" || strings.IndexByte(" \t\n\r\f/>", after[0]) >= 0
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
