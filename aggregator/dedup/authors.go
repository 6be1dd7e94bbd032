package dedup

import (
	"strings"
	"unicode"
)

// surnameKeys returns the folded surnames of an author list: one key per
// author, two when the spelling is ambiguous ("Watson JL": surname + initials
// or given name + surname). Entries that are not people (e-mail addresses,
// "et al.") are skipped. A nil result means "authors unknown".
func surnameKeys(authors []string) []string {
	var keys []string
	for _, a := range authors {
		for _, name := range strings.Split(a, ";") {
			keys = appendSurnames(keys, name)
		}
	}
	return keys
}

func appendSurnames(keys []string, name string) []string {
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsRune(name, '@') {
		return keys
	}
	if strings.IndexByte(name, ',') < 0 {
		return appendNameSurname(keys, name)
	}
	parts := strings.Split(name, ",")
	if len(parts) == 2 {
		last, given := strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1])
		switch {
		case isSuffix(nameKey(given)): // "Tom Brown, Jr."
			return appendNameSurname(keys, last)
		case looksGiven(given): // "Brown, Tom B.", "De Bortoli, Valentin"
			return appendNameSurname(keys, last)
		}
	}
	// Several authors in one string: "Tom B. Brown, Benjamin Mann".
	for _, p := range parts {
		keys = appendNameSurname(keys, p)
	}
	return keys
}

// appendNameSurname handles one "Given Surname" or "Surname Initials" name.
func appendNameSurname(keys []string, name string) []string {
	toks := nameTokens(name)
	for len(toks) > 0 && (isSuffix(nameKey(toks[len(toks)-1])) || isEtAl(toks[len(toks)-1])) {
		toks = toks[:len(toks)-1]
	}
	if len(toks) == 0 {
		return keys
	}
	popped := false
	for len(toks) > 1 && isInitial(toks[len(toks)-1]) { // "Watson J. L.", "De Bortoli V"
		toks = toks[:len(toks)-1]
		popped = true
	}
	last := nameKey(toks[len(toks)-1])
	if !popped && len(toks) > 1 && isCapsInitials(toks[len(toks)-1]) { // "Watson JL" or "Yi MA"
		keys = appendKey(keys, nameKey(toks[len(toks)-2]))
	}
	return appendKey(keys, last)
}

func appendKey(keys []string, k string) []string {
	if len([]rune(k)) < 2 || isEtAl(k) {
		return keys
	}
	return append(keys, k)
}

// nameTokens splits a name on spaces and after the dot of an initial
// ("T.Brown" -> "T.", "Brown").
func nameTokens(name string) []string {
	f := strings.FieldsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
	var out []string
	for _, t := range f {
		for {
			i := strings.IndexByte(t, '.')
			if i < 0 || i == len(t)-1 {
				break
			}
			out = append(out, t[:i+1])
			t = t[i+1:]
		}
		if t != "" && t != "-" {
			out = append(out, t)
		}
	}
	return out
}

// nameKey folds a name token: diacritics, case and punctuation go
// ("André" -> "andre", "O'Brien" -> "obrien", "LeCun" -> "lecun").
func nameKey(t string) string { return TitleKey(t) }

// isInitial reports whether t is an initial or a run of dotted initials:
// "T", "T.", "J.L.", "J.-L.".
func isInitial(t string) bool {
	letters := 0
	for _, r := range t {
		switch {
		case unicode.IsLetter(r):
			letters++
		case r == '.' || r == '-':
		default:
			return false
		}
	}
	if letters == 0 {
		return false
	}
	return letters == 1 || strings.Count(t, ".") >= letters
}

// isCapsInitials reports whether t looks like PubMed initials: 2-3 capitals ("JL").
func isCapsInitials(t string) bool {
	n := 0
	for _, r := range t {
		if !unicode.IsUpper(r) {
			return false
		}
		n++
	}
	return n >= 2 && n <= 3
}

// looksGiven reports whether the part after the comma of "Last, Given" is a
// given name: one word, or words ending in initials ("Tom B.", "F. T.").
func looksGiven(p string) bool {
	toks := nameTokens(p)
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

func isSuffix(k string) bool {
	switch k {
	case "jr", "sr", "ii", "iii", "iv", "phd", "md":
		return true
	}
	return false
}

func isEtAl(t string) bool {
	switch strings.ToLower(strings.Trim(t, ".")) {
	case "et", "al", "etal", "others":
		return true
	}
	return false
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
