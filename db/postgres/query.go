package postgres

import (
	"context"
	"strings"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/query"
)

// compile turns a query tree into a SQL condition on papers p, its tsquery
// texts appended to args through arg. Each term is a tsquery on one of the
// two vectors: an unquoted word the stemmed one (tsv_stem, paperfeed_stem),
// a quoted word, phrase or prefix the exact one (tsv_exact,
// paperfeed_exact); several words are a phrase (<->), a prefix ends in :*,
// a field is a weight (title A, abstract B, authors C). And, Or and Not are
// SQL's, so one query can mix the two vectors.
func compile(n *query.Node, arg func(any) string) string {
	switch n.Op {
	case query.Term:
		vec, cfg := "p.tsv_stem", "paperfeed_stem"
		if n.Exact {
			vec, cfg = "p.tsv_exact", "paperfeed_exact"
		}
		return vec + " @@ to_tsquery('" + cfg + "', " + arg(termQuery(n)) + ")"
	case query.Not:
		return "NOT (" + compile(n.Children[0], arg) + ")"
	}
	sep := " AND "
	if n.Op == query.Or {
		sep = " OR "
	}
	parts := make([]string, len(n.Children))
	for i, c := range n.Children {
		parts[i] = compile(c, arg)
	}
	return "(" + strings.Join(parts, sep) + ")"
}

// termQuery is the tsquery text of a term: each word quoted (a word is
// letters, digits and marks only, which the documents' tokenizer keeps one
// token), joined by <->, with the field's weight and the prefix mark.
func termQuery(n *query.Node) string {
	suffix := ""
	switch n.Field {
	case query.Title:
		suffix = "A"
	case query.Abstract:
		suffix = "B"
	case query.Authors:
		suffix = "C"
	}
	words := make([]string, len(n.Words))
	for i, w := range n.Words {
		s := suffix
		if n.Prefix && i == len(n.Words)-1 {
			s = "*" + s
		}
		words[i] = "'" + strings.ReplaceAll(strings.ReplaceAll(w, `\`, `\\`), "'", "''") + "'"
		if s != "" {
			words[i] += ":" + s
		}
	}
	return strings.Join(words, " <-> ")
}

// condition is the SQL condition of a topic's Match and Exclude ("" for every
// paper), or the *db.QueryError of a query that does not parse.
func condition(q db.TopicQuery, arg func(any) string) (string, error) {
	root, err := q.Tree()
	if err != nil || root == nil {
		return "", err
	}
	return compile(root, arg), nil
}

// CheckQuery reports whether expr parses (nil for ""): every tree compiles.
func (s *Store) CheckQuery(ctx context.Context, expr string) error {
	return Syntax{}.CheckQuery(ctx, expr)
}

// Syntax checks queries without a database (config checks run before a
// store is opened), with the verdicts of Store.CheckQuery.
type Syntax struct{}

var _ db.QueryChecker = Syntax{}

// CheckQuery reports whether expr parses (nil for "").
func (Syntax) CheckQuery(_ context.Context, expr string) error {
	_, err := db.ParseQuery(expr)
	return err
}
