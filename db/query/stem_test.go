package query

import (
	"strings"
	"testing"
)

func TestStem(t *testing.T) {
	tests := []struct{ word, stem string }{
		{"models", "model"},
		{"Modelling", "model"},
		{"modeling", "model"},
		{"contrastive", "contrast"},
		{"happy", "happi"},
		{"hoping", "hope"},
		{"possibility", "possibl"},
		{"Naïve", "naiv"},
		{"is", "is"},
		{strings.Repeat("a", 70) + "ing", strings.Repeat("a", 70) + "ing"},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			if got := Stem(tt.word); got != tt.stem {
				t.Errorf("Stem(%q) = %q, want %q", tt.word, got, tt.stem)
			}
			if p := StemPrefix(tt.stem); !strings.HasPrefix(fold(tt.word), p) {
				t.Errorf("%q does not start with StemPrefix(%q) = %q", tt.word, tt.stem, p)
			}
		})
	}
}

// FuzzStemPrefix: every word starts with the prefix of its own stem, so a
// vocabulary range scan from StemPrefix finds every form of a stem.
func FuzzStemPrefix(f *testing.F) {
	for _, w := range []string{"relational", "valency", "sensibility", "probably", "troubling", "controlling",
		"hopping", "generalization", "activity", "formality", "realizer", "agreed", "ponies", "caresses", "ties", "Ünïcode",
		"happy", "hoping", "possibility", "sensitivity", "conditional", "decency", "hesitancy", "rating", "operator", "filing"} {
		f.Add(w)
	}
	f.Fuzz(func(t *testing.T, w string) {
		if w == "" || len(tokens(w)) != 1 || tokens(w)[0].start != 0 || tokens(w)[0].end != len(w) {
			return // the indexes' terms are single words
		}
		folded := fold(w)
		s := stemFolded(folded)
		if p := StemPrefix(s); !strings.HasPrefix(folded, p) {
			t.Errorf("%q (stem %q) does not start with %q", folded, s, p)
		}
	})
}
