package sqlite

import (
	"strings"

	"github.com/paperfeed/paperfeed/db/query"
)

// The two full-text indexes over papers (title, abstract, authors): stemmed
// (porter) for unquoted words, which match their word forms, and exact for
// quoted words and phrases and for prefixes, which match the words as
// written. Both fold case and diacritics.
const (
	stemmedIndex = "papers_fts"
	exactIndex   = "papers_exact"
)

// rowSet is a compiled query tree: the rowids of the papers it matches. It
// is one FTS5 MATCH on one index (table, expr) when the tree needs only one,
// else SQL combining MATCHes (sql, args).
type rowSet struct {
	table, expr string
	sql         string
	args        []any
}

// selectSQL is the set as a SELECT of rowids, with its arguments.
func (r rowSet) selectSQL() (string, []any) {
	if r.table != "" {
		return "SELECT rowid FROM " + r.table + " WHERE " + r.table + " MATCH ?", []any{r.expr}
	}
	return r.sql, r.args
}

// ftsPlan is a topic's tree compiled: papers in include (all papers when
// nil) and not in exclude (none when nil).
type ftsPlan struct {
	include, exclude *rowSet
}

// compileFTS compiles a tree (nil: every paper). A root of exclusions only
// becomes every paper but the union of what they exclude.
func compileFTS(root *query.Node) ftsPlan {
	switch {
	case root == nil:
		return ftsPlan{}
	case root.Op == query.Not:
		x := compileSet(root.Children[0])
		return ftsPlan{exclude: &x}
	case root.Negative():
		var kids []*query.Node
		for _, c := range root.Children {
			kids = append(kids, c.Children[0])
		}
		x := combine(query.Or, compileAll(kids), nil)
		return ftsPlan{exclude: &x}
	}
	in := compileSet(root)
	return ftsPlan{include: &in}
}

func compileAll(ns []*query.Node) []rowSet {
	out := make([]rowSet, len(ns))
	for i, n := range ns {
		out[i] = compileSet(n)
	}
	return out
}

// compileSet compiles a positive node (never a Not, never an And of Nots:
// query.Parse places exclusions only beside a positive term).
func compileSet(n *query.Node) rowSet {
	switch n.Op {
	case query.Term:
		table := stemmedIndex
		if n.Exact {
			table = exactIndex
		}
		return rowSet{table: table, expr: ftsTerm(n)}
	case query.Or:
		return combine(query.Or, compileAll(n.Children), nil)
	}
	var pos, neg []*query.Node
	for _, c := range n.Children {
		if c.Op == query.Not {
			neg = append(neg, c.Children[0])
		} else {
			pos = append(pos, c)
		}
	}
	var x *rowSet
	if len(neg) > 0 {
		u := combine(query.Or, compileAll(neg), nil)
		x = &u
	}
	return combine(query.And, compileAll(pos), x)
}

// combine intersects (And) or unites (Or) sets, minus exclude. Sets on one
// index merge into one FTS5 expression (FTS5 evaluates it in one doclist
// walk); sets on both indexes join as SQL INTERSECT / UNION / EXCEPT.
func combine(op query.Op, sets []rowSet, exclude *rowSet) rowSet {
	join := " AND "
	if op == query.Or {
		join = " OR "
	}
	byTable := map[string][]string{}
	var tables []string // in first-use order, for stable SQL
	var mixed []rowSet
	for _, s := range sets {
		if s.table == "" {
			mixed = append(mixed, s)
			continue
		}
		if byTable[s.table] == nil {
			tables = append(tables, s.table)
		}
		byTable[s.table] = append(byTable[s.table], "("+s.expr+")")
	}
	var parts []rowSet
	for _, t := range tables {
		parts = append(parts, rowSet{table: t, expr: strings.Join(byTable[t], join)})
	}
	parts = append(parts, mixed...)
	if exclude != nil && len(parts) == 1 && parts[0].table != "" && exclude.table == parts[0].table {
		return rowSet{table: parts[0].table, expr: "(" + parts[0].expr + ") NOT (" + exclude.expr + ")"}
	}
	if len(parts) == 1 && exclude == nil {
		return parts[0]
	}
	setOp := " INTERSECT "
	if op == query.Or {
		setOp = " UNION "
	}
	var sqlParts []string
	var args []any
	for _, p := range parts {
		q, a := p.selectSQL()
		sqlParts = append(sqlParts, "SELECT rowid FROM ("+q+")")
		args = append(args, a...)
	}
	sqlText := strings.Join(sqlParts, setOp)
	if exclude != nil {
		q, a := exclude.selectSQL()
		sqlText = "SELECT rowid FROM (" + sqlText + ") EXCEPT SELECT rowid FROM (" + q + ")"
		args = append(args, a...)
	}
	return rowSet{sql: sqlText, args: args}
}

// ftsTerm writes a term as an FTS5 phrase: its words quoted (so no word is
// read as an operator; query.Parse keeps only letters, digits and marks in
// them), the last one a prefix when the term is, in its column when it has one.
func ftsTerm(n *query.Node) string {
	s := `"` + strings.Join(n.Words, " ") + `"`
	if n.Prefix {
		s += "*"
	}
	if n.Field != query.AnyField {
		s = n.Field.String() + " : " + s
	}
	return s
}
