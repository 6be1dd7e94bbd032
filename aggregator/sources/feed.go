package sources

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/aggregator/redact"
	"github.com/paperfeed/paperfeed/db/model"
)

// feedSource reads any RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed document.
type feedSource struct {
	base
	url  string
	opts Options
}

func newFeed(c config.Source, o Options) (Source, error) {
	return &feedSource{base: base{c.Name, c.Type}, url: c.URL, opts: o}, nil
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
	items, notes, err := parseFeed(resp.Body, resp.ContentType)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", redact.URL(s.url), err)
	}
	for _, n := range notes {
		p.note("%s", n)
	}
	p.res.Items = items
	return p.finish(), nil
}

// parseFeed parses a feed document into items. contentType is the answer's
// Content-Type header ("" when unknown); its charset parameter is one of the
// hints toUTF8 uses to decode the document. notes are remarks for the pass
// summary (an assumed encoding).
func parseFeed(body []byte, contentType string) (items []model.Item, notes []string, err error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil, errors.New("empty body")
	}
	body, note, err := toUTF8(body, contentType)
	if err != nil {
		return nil, nil, err
	}
	if note != "" {
		notes = append(notes, note)
	}
	if declaresEntities(body) {
		// Feeds have no business declaring entities; a document that does is an
		// entity-expansion bomb or broken, and its unexpanded references would be stored as text.
		return nil, nil, errors.New("document declares XML entities in its DOCTYPE: refused")
	}
	shape, err := scanDocument(body)
	if err != nil {
		return nil, nil, err
	}
	p, orig := newFeedParser()
	feed, err := p.Parse(bytes.NewReader(body))
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, nil, notDocument("not a feed", body)
		}
		return nil, nil, err
	}
	ns := feedNamespaces{
		prism:   nsKeys(body, isPrismNS, "prism"),
		dcterms: nsKeys(body, isDCTermsNS, "dcterms"),
	}
	// gofeed files the namespaces it knows under their usual prefix, whatever
	// the document binds.
	ns.prism["prism"], ns.dcterms["dcterms"] = true, true
	items = make([]model.Item, 0, len(feed.Items))
	for i, gi := range feed.Items {
		if it, ok := feedItem(gi, orig.item(feed, shape, i), ns); ok {
			items = append(items, it)
		}
		feed.Items[i] = nil // converted: the garbage collector may reclaim it while the rest converts
	}
	return items, notes, nil
}

// isJSONDocument reports whether the document is JSON (a JSON Feed), the way
// gofeed's detector tells: the first non-blank byte.
func isJSONDocument(body []byte) bool {
	b := bytes.TrimLeft(body, " \t\r\n\uFEFF")
	return len(b) > 0 && b[0] == '{'
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

func isDCTermsNS(uri string) bool {
	u := strings.TrimSuffix(strings.ToLower(uri), "/")
	return u == "http://purl.org/dc/terms" || u == "https://purl.org/dc/terms"
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

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}
