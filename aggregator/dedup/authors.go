package dedup

import (
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
