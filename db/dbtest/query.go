package dbtest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// queryPapers are the papers the query-semantics cases run over, numbered
// as Paper numbers them (abstracts written out; authors Ada Lovelace and
// Alan Turing unless set).
func queryPapers() []*model.Paper {
	texts := []struct{ title, abstract string }{
		0: {"Contrastive learning of visual representations", "We study contrastive objectives."},
		1: {"In contrast to prior work, we parse trees", "In contrast, our parser is fast."},
		2: {"Embedded systems for robotics", "An embedded controller."},
		3: {"Text embeddings at scale", "Embedding models and their interpretability."},
		4: {"Self-supervised learning with JEPA", "Learning without labels."},
		5: {"A survey of GPT-4 evaluations", "We survey GPT-4 and Qwen2.5 models."},
		6: {"Interpretable probing of language models", "Probing classifiers read hidden states."},
		7: {"Modelling proteins", "Protein folding."},
	}
	var ps []*model.Paper
	for i, tx := range texts {
		p := Paper(i, tx.title)
		p.Abstract = tx.abstract
		if i == 7 {
			p.Authors = []string{"Rosalind Franklin"}
		}
		ps = append(ps, p)
	}
	return ps
}

// QueryCases are the query language's meaning (package db/query) as every
// engine must implement it: a topic's Match and Exclude, and the numbers of
// the queryPapers it selects, in any order.
var QueryCases = []struct {
	Name           string
	Match, Exclude string
	Want           []int
}{
	{"unquoted word matches its word forms", "model", "", []int{3, 5, 6, 7}},
	{"another form, same forms", "modelling", "", []int{3, 5, 6, 7}},
	{"quoted word matches exactly", `"contrastive"`, "", []int{0}},
	{"quoted phrase matches exactly", `"in contrast"`, "", []int{1}},
	{"prefix on the written word", "interpretab*", "", []int{3, 6}},
	{"prefix never matches a shorter stem", "embedding*", "", []int{3}},
	{"short prefix", "embed*", "", []int{2, 3}},
	{"hyphenated word is a phrase", "self-supervised", "", []int{4}},
	{"word with a digit", "GPT-4", "", []int{5}},
	{"dotted version", "Qwen2.5", "", []int{5}},
	{"every word required", "language probing", "", []int{6}},
	{"explicit AND", "language AND probing", "", []int{6}},
	{"OR", "jepa OR contrastive", "", []int{0, 1, 4}},
	{"lower-case or is a word", "jepa or contrastive", "", []int{}},
	{"NOT first", "NOT survey", "", []int{0, 1, 2, 3, 4, 6, 7}},
	{"minus first", "-survey", "", []int{0, 1, 2, 3, 4, 6, 7}},
	{"word minus word", "models -survey", "", []int{3, 6, 7}},
	{"binary NOT", "models NOT survey", "", []int{3, 6, 7}},
	{"title field", "title:text", "", []int{3}},
	{"title field on a quoted word", `title:"embeddings"`, "", []int{3}},
	{"abstract field", "abstract:embedded", "", []int{2, 3}},
	{"exact abstract field", `abstract:"embedded"`, "", []int{2}},
	{"authors field", "authors:franklin", "", []int{7}},
	{"field on a phrase", `authors:"rosalind franklin"`, "", []int{7}},
	{"field on a group", "title:(jepa OR proteins)", "", []int{4, 7}},
	{"stemmed and exact in one OR", `embedding* OR "in contrast"`, "", []int{1, 3}},
	{"stemmed and exact in one AND", "interpretab* models", "", []int{3, 6}},
	{"exact minus stemmed", "interpretab* -probing", "", []int{3}},
	{"grouping", "(jepa OR proteins) learning", "", []int{4}},
	{"exclude", "models", "survey OR protein*", []int{3, 6}},
	{"exclude alone", "", "model", []int{0, 1, 2, 4}},
	{"exclude of a negative match", "-survey", "embed*", []int{0, 1, 4, 6, 7}},
	{"case and diacritics folded", `"CONTRASTÍVE"`, "", []int{0}},
	{"prefix on a phrase", "self-sup*", "", []int{4}},
	{"prefix in a field", "title:interpret*", "", []int{6}},
	{"no match", "zebra", "", []int{}},
}

// testQuerySemantics runs QueryCases.
func testQuerySemantics(t *testing.T, b Backend) {
	s := b.New(t)
	Save(t, s, queryPapers()...)
	for _, tt := range QueryCases {
		t.Run(tt.Name, func(t *testing.T) {
			if err := s.CheckQuery(context.Background(), tt.Match); err != nil {
				t.Fatalf("check %q: %v", tt.Match, err)
			}
			got, err := s.Topic(context.Background(), db.TopicQuery{Match: tt.Match, Exclude: tt.Exclude, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			n := numbers(got)
			slices.Sort(n)
			if !reflect.DeepEqual(n, tt.Want) {
				t.Errorf("%q / %q selects %v, want %v", tt.Match, tt.Exclude, n, tt.Want)
			}
		})
	}
	t.Run("errors name the column", func(t *testing.T) {
		for _, tt := range []struct {
			q   db.TopicQuery
			col int
		}{
			{db.TopicQuery{Match: `"open`}, 1},
			{db.TopicQuery{Match: "a", Exclude: "b OR"}, 3},
			{db.TopicQuery{Match: "self-supervised (x"}, 17},
		} {
			_, err := s.Topic(context.Background(), tt.q)
			var qe *db.QueryError
			if !errors.As(err, &qe) || qe.Column != tt.col {
				t.Errorf("%+v: err = %v, want a *db.QueryError at column %d", tt.q, err, tt.col)
			}
		}
	})
}
