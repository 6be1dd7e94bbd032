package dedup

import (
	"strings"

	"github.com/paperfeed/paperfeed/aggregator/ident"
)

// columnWords is the vocabulary of journal column and notice titles ("Editor's
// note", "In this issue", "Book reviews", "News in brief", "Thank you to our
// reviewers", "Correction"). A title made only of these words (and numbers)
// names a recurring column, not a paper.
var columnWords = wordSet(`a an the of in on for to from and at by with this these our your its
	new recent current latest year years month monthly week weekly day today issue issues volume vol
	number no part section special editor editors editorial editorials guest note notes news view
	views brief briefs briefing book books review reviews reviewer reviewers referee referees
	correction corrections clarification clarifications erratum errata corrigendum corrigenda
	retraction retractions retracted notice notices expression concern addendum withdrawal
	letter letters reply replies response responses comment comments commentary correspondence
	highlight highlights research abstract abstracts contents content table index front back
	matter cover covers image images masthead information info board acknowledgement
	acknowledgements acknowledgment acknowledgments thanks thank you announcement announcements
	preface foreword introduction overview summary summaries digest calendar upcoming events event
	meeting meetings conference congress symposium proceedings report reports obituary obituaries
	memoriam perspective perspectives opinion opinions viewpoint focus spotlight feature features
	column columns desk message president presidents chair welcome farewell about author authors
	guidelines guide instructions contributors publisher publishers society journal update updates
	corner roundup round up inside choice choices pick picks recommended reading readings
	noteworthy selected literature call papers paper club outlook best what s whats
	reminiscences influential treasurer treasurers secretary secretarys chairs chairman`)

// stopWords do not count as words of a title.
var stopWords = wordSet(`a an the of in on for to and at by with from is are`)

// noticeHeads are heads of "Head: rest" titles that make the whole title a
// notice about another item ("Author Correction: X", "Reply to: X").
var noticeHeads = wordSet(`correction corrections authorcorrection publishercorrection
	correctionto erratum errata erratumto corrigendum corrigenda retraction retractionnote
	noticeofretraction retractionof expressionofconcern editorialexpressionofconcern addendum
	reply replyto authorsreply response responseto authorsresponse comment commenton
	commentary commentaryon withdrawal withdrawn bookreview bookreviews obituary inmemoriam
	editorial editorsnote`)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// genericTitle reports whether a title names a recurring column or a notice
// rather than a work: its key splits entirely into column words and numbers,
// it has a single word besides stop words ("Loneliness"), or its head before a subtitle separator is a notice
// ("Correction: ...").
func genericTitle(title, key string) bool {
	if key == "" || segmentsInto(key, columnWords) {
		return true
	}
	if title == "" {
		return false
	}
	words := 0
	for _, w := range strings.Fields(title) {
		if k := ident.TitleKey(w); k != "" && !stopWords[k] {
			words++
		}
	}
	if words <= 1 {
		return true
	}
	if i := headEnd(title); i > 0 && noticeHeads[ident.TitleKey(title[:i])] {
		return true
	}
	return false
}

// headEnd is where the head of "Head: rest" / "Head - rest" / "Head — rest" ends, or -1.
func headEnd(t string) int {
	best := -1
	for _, sep := range []string{":", " - ", " – ", " — ", "—"} {
		if i := strings.Index(t, sep); i > 0 && (best < 0 || i < best) {
			best = i
		}
	}
	return best
}

// segmentsInto reports whether key is a concatenation of words of dict and
// digit runs (word break by dynamic programming).
func segmentsInto(key string, dict map[string]bool) bool {
	n := len(key)
	if n > 200 {
		return false
	}
	var ok [201]bool
	ok[0] = true
	for i := 1; i <= n; i++ {
		for j := i - 1; j >= 0 && i-j <= 20; j-- {
			if !ok[j] {
				continue
			}
			w := key[j:i]
			if dict[w] || allDigits(w) {
				ok[i] = true
				break
			}
		}
	}
	return ok[n]
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return s != ""
}
