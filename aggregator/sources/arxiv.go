package sources

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/mmcdole/gofeed"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/aggregator/ident"
	"github.com/paperfeed/paperfeed/aggregator/plaintext"
	"github.com/paperfeed/paperfeed/aggregator/redact"
	"github.com/paperfeed/paperfeed/db/model"
)

// arxivRSSBase is where rss.arxiv.org serves the daily announcement feeds.
const arxivRSSBase = "https://rss.arxiv.org/rss/"

// arxivRSS reads arXiv's daily announcement RSS (rss.arxiv.org).
//
// Items of an announce type not in announce are dropped, except replacements
// (replace, replace-cross): those are always returned, with AnnounceType set,
// so the collector can refresh a stored paper; the collector must not create a
// paper from an item whose AnnounceType starts with "replace" unless that type
// is in the source's announce option.
type arxivRSS struct {
	base
	url      string
	announce map[string]bool
	parser   *gofeed.Parser
}

func newArxivRSS(c config.Source, o Options) (Source, error) {
	u := c.URL
	if u == "" {
		var cats []string
		for _, cat := range c.Categories {
			if cat = strings.TrimSpace(cat); cat != "" {
				cats = append(cats, cat)
			}
		}
		if len(cats) == 0 {
			return nil, fmt.Errorf("source %q: categories or url is required", c.Name)
		}
		u = arxivRSSBase + strings.Join(cats, "+")
	}
	set := map[string]bool{}
	for _, a := range c.Announce {
		set[strings.ToLower(strings.TrimSpace(a))] = true
	}
	return &arxivRSS{base: base{c.Name, c.Type}, url: u, announce: set, parser: gofeed.NewParser()}, nil
}

func (s *arxivRSS) Collect(ctx context.Context, f Fetcher, st *State) (*Result, error) {
	p := newPass(ctx, f, st)
	resp, err := p.get(fetch.Request{
		URL:    s.url,
		Accept: "application/rss+xml, application/atom+xml;q=0.9, application/xml;q=0.8",
	}, true)
	if err != nil {
		return nil, err
	}
	if resp.NotModified {
		return p.finish(), nil
	}
	items, dropped, err := s.parse(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", redact.URL(s.url), err)
	}
	if dropped > 0 {
		p.note("skipped %d items of announce types not configured", dropped)
	}
	p.res.Items = items
	return p.finish(), nil
}

// parse converts an announcement feed. A feed without items is normal (weekends,
// holidays); a body that is not a feed is an error.
func (s *arxivRSS) parse(body []byte) (items []model.Item, dropped int, err error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, 0, errors.New("empty body")
	}
	if _, err := scanDocument(body); err != nil {
		return nil, 0, err
	}
	feed, err := s.parser.Parse(bytes.NewReader(body))
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, 0, notDocument("not a feed", body)
		}
		return nil, 0, err
	}
	keys := nsKeys(body, isArxivNS, "arxiv")
	for _, gi := range feed.Items {
		it, ok := arxivRSSItem(gi, keys)
		if !ok {
			dropped++
			continue
		}
		if it.AnnounceType != "" && !s.announce[it.AnnounceType] && !strings.HasPrefix(it.AnnounceType, "replace") {
			dropped++
			continue
		}
		items = append(items, it)
	}
	return items, dropped, nil
}

func isArxivNS(uri string) bool {
	u := strings.TrimSuffix(strings.ToLower(uri), "/")
	u = strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://")
	return u == "arxiv.org/schemas/atom" || strings.HasPrefix(u, "arxiv.org/schemas/") || strings.HasPrefix(u, "rss.arxiv.org/")
}

// arxivRSSItem converts one announcement item. keys are the extension keys of
// the arXiv namespace in this document. Items without a title or an arXiv id
// are not papers.
func arxivRSSItem(gi *gofeed.Item, keys nsKeySet) (model.Item, bool) {
	d := parseArxivDescription(gi.Description)
	it := model.Item{
		Title:    plaintext.Unescape(gi.Title),
		Abstract: d.Abstract,
	}
	it.ArxivID = d.ID
	if it.ArxivID == "" {
		it.ArxivID = ident.NormalizeArxivID(gi.GUID)
	}
	if it.ArxivID == "" {
		it.ArxivID = ident.FindArxivID(gi.Link)
	}
	if it.Title == "" || it.ArxivID == "" {
		return it, false
	}
	it.AnnounceType = strings.ToLower(firstNonEmpty(append(extValues(gi.Extensions, keys, "announce_type"), d.AnnounceType)...))
	it.GUID = "oai:arXiv.org:" + it.ArxivID
	it.Link = "https://arxiv.org/abs/" + it.ArxivID
	if gi.DublinCoreExt != nil && len(gi.DublinCoreExt.Creator) > 0 {
		for _, c := range gi.DublinCoreExt.Creator {
			it.Authors = append(it.Authors, splitArxivAuthors(c)...)
		}
	} else {
		for _, a := range gi.Authors {
			if a != nil {
				it.Authors = append(it.Authors, splitArxivAuthors(a.Name)...)
			}
		}
	}
	if gi.PublishedParsed != nil {
		it.Published = gi.PublishedParsed.UTC()
	}
	if gi.UpdatedParsed != nil {
		it.Updated = gi.UpdatedParsed.UTC()
	}
	for _, c := range gi.Categories {
		if c = plaintext.Collapse(c); c != "" {
			it.Categories = append(it.Categories, c)
		}
	}
	for _, v := range extValues(gi.Extensions, keys, "DOI") {
		if it.DOI = ident.NormalizeDOI(v); it.DOI != "" {
			break
		}
	}
	if jr := extValues(gi.Extensions, keys, "journal_reference"); len(jr) > 0 {
		it.JournalRef = plaintext.Unescape(jr[0])
	}
	it.Links = arxivLinks(it.ArxivID, it.DOI)
	return it, true
}

// arxivLinks are the canonical, version-less links of an arXiv paper.
func arxivLinks(id, doi string) []model.Link {
	l := []model.Link{
		{Kind: model.LinkAbstract, URL: "https://arxiv.org/abs/" + id},
		{Kind: model.LinkPDF, URL: "https://arxiv.org/pdf/" + id},
	}
	if doi != "" {
		l = append(l, model.Link{Kind: model.LinkDOI, URL: "https://doi.org/" + doi})
	}
	return l
}

// arxivDescription is what the description of an announcement item carries.
type arxivDescription struct {
	ID           string // version-less
	Version      string // "v1"; "" when absent
	AnnounceType string
	Abstract     string
}

var arxivDescRE = regexp.MustCompile(`(?is)^\s*arXiv:\s*(\S+?)(v\d+)?\s+Announce\s+Type:\s*([A-Za-z-]+)\s*(?:Abstract:)?`)

// parseArxivDescription splits "arXiv:2409.12345v1 Announce Type: new \nAbstract: ..."
// into its parts. A description without that prefix is all abstract (a leading
// "Abstract:" is still dropped).
func parseArxivDescription(desc string) arxivDescription {
	desc = plaintext.Unescape(desc)
	var d arxivDescription
	if m := arxivDescRE.FindStringSubmatchIndex(desc); m != nil {
		if id := ident.NormalizeArxivID(desc[m[2]:m[3]]); id != "" {
			d.ID = id
			if m[4] >= 0 {
				d.Version = desc[m[4]:m[5]]
			}
			d.AnnounceType = strings.ToLower(desc[m[6]:m[7]])
			desc = desc[m[1]:]
		}
	}
	if rest, ok := cutPrefixFold(strings.TrimSpace(desc), "Abstract:"); ok {
		desc = rest
	}
	d.Abstract = strings.TrimSpace(desc)
	return d
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// Name suffixes that a comma separates from the name they belong to.
var nameSuffixes = map[string]bool{"jr": true, "jr.": true, "sr": true, "sr.": true, "ii": true, "iii": true, "iv": true}

var (
	andRE = regexp.MustCompile(`(?i)(?:^|\s)and\s`)
	// Groups whose names may contain "and" ("Physics and Astronomy Consortium").
	groupRE = regexp.MustCompile(`(?i)collaboration|consortium|group|team|network|initiative|committee|project|society`)
)

// splitArxivAuthors splits arXiv's one-string author list ("A, B, and C",
// "A and B", "A (MIT, USA), B") into names: commas and semicolons outside
// parentheses and the word "and" separate names, a separated "Jr." or "III"
// joins the name before it, empty names are dropped.
func splitArxivAuthors(s string) []string {
	s = plaintext.Unescape(s)
	var parts []string
	depth, startAt := 0, 0
	for i, r := range s {
		switch r {
		case '(', '[':
			depth++
		case ')', ']':
			if depth > 0 {
				depth--
			}
		case ',', ';':
			if depth == 0 {
				parts = append(parts, s[startAt:i])
				startAt = i + 1
			}
		}
	}
	parts = append(parts, s[startAt:])
	var out []string
	for _, p := range parts {
		for _, name := range splitAnd(p) {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if nameSuffixes[strings.ToLower(name)] && len(out) > 0 {
				out[len(out)-1] += " " + name
				continue
			}
			out = append(out, name)
		}
	}
	return out
}

// splitAnd splits one comma-free part on the word "and" outside parentheses,
// unless the part names a group.
func splitAnd(p string) []string {
	if groupRE.MatchString(p) {
		return []string{p}
	}
	var out []string
	for {
		loc := andRE.FindStringIndex(p)
		if loc == nil || strings.Count(p[:loc[0]], "(") != strings.Count(p[:loc[0]], ")") {
			return append(out, p)
		}
		out = append(out, p[:loc[0]])
		p = p[loc[1]:]
	}
}
