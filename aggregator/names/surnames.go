package names

import (
	"slices"
	"strings"
)

// Surnames returns the surname keys of an author list, for telling whether two
// lists can name the same people. Each entry may hold several authors,
// separated by ';' or ',' ("Tom B. Brown, Benjamin Mann"), or one author as
// "Given Surname", "Surname, Given" or "Surname Initials". A name yields one
// key, or two when the spelling is ambiguous ("Watson JL": surname and
// initials, or given name and surname; "Yi MA"). Entries that are not people
// (e-mail addresses, "et al.") and suffixes ("Jr.", "III", "PhD") are skipped.
// A nil result means "authors unknown".
//
// key folds one name word into the form compared, e.g. Fold; nil means Fold.
// Keys shorter than two runes are dropped.
func Surnames(authors []string, key func(string) string) []string {
	if key == nil {
		key = Fold
	}
	s := surnamer{key: key}
	for _, a := range authors {
		for _, name := range strings.Split(a, ";") {
			s.add(name)
		}
	}
	return s.keys
}

type surnamer struct {
	key  func(string) string
	keys []string
}

// add reads one entry of an author list.
func (s *surnamer) add(name string) {
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsRune(name, '@') {
		return
	}
	if strings.IndexByte(name, ',') < 0 {
		s.addName(name)
		return
	}
	parts := strings.Split(name, ",")
	if len(parts) == 2 {
		last, given := strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1])
		switch {
		case isSuffix(s.key(given)): // "Tom Brown, Jr."
			s.addName(last)
			return
		case looksGiven(given): // "Brown, Tom B.", "De Bortoli, Valentin"
			s.addName(last)
			return
		}
	}
	// Several authors in one string: "Tom B. Brown, Benjamin Mann".
	for _, p := range parts {
		s.addName(p)
	}
}

// addName reads one "Given Surname" or "Surname Initials" name (no comma).
func (s *surnamer) addName(name string) {
	toks := wordTokens(name)
	for len(toks) > 0 && (isSuffix(s.key(toks[len(toks)-1])) || isEtAlWord(toks[len(toks)-1])) {
		toks = toks[:len(toks)-1]
	}
	if len(toks) == 0 {
		return
	}
	popped := false
	for len(toks) > 1 && isInitial(toks[len(toks)-1]) { // "Watson J. L.", "De Bortoli V"
		toks = toks[:len(toks)-1]
		popped = true
	}
	last := s.key(toks[len(toks)-1])
	if !popped && len(toks) > 1 && isCapsInitials(toks[len(toks)-1]) { // "Watson JL" or "Yi MA"
		s.addKey(s.key(toks[len(toks)-2]))
	}
	s.addKey(last)
}

func (s *surnamer) addKey(k string) {
	if len([]rune(k)) < 2 || isEtAlWord(k) {
		return
	}
	s.keys = append(s.keys, k)
}

// wordTokens is tokens without stray hyphens ("Jean - Luc").
func wordTokens(s string) []string {
	return slices.DeleteFunc(tokens(s), func(t string) bool { return t == "-" })
}

// looksGiven reports whether the part after the comma of "Last, Given" is a
// given name: one word, or words ending in initials ("Tom B.", "F. T.").
func looksGiven(p string) bool {
	toks := wordTokens(p)
	switch {
	case len(toks) == 0:
		return false
	case len(toks) == 1:
		return true
	case len(toks) > 4:
		return false
	}
	return isInitial(toks[len(toks)-1]) || isCapsInitials(toks[len(toks)-1])
}

// isSuffix reports whether the key k is a name suffix or degree.
func isSuffix(k string) bool {
	switch k {
	case "jr", "sr", "ii", "iii", "iv", "phd", "md":
		return true
	}
	return false
}

// isEtAlWord reports whether one word of a name is part of "et al.".
func isEtAlWord(t string) bool {
	switch strings.ToLower(strings.Trim(t, ".")) {
	case "et", "al", "etal", "others":
		return true
	}
	return false
}
