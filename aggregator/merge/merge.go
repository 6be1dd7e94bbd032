// Package merge folds a source's listing (model.Item) into the paper record
// (model.Paper) it belongs to, keeping the best of every listing.
//
// New starts a record from its first listing; Into folds in every later one.
// Both keep TitleKey equal to ident.TitleKey(Title), so the store can look the
// paper up by it and no caller recomputes it.
package merge

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paperfeed/paperfeed/aggregator/ident"
	"github.com/paperfeed/paperfeed/aggregator/names"
	"github.com/paperfeed/paperfeed/db/model"
)

// New starts a paper record from its first sighting, which says so
// (model.RuleStarted).
func New(it *model.Item, now time.Time) *model.Paper {
	p := &model.Paper{FirstSeen: now, Updated: it.Published}
	if p.Updated.IsZero() {
		p.Updated = now
	}
	Into(p, it, now)
	p.Sightings[0].Rule = model.RuleStarted
	return p
}

// Joined records how a listing new to the paper joined it, on the sighting
// Into gave it. The caller calls it once, when the listing joins: a listing
// seen again keeps the rule it first joined by.
func Joined(p *model.Paper, it *model.Item, rule, reason string) {
	for i, s := range p.Sightings {
		if s.Source == it.Source && s.GUID == it.GUID {
			p.Sightings[i].Rule, p.Sightings[i].Reason = rule, reason
		}
	}
}

// Into folds a sighting into the record, keeping the best of each: the
// longest clean abstract, the union of the authors (one entry per person, the
// fullest spelling), all categories, all links, the highest upvotes, the
// earliest published date, the first identifiers, comment and journal
// reference. It never erases what an earlier sighting gave.
//
// The title is set by the first sighting; later sightings replace it only
// with a cleaner spelling of the same words (mixed case for ALL CAPS, no
// trailing period, no markup residue) or, for an arXiv replacement
// (AnnounceType "replace..."), with the revised title; TitleKey follows it.
//
// It reports whether the title or abstract text changed; a new sighting,
// upvote count, author or link is not news. Any change of a stored record but
// a sighting's LastSeen moves Updated to now: feeds show all of it in the
// entry's content, and readers refresh an entry when its updated date moves.
func Into(p *model.Paper, it *model.Item, now time.Time) (contentChanged bool) {
	oldTitle := p.Title
	if t := strings.TrimSpace(it.Title); t != "" && t != p.Title {
		switch {
		case p.Title == "":
			p.Title = t
			contentChanged = true
		case strings.HasPrefix(it.AnnounceType, "replace") && looseKey(t) != looseKey(p.Title):
			p.Title = t
			contentChanged = true
		case looseKey(t) == looseKey(p.Title) && titleScore(t) > titleScore(p.Title):
			p.Title = t
			contentChanged = true
		}
	}
	if a := strings.TrimSpace(it.Abstract); a != "" && a != p.Abstract && betterAbstract(a, p.Abstract) {
		p.Abstract = a
		contentChanged = true
	}
	changed := contentChanged
	if authors := mergeAuthors(p.Authors, it.Authors); !slices.Equal(authors, p.Authors) {
		p.Authors, changed = authors, true
	}
	if !it.Published.IsZero() && (p.Published.IsZero() || it.Published.Before(p.Published)) {
		p.Published, changed = it.Published, true
	}
	for _, c := range it.Categories {
		if c = strings.TrimSpace(c); c != "" && !slices.ContainsFunc(p.Categories, func(x string) bool { return strings.EqualFold(x, c) }) {
			p.Categories, changed = append(p.Categories, c), true
		}
	}
	for _, l := range it.Links {
		if l.URL != "" && !slices.ContainsFunc(p.Links, func(x model.Link) bool { return sameURL(x.URL, l.URL) }) {
			p.Links, changed = append(p.Links, l), true
		}
	}
	changed = setIfEmpty(&p.ArxivID, it.ArxivID) || changed
	changed = setIfEmpty(&p.DOI, it.DOI) || changed
	if it.Upvotes > p.Upvotes {
		p.Upvotes, changed = it.Upvotes, true
	}
	changed = setIfEmpty(&p.Comment, it.Comment) || changed
	changed = setIfEmpty(&p.JournalRef, it.JournalRef) || changed
	i := slices.IndexFunc(p.Sightings, func(s model.Sighting) bool { return s.Source == it.Source && s.GUID == it.GUID })
	if i < 0 {
		p.Sightings = append(p.Sightings, model.Sighting{Source: it.Source, GUID: it.GUID, Link: it.Link, FirstSeen: now, LastSeen: now})
		changed = true
	} else {
		p.Sightings[i].LastSeen = now
		if it.Link != "" && it.Link != p.Sightings[i].Link {
			p.Sightings[i].Link, changed = it.Link, true
		}
	}
	if p.Title != oldTitle || p.TitleKey == "" {
		p.TitleKey = ident.TitleKey(p.Title)
	}
	if changed && p.ID != 0 {
		p.Updated = now
	}
	return contentChanged
}

// setIfEmpty sets *dst to v when *dst is empty and v is not, and reports whether it did.
func setIfEmpty(dst *string, v string) bool {
	if *dst != "" || v == "" {
		return false
	}
	*dst = v
	return true
}

// sameURL compares links ignoring scheme, "www." and a trailing slash.
func sameURL(a, b string) bool {
	if a == b {
		return true
	}
	return trimURL(a) == trimURL(b)
}

func trimURL(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	u = strings.TrimPrefix(u, "www.")
	return strings.TrimSuffix(u, "/")
}

// looseKey is the lower-cased letters and digits of s, for "same words" tests.
func looseKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// titleScore rates the presentation of a title; higher is cleaner.
func titleScore(t string) int {
	score := 0
	upper, lower := 0, 0
	for _, r := range t {
		switch {
		case unicode.IsUpper(r):
			upper++
		case unicode.IsLower(r):
			lower++
		}
	}
	if lower == 0 && upper >= 4 {
		score -= 2 // ALL CAPS
	}
	if strings.HasSuffix(t, ".") && !strings.HasSuffix(t, "..") {
		score--
	}
	if hasMarkup(t) {
		score--
	}
	if strings.ContainsAny(t, "\n\t") || strings.Contains(t, "  ") {
		score--
	}
	return score
}

// hasMarkup reports tag or entity residue ("<p>", "</i>", "&amp;", "&#39;").
func hasMarkup(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		switch s[i] {
		case '<':
			if c := s[i+1] | 0x20; c >= 'a' && c <= 'z' || s[i+1] == '/' {
				if strings.IndexByte(s[i:], '>') > 0 {
					return true
				}
			}
		case '&':
			if j := strings.IndexByte(s[i:], ';'); j > 1 && j < 10 && !strings.ContainsAny(s[i+1:i+j], " \t\n") {
				return true
			}
		}
	}
	return false
}

// cleanAbstract reports whether an abstract is free of markup residue, of an
// arXiv RSS announcement header and of truncation.
func cleanAbstract(a string) bool {
	if hasMarkup(a) {
		return false
	}
	if strings.HasPrefix(a, "arXiv:") && strings.Contains(a, "Announce Type:") {
		return false
	}
	return !strings.HasSuffix(a, "...") && !strings.HasSuffix(a, "…") && !strings.HasSuffix(a, "[...]")
}

// betterAbstract: a clean abstract beats one with residue, then longer wins.
func betterAbstract(a, cur string) bool {
	if cur == "" {
		return true
	}
	ca, cc := cleanAbstract(a), cleanAbstract(cur)
	if ca != cc {
		return ca
	}
	return utf8.RuneCountInString(a) > utf8.RuneCountInString(cur)
}

// mergeAuthors returns the union of two author lists, one entry per person:
// spellings of one person ("T. Brown", "Tom B. Brown", "Brown, Tom", "Brown
// TB") collapse to the fullest; new people are appended, unless add is a
// fuller list containing everyone in have, whose order then wins. have is not
// modified.
func mergeAuthors(have, add []string) []string {
	var in []string
	for _, a := range add {
		if a = strings.TrimSpace(a); a != "" && !names.IsEtAl(a) {
			in = append(in, a)
		}
	}
	if len(in) == 0 {
		return have
	}
	if len(have) == 0 {
		return in
	}
	hp := make([]names.Person, len(have))
	for i, h := range have {
		hp[i] = names.Parse(h)
	}
	taken := make([]bool, len(have))
	match := make([]int, len(in))
	all := 0
	for j, a := range in {
		ap := names.Parse(a)
		match[j] = -1
		for i := range have {
			if !taken[i] && names.Same(hp[i], ap) {
				match[j], taken[i] = i, true
				all++
				break
			}
		}
	}
	if all == len(have) && len(in) > len(have) { // a fuller list: take its order
		out := make([]string, len(in))
		for j, a := range in {
			out[j] = a
			if i := match[j]; i >= 0 {
				out[j] = names.Fuller(have[i], a)
			}
		}
		return out
	}
	out := slices.Clone(have)
	for j, a := range in {
		if i := match[j]; i >= 0 {
			out[i] = names.Fuller(have[i], a)
		} else {
			out = append(out, a)
		}
	}
	return out
}
