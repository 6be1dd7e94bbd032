package sqlite

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/paperfeed/paperfeed/db/query"
)

// The full-text index over papers (title, abstract, authors) holds the words
// as written, folded for case and diacritics: quoted words and phrases and
// prefixes match it directly. An unquoted word matches its word forms: the
// index's terms with the word's Porter stem, found in ftsVocab (see wordForms).
const (
	ftsIndex = "papers_exact"
	ftsVocab = "papers_exact_vocab"
	// matchSQL selects the rowids an FTS5 expression matches.
	matchSQL = "SELECT rowid FROM " + ftsIndex + " WHERE " + ftsIndex + " MATCH ?"
	// vocabSQL reads the terms in a range, with the papers each is in.
	vocabSQL = "SELECT term, doc FROM " + ftsVocab + " WHERE term >= ? AND term < ?"
)

// maxForms caps the word forms an unquoted word expands to (and the phrases
// an unquoted hyphenated word expands to), keeping the ones in the most
// papers. English words have a handful of forms; the cap only bounds the
// expression of a stem shared by many unrelated terms.
const maxForms = 64

// ftsPlan is a topic's tree compiled to FTS5 expressions on ftsIndex: papers
// matching include (all papers when "") and not exclude (none when "").
type ftsPlan struct {
	include, exclude string
}

// formsCache holds the word forms looked up at one store generation: the
// vocabulary changes only with the papers, so a lookup stays true until the
// generation moves (reading a stem's forms walks the doclists of every term
// in its range, a cost like the query's own).
type formsCache struct {
	gen int64
	mu  sync.Mutex
	m   map[string][]string // folded stem -> its terms, most papers first
}

// maxCachedStems bounds a generation's cache (searches bring any words).
const maxCachedStems = 10000

func newFormsCache(gen int64) *formsCache {
	return &formsCache{gen: gen, m: map[string][]string{}}
}

func (f *formsCache) get(stem string) ([]string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	terms, ok := f.m[stem]
	return terms, ok
}

func (f *formsCache) put(stem string, terms []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.m) >= maxCachedStems {
		clear(f.m)
	}
	f.m[stem] = terms
}

// compile compiles a tree against the store's index, with the word forms
// cache of the current generation.
func (s *Store) compile(ctx context.Context, root *query.Node) (ftsPlan, error) {
	gen, err := s.Generation(ctx)
	if err != nil {
		return ftsPlan{}, err
	}
	fc := s.forms.Load()
	if fc == nil || fc.gen != gen {
		fc = newFormsCache(gen)
		s.forms.Store(fc)
	}
	return compileFTS(ctx, s.r, fc, root)
}

// compiler compiles trees, reading word forms from the vocabulary of q.
type compiler struct {
	ctx   context.Context
	q     querier
	forms *formsCache
}

// compileFTS compiles a tree (nil: every paper). A root of exclusions only
// becomes every paper but the union of what they exclude.
func compileFTS(ctx context.Context, q querier, forms *formsCache, root *query.Node) (ftsPlan, error) {
	c := &compiler{ctx: ctx, q: q, forms: forms}
	switch {
	case root == nil:
		return ftsPlan{}, nil
	case root.Op == query.Not:
		x, err := c.set(root.Children[0])
		return ftsPlan{exclude: x}, err
	case root.Negative():
		var kids []*query.Node
		for _, k := range root.Children {
			kids = append(kids, k.Children[0])
		}
		x, err := c.join(kids, " OR ")
		return ftsPlan{exclude: x}, err
	}
	in, err := c.set(root)
	return ftsPlan{include: in}, err
}

// join compiles nodes and joins them with an FTS5 operator, each in parentheses.
func (c *compiler) join(ns []*query.Node, op string) (string, error) {
	parts := make([]string, len(ns))
	for i, n := range ns {
		s, err := c.set(n)
		if err != nil {
			return "", err
		}
		parts[i] = "(" + s + ")"
	}
	return strings.Join(parts, op), nil
}

// set compiles a positive node (never a Not, never an And of Nots:
// query.Parse places exclusions only beside a positive term).
func (c *compiler) set(n *query.Node) (string, error) {
	switch n.Op {
	case query.Term:
		return c.term(n)
	case query.Or:
		return c.join(n.Children, " OR ")
	}
	var pos, neg []*query.Node
	for _, k := range n.Children {
		if k.Op == query.Not {
			neg = append(neg, k.Children[0])
		} else {
			pos = append(pos, k)
		}
	}
	in, err := c.join(pos, " AND ")
	if err != nil || len(neg) == 0 {
		return in, err
	}
	x, err := c.join(neg, " OR ")
	return "(" + in + ") NOT (" + x + ")", err
}

// term writes a term as FTS5 phrases: its words quoted (so no word is read
// as an operator; query.Parse keeps only letters, digits and marks in them),
// the last one a prefix when the term is, in its column when it has one. An
// unquoted term is the OR of the phrases of its words' forms.
func (c *compiler) term(n *query.Node) (string, error) {
	if n.Exact {
		return phrase(n, n.Words), nil
	}
	forms := make([][]string, len(n.Words))
	for i, w := range n.Words {
		f, err := c.wordForms(w)
		if err != nil {
			return "", err
		}
		forms[i] = f
	}
	// Bound the phrases (the product of the forms' counts) by dropping the
	// rarest forms of the word with the most.
	for product(forms) > maxForms {
		most := 0
		for i := range forms {
			if len(forms[i]) > len(forms[most]) {
				most = i
			}
		}
		forms[most] = forms[most][:len(forms[most])-1]
	}
	var phrases []string
	words := make([]string, len(forms))
	var walk func(i int)
	walk = func(i int) {
		if i == len(forms) {
			phrases = append(phrases, phrase(n, words))
			return
		}
		for _, f := range forms[i] {
			words[i] = f
			walk(i + 1)
		}
	}
	walk(0)
	return strings.Join(phrases, " OR "), nil
}

func product(forms [][]string) int {
	p := 1
	for _, f := range forms {
		p *= len(f)
	}
	return p
}

func phrase(n *query.Node, words []string) string {
	s := `"` + strings.Join(words, " ") + `"`
	if n.Prefix {
		s += "*"
	}
	if n.Field != query.AnyField {
		s = n.Field.String() + " : " + s
	}
	return s
}

// wordForms returns the index's terms with the stem of word, most papers
// first, at most maxForms; the word itself when the index has none (it then
// matches nothing). The terms are read from a range of the vocabulary (those
// starting with query.StemPrefix of the stem), never all of it.
func (c *compiler) wordForms(word string) ([]string, error) {
	stem := query.Stem(word)
	if f, ok := c.forms.get(stem); ok {
		return orWord(f, word), nil
	}
	lo := query.StemPrefix(stem)
	rows, err := c.q.QueryContext(c.ctx, vocabSQL, lo, lo+"\U0010FFFF")
	if err != nil {
		return nil, fmt.Errorf("word forms of %q: %w", word, err)
	}
	defer rows.Close()
	type form struct {
		term string
		docs int64
	}
	var fs []form
	for rows.Next() {
		var f form
		if err := rows.Scan(&f.term, &f.docs); err != nil {
			return nil, fmt.Errorf("word forms of %q: %w", word, err)
		}
		if query.Stem(f.term) == stem {
			fs = append(fs, f)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("word forms of %q: %w", word, err)
	}
	sort.Slice(fs, func(i, j int) bool {
		if fs[i].docs != fs[j].docs {
			return fs[i].docs > fs[j].docs
		}
		return fs[i].term < fs[j].term
	})
	terms := make([]string, 0, min(len(fs), maxForms))
	for _, f := range fs[:min(len(fs), maxForms)] {
		terms = append(terms, f.term)
	}
	c.forms.put(stem, terms)
	return orWord(terms, word), nil
}

func orWord(terms []string, word string) []string {
	if len(terms) == 0 {
		return []string{word}
	}
	return terms
}
