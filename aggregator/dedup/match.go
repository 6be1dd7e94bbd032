// Package dedup decides when two listings are the same paper: by identifier
// first (arXiv id, DOI), then by a normalised title key guarded against false merges.
package dedup

import (
	"strings"
	"time"
	"unicode"

	"github.com/paperfeed/paperfeed/aggregator/paper"
)

// TitleKey is the normalised form of a title that equal titles share.
func TitleKey(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Candidate is what matching looks at.
type Candidate struct {
	TitleKey  string
	Authors   []string
	Published time.Time
	ArxivID   string
	DOI       string
}

// FromItem builds a Candidate from an incoming item.
func FromItem(it *paper.Item) Candidate {
	return Candidate{TitleKey: TitleKey(it.Title), Authors: it.Authors, Published: it.Published, ArxivID: it.ArxivID, DOI: it.DOI}
}

// FromPaper builds a Candidate from a stored paper.
func FromPaper(p *paper.Paper) Candidate {
	return Candidate{TitleKey: p.TitleKey, Authors: p.Authors, Published: p.Published, ArxivID: p.ArxivID, DOI: p.DOI}
}

// Same reports whether a and b are the same paper.
func Same(a, b Candidate) bool {
	if a.ArxivID != "" && a.ArxivID == b.ArxivID {
		return true
	}
	if a.DOI != "" && a.DOI == b.DOI {
		return true
	}
	if a.ArxivID != "" && b.ArxivID != "" {
		return false
	}
	return a.TitleKey != "" && a.TitleKey == b.TitleKey
}
