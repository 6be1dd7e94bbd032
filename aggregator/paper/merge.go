package paper

import (
	"slices"
	"strings"
	"time"
)

// NewFromItem starts a paper record from its first sighting.
func NewFromItem(it *Item, now time.Time) *Paper {
	p := &Paper{FirstSeen: now, Updated: it.Published}
	if p.Updated.IsZero() {
		p.Updated = now
	}
	p.Merge(it, now)
	return p
}

// Merge folds a sighting into the record, keeping the best of each: the longest
// abstract, all authors, all categories, all links, the highest upvotes, the
// earliest published date. It never erases what an earlier sighting gave. It
// reports whether the title or abstract changed (what feeds call an update).
func (p *Paper) Merge(it *Item, now time.Time) (contentChanged bool) {
	if p.Title == "" && it.Title != "" {
		p.Title = it.Title
		contentChanged = true
	}
	if len(it.Abstract) > len(p.Abstract) {
		p.Abstract = it.Abstract
		contentChanged = true
	}
	if len(p.Authors) == 0 {
		p.Authors = slices.Clone(it.Authors)
	}
	if !it.Published.IsZero() && (p.Published.IsZero() || it.Published.Before(p.Published)) {
		p.Published = it.Published
	}
	for _, c := range it.Categories {
		if c != "" && !slices.Contains(p.Categories, c) {
			p.Categories = append(p.Categories, c)
		}
	}
	for _, l := range it.Links {
		if l.URL != "" && !slices.ContainsFunc(p.Links, func(x Link) bool { return x.URL == l.URL }) {
			p.Links = append(p.Links, l)
		}
	}
	if p.ArxivID == "" {
		p.ArxivID = it.ArxivID
	}
	if p.DOI == "" {
		p.DOI = it.DOI
	}
	if it.Upvotes > p.Upvotes {
		p.Upvotes = it.Upvotes
	}
	if p.Comment == "" {
		p.Comment = it.Comment
	}
	if p.JournalRef == "" {
		p.JournalRef = it.JournalRef
	}
	i := slices.IndexFunc(p.Sightings, func(s Sighting) bool { return s.Source == it.Source && s.GUID == it.GUID })
	if i < 0 {
		p.Sightings = append(p.Sightings, Sighting{Source: it.Source, GUID: it.GUID, Link: it.Link, FirstSeen: now, LastSeen: now})
	} else {
		p.Sightings[i].LastSeen = now
		if it.Link != "" {
			p.Sightings[i].Link = it.Link
		}
	}
	if contentChanged && p.ID != 0 {
		p.Updated = now
	}
	return contentChanged
}

// primaryLink is the paper's canonical link: its abstract page, else DOI, else the first sighting's link.
func (p *Paper) PrimaryLink() string {
	for _, k := range []string{LinkAbstract, LinkDOI} {
		if u := p.Link(k); u != "" {
			return u
		}
	}
	for _, s := range p.Sightings {
		if strings.HasPrefix(s.Link, "http") {
			return s.Link
		}
	}
	return ""
}
