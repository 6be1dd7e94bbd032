// Package query is paperfeed's topic and search query language: it parses a
// query into a syntax tree that every storage engine compiles to its own
// full-text search (db/sqlite to FTS5, db/postgres to tsquery), so a query
// means the same on each.
//
// The language, close to what people type into a search box:
//
//	contrastive learning         both words (every word is required)
//	"in contrast"                exactly these words, in this order
//	interpretab*                 a word starting with the written prefix
//	jepa OR contrastive          either
//	-survey, NOT survey          papers matching it are left out (also first in a query)
//	(a OR b) c                   grouping
//	title:jepa, authors:"Yann LeCun", abstract:(a OR b)   one field only
//	self-supervised, GPT-4       a word joined by - . _ etc. is a phrase of its parts
//
// AND between words is allowed and changes nothing. OR binds loosest:
// "a b OR c" is "(a b) OR c". The operators are upper case; a lower-case
// or/and/not is a word, and Parse warns about it when it stands between words.
//
// Matching rules the engines implement (the tree says which applies):
//   - an unquoted word (Term with Exact false) matches its word forms: models
//     matches model, modelling (stemming);
//   - a quoted word or phrase (Exact) matches exactly those words, compared
//     without case and diacritics: "contrastive" never matches contrast;
//   - a prefix (Prefix, always Exact) matches words that start with the
//     written prefix, unstemmed: embedding* matches embeddings, never embedded.
package query

import (
	"fmt"
	"strings"
)

// Op is a node's kind.
type Op uint8

const (
	// Term matches its Words, adjacent and in order (one word is the common case).
	Term Op = iota
	// And matches what every child matches; a Not child removes what it matches.
	And
	// Or matches what any child matches.
	Or
	// Not is an exclusion: it stands only as a child of an And that has a
	// positive child, or as the root (alone or under a root And of
	// exclusions), where it means every paper but those its child matches.
	Not
)

// Field restricts a term to one part of a paper.
type Field uint8

const (
	AnyField Field = iota // title, abstract and authors
	Title
	Abstract
	Authors
)

// fieldNames are the field prefixes as written in a query.
var fieldNames = map[string]Field{"title": Title, "abstract": Abstract, "authors": Authors}

func (f Field) String() string {
	switch f {
	case Title:
		return "title"
	case Abstract:
		return "abstract"
	case Authors:
		return "authors"
	}
	return ""
}

// Node is a node of the syntax tree.
type Node struct {
	Op Op
	// Term: the words, as written, each a run of letters, digits and marks
	// (an engine's tokenizer keeps each one token).
	Words  []string
	Exact  bool  // Term: match exactly these word forms (quoted, or a prefix)
	Prefix bool  // Term: the last word is a prefix
	Field  Field // Term: the part of the paper it must be in
	// And, Or: two or more children; Not: one.
	Children []*Node
	Col      int // the column (1-based, in characters) where the node starts in the query
}

// Query is a parsed query.
type Query struct {
	Text     string
	Root     *Node // nil: the empty query, which matches every paper
	Warnings []Warning
}

// Error is a query that cannot be parsed, at a column (1-based, in characters).
type Error struct {
	Col int
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("query: %s at column %d", e.Msg, e.Col) }

// Warning is a valid query that probably does not say what its author meant.
type Warning struct {
	Col     int
	Word    string // as written
	Suggest string // the operator meant, e.g. "OR"
}

func (w Warning) String() string {
	return fmt.Sprintf("query: %q at column %d is a word here: did you mean %s?", w.Word, w.Col, w.Suggest)
}

// Negative reports whether n matches only by exclusion: a Not, or an And of Nots.
func (n *Node) Negative() bool {
	if n == nil {
		return false
	}
	switch n.Op {
	case Not:
		return true
	case And:
		for _, c := range n.Children {
			if c.Op != Not {
				return false
			}
		}
		return true
	}
	return false
}

// Terms returns the Term nodes of n that a matching paper contains (those
// outside any Not), in query order: what a highlighter marks.
func (n *Node) Terms() []*Node {
	var out []*Node
	var walk func(*Node)
	walk = func(n *Node) {
		switch n.Op {
		case Term:
			out = append(out, n)
		case And, Or:
			for _, c := range n.Children {
				walk(c)
			}
		}
	}
	if n != nil {
		walk(n)
	}
	return out
}

// String writes n in the query language; parsing it gives n back (columns
// aside). Groups are parenthesised.
func (n *Node) String() string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	n.write(&b)
	return b.String()
}

func (n *Node) write(b *strings.Builder) {
	switch n.Op {
	case Term:
		if n.Field != AnyField {
			b.WriteString(n.Field.String() + ":")
		}
		if n.Exact {
			b.WriteString(`"` + strings.Join(n.Words, " ") + `"`)
		} else if w := strings.Join(n.Words, "-"); w == "OR" || w == "AND" || w == "NOT" {
			b.WriteString(strings.ToLower(w)) // the word, not the operator
		} else {
			b.WriteString(w)
		}
		if n.Prefix {
			b.WriteByte('*')
		}
	case Not:
		b.WriteByte('-')
		n.Children[0].write(b)
	case And, Or:
		b.WriteByte('(')
		for i, c := range n.Children {
			if i > 0 {
				if n.Op == Or {
					b.WriteString(" OR ")
				} else {
					b.WriteByte(' ')
				}
			}
			c.write(b)
		}
		b.WriteByte(')')
	}
}

// Combine is the tree of a topic: papers matching match but not exclude.
// Either may be nil (match nil: every paper but those exclude matches).
func Combine(match, exclude *Node) *Node {
	switch {
	case exclude == nil:
		return match
	case match == nil:
		return &Node{Op: Not, Children: []*Node{exclude}, Col: exclude.Col}
	}
	var kids []*Node
	if match.Op == And {
		kids = append(kids, match.Children...)
	} else {
		kids = append(kids, match)
	}
	kids = append(kids, &Node{Op: Not, Children: []*Node{exclude}, Col: exclude.Col})
	return &Node{Op: And, Children: kids, Col: match.Col}
}
