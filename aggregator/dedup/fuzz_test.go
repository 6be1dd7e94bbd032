package dedup

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

func FuzzTitleKey(f *testing.F) {
	for _, s := range benchTitles {
		f.Add(s)
	}
	for _, s := range []string{"", "<b>", "$\\beta$", "\\textbf{}", "&amp;#39;", "ﬃ", "Ⅱ", "ͺ", "ẞ", "İ", "２．５", "1.2.3", "<i", "$\\", "&#x1F600;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := TitleKey(s)
		if k2 := TitleKey(k); k2 != k {
			t.Fatalf("not idempotent: TitleKey(%q) = %q, TitleKey(%q) = %q", s, k, k, k2)
		}
		if !utf8.ValidString(k) {
			t.Fatalf("TitleKey(%q) = %q is not valid UTF-8", s, k)
		}
		if k == "" {
			for _, r := range s {
				if r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
					t.Fatalf("TitleKey(%q) is empty though the title has %q", s, r)
				}
			}
		}
	})
}
