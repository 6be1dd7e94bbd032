package sources

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/dedup"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/aggregator/paper"
	"github.com/paperfeed/paperfeed/aggregator/plaintext"
	"github.com/paperfeed/paperfeed/aggregator/redact"
)

// feedSource reads any RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed document.
type feedSource struct {
	base
	url    string
	parser *gofeed.Parser
	opts   Options
}

func newFeed(c config.Source, o Options) (Source, error) {
	if c.URL == "" {
		return nil, fmt.Errorf("source %q: url is required", c.Name)
	}
	return &feedSource{base: base{c.Name, c.Type}, url: c.URL, parser: gofeed.NewParser(), opts: o}, nil
}

func (s *feedSource) Collect(ctx context.Context, f Fetcher, st *State) (*Result, error) {
	p := newPass(ctx, f, st)
	resp, err := p.get(fetch.Request{
		URL:    s.url,
		Accept: "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.8",
	}, true)
	if err != nil {
		return nil, err
	}
	if resp.NotModified {
		return p.finish(), nil
	}
	items, err := parseFeed(s.parser, resp.Body, resp.ContentType)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", redact.URL(s.url), err)
	}
	p.res.Items = items
	return p.finish(), nil
}

// parseFeed parses a feed document into items. contentType is the answer's
// Content-Type header ("" when unknown); its charset parameter is one of the
// hints toUTF8 uses to decode the document.
func parseFeed(p *gofeed.Parser, body []byte, contentType string) ([]paper.Item, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("empty body")
	}
	body, err := toUTF8(body, contentType)
	if err != nil {
		return nil, err
	}
	if declaresEntities(body) {
		// Feeds have no business declaring entities; a document that does is an
		// entity-expansion bomb or broken, and its unexpanded references would be stored as text.
		return nil, errors.New("document declares XML entities in its DOCTYPE: refused")
	}
	feed, err := p.Parse(bytes.NewReader(body))
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, notDocument("not a feed", body)
		}
		return nil, err
	}
	prism := nsKeys(body, isPrismNS, "prism")
	items := make([]paper.Item, 0, len(feed.Items))
	for _, gi := range feed.Items {
		if it, ok := feedItem(gi, prism); ok {
			items = append(items, it)
		}
	}
	return items, nil
}

// declaresEntities reports whether the prolog (before the root element) has an <!ENTITY declaration.
func declaresEntities(body []byte) bool {
	head := body[:min(len(body), 64<<10)]
	i := bytes.Index(head, []byte("<!DOCTYPE"))
	if i < 0 {
		return false
	}
	return bytes.Contains(head[i:], []byte("<!ENTITY"))
}

// feedItem converts one generic feed entry into a paper item. Entries without a
// title are not papers and are skipped. prism holds the extension keys gofeed
// used for the PRISM namespace in this document (see nsKeys).
func feedItem(gi *gofeed.Item, prism nsKeySet) (paper.Item, bool) {
	it := paper.Item{
		GUID:     strings.TrimSpace(gi.GUID),
		Link:     strings.TrimSpace(gi.Link),
		Title:    plaintext.FromHTML(gi.Title),
		Abstract: plaintext.FromHTML(firstNonEmpty(gi.Description, gi.Content)),
	}
	if it.Title == "" {
		return it, false
	}
	// Every author: gofeed keeps only the first dc:creator in Authors.
	if gi.DublinCoreExt != nil && len(gi.DublinCoreExt.Creator) > 0 {
		for _, c := range gi.DublinCoreExt.Creator {
			if a := plaintext.FromHTML(c); a != "" {
				it.Authors = append(it.Authors, a)
			}
		}
	} else {
		for _, a := range gi.Authors {
			if a != nil && strings.TrimSpace(a.Name) != "" {
				it.Authors = append(it.Authors, plaintext.FromHTML(a.Name))
			}
		}
	}
	if gi.PublishedParsed != nil {
		it.Published = gi.PublishedParsed.UTC()
	} else if gi.UpdatedParsed != nil {
		it.Published = gi.UpdatedParsed.UTC()
	} else if gi.DublinCoreExt != nil && len(gi.DublinCoreExt.Date) > 0 {
		if t, err := parseLooseDate(gi.DublinCoreExt.Date[0]); err == nil {
			it.Published = t
		}
	}
	if gi.UpdatedParsed != nil {
		it.Updated = gi.UpdatedParsed.UTC()
	}
	for _, c := range gi.Categories {
		if c = plaintext.FromHTML(c); c != "" {
			it.Categories = append(it.Categories, c)
		}
	}
	// Identifiers: prism:doi, dc:identifier, then the link and guid.
	var idFields []string
	idFields = append(idFields, extValues(gi.Extensions, prism, "doi")...)
	if gi.DublinCoreExt != nil {
		idFields = append(idFields, gi.DublinCoreExt.Identifier...)
	}
	idFields = append(idFields, it.Link, it.GUID)
	for _, l := range gi.Links {
		idFields = append(idFields, l)
	}
	for _, v := range idFields {
		if it.ArxivID == "" {
			it.ArxivID = dedup.FindArxivID(v)
		}
		if it.DOI == "" {
			it.DOI = dedup.FindDOI(v)
		}
	}
	if it.Link != "" {
		it.Links = append(it.Links, paper.Link{Kind: paper.LinkAbstract, URL: it.Link})
	}
	if it.DOI != "" {
		it.Links = append(it.Links, paper.Link{Kind: paper.LinkDOI, URL: "https://doi.org/" + it.DOI})
	}
	if it.GUID == "" {
		it.GUID = it.Link
	}
	if it.GUID == "" {
		sum := sha256.Sum256([]byte(it.Title))
		it.GUID = "title:" + hex.EncodeToString(sum[:8])
	}
	return it, true
}

// nsKeySet is the set of keys under which gofeed filed the extension elements
// of one namespace: gofeed keys Extensions by a canonical prefix for namespaces
// it knows, by the prefix the document bound otherwise, and by the URI itself
// for a default-namespace binding.
type nsKeySet map[string]bool

var xmlnsRE = regexp.MustCompile(`xmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*["']\s*([^"']*?)\s*["']`)

// nsKeys finds every prefix the document binds to a namespace URI accepted by
// match (declarations may sit on any element: old arXiv API answers declare
// xmlns:arxiv on each element). fallback is used when the document declares
// none, as a last resort for sloppy feeds that use an undeclared prefix.
func nsKeys(body []byte, match func(uri string) bool, fallback string) nsKeySet {
	keys := nsKeySet{}
	for _, m := range xmlnsRE.FindAllSubmatch(body, -1) {
		uri := string(m[2])
		if !match(uri) {
			continue
		}
		if len(m[1]) > 0 {
			keys[string(m[1])] = true
		}
		keys[uri] = true
	}
	if len(keys) == 0 {
		keys[fallback] = true
	}
	return keys
}

func isPrismNS(uri string) bool {
	return strings.HasPrefix(strings.ToLower(uri), "http://prismstandard.org/namespaces/")
}

// extValues returns the non-empty values of the extension elements called name
// (compared case-insensitively) in any of the namespaces keys.
func extValues(e ext.Extensions, keys nsKeySet, name string) []string {
	var out []string
	for prefix, els := range e {
		if !keys[prefix] {
			continue
		}
		for n, list := range els {
			if !strings.EqualFold(n, name) {
				continue
			}
			for _, el := range list {
				if v := strings.TrimSpace(el.Value); v != "" {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

func parseLooseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05Z07:00", "2006-01-02", time.RFC1123Z, time.RFC1123} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised date %q", s)
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}

// xmlDeclEncoding finds the encoding pseudo-attribute of an XML declaration at
// the start of a document (after a UTF-8 byte order mark and blank lines,
// which real feeds have).
var xmlDeclEncoding = regexp.MustCompile(`^\x{FEFF}?\s*<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']`)

// toUTF8 returns the document as UTF-8 with an XML declaration that says so,
// so that the parser never decodes it a second time. The rules, in order:
//
//  1. a UTF-16 byte order mark decides;
//  2. a document that is valid UTF-8 is UTF-8, whatever it declares: a wrong
//     declaration (ISO-8859-1 or windows-1252 on a UTF-8 feed, an unknown
//     label) is common, and decoding UTF-8 as Latin-1 would store mojibake;
//  3. otherwise the Content-Type charset, then the XML declaration, when it
//     names a known encoding other than UTF-8;
//  4. otherwise the pass fails: the document is not UTF-8 and says nothing
//     usable about what it is. Guessing (windows-1252? windows-1251?) would
//     store wrong titles silently; an error names the problem to the operator.
//
// A document in a single-byte encoding that declares another single-byte
// encoding (windows-1251 declared as ISO-8859-1) cannot be detected: every
// byte is valid in both, and it is decoded as declared.
func toUTF8(body []byte, contentType string) ([]byte, error) {
	declared := ""
	if m := xmlDeclEncoding.FindSubmatch(body[:min(len(body), 1024)]); m != nil {
		declared = strings.TrimSpace(string(m[1]))
	}
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}):
		enc = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		enc = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
	case utf8.Valid(body):
		if declared == "" || isUTF8Label(declared) {
			return body, nil
		}
		return declareUTF8(body), nil
	default:
		header := ""
		if _, params, err := mime.ParseMediaType(contentType); err == nil {
			header = strings.TrimSpace(params["charset"])
		}
		for _, label := range []string{header, declared} {
			if label == "" || isUTF8Label(label) {
				continue
			}
			if e, _ := charset.Lookup(label); e != nil {
				enc = e
				break
			}
		}
		if enc == nil {
			bad := firstInvalidUTF8(body)
			return nil, fmt.Errorf("document is not valid UTF-8 (byte 0x%02X at offset %d) and names no usable encoding (XML declaration %q, Content-Type %q): not guessing",
				body[bad], bad, declared, contentType)
		}
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, fmt.Errorf("decode document: %w", err)
	}
	return declareUTF8(out), nil // a UTF-16 document's declaration is only readable now
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
