package dedup

import (
	"slices"
	"strings"

	"github.com/paperfeed/paperfeed/aggregator/ident"
	"github.com/paperfeed/paperfeed/aggregator/names"
)

// surnameKeys returns the surnames of an author list folded like titles
// (TitleKey): one key per author, two when the spelling is ambiguous ("Watson
// JL"). Entries that are not people (e-mail addresses, "et al.") are skipped.
// A nil result means "authors unknown". See names.Surnames.
func surnameKeys(authors []string) []string {
	return names.Surnames(authors, ident.TitleKey)
}

// shareSurname reports whether the two key lists have a key in common.
func shareSurname(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// nameTokensAgree is the weak author agreement an exact title key needs from
// scraped author lists that swap or abbreviate name parts ("t hannu" for
// Hannu Toivonen): some name of a and some name of b have the same initials,
// in any order.
func nameTokensAgree(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if sameInitials(nameParts(x), nameParts(y)) {
				return true
			}
		}
	}
	return false
}

func nameParts(n string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(n, func(r rune) bool { return r == ' ' || r == '.' || r == ',' || r == '-' }) {
		if k := ident.TitleKey(f); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// sameInitials reports whether two names have the same multiset of first
// letters of their parts, with at least two parts each.
func sameInitials(x, y []string) bool {
	if len(x) < 2 || len(x) != len(y) {
		return false
	}
	ix, iy := make([]byte, len(x)), make([]byte, len(y))
	for i := range x {
		ix[i], iy[i] = x[i][0], y[i][0]
	}
	slices.Sort(ix)
	slices.Sort(iy)
	return string(ix) == string(iy)
}
