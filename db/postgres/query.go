package postgres

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/paperfeed/paperfeed/db"
)

// tsquery translates a topic expression of today's query syntax (SQLite
// FTS5's: words, "phrases", prefix*, AND, OR, NOT between terms, parentheses;
// adjacent terms are all required) into the text of a tsquery for
// to_tsquery('paperfeed_stem', ...). Every word matches its stem, as on the
// porter-stemmed FTS5 index. Operands are cut into words as the documents
// are (see paperfeed_words), so a word like GPT-4 is the phrase gpt <-> 4.
func tsquery(expr string) (string, error) {
	p := &parser{toks: lex(expr)}
	if len(p.toks) == 0 {
		return "", nil
	}
	out, err := p.or()
	if err != nil {
		return "", err
	}
	if p.i < len(p.toks) {
		return "", fmt.Errorf("syntax error near %q", p.toks[p.i])
	}
	return out, nil
}

// lex cuts expr into parentheses, quoted phrases (kept with their quotes) and
// bare terms.
func lex(expr string) []string {
	var toks []string
	rs := []rune(expr)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '(' || r == ')':
			toks = append(toks, string(r))
			i++
		case r == '"':
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			if j < len(rs) {
				j++ // the closing quote
			}
			toks = append(toks, string(rs[i:j]))
			i = j
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '(' && rs[j] != ')' && rs[j] != '"' {
				j++
			}
			toks = append(toks, string(rs[i:j]))
			i = j
		}
	}
	return toks
}

type parser struct {
	toks []string
	i    int
}

func (p *parser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *parser) or() (string, error) {
	left, err := p.and()
	if err != nil {
		return "", err
	}
	for p.peek() == "OR" {
		p.i++
		right, err := p.and()
		if err != nil {
			return "", err
		}
		left = "(" + left + " | " + right + ")"
	}
	return left, nil
}

func (p *parser) and() (string, error) {
	left, err := p.not()
	if err != nil {
		return "", err
	}
	for {
		switch t := p.peek(); {
		case t == "AND":
			p.i++
		case t == "" || t == ")" || t == "OR":
			return left, nil
		}
		right, err := p.not()
		if err != nil {
			return "", err
		}
		left = "(" + left + " & " + right + ")"
	}
}

func (p *parser) not() (string, error) {
	left, err := p.primary()
	if err != nil {
		return "", err
	}
	for p.peek() == "NOT" {
		p.i++
		right, err := p.primary()
		if err != nil {
			return "", err
		}
		left = "(" + left + " & !" + right + ")"
	}
	return left, nil
}

func (p *parser) primary() (string, error) {
	t := p.peek()
	switch {
	case t == "":
		return "", fmt.Errorf("unexpected end of query")
	case t == "AND" || t == "OR" || t == "NOT" || t == ")":
		return "", fmt.Errorf("syntax error near %q", t)
	case t == "(":
		p.i++
		inner, err := p.or()
		if err != nil {
			return "", err
		}
		if p.peek() != ")" {
			return "", fmt.Errorf("unclosed parenthesis")
		}
		p.i++
		return inner, nil
	case strings.HasPrefix(t, `"`):
		p.i++
		if len(t) < 2 || !strings.HasSuffix(t, `"`) {
			return "", fmt.Errorf("unterminated string")
		}
		return operand(t[1:len(t)-1], false)
	default:
		p.i++
		prefix := strings.HasSuffix(t, "*")
		return operand(strings.TrimSuffix(t, "*"), prefix)
	}
}

// operand is one quoted tsquery operand: its words, separated as the
// documents' are, which to_tsquery makes a phrase when there are several.
func operand(text string, prefix bool) (string, error) {
	words := strings.Fields(strings.Map(func(r rune) rune {
		if r < 0x80 && !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return ' '
		}
		return r
	}, text))
	if len(words) == 0 {
		return "", fmt.Errorf("%q has no words", text)
	}
	q := "'" + strings.ReplaceAll(strings.Join(words, " "), "'", "''") + "'"
	if prefix {
		q += ":*"
	}
	return q, nil
}

// CheckQuery reports whether expr is a valid expression (nil for "").
func (s *Store) CheckQuery(ctx context.Context, expr string) error {
	return Syntax{}.CheckQuery(ctx, expr)
}

// Syntax checks expressions without a database (config checks run before a
// store is opened), with the verdicts of Store.CheckQuery.
type Syntax struct{}

var _ db.QueryChecker = Syntax{}

// CheckQuery reports whether expr is a valid expression (nil for "").
func (Syntax) CheckQuery(_ context.Context, expr string) error {
	if _, err := tsquery(expr); err != nil {
		return &db.QueryError{Query: expr, Reason: err.Error(), Err: err}
	}
	return nil
}
