package recommend

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// word is one word of a text: its bytes buf[start:end] in the scanner's
// lower-cased buffer and their FNV-1a hash.
type word struct {
	start, end int32
	h          uint64
}

// scanner splits texts into words: lower case, diacritics removed, runs of
// letters, digits and '_' that start with a letter or '_' and are at least
// two bytes long, stop words dropped (scikit-learn's token pattern
// (?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b with strip_accents and stop_words, extended
// to letters of every script). It hashes each word as it copies it, and
// keeps its buffers between texts, so scanning allocates nothing once they
// have grown to a text's size.
type scanner struct {
	buf   []byte // the words' lower-cased bytes, one separator after each
	ws    []word
	start int                   // offset in buf of the word being read, -1 between words
	h     uint64                // FNV-1a of buf[start:]
	tmp   [utf8.UTFMax * 4]byte // one rune's decomposition (here, not on the stack, from which it would escape)
}

// reset empties the scanner for a new text.
func (s *scanner) reset() {
	s.buf, s.ws, s.start = s.buf[:0], s.ws[:0], -1
}

// end closes the word being read: kept when two bytes or longer and not a
// stop word.
func (s *scanner) end() {
	if s.start >= 0 && len(s.buf)-s.start >= 2 {
		if w := s.buf[s.start:]; !isStopWord(s.h, w) {
			s.ws = append(s.ws, word{start: int32(s.start), end: int32(len(s.buf)), h: s.h})
		}
	}
	s.start = -1
	s.buf = append(s.buf, ' ') // keeps words apart in buf
}

// appendRune adds a letter or digit of a word other than ASCII.
func (s *scanner) appendRune(r rune) {
	if s.start < 0 {
		s.start, s.h = len(s.buf), fnvOffset
	}
	n := len(s.buf)
	s.buf = utf8.AppendRune(s.buf, r)
	s.h = fnvBytes(s.h, s.buf[n:])
}

// ASCII byte classes.
const (
	asciiOther  = iota
	asciiLetter // a-z, A-Z, '_'
	asciiDigit
)

var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for c := range t {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_':
			t[c] = asciiLetter
		case '0' <= c && c <= '9':
			t[c] = asciiDigit
		}
	}
	return t
}()

// scan appends the words of text; a text's end ends its last word, but the
// next text's first word still follows it (a bigram spans the two, as in
// one text joined by a separator).
func (s *scanner) scan(text string) {
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			switch cls := asciiClass[c]; {
			case cls == asciiOther:
				i++
				s.end()
			case cls == asciiDigit && s.start < 0:
				// A word starts with a letter: "3d" is no word, and
				// neither is its tail.
				for i < len(text) && text[i] < utf8.RuneSelf && asciiClass[text[i]] != asciiOther {
					i++
				}
				s.end()
			default:
				// A run of ASCII letters, digits and '_', copied and
				// hashed in one loop.
				if s.start < 0 {
					s.start, s.h = len(s.buf), fnvOffset
				}
				buf, h := s.buf, s.h
				for ; i < len(text); i++ {
					c := text[i]
					if c >= utf8.RuneSelf || asciiClass[c] == asciiOther {
						break
					}
					if 'A' <= c && c <= 'Z' {
						c += 'a' - 'A'
					}
					buf = append(buf, c)
					h = (h ^ uint64(c)) * fnvPrime
				}
				s.buf, s.h = buf, h
			}
			continue
		}
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
		// Decompose (NFKD) and keep the letters and digits without marks.
		for _, d := range string(norm.NFKD.AppendString(s.tmp[:0], text[i-size:i])) {
			switch {
			case unicode.Is(unicode.Mn, d):
			case unicode.IsLetter(d):
				s.appendRune(unicode.ToLower(d))
			case unicode.IsDigit(d) && s.start >= 0:
				s.appendRune(d)
			default:
				s.end()
			}
		}
	}
	s.end()
}

// text is a word's bytes as a string (a copy).
func (s *scanner) text(w word) string { return string(s.buf[w.start:w.end]) }

// words returns the words of text, as the models read them.
func words(text string) []string {
	var s scanner
	s.reset()
	s.scan(text)
	out := make([]string, len(s.ws))
	for i, w := range s.ws {
		out[i] = s.text(w)
	}
	return out
}
