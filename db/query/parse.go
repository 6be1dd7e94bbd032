package query

import (
	"fmt"
	"strings"
	"unicode"
)

// maxDepth bounds the nesting of groups and exclusions, so a hostile query
// cannot exhaust the stack.
const maxDepth = 64

// Parse parses a query. The empty (or blank) query has a nil Root. A query
// that cannot be parsed is an *Error naming the column.
func Parse(text string) (*Query, error) {
	p := &parser{src: []rune(text)}
	if err := p.lex(); err != nil {
		return nil, err
	}
	q := &Query{Text: text, Warnings: p.warnings()}
	if len(p.toks) == 0 {
		return q, nil
	}
	root, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		t := p.toks[p.pos]
		if t.kind == tokClose {
			return nil, &Error{Col: t.col, Msg: `")" without "("`}
		}
		return nil, &Error{Col: t.col, Msg: fmt.Sprintf("unexpected %q", t.text)}
	}
	if err := checkNegation(root); err != nil {
		return nil, err
	}
	q.Root = root
	return q, nil
}

type tokKind uint8

const (
	tokWord   tokKind = iota // a bare word, maybe with a trailing * (prefix)
	tokPhrase                // a quoted phrase, maybe with a trailing *
	tokOpen
	tokClose
	tokOr
	tokAnd
	tokNot   // NOT
	tokMinus // - before a word, phrase or group
	tokField // title: and the like, before a word, phrase or group
)

type token struct {
	kind   tokKind
	text   string // as written (a phrase without its quotes, a word without its *)
	col    int
	prefix bool
	field  Field
}

type parser struct {
	src  []rune
	toks []token
	pos  int
}

// lex splits the query into tokens.
func (p *parser) lex() error {
	src := p.src
	for i := 0; i < len(src); {
		r := src[i]
		col := i + 1
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '(':
			p.toks = append(p.toks, token{kind: tokOpen, text: "(", col: col})
			i++
		case r == ')':
			p.toks = append(p.toks, token{kind: tokClose, text: ")", col: col})
			i++
		case r == '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				j++
			}
			if j == len(src) {
				return &Error{Col: col, Msg: "unclosed quote"}
			}
			t := token{kind: tokPhrase, text: string(src[i+1 : j]), col: col}
			j++
			if j < len(src) && src[j] == '*' {
				t.prefix = true
				j++
			}
			if j < len(src) && !endsWord(src[j]) {
				return &Error{Col: j + 1, Msg: "missing space after the closing quote"}
			}
			p.toks = append(p.toks, t)
			i = j
		case r == '-' && i+1 < len(src) && !unicode.IsSpace(src[i+1]) && src[i+1] != ')':
			p.toks = append(p.toks, token{kind: tokMinus, text: "-", col: col})
			i++
		default:
			j := i
			for j < len(src) && !endsWord(src[j]) {
				if src[j] == ':' && j > i && isFieldName(src[i:j]) {
					break
				}
				j++
			}
			if j < len(src) && src[j] == ':' && j > i && isFieldName(src[i:j]) {
				name := strings.ToLower(string(src[i:j]))
				f, ok := fieldNames[name]
				if !ok {
					return &Error{Col: col, Msg: fmt.Sprintf("unknown field %q (want title, abstract or authors)", string(src[i:j]))}
				}
				if j+1 >= len(src) || unicode.IsSpace(src[j+1]) || src[j+1] == ')' {
					return &Error{Col: col, Msg: fmt.Sprintf("%q needs a word, phrase or group after it", string(src[i:j+1]))}
				}
				p.toks = append(p.toks, token{kind: tokField, text: string(src[i : j+1]), col: col, field: f})
				i = j + 1
				continue
			}
			word := string(src[i:j])
			i = j
			switch word {
			case "OR":
				p.toks = append(p.toks, token{kind: tokOr, text: word, col: col})
				continue
			case "AND":
				p.toks = append(p.toks, token{kind: tokAnd, text: word, col: col})
				continue
			case "NOT":
				p.toks = append(p.toks, token{kind: tokNot, text: word, col: col})
				continue
			}
			t := token{kind: tokWord, text: word, col: col}
			if k := strings.IndexByte(word, '*'); k >= 0 {
				if k != len(word)-1 {
					return &Error{Col: col + len([]rune(word[:k])), Msg: `"*" must end a word (a prefix)`}
				}
				t.text, t.prefix = word[:k], true
				if t.text == "" {
					return &Error{Col: col, Msg: `"*" must follow a word (a prefix)`}
				}
			}
			p.toks = append(p.toks, t)
		}
	}
	return nil
}

// endsWord reports whether r ends a bare word.
func endsWord(r rune) bool {
	return unicode.IsSpace(r) || r == '(' || r == ')' || r == '"'
}

// isFieldName reports whether s could name a field: letters only.
func isFieldName(s []rune) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return len(s) > 0
}

// warnings finds lower-case operators between two words.
func (p *parser) warnings() []Warning {
	var out []Warning
	for i := 1; i+1 < len(p.toks); i++ {
		t := p.toks[i]
		if t.kind != tokWord || t.prefix {
			continue
		}
		op := strings.ToUpper(t.text)
		if op != "OR" && op != "AND" && op != "NOT" {
			continue
		}
		if endsTerm(p.toks[i-1].kind) && startsTerm(p.toks[i+1].kind) {
			out = append(out, Warning{Col: t.col, Word: t.text, Suggest: op})
		}
	}
	return out
}

func endsTerm(k tokKind) bool { return k == tokWord || k == tokPhrase || k == tokClose }

func startsTerm(k tokKind) bool {
	return k == tokWord || k == tokPhrase || k == tokOpen || k == tokField || k == tokMinus
}

func (p *parser) peek() (token, bool) {
	if p.pos < len(p.toks) {
		return p.toks[p.pos], true
	}
	return token{}, false
}

// or := and ("OR" and)*
func (p *parser) or(depth int) (*Node, error) {
	first, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	kids := []*Node{first}
	for {
		t, ok := p.peek()
		if !ok || t.kind != tokOr {
			break
		}
		p.pos++
		if n, ok := p.peek(); !ok || !startsOperand(n.kind) {
			return nil, &Error{Col: t.col, Msg: `"OR" needs a word after it`}
		}
		next, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		kids = append(kids, next)
	}
	return group(Or, kids), nil
}

func startsOperand(k tokKind) bool { return startsTerm(k) || k == tokNot }

// and := unary (["AND"] unary)*
func (p *parser) and(depth int) (*Node, error) {
	var kids []*Node
	for {
		t, ok := p.peek()
		if !ok || t.kind == tokClose || t.kind == tokOr {
			break
		}
		if t.kind == tokAnd {
			if len(kids) == 0 {
				return nil, &Error{Col: t.col, Msg: `"AND" needs a word before it`}
			}
			p.pos++
			if n, ok := p.peek(); !ok || !startsOperand(n.kind) {
				return nil, &Error{Col: t.col, Msg: `"AND" needs a word after it`}
			}
			continue
		}
		n, err := p.unary(depth)
		if err != nil {
			return nil, err
		}
		kids = append(kids, n)
	}
	if len(kids) == 0 {
		t, ok := p.peek()
		switch {
		case !ok:
			return nil, &Error{Col: len(p.src) + 1, Msg: "missing a word at the end"}
		case t.kind == tokOr:
			return nil, &Error{Col: t.col, Msg: `"OR" needs a word before it`}
		default:
			return nil, &Error{Col: t.col, Msg: `")" without a word before it`}
		}
	}
	return group(And, kids), nil
}

// unary := ("NOT" | "-") unary | [field] primary
func (p *parser) unary(depth int) (*Node, error) {
	if depth > maxDepth {
		return nil, &Error{Col: p.toks[p.pos].col, Msg: "query nested too deeply"}
	}
	t := p.toks[p.pos]
	switch t.kind {
	case tokNot, tokMinus:
		p.pos++
		n, ok := p.peek()
		if !ok || !startsOperand(n.kind) {
			return nil, &Error{Col: t.col, Msg: fmt.Sprintf("%q needs a word after it", t.text)}
		}
		child, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		if child.Op == Not { // NOT NOT x is x
			return child.Children[0], nil
		}
		return &Node{Op: Not, Children: []*Node{child}, Col: t.col}, nil
	case tokField:
		p.pos++
		n, ok := p.peek()
		if !ok || (n.kind != tokWord && n.kind != tokPhrase && n.kind != tokOpen) {
			return nil, &Error{Col: t.col, Msg: fmt.Sprintf("%q needs a word, phrase or group after it", t.text)}
		}
		child, err := p.primary(depth + 1)
		if err != nil {
			return nil, err
		}
		if err := setField(child, t.field, t.col); err != nil {
			return nil, err
		}
		child.Col = t.col
		return child, nil
	}
	return p.primary(depth)
}

// primary := "(" or ")" | phrase | word
func (p *parser) primary(depth int) (*Node, error) {
	t := p.toks[p.pos]
	p.pos++
	switch t.kind {
	case tokOpen:
		if n, ok := p.peek(); ok && n.kind == tokClose {
			return nil, &Error{Col: t.col, Msg: "empty parentheses"}
		}
		n, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		c, ok := p.peek()
		if !ok || c.kind != tokClose {
			return nil, &Error{Col: t.col, Msg: "unclosed parenthesis"}
		}
		p.pos++
		if n.Op == And || n.Op == Or {
			n.Col = t.col // a group starts at its parenthesis
		}
		return n, nil
	case tokPhrase:
		words := splitWords(t.text)
		if len(words) == 0 {
			if strings.TrimSpace(t.text) == "" {
				return nil, &Error{Col: t.col, Msg: "empty quotes"}
			}
			return nil, &Error{Col: t.col, Msg: fmt.Sprintf("%q has no letters or digits", `"`+t.text+`"`)}
		}
		return &Node{Op: Term, Words: words, Exact: true, Prefix: t.prefix, Col: t.col}, nil
	case tokWord:
		words := splitWords(t.text)
		if len(words) == 0 {
			return nil, &Error{Col: t.col, Msg: fmt.Sprintf("%q has no letters or digits", t.text)}
		}
		// A prefix is matched as written; so is the rest of its phrase.
		return &Node{Op: Term, Words: words, Exact: t.prefix, Prefix: t.prefix, Col: t.col}, nil
	case tokClose:
		return nil, &Error{Col: t.col, Msg: `")" without "("`}
	}
	return nil, &Error{Col: t.col, Msg: fmt.Sprintf("unexpected %q", t.text)}
}

// splitWords splits text into runs of letters, digits and marks: the words a
// tokenizer sees (self-supervised is self, supervised).
func splitWords(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
}

// group makes an And or Or of kids, flattening children of the same op.
func group(op Op, kids []*Node) *Node {
	if len(kids) == 1 {
		return kids[0]
	}
	var flat []*Node
	for _, k := range kids {
		if k.Op == op {
			flat = append(flat, k.Children...)
		} else {
			flat = append(flat, k)
		}
	}
	return &Node{Op: op, Children: flat, Col: kids[0].Col}
}

// setField restricts every term under n to f; a term restricted to another
// field already is an error.
func setField(n *Node, f Field, col int) error {
	if n.Op == Term {
		if n.Field != AnyField && n.Field != f {
			return &Error{Col: n.Col, Msg: fmt.Sprintf("field %s: inside %s: (a term can be in one field only)", n.Field, f)}
		}
		n.Field = f
		return nil
	}
	for _, c := range n.Children {
		if err := setField(c, f, col); err != nil {
			return err
		}
	}
	return nil
}

// checkNegation enforces where an exclusion may stand: beside a positive
// term in an And, or at the root (every paper but ...). An exclusion alone in
// an OR branch or under another exclusion has nothing to exclude from. (An
// And of exclusions inside an And is flattened into it by group.)
func checkNegation(n *Node) error {
	switch n.Op {
	case Or:
		for _, c := range n.Children {
			if c.Negative() {
				return &Error{Col: c.Col, Msg: "exclusion alone in an OR branch (nothing to exclude from: put a word beside it)"}
			}
		}
	case Not:
		if n.Children[0].Negative() {
			return &Error{Col: n.Children[0].Col, Msg: "exclusion inside an exclusion (nothing to exclude from: put a word beside it)"}
		}
	}
	for _, c := range n.Children {
		if err := checkNegation(c); err != nil {
			return err
		}
	}
	return nil
}
