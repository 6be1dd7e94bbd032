package ident

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// nfkdLetters is what Letters means, spelled with x/text transforms: the
// letters of NFKD(s) without nonspacing marks, lower-cased.
func nfkdLetters(s string) string {
	out, _, err := transform.String(transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn))), s)
	if err != nil {
		return "transform error: " + err.Error()
	}
	var b strings.Builder
	for _, r := range out {
		if unicode.IsLetter(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func TestLetters(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"André", "andre"},
		{"O'Brien", "obrien"},
		{"LeCun", "lecun"},
		{"Łukasz", "łukasz"}, // no decomposition, no transliteration: a name keeps its letters
		{"Jürgen Schmidhuber", "jurgenschmidhuber"},
		{"ﬁnn", "finn"},
		{"Ｋａｉ", "kai"},
		{"Xu2 ™", "xutm"}, // digits go; NFKD spells the trade mark sign
		{"김민수", "\u1100\u1175\u11b7\u1106\u1175\u11ab\u1109\u116e"},
		{"İlker", "ilker"},
		{"ʻOkina", "ʻokina"},
		{"\xffab", "ab"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := Letters(tc.in); got != tc.want {
				t.Errorf("Letters(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if ref := nfkdLetters(tc.in); ref != tc.want {
				t.Errorf("reference NFKD letters of %q = %q, want %q", tc.in, ref, tc.want)
			}
		})
	}
}

// TestLettersEveryRune compares Letters with its definition on every
// assigned code point, alone and between letters and marks.
func TestLettersEveryRune(t *testing.T) {
	assigned := []*unicode.RangeTable{unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.Cc, unicode.Cf}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !unicode.IsOneOf(assigned, r) {
			continue
		}
		for _, s := range []string{string(r), "A" + string(r) + "\u0301" + string(r) + "b"} {
			if got, want := Letters(s), nfkdLetters(s); got != want {
				t.Fatalf("Letters(%q) = %q, NFKD letters %q", s, got, want)
			}
		}
	}
}

func FuzzLetters(f *testing.F) {
	for _, s := range []string{"", "André", "김민수", "Ｘ\u0308\u0301ǅ", "\xff\xfe", "ﬃ\u0345\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Letters(s), nfkdLetters(s); got != want {
			t.Fatalf("Letters(%q) = %q, NFKD letters %q", s, got, want)
		}
	})
}
