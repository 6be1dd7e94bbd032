package sources

import (
	"bytes"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// xmlDeclEncoding finds the encoding pseudo-attribute of an XML declaration at
// the start of a document (after a UTF-8 byte order mark and blank lines,
// which real feeds have).
var xmlDeclEncoding = regexp.MustCompile(`^\x{FEFF}?\s*<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']`)

// toUTF8 returns the document as UTF-8 with an XML declaration that says so,
// so that the parser never decodes it a second time, and a note for the pass
// summary when the encoding had to be assumed. The rules, in order:
//
//  1. a byte order mark decides (UTF-32 before UTF-16: FF FE 00 00 starts both);
//  2. without one, the first bytes of a UTF-16 or UTF-32 document ("<" and
//     what follows, XML 1.0 Appendix F) decide;
//  3. a document that is valid UTF-8 is UTF-8, whatever it declares: a wrong
//     declaration (ISO-8859-1 or windows-1252 on a UTF-8 feed, an unknown
//     label) is common, and decoding UTF-8 as Latin-1 would store mojibake;
//  4. otherwise the Content-Type charset, then the XML declaration, when it
//     names a known encoding other than UTF-8;
//  5. otherwise, when neither names an encoding at all, windows-1252, the
//     WHATWG default that browsers, Miniflux and feedparser apply, noted;
//  6. otherwise the pass fails: the document says it is UTF-8 or names an
//     unknown encoding, and is neither. A declaration that is wrong is the
//     publisher's to fix; the error names it.
//
// A document in a single-byte encoding that declares another single-byte
// encoding (windows-1251 declared as ISO-8859-1) cannot be detected: every
// byte is valid in both, and it is decoded as declared.
func toUTF8(body []byte, contentType string) (out []byte, note string, err error) {
	if enc := unicodeByPrefix(body); enc != nil {
		out, err := enc.NewDecoder().Bytes(body)
		if err != nil {
			return nil, "", fmt.Errorf("decode document: %w", err)
		}
		return declareUTF8(out), "", nil // a UTF-16 document's declaration is only readable now
	}
	declared := ""
	if m := xmlDeclEncoding.FindSubmatch(body[:min(len(body), 1024)]); m != nil {
		declared = strings.TrimSpace(string(m[1]))
	}
	if utf8.Valid(body) {
		if declared == "" || isUTF8Label(declared) {
			return body, "", nil
		}
		return declareUTF8(body), "", nil
	}
	header := ""
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		header = strings.TrimSpace(params["charset"])
	}
	var enc encoding.Encoding
	for _, label := range []string{header, declared} {
		if label == "" || isUTF8Label(label) {
			continue
		}
		if e, _ := charset.Lookup(label); e != nil {
			enc = e
			break
		}
	}
	if enc == nil && header == "" && declared == "" {
		enc = charmap.Windows1252
		bad := firstInvalidUTF8(body)
		note = fmt.Sprintf("no encoding declared and not UTF-8 (byte 0x%02X at offset %d): read as windows-1252", body[bad], bad)
	}
	if enc == nil {
		bad := firstInvalidUTF8(body)
		return nil, "", fmt.Errorf("document is not valid UTF-8 (byte 0x%02X at offset %d) and names no usable encoding (XML declaration %q, Content-Type %q)",
			body[bad], bad, declared, contentType)
	}
	out, err = enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, "", fmt.Errorf("decode document: %w", err)
	}
	return declareUTF8(out), note, nil
}

// unicodeByPrefix recognises a UTF-16 or UTF-32 document by its byte order
// mark or, without one, by the bytes of its first "<" (XML 1.0 Appendix F).
// It returns nil for anything else, UTF-8 included.
func unicodeByPrefix(b []byte) encoding.Encoding {
	if len(b) < 4 {
		return nil
	}
	switch {
	case bytes.HasPrefix(b, []byte{0x00, 0x00, 0xFE, 0xFF}):
		return utf32.UTF32(utf32.BigEndian, utf32.ExpectBOM)
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE, 0x00, 0x00}):
		return utf32.UTF32(utf32.LittleEndian, utf32.ExpectBOM)
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(b, []byte{0x00, 0x00, 0x00, '<'}):
		return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM)
	case bytes.HasPrefix(b, []byte{'<', 0x00, 0x00, 0x00}):
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM)
	case b[0] == 0x00 && b[1] == '<' && b[2] == 0x00 && b[3] != 0x00:
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	case b[0] == '<' && b[1] == 0x00 && b[2] != 0x00 && b[3] == 0x00:
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	}
	return nil
}

func isUTF8Label(label string) bool {
	l := strings.ToLower(label)
	return l == "utf-8" || l == "utf8"
}

// declareUTF8 rewrites the XML declaration's encoding to UTF-8.
func declareUTF8(body []byte) []byte {
	loc := xmlDeclEncoding.FindSubmatchIndex(body[:min(len(body), 1024)])
	if loc == nil {
		return body
	}
	out := make([]byte, 0, len(body))
	out = append(out, body[:loc[2]]...)
	out = append(out, "UTF-8"...)
	return append(out, body[loc[3]:]...)
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return 0
}
