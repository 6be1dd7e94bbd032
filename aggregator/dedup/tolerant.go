package dedup

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// minTolerantWords is the fewest words (stop words aside) a title needs
// before any tolerance applies: shorter titles merge on exact keys only.
const minTolerantWords = 5

// minTypoWords is the fewest words a title needs before typos inside its
// long words are tolerated.
const minTypoWords = 4

// listingDateWindow: a publication time this close before the listing was
// first seen is the listing's own date (a feed item's posting time), which
// says nothing about the year the work was published.
const listingDateWindow = 60 * 24 * time.Hour

// yearsApart reports whether both candidates carry real publication years
// more than max apart.
func yearsApart(a, b Candidate, max int) bool {
	if a.Published.IsZero() || b.Published.IsZero() || listingDate(a) || listingDate(b) {
		return false
	}
	d := a.Published.Year() - b.Published.Year()
	return d > max || d < -max
}

func listingDate(c Candidate) bool {
	if c.Seen.IsZero() {
		return false
	}
	d := c.Seen.Sub(c.Published)
	return d > -listingDateWindow && d < listingDateWindow
}

// tolerance is how two titles with different keys were found one title.
type tolerance struct {
	cleaned   bool // equal once qualifiers and debris are removed
	edits     int  // words added, dropped or changed (typos inside long words aside)
	truncated bool // one is the start of the other
	joined    bool // close once their words are joined
}

// tolerantSame reports whether two titles with different keys are one
// paper: long enough, the same numbers and negations, word sequences within
// a word-edit budget scaled by length (typos inside long words free), or one
// a truncation of the other, and authors agreeing more the more tolerance
// was used. It says which tolerance it used.
func tolerantSame(a, b Candidate) (tolerance, bool) {
	if yearsApart(a, b, 0) { // tolerance needs the same year (a conference paper and its journal version a year later are two records)
		return tolerance{}, false
	}
	for _, ca := range segments(a.Title, cleanWords) {
		for _, cb := range segments(b.Title, cleanWords) {
			if len(ca) >= 2 && slices.Equal(ca, cb) {
				return tolerance{cleaned: true}, authorsAgree(a, b, 1) // equal once qualifiers and debris are gone: an exact key of the cleaned titles
			}
		}
	}
	for _, wa := range segments(a.Title, titleWords) {
		for _, wb := range segments(b.Title, titleWords) {
			if need, how, ok := wordsClose(wa, wb); ok && authorsAgree(a, b, need) {
				return how, true
			}
		}
	}
	return tolerance{}, false
}

// wordsClose reports whether two word lists are one title within the
// tolerance, how, and how many agreeing surnames that tolerance needs.
func wordsClose(wa, wb []string) (need int, how tolerance, ok bool) {
	if len(wa) < minTypoWords || len(wb) < minTypoWords || !slices.Equal(marks(wa), marks(wb)) {
		return 0, how, false
	}
	short, long := wa, wb
	if len(short) > len(long) {
		short, long = long, short
	}
	edits := wordEdits(short, long)
	budget := 1
	if len(short) >= 10 {
		budget = 2
	}
	if len(short) < minTolerantWords {
		budget = 0 // typos inside words only
	}
	truncated := len(short) >= 6 && prefixOf(short, long)
	switch {
	case edits <= budget:
		how.edits = edits
	case truncated:
		how.truncated = true
	case joinedClose(short, long):
		how.joined = true
	default:
		return 0, how, false
	}
	if edits > 0 || truncated {
		return 2, how, true
	}
	return 1, how, true
}

// joinedClose reports whether two long titles are within a character edit
// distance of one in fifteen once their words are joined: words run together
// or split apart by a PDF extractor, a lost ligature ("e cient").
func joinedClose(a, b []string) bool {
	x, y := strings.Join(a, ""), strings.Join(b, "")
	n := min(len(x), len(y))
	if n < 30 {
		return false
	}
	tol := n / 15
	return charEdits(x, y, tol) <= tol
}

// authorsAgree reports whether the author lists share need surnames (all of
// the shorter list when it is shorter than need); unknown authors, or names
// with the same initials in any order (nameTokensAgree), agree only when
// need is one.
func authorsAgree(a, b Candidate, need int) bool {
	sa, sb := surnameKeys(a.Authors), surnameKeys(b.Authors)
	if len(sa) == 0 || len(sb) == 0 {
		return need <= 1 // unknown authors allow the least tolerance only
	}
	if need <= 1 && nameTokensAgree(a.Authors, b.Authors) {
		return true
	}
	return sharedSurnames(sa, sb) >= min(need, len(sa), len(sb))
}

// marks are the words that make two titles different papers when they
// differ: numbers and part labels (publication years aside, scraped after
// titles), parts ("part i") and negations, in order.
func marks(ws []string) []string {
	var out []string
	for i, w := range ws {
		if (numberish(w) && !yearLike(w)) || w == "not" || w == "no" || w == "non" || w == "part" ||
			(i > 0 && ws[i-1] == "part") {
			out = append(out, w)
		}
	}
	return out
}

func yearLike(w string) bool {
	return len(w) == 4 && (w[:2] == "19" || w[:2] == "20") && allDigits(w)
}

// wordEdits is the word-level edit distance of a and b, where two words
// match when equal or, both long, within a character edit distance scaled by
// length (one edit from 5 letters, two from 9).
func wordEdits(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1] + 1
			if wordsMatch(a[i-1], b[j-1]) {
				sub = prev[j-1]
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func wordsMatch(x, y string) bool {
	if x == y {
		return true
	}
	n := min(len(x), len(y))
	if n < 5 || numberish(x) || numberish(y) {
		return false
	}
	tol := 1
	if n >= 9 {
		tol = 2
	}
	return charEdits(x, y, tol) <= tol
}

// charEdits is the byte edit distance of x and y, or tol+1 once it exceeds tol.
func charEdits(x, y string, tol int) int {
	if d := len(x) - len(y); d > tol || -d > tol {
		return tol + 1
	}
	prev := make([]int, len(y)+1)
	cur := make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		best := i
		for j := 1; j <= len(y); j++ {
			c := 1
			if x[i-1] == y[j-1] {
				c = 0
			}
			cur[j] = min(prev[j-1]+c, prev[j]+1, cur[j-1]+1)
			best = min(best, cur[j])
		}
		if best > tol {
			return tol + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(y)]
}

// prefixOf reports whether short matches the start of long word by word.
func prefixOf(short, long []string) bool {
	for i, w := range short {
		if !wordsMatch(w, long[i]) {
			return false
		}
	}
	return true
}

func sharedSurnames(a, b []string) int {
	n := 0
	for _, x := range a {
		if slices.Contains(b, x) {
			n++
		}
	}
	return n
}

// BlockKeys are the blocking keys under which a paper is found for tolerant
// matching: pairs of its four longest title words (a typo, a dropped word or
// debris leaves other pairs intact), and each of its first two surnames with
// each of its three longest words. Empty for titles too short for tolerance.
func BlockKeys(c Candidate) []string {
	ws := titleWords(c.Title)
	if len(ws) < 2 {
		return nil
	}
	ws = slices.Clone(ws)
	sort.SliceStable(ws, func(i, j int) bool { return len(ws[i]) > len(ws[j]) })
	ws = slices.Compact(ws)
	top := ws[:min(4, len(ws))]
	var keys []string
	for i := range top {
		for j := i + 1; j < len(top); j++ {
			x, y := top[i], top[j]
			if x > y {
				x, y = y, x
			}
			keys = append(keys, "w:"+x+" "+y)
		}
	}
	sn := surnameKeys(c.Authors)
	for _, s := range sn[:min(2, len(sn))] {
		for _, w := range top[:min(3, len(top))] {
			keys = append(keys, "a:"+s+" "+w)
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}
