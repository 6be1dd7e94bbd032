package dedup

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/paperfeed/paperfeed/aggregator/ident"
)

// qualifierRe matches a bracketed qualifier one listing adds to a title
// ("(extended abstract)", "[panel]"): a bracket without digits, so "(Part 2)"
// stays part of the title.
var qualifierRe = regexp.MustCompile(`\s*[(\[][^()\[\]0-9]*[)\]]`)

// debrisRe matches where scraped debris starts after a title: a citation
// tail (". in proceedings of ...", ", proc. ...") or a review marker.
var debrisRe = regexp.MustCompile(`(?i)(\s*[.,;]\s*(in\s+)?(proceedings|proc\.|journal|in\s)|\s+-+\s*book\s+reviews?\b|\s+\(?\s*book\s+review\s*\)?\s*$)`)

// mojibakeRe matches the debris of a mis-decoded quote or dash ("â ??",
// "â€™", "Ã©" where the letter is gone).
var mojibakeRe = regexp.MustCompile(`â\s*\?\?|â€\S?|\?\?`)

// sentenceRe splits a scraped listing into its sentences (author list, title,
// venue), at a period followed by a space.
var sentenceRe = regexp.MustCompile(`\s*\.\s+`)

// headRe matches a listing's "Abstract:"-style head before the title.
var headRe = regexp.MustCompile(`(?i)^\s*(abstract|title|panel|demo|poster|keynote|invited talk)\s*[:.-]\s*`)

// qualifierWords are words of a qualifier that one listing leaves unbracketed
// at the end ("... extended abstract").
var qualifierWords = wordSet(`extended abstract panel demonstration description version invited talk
	poster demo keynote summary tutorial`)

// spelling maps British and other variant spellings and spelled-out ordinals
// to one form.
var spelling = map[string]string{
	"colour": "color", "behaviour": "behavior", "modelling": "modeling", "modelled": "modeled",
	"labelling": "labeling", "labelled": "labeled", "travelling": "traveling", "centre": "center",
	"analyse": "analyze", "catalogue": "catalog", "programme": "program", "favour": "favor",
	"neighbour": "neighbor", "neighbourhood": "neighborhood", "honour": "honor", "grey": "gray",
	"first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th",
	"sixth": "6th", "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th",
}

// titleWords splits a title into the words tolerant matching compares:
// cleanWords with British spellings, "-isation" and ordinals unified and a
// plural "s" dropped.
func titleWords(title string) []string {
	ws := cleanWords(title)
	for i, w := range ws {
		ws[i] = normWord(w)
	}
	return ws
}

// cleanWords splits a title into its words with the qualifiers, heads and
// scraped tails removed, each word folded like TitleKey, stop words left out.
func cleanWords(title string) []string {
	t := mojibakeRe.ReplaceAllString(title, " ")
	t = headRe.ReplaceAllString(t, "")
	if loc := debrisRe.FindStringIndex(t); loc != nil && loc[0] > 0 {
		t = t[:loc[0]]
	}
	t = qualifierRe.ReplaceAllStringFunc(t, func(q string) string {
		for _, f := range strings.Fields(strings.Trim(q, " ([)]")) {
			if numberish(ident.TitleKey(f)) || ident.TitleKey(f) == "part" {
				return q // "(part i)" names a part: a different paper
			}
		}
		return " "
	})
	var out []string
	for _, f := range strings.FieldsFunc(t, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' && r != '+'
	}) {
		w := ident.TitleKey(strings.Trim(f, "."))
		if w == "" || stopWords[w] {
			continue
		}
		out = append(out, w)
	}
	for len(out) > 4 && qualifierWords[out[len(out)-1]] && qualifierWords[out[len(out)-2]] {
		out = out[:len(out)-2]
	}
	return out
}

// normWord unifies the spelling variants of one folded word.
func normWord(w string) string {
	if s, ok := spelling[w]; ok {
		return s
	}
	for _, suf := range [][2]string{{"isation", "ization"}, {"isations", "izations"}, {"ise", "ize"}, {"ised", "ized"}, {"ising", "izing"}} {
		if strings.HasSuffix(w, suf[0]) && len(w) > len(suf[0])+3 {
			w = w[:len(w)-len(suf[0])] + suf[1]
			break
		}
	}
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") &&
		!strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return w[:len(w)-1]
	}
	return w
}

// numberish reports whether a word carries a number or part label: digits,
// or a Roman numeral of two or more letters ("ii", "iv").
func numberish(w string) bool {
	for _, r := range w {
		if unicode.IsDigit(r) {
			return true
		}
	}
	if len(w) < 2 {
		return false
	}
	for _, r := range w {
		if !strings.ContainsRune("ivxl", r) {
			return false
		}
	}
	return true
}

// segments are the word lists a scraped listing may hold its title in: the
// whole title, then each of its sentences of two words or more (an author
// list before the title or a venue after it is one sentence).
func segments(title string, words func(string) []string) [][]string {
	out := [][]string{words(title)}
	parts := sentenceRe.Split(mojibakeRe.ReplaceAllString(title, " "), -1)
	if len(parts) < 2 || len(parts) > 6 {
		return out
	}
	for _, p := range parts {
		if ws := words(p); len(ws) >= 2 {
			out = append(out, ws)
		}
	}
	return out
}
