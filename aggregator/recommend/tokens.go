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
// to letters of every script). It keeps its buffers between texts, so
// scanning allocates nothing once they have grown to a text's size.
type scanner struct {
	buf   []byte // the words' lower-cased bytes, one separator after each
	ws    []word
	start int                   // offset in buf of the word being read, -1 between words
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
		w := s.buf[s.start:]
		h := fnvBytes(fnvOffset, w)
		if !isStopWord(h, w) {
			s.ws = append(s.ws, word{start: int32(s.start), end: int32(len(s.buf)), h: h})
		}
	}
	s.start = -1
	s.buf = append(s.buf, ' ') // keeps words apart in buf
}

func (s *scanner) begin() {
	if s.start < 0 {
		s.start = len(s.buf)
	}
}

// scan appends the words of text; a text's end ends its last word, but the
// next text's first word still follows it (a bigram spans the two, as in
// one text joined by a separator).
func (s *scanner) scan(text string) {
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z', c == '_':
				s.begin()
				s.buf = append(s.buf, c)
			case 'A' <= c && c <= 'Z':
				s.begin()
				s.buf = append(s.buf, c+'a'-'A')
			case '0' <= c && c <= '9':
				if s.start < 0 {
					// A word starts with a letter: "3d" is no word, and
					// neither is its tail.
					for i < len(text) && isASCIIWord(text[i]) {
						i++
					}
					s.end()
					continue
				}
				s.buf = append(s.buf, c)
			default:
				s.end()
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
				s.begin()
				s.buf = utf8.AppendRune(s.buf, unicode.ToLower(d))
			case unicode.IsDigit(d) && s.start >= 0:
				s.buf = utf8.AppendRune(s.buf, d)
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

func isASCIIWord(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}
