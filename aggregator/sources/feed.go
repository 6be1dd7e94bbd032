package sources

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/dedup"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/aggregator/paper"
	"github.com/paperfeed/paperfeed/aggregator/plaintext"
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
	v := st.Validator(s.url)
	resp, err := f.Get(ctx, fetch.Request{
		URL: s.url, ETag: v.ETag, LastModified: v.LastModified,
		Accept: "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.8",
	})
	if err != nil {
		return nil, err
	}
	res := &Result{}
	res.account(resp)
	if resp.NotModified {
		res.Unchanged = true
		st.Remember(resp, s.url)
		return res, nil
	}
	items, err := parseFeed(s.parser, resp.Body)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", s.url, err)
	}
	res.Items = items
	st.Remember(resp, s.url)
	return res, nil
}

// parseFeed parses a feed document into items.
func parseFeed(p *gofeed.Parser, body []byte) ([]paper.Item, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("empty body")
	}
	feed, err := p.Parse(bytes.NewReader(body))
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, fmt.Errorf("not a feed (starts %q)", snippet(body))
		}
		return nil, err
	}
	items := make([]paper.Item, 0, len(feed.Items))
	for _, gi := range feed.Items {
		if it, ok := feedItem(gi); ok {
			items = append(items, it)
		}
	}
	return items, nil
}

// feedItem converts one generic feed entry into a paper item. Entries without a
// title are not papers and are skipped.
func feedItem(gi *gofeed.Item) (paper.Item, bool) {
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
	idFields = append(idFields, extValues(gi.Extensions, "prism", "doi")...)
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

// extValues returns the values of prefix:name extension elements, whatever
// prefix the feed bound the namespace to is tried by the common one only.
func extValues(e ext.Extensions, prefix, name string) []string {
	var out []string
	for _, el := range e[prefix][name] {
		if v := strings.TrimSpace(el.Value); v != "" {
			out = append(out, v)
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
