package recommend

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// words appends the words of s to dst: lower case, diacritics removed, runs
// of letters, digits and '_' that start with a letter or '_' and are at least
// two characters long, stop words dropped (scikit-learn's token pattern
// (?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b with strip_accents and stop_words, extended
// to letters of every script). Each word is a substring of one shared buffer,
// so a text costs one allocation.
func words(dst []string, s string) []string {
	var b strings.Builder
	b.Grow(len(s))
	var starts []int32 // start offset in b of each word, then its end
	start := -1
	end := func() {
		if start >= 0 && b.Len()-start >= 2 {
			starts = append(starts, int32(start), int32(b.Len()))
		} else if start >= 0 {
			b.WriteByte(' ') // a one-letter word: keep offsets apart
		}
		start = -1
		b.WriteByte(' ')
	}
	var tmp [utf8.UTFMax * 4]byte
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z', c == '_':
				if start < 0 {
					start = b.Len()
				}
				b.WriteByte(c)
			case 'A' <= c && c <= 'Z':
				if start < 0 {
					start = b.Len()
				}
				b.WriteByte(c + 'a' - 'A')
			case '0' <= c && c <= '9':
				if start < 0 {
					// A word starts with a letter: "3d" is no word, and
					// neither is its tail.
					for i < len(s) && isASCIIWord(s[i]) {
						i++
					}
					end()
					continue
				}
				b.WriteByte(c)
			default:
				end()
			}
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		// Decompose (NFKD) and keep the letters and digits without marks.
		for _, d := range string(norm.NFKD.AppendString(tmp[:0], s[i-size:i])) {
			switch {
			case unicode.Is(unicode.Mn, d):
			case unicode.IsLetter(d):
				if start < 0 {
					start = b.Len()
				}
				b.WriteRune(unicode.ToLower(d))
			case unicode.IsDigit(d) && start >= 0:
				b.WriteRune(d)
			default:
				end()
			}
		}
	}
	end()
	text := b.String()
	for k := 0; k < len(starts); k += 2 {
		w := text[starts[k]:starts[k+1]]
		if !stopWords[w] {
			dst = append(dst, w)
		}
	}
	return dst
}

func isASCIIWord(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}
