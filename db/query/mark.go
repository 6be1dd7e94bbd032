package query

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Span is a byte range [Start, End) of a text.
type Span struct{ Start, End int }

// Marks returns the spans of text (a paper's field f) that the terms of root
// match, in order and not overlapping: what a page highlights so a reader
// sees why the paper is there. Words compare without case and diacritics;
// quoted terms and prefixes are marked exactly as the engines match them,
// and an unquoted word where a word has its Porter stem (Stem), as the
// engines match it.
func Marks(root *Node, f Field, text string) []Span {
	terms := root.Terms()
	if len(terms) == 0 || text == "" {
		return nil
	}
	words := tokens(text)
	var out []Span
	for i := 0; i < len(words); i++ {
		end := -1
		for _, t := range terms {
			if t.Field != AnyField && t.Field != f {
				continue
			}
			if n := matchAt(t, words[i:]); n > 0 && i+n-1 > end {
				end = i + n - 1
			}
		}
		if end >= 0 {
			out = append(out, Span{words[i].start, words[end].end})
			i = end
		}
	}
	return out
}

type textWord struct {
	start, end int
	folded     string
}

// tokens splits text as splitWords does, keeping byte offsets.
func tokens(text string) []textWord {
	var out []textWord
	start := -1
	for i, r := range text {
		word := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			out = append(out, textWord{start, i, fold(text[start:i])})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, textWord{start, len(text), fold(text[start:])})
	}
	return out
}

// fold lower-cases s and removes its diacritics.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// matchAt returns how many words of ws, from the first, term t matches (0: none).
func matchAt(t *Node, ws []textWord) int {
	if len(ws) < len(t.Words) {
		return 0
	}
	for k, w := range t.Words {
		q, got := fold(w), ws[k].folded
		last := k == len(t.Words)-1
		switch {
		case t.Prefix && last:
			if !strings.HasPrefix(got, q) {
				return 0
			}
		case t.Exact:
			if got != q {
				return 0
			}
		default:
			if got != q && stemFolded(got) != stemFolded(q) {
				return 0
			}
		}
	}
	return len(t.Words)
}
