package ident

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/unicode/norm"
)

// This file is the project's one Unicode folder: compatibility decomposition
// (NFKD: ligatures, fullwidth forms, super/subscripts), combining marks
// removed (diacritics), lower case. Title keys and person names keep
// different parts of the result, so the folder runs in one of two modes.

// foldMode says what of the folded runes is kept.
type foldMode uint8

const (
	// keyMode is for title keys: letters, digits, '+', '&' as "and", the
	// mathematical symbols a reader sees; a few letters without decomposition
	// transliterated, Greek letters spelled out; punctuation, spaces and other
	// symbols dropped.
	keyMode foldMode = iota
	// lettersMode is for person names: letters only.
	lettersMode
)

// Letters keeps the letters of s, without diacritics and lower-cased:
// "André" -> "andre", "O'Brien" -> "obrien", "LeCun" -> "lecun".
func Letters(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !(r == utf8.RuneError && size == 1) {
			foldRune(&b, s[i:i+size], r, 0, lettersMode)
		}
		i += size
	}
	return b.String()
}

var isMark = runes.In(unicode.Mn)

// foldRune appends the folded form of r (whose UTF-8 encoding is enc) to b.
func foldRune(b *strings.Builder, enc string, r rune, depth int, m foldMode) {
	if r < utf8.RuneSelf {
		switch {
		case 'a' <= r && r <= 'z':
			b.WriteByte(byte(r))
		case 'A' <= r && r <= 'Z':
			b.WriteByte(byte(r) + 'a' - 'A')
		case m != keyMode:
		case '0' <= r && r <= '9', r == '+':
			b.WriteByte(byte(r))
		case r == '&':
			b.WriteString("and") // "Pretrain & Prompt" is "Pretrain and Prompt"
		}
		return
	}
	if m == keyMode {
		switch r {
		case '™', '℠', '©', '®', '℗', '°', '−', '∗', '∙', '⋅', '∼', '⁄', '∕', '∖', '∣', '∘', '⋆':
			return // marks and operators that stand for punctuation or nothing
		case 'ʼ', 'ʻ', 'ʽ', 'ˈ', 'ˊ', 'ˋ', 'ꞌ':
			return // modifier letters used as apostrophes and accents
		case '×':
			b.WriteByte('x')
			return
		}
	}
	if depth < 4 {
		if d := decomposition(enc, r, m); d != nil {
			for j := 0; j < len(d); {
				r2, n := utf8.DecodeRune(d[j:])
				foldRune(b, string(d[j:j+n]), r2, depth+1, m)
				j += n
			}
			return
		}
		if lr := unicode.ToLower(r); lr != r {
			foldRune(b, string(lr), lr, depth+1, m)
			return
		}
	}
	if isMark.Contains(r) || unicode.Is(unicode.Me, r) {
		return
	}
	if m == lettersMode {
		if unicode.IsLetter(r) {
			b.WriteRune(r)
		}
		return
	}
	if t, ok := translit[r]; ok {
		b.WriteString(t)
		return
	}
	switch {
	case unicode.IsLetter(r), unicode.IsNumber(r), unicode.Is(unicode.Mc, r):
		b.WriteRune(r)
	case unicode.Is(unicode.Sm, r) && !(r >= 0x2190 && r <= 0x21FF) && !(r >= 0x27F0 && r <= 0x27FF) && !(r >= 0x2900 && r <= 0x297F):
		b.WriteRune(r) // ∞, ≤, ∇ ...: a reader sees them; arrows are separators
	}
}

// decomposition returns the NFKD decomposition of r (encoded as enc), or nil.
// Hangul syllables decompose by rule, not by the table Properties reads: a
// name is folded to its jamo, as NFKD does, while a title key keeps each
// syllable as one letter (keys are stored, so their form stays put).
func decomposition(enc string, r rune, m foldMode) []byte {
	if m == lettersMode && 0xAC00 <= r && r <= 0xD7A3 {
		return norm.NFKD.AppendString(nil, enc)
	}
	return norm.NFKD.PropertiesString(enc).Decomposition()
}

// translit spells letters that NFKD leaves alone, and Greek letters, the way
// titles also write them: "β-VAE", "$\beta$-VAE" and "beta-VAE" share a key.
var translit = map[rune]string{
	'ø': "o", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th", 'ß': "ss", 'æ': "ae", 'œ': "oe",
	'ı': "i", 'ħ': "h", 'ŧ': "t", 'ƒ': "f", 'ŀ': "l", 'ȷ': "j",
	'α': "alpha", 'β': "beta", 'γ': "gamma", 'δ': "delta", 'ε': "epsilon", 'ϵ': "epsilon",
	'ζ': "zeta", 'η': "eta", 'θ': "theta", 'ϑ': "theta", 'ι': "iota", 'κ': "kappa", 'ϰ': "kappa",
	'λ': "lambda", 'μ': "mu", 'ν': "nu", 'ξ': "xi", 'ο': "omicron", 'π': "pi", 'ϖ': "pi",
	'ρ': "rho", 'ϱ': "rho", 'σ': "sigma", 'ς': "sigma", 'ϲ': "sigma", 'τ': "tau", 'υ': "upsilon",
	'φ': "phi", 'ϕ': "phi", 'χ': "chi", 'ψ': "psi", 'ω': "omega",
}
