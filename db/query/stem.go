package query

import (
	"unicode/utf8"

	porterstemmer "github.com/blevesearch/go-porterstemmer"
)

// maxStemmed is the longest word (in bytes, folded) that is stemmed; longer
// words are their own stem, as in SQLite's porter tokenizer.
const maxStemmed = 64

// Stem is the Porter stem of word, compared without case and diacritics: an
// unquoted word matches the words that have its stem. It is the classic
// Porter algorithm, the one SQLite's porter tokenizer runs.
func Stem(word string) string {
	return stemFolded(fold(word))
}

func stemFolded(w string) string {
	if len(w) > maxStemmed {
		return w
	}
	return porterstemmer.StemString(w)
}

// StemPrefix returns a prefix every word with the given stem starts with: the
// stem minus its last letter. Porter only rewrites a word's end, and what it
// writes differs from the word at most in the stem's last letter (happy ->
// happi, hoping -> hope, possibility -> possibl), so an engine finds the
// forms of a word in a range of its vocabulary rather than in all of it. A
// one-letter stem is its own prefix (the forms it misses, such as "ies" for
// "i", are not words anyone searches).
func StemPrefix(stem string) string {
	_, n := utf8.DecodeLastRuneInString(stem)
	if n >= len(stem) {
		return stem
	}
	return stem[:len(stem)-n]
}
