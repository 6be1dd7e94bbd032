package query

import porterstemmer "github.com/blevesearch/go-porterstemmer"

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

// StemPrefix returns a prefix every word with the given stem starts with, so
// an engine finds the forms of a word in a range of its vocabulary rather
// than in all of it. Porter only rewrites a word's end, and what it writes
// differs from the word only in the stem's last letter, and only when that is
// an i (happy -> happi), an e it added (hoping -> hope, relation -> relate)
// or the l of a bl (possibility -> possibl): then the prefix is the stem
// minus that letter, else the stem itself. A one-letter stem is its own
// prefix (the forms it misses, such as "ies" for "i", are not words anyone
// searches).
func StemPrefix(stem string) string {
	if len(stem) < 2 {
		return stem
	}
	switch stem[len(stem)-1] {
	case 'i', 'e':
		return stem[:len(stem)-1]
	case 'l':
		if stem[len(stem)-2] == 'b' {
			return stem[:len(stem)-1]
		}
	}
	return stem
}
