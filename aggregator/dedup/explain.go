package dedup

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/paperfeed/paperfeed/db/model"
)

// shownNames is how many agreeing authors a reason names.
const shownNames = 3

// Explain is Match with its reason in words: when the incoming listing a is
// the stored paper b, the rule that joined them and what agreed ("title
// differs by one word; authors agree: Ada Lovelace, Alan Turing; year
// 2019"), as the paper page shows it for the listing's sighting.
func Explain(a, b Candidate) (rule, reason string, ok bool) {
	v := match(a, b)
	if !v.ok {
		return v.rule, "", false
	}
	var parts []string
	switch v.rule {
	case model.RuleIdentifier:
		if a.ArxivID != "" && a.ArxivID == b.ArxivID {
			return v.rule, "same arXiv id " + a.ArxivID, true
		}
		return v.rule, "same DOI " + a.DOI, true
	case model.RuleExactKey:
		parts = append(parts, "same title key")
		if a.Recurring || b.Recurring || genericTitle(a.Title, a.TitleKey) || genericTitle(b.Title, b.TitleKey) {
			parts = append(parts, "a column or notice title, published within a day")
		}
	case model.RuleTolerant:
		parts = append(parts, v.how.String())
	}
	parts = append(parts, authorsText(a, b))
	if y := yearsText(a, b); y != "" {
		parts = append(parts, y)
	}
	return v.rule, strings.Join(parts, "; "), true
}

// String says how two titles were tolerated as one.
func (t tolerance) String() string {
	switch {
	case t.cleaned:
		return "titles equal once qualifiers and scraped debris are removed"
	case t.truncated:
		return "one title is a truncation of the other"
	case t.joined:
		return "titles agree once their words are joined"
	case t.edits == 0:
		return "titles agree word for word, spelling variants and typos aside"
	case t.edits == 1:
		return "title differs by one word"
	default:
		return "title differs by " + strconv.Itoa(t.edits) + " words"
	}
}

// authorsText names the authors of a whose surnames b's authors share.
func authorsText(a, b Candidate) string {
	sb := surnameKeys(b.Authors)
	if len(sb) == 0 || len(surnameKeys(a.Authors)) == 0 {
		return "authors not listed on both"
	}
	var shared []string
	for _, n := range a.Authors {
		if k := surnameKeys([]string{n}); len(k) > 0 && shareSurname(k, sb) {
			shared = append(shared, strings.Join(strings.Fields(n), " "))
		}
	}
	if len(shared) == 0 {
		return "author initials agree" // nameTokensAgree: "t hannu" and "Hannu Toivonen"
	}
	text := "authors agree: " + strings.Join(shared[:min(shownNames, len(shared))], ", ")
	if more := len(shared) - shownNames; more > 0 {
		text += fmt.Sprintf(" and %d more", more)
	}
	return text
}

// yearsText gives the publication years of both, "" when one is unknown.
func yearsText(a, b Candidate) string {
	if a.Published.IsZero() || b.Published.IsZero() {
		return ""
	}
	ya, yb := a.Published.Year(), b.Published.Year()
	if ya == yb {
		return "year " + strconv.Itoa(ya)
	}
	return fmt.Sprintf("years %d/%d", min(ya, yb), max(ya, yb))
}
