package feeds

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// Upstream strings are untrusted: they may hold markup, control characters that
// XML 1.0 forbids, invalid UTF-8 and huge values. Every string that reaches a
// renderer goes through one of these functions first; the encoders (encoding/xml,
// encoding/json, html/template) then escape what is left.

const (
	maxTitleRunes    = 1000
	maxAuthorRunes   = 300
	maxCategoryRunes = 100
	maxAbstractRunes = 20000
)

// cleanText returns s as valid UTF-8 without the characters XML 1.0 forbids
// (C0 controls other than tab, newline and carriage return, U+FFFE, U+FFFF) and
// without C1 controls, cut to at most max runes (0: no limit) with an ellipsis.
func cleanText(s string, max int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	var b strings.Builder
	b.Grow(len(s))
	n := 0
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20, r >= 0x7f && r <= 0x9f, r == 0xFFFE, r == 0xFFFF:
			continue
		}
		if max > 0 && n >= max {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// cleanLine is cleanText with all whitespace runs collapsed to one space: titles,
// names, categories.
func cleanLine(s string, max int) string {
	return cleanText(strings.Join(strings.Fields(s), " "), max)
}

// cleanURL returns u when it is an absolute http(s) URL without control
// characters, else "".
func cleanURL(u string) string {
	u = strings.TrimSpace(u)
	if u == "" || len(u) > 4096 || !utf8.ValidString(u) {
		return ""
	}
	for _, r := range u {
		if r < 0x21 || (r >= 0x7f && r <= 0x9f) {
			return ""
		}
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return escapeURL(p.String())
}

// escapeURL percent-encodes the bytes an RFC 3986 URI may not hold raw (space,
// controls, non-ASCII, <>"{}|\^`), so the value is valid wherever a URI is.
func escapeURL(u string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		c := u[i]
		if c <= 0x20 || c >= 0x7f || strings.IndexByte("<>\"{}|\\^`", c) >= 0 {
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
