package dedup

import (
	"strings"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/ident"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// Candidate is what matching looks at.
type Candidate struct {
	TitleKey  string
	Authors   []string
	Published time.Time
	ArxivID   string
	DOI       string
	// Title is the display title; when set it lets Same recognise notice
	// titles ("Correction: ..."); TitleKey alone suffices otherwise.
	Title string
	// Seen is when the listing was first seen (zero when unknown); a
	// publication time just before it is a listing date, not a year.
	Seen time.Time
	// Recurring is set when the store holds several papers of this title key
	// with different dates: a column title, matched like a generic one.
	Recurring bool
}

// FromItem builds a Candidate from an incoming item.
func FromItem(it *model.Item) Candidate {
	return newCandidate(it.Title, ident.TitleKey(it.Title), it.Authors, it.Published, it.ArxivID, it.DOI)
}

// FromPaper builds a Candidate from a stored paper. Its TitleKey is the stored
// key (recomputed from Title when the store gave none).
func FromPaper(p *model.Paper) Candidate {
	return FromStored(db.Candidate{Title: p.Title, TitleKey: p.TitleKey, Authors: p.Authors, Published: p.Published,
		FirstSeen: p.FirstSeen, ArxivID: p.ArxivID, DOI: p.DOI})
}

// FromStored builds a Candidate from a stored paper as candidate lookup
// returned it (db.Candidate: the fields the rules read).
func FromStored(s db.Candidate) Candidate {
	key := s.TitleKey
	if key == "" {
		key = ident.TitleKey(s.Title)
	}
	c := newCandidate(s.Title, key, s.Authors, s.Published, s.ArxivID, s.DOI)
	c.Seen = s.FirstSeen
	return c
}

func newCandidate(title, key string, authors []string, published time.Time, arxivID, doi string) Candidate {
	c := Candidate{Title: title, TitleKey: key, Authors: authors, Published: published}
	c.ArxivID = cleanArxivID(arxivID)
	c.DOI = cleanDOI(doi)
	if c.ArxivID == "" && strings.HasPrefix(c.DOI, "10.48550/arxiv.") { // arXiv's own DOIs
		c.ArxivID = ident.NormalizeArxivID(c.DOI[len("10.48550/arxiv."):])
	}
	return c
}

// cleanArxivID normalises an id that should already be normalised, keeping it
// as given when it does not parse.
func cleanArxivID(s string) string {
	if s == "" {
		return ""
	}
	if id := ident.NormalizeArxivID(s); id != "" {
		return id
	}
	return strings.ToLower(strings.TrimSpace(s))
}

func cleanDOI(s string) string {
	if s == "" {
		return ""
	}
	if d := ident.NormalizeDOI(s); d != "" {
		return d
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// sameDayWindow is how close the publication times of two listings of a
// generic title must be: same day, allowing for time zones and date-only feeds.
const sameDayWindow = 24 * time.Hour

// Same reports whether a and b are the same paper (see the package doc).
func Same(a, b Candidate) bool {
	_, ok := Match(a, b)
	return ok
}

// Match reports whether a and b are the same paper and by which rule
// (model.RuleIdentifier, model.RuleExactKey, model.RuleTolerant).
func Match(a, b Candidate) (string, bool) {
	v := match(a, b)
	return v.rule, v.ok
}

// verdict is what match found: the rule that decided, whether it holds, and
// for a tolerant title how it was tolerated (read by Explain).
type verdict struct {
	rule string
	ok   bool
	how  tolerance
}

func match(a, b Candidate) verdict {
	bothArxiv := a.ArxivID != "" && b.ArxivID != ""
	if bothArxiv && a.ArxivID == b.ArxivID {
		return verdict{rule: model.RuleIdentifier, ok: true}
	}
	if bothArxiv { // two arXiv records are two papers, whatever the titles
		return verdict{}
	}
	if a.DOI != "" && a.DOI == b.DOI {
		return verdict{rule: model.RuleIdentifier, ok: true}
	}
	if a.TitleKey == "" || yearsApart(a, b, 1) {
		return verdict{}
	}
	if a.TitleKey != b.TitleKey {
		if a.Recurring || b.Recurring || genericTitle(a.Title, a.TitleKey) || genericTitle(b.Title, b.TitleKey) {
			return verdict{}
		}
		how, ok := tolerantSame(a, b)
		return verdict{rule: model.RuleTolerant, ok: ok, how: how}
	}
	return verdict{rule: model.RuleExactKey, ok: exactSame(a, b)}
}

// exactSame is the rule for two listings with equal title keys.
func exactSame(a, b Candidate) bool {
	sa, sb := surnameKeys(a.Authors), surnameKeys(b.Authors)
	if len(sa) > 0 && len(sb) > 0 && !shareSurname(sa, sb) && !nameTokensAgree(a.Authors, b.Authors) {
		return false
	}
	if a.Recurring || b.Recurring || genericTitle(a.Title, a.TitleKey) || genericTitle(b.Title, b.TitleKey) {
		if a.DOI != "" && b.DOI != "" { // two registered items under one column title
			return false
		}
		if a.Published.IsZero() || b.Published.IsZero() {
			return false
		}
		d := a.Published.Sub(b.Published)
		return d > -sameDayWindow && d < sameDayWindow
	}
	return true
}

// Recurring reports whether the stored papers of one title key carry
// different publication days: a title key several stored papers share, with
// different dates, is a recurring column title, learnt from the store (the
// candidates the lookup returned; no scan).
func Recurring(key string, stored []Candidate) bool {
	var day string
	for _, c := range stored {
		if key == "" || c.TitleKey != key || c.Published.IsZero() {
			continue
		}
		d := c.Published.UTC().Format(time.DateOnly)
		if day != "" && d != day {
			return true
		}
		day = d
	}
	return false
}
