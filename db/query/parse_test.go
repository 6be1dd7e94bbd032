package query

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		query string
		want  string // the tree, written by Node.String
	}{
		// The examples.
		{"interpretab*", `"interpretab"*`},
		{"interpretability", `interpretability`},
		{"contrastive", `contrastive`},
		{`"contrastive"`, `"contrastive"`},
		{`"in contrast"`, `"in contrast"`},
		{"embedding*", `"embedding"*`},
		{"probing", `probing`},
		{"self-supervised", `self-supervised`},
		{"GPT-4", `GPT-4`},
		{"Qwen2.5", `Qwen2-5`},
		{"NOT survey", `-survey`},
		{"-survey", `-survey`},
		{"jepa OR contrastive", `(jepa OR contrastive)`},
		{"jepa or contrastive", `(jepa or contrastive)`},
		{`title:jepa`, `title:jepa`},
		{`authors:"Yann LeCun"`, `authors:"Yann LeCun"`},
		{`abstract:(jepa OR "joint embedding")`, `(abstract:jepa OR abstract:"joint embedding")`},
		// The shipped config and README examples keep their FTS5 meaning.
		{`"language model" OR "language models" OR LLM OR LLMs`, `("language model" OR "language models" OR LLM OR LLMs)`},
		{`"representation learning" OR embedding*`, `("representation learning" OR "embedding"*)`},
		{"survey", "survey"},
		{"diffusion AND protein", "(diffusion protein)"},
		{"x NOT y", "(x -y)"},
		{`"a b" OR c*`, `("a b" OR "c"*)`},
		{"embed* AND lovelace", `("embed"* lovelace)`},
		{"parsing OR 8", "(parsing OR 8)"},
		// Precedence: OR loosest, NOT tightest, as in FTS5.
		{"a b OR c", "((a b) OR c)"},
		{"a OR b c", "(a OR (b c))"},
		{"a NOT b OR c", "((a -b) OR c)"},
		{"a OR b NOT c", "(a OR (b -c))"},
		{"(a OR b) c", "((a OR b) c)"},
		{"a (b c)", "(a b c)"},
		{"NOT a b", "(-a b)"},
		{"-a -b", "(-a -b)"},
		{"NOT NOT a", "a"},
		{"a -(b OR c)", "(a -(b OR c))"},
		{`a -"b c"`, `(a -"b c")`},
		{"a -title:b", "(a -title:b)"},
		{`"large lang"*`, `"large lang"*`},
		{"self-sup*", `"self sup"*`},
		{"TITLE:x", "title:x"},
		{"naïve", "naïve"},
		{"10:30", "10-30"},
		{"foo_bar", "foo-bar"},
		{"C++", "C"},
		{"title:(a title:b)", "(title:a title:b)"},
		{"  a   b  ", "(a b)"},
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := Parse(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.Root.String(); got != tt.want {
				t.Errorf("tree %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParseTerm(t *testing.T) {
	q, err := Parse(`self-supervised "In Contrast" embed* title:GPT-4`)
	if err != nil {
		t.Fatal(err)
	}
	want := []*Node{
		{Op: Term, Words: []string{"self", "supervised"}, Col: 1},
		{Op: Term, Words: []string{"In", "Contrast"}, Exact: true, Col: 17},
		{Op: Term, Words: []string{"embed"}, Exact: true, Prefix: true, Col: 31},
		{Op: Term, Words: []string{"GPT", "4"}, Field: Title, Col: 38},
	}
	if !reflect.DeepEqual(q.Root.Children, want) {
		t.Errorf("terms\n%#v\nwant\n%#v", q.Root.Children, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		query string
		want  string
	}{
		{`"open`, "query: unclosed quote at column 1"},
		{`a "open`, "query: unclosed quote at column 3"},
		{"(a", "query: unclosed parenthesis at column 1"},
		{"a)", `query: ")" without "(" at column 2`},
		{"()", "query: empty parentheses at column 1"},
		{`""`, "query: empty quotes at column 1"},
		{"foo AND (", "query: missing a word at the end at column 10"},
		{"OR a", `query: "OR" needs a word before it at column 1`},
		{"a OR", `query: "OR" needs a word after it at column 3`},
		{"a OR OR b", `query: "OR" needs a word after it at column 3`},
		{"AND a", `query: "AND" needs a word before it at column 1`},
		{"a AND", `query: "AND" needs a word after it at column 3`},
		{"a NOT", `query: "NOT" needs a word after it at column 3`},
		{"NOT", `query: "NOT" needs a word after it at column 1`},
		{"foo:bar", `query: unknown field "foo" (want title, abstract or authors) at column 1`},
		{"title: x", `query: "title:" needs a word, phrase or group after it at column 1`},
		{"title:-x", `query: "title:" needs a word, phrase or group after it at column 1`},
		{"*", `query: "*" must follow a word (a prefix) at column 1`},
		{"a*b", `query: "*" must end a word (a prefix) at column 2`},
		{"&&", `query: "&&" has no letters or digits at column 1`},
		{"a - b", `query: "-" has no letters or digits at column 3`},
		{`"a"b`, "query: missing space after the closing quote at column 4"},
		{"a OR -b", "query: exclusion alone in an OR branch (nothing to exclude from: put a word beside it) at column 6"},
		{"-a OR b", "query: exclusion alone in an OR branch (nothing to exclude from: put a word beside it) at column 1"},
		{"(-a -b) OR c", "query: exclusion alone in an OR branch (nothing to exclude from: put a word beside it) at column 1"},
		{"a -(-b -c)", "query: exclusion inside an exclusion (nothing to exclude from: put a word beside it) at column 4"},
		{"title:(abstract:x)", "query: field abstract: inside title: (a term can be in one field only) at column 8"},
		{strings.Repeat("(", 100) + "a" + strings.Repeat(")", 100), "query: query nested too deeply at column 66"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			_, err := Parse(tt.query)
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("err = %v, want a *query.Error", err)
			}
			if err.Error() != tt.want {
				t.Errorf("err = %q\nwant   %q", err, tt.want)
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		query string
		want  []string
	}{
		{"jepa or contrastive", []string{`query: "or" at column 6 is a word here: did you mean OR?`}},
		{"a and b not c", []string{`query: "and" at column 3 is a word here: did you mean AND?`, `query: "not" at column 9 is a word here: did you mean NOT?`}},
		{`"a" Or (b)`, []string{`query: "Or" at column 5 is a word here: did you mean OR?`}},
		{"or a", nil},
		{"a or", nil},
		{"a OR b", nil},
		{`"a or b"`, nil},
		{"rock and roll*", []string{`query: "and" at column 6 is a word here: did you mean AND?`}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := Parse(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range q.Warnings {
				got = append(got, w.String())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("warnings %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCombine(t *testing.T) {
	parse := func(s string) *Node {
		q, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return q.Root
	}
	tests := []struct{ match, exclude, want string }{
		{"a", "", "a"},
		{"", "b", "-b"},
		{"a", "b OR c", "(a -(b OR c))"},
		{"a x", "b", "(a x -b)"},
		{"", "", ""},
	}
	for _, tt := range tests {
		got := Combine(parse(tt.match), parse(tt.exclude))
		if got.String() != tt.want {
			t.Errorf("Combine(%q, %q) = %s, want %s", tt.match, tt.exclude, got, tt.want)
		}
	}
}

func TestTerms(t *testing.T) {
	q, err := Parse(`a (b OR "c d") -e -(f g)`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range q.Root.Terms() {
		got = append(got, n.String())
	}
	if want := []string{"a", "b", `"c d"`}; !reflect.DeepEqual(got, want) {
		t.Errorf("terms %q, want %q", got, want)
	}
}

// FuzzParse: Parse never panics; a query parses to a tree that writes back
// to a query parsing to the same tree, or fails naming a column inside (or
// just past) the query.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"interpretab*", `"in contrast"`, "self-supervised", "GPT-4", "Qwen2.5", "NOT survey", "jepa or contrastive",
		`title:jepa authors:"Yann LeCun"`, "(a OR b) -c", `"open`, "a OR -b", "title:(abstract:x)", "((((a", "a*b", "-",
		`"a"*`, "x:y", "naïve Bayes", "a AND NOT b", "\x00", "\"\"*", "-(a -b)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("%q: err %v is not a *query.Error", s, err)
			}
			if qe.Col < 1 || qe.Col > len([]rune(s))+1 {
				t.Fatalf("%q: column %d outside the query", s, qe.Col)
			}
			return
		}
		text := q.Root.String()
		again, err := Parse(text)
		if err != nil {
			t.Fatalf("%q: the tree %q does not parse: %v", s, text, err)
		}
		if got := again.Root.String(); got != text {
			t.Fatalf("%q: tree %q parses back as %q", s, text, got)
		}
		for _, n := range q.Root.Terms() {
			if len(n.Words) == 0 {
				t.Fatalf("%q: a term without words", s)
			}
		}
	})
}
