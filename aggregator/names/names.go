// Package names reads person names as feeds spell them: "Given Surname",
// "Surname, Given", PubMed's "Surname Initials" ("Watson JL"), dotted and
// hyphenated initials ("T.Brown", "J.-L."), with diacritics, case variants
// ("LeCun" / "Lecun"), suffixes ("Jr.", "III") and list noise ("et al.",
// e-mail addresses).
//
// It serves two callers that must agree on what a name is: paper merges the
// spellings of one person in an author list (Parse, Same, Fuller, IsEtAl),
// and dedup refuses to merge two listings whose author lists share no surname
// (Surnames). Of the project it imports only ident, for the Unicode folder
// that title keys also use.
package names

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paperfeed/paperfeed/aggregator/ident"
)

// Person is a name folded for comparison (see Fold).
type Person struct {
	Letters string   // every letter of the name: "yannlecun"
	Surname string   // "lecun"; empty when the name has none
	Given   []string // given names and initials, in order: ["tom", "b"]
}

// Parse reads one person's name: "Given Surname", "Surname, Given" and
// "Surname Initials" ("Watson JL", "Watson J. L.", "Juergens D."). Initials
// become single letters ("J.-L." -> "j", "l"), hyphenated given names one
// word ("Kai-Wei" -> "kaiwei").
func Parse(name string) Person {
	p := Person{Letters: Fold(name)}
	var sur string
	var given []string
	if i := strings.IndexByte(name, ','); i >= 0 {
		sur = name[:i]
		given = tokens(name[i+1:])
	} else {
		toks := tokens(name)
		n := len(toks)
		k := n
		for k > 1 && isInitial(toks[k-1]) {
			k--
		}
		switch {
		case k < n: // "Watson J. L."
			sur, given = strings.Join(toks[:k], " "), toks[k:]
		case n > 1 && isCapsInitials(toks[n-1]): // "Watson JL"
			sur = strings.Join(toks[:n-1], " ")
			for _, r := range toks[n-1] {
				given = append(given, string(r))
			}
		case n > 0:
			sur, given = toks[n-1], toks[:n-1]
		}
	}
	st := tokens(sur)
	if len(st) > 0 {
		p.Surname = Fold(st[len(st)-1])
	}
	for _, g := range given {
		if !isInitial(g) {
			if f := Fold(g); f != "" { // "Kai-Wei" -> "kaiwei"
				p.Given = append(p.Given, f)
			}
			continue
		}
		for _, part := range strings.FieldsFunc(g, func(r rune) bool { return r == '.' || r == '-' }) {
			if f := Fold(part); f != "" { // "J.-L." -> "j", "l"
				p.Given = append(p.Given, firstLetter(f))
			}
		}
	}
	return p
}

// Same reports whether a and b may be one person: the same letters, or the
// same surname with given names that agree as far as both go (a full name
// matches its initial, a missing given name matches anything).
func Same(a, b Person) bool {
	if a.Letters != "" && a.Letters == b.Letters {
		return true
	}
	if a.Surname == "" || a.Surname != b.Surname {
		return false
	}
	for i := 0; i < len(a.Given) && i < len(b.Given); i++ {
		x, y := a.Given[i], b.Given[i]
		if utf8.RuneCountInString(x) > 1 && utf8.RuneCountInString(y) > 1 {
			if x != y {
				return false
			}
		} else if firstLetter(x) != firstLetter(y) {
			return false
		}
	}
	return true
}

// Fuller returns the more complete of two spellings of one person: more
// letters, then more non-ASCII characters (diacritics); cur on a tie.
func Fuller(cur, cand string) string {
	lc, ln := letterCount(cur), letterCount(cand)
	if ln != lc {
		if ln > lc {
			return cand
		}
		return cur
	}
	if nonASCII(cand) > nonASCII(cur) {
		return cand
	}
	return cur
}

// IsEtAl reports whether a whole author-list entry stands for omitted
// authors: "et al.", "others", "and others".
func IsEtAl(entry string) bool {
	switch strings.ToLower(strings.Trim(entry, ". ")) {
	case "et al", "others", "and others":
		return true
	}
	return false
}

// Fold keeps the letters of s, without diacritics and lower-cased:
// "André" -> "andre", "O'Brien" -> "obrien", "LeCun" -> "lecun".
func Fold(s string) string { return ident.Letters(s) }

// tokens splits a name on white space and after the dot of an initial
// ("T.Brown" -> "T.", "Brown"; "J.L." -> "J.", "L.").
func tokens(s string) []string {
	var out []string
	for _, t := range strings.Fields(s) {
		for {
			i := strings.IndexByte(t, '.')
			if i < 0 || i == len(t)-1 {
				break
			}
			out = append(out, t[:i+1])
			t = t[i+1:]
		}
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

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
	return letters == 1 || letters > 0 && strings.Count(t, ".") >= letters
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

func firstLetter(s string) string {
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}

func letterCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

func nonASCII(s string) int {
	n := 0
	for _, r := range s {
		if r >= utf8.RuneSelf {
			n++
		}
	}
	return n
}
