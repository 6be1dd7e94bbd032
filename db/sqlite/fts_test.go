package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/dbtest"
	"github.com/paperfeed/paperfeed/db/query"
)

// TestCompileFTS: a tree becomes one FTS5 expression on the one index; an
// unquoted word becomes the OR of the index's terms with its stem, most
// papers first, and a hyphenated one the OR of its parts' phrases.
func TestCompileFTS(t *testing.T) {
	s := openTest(t)
	dbtest.Save(t, s,
		dbtest.Paper(1, "Models and modelling"),
		dbtest.Paper(2, "A model of models"),
		dbtest.Paper(3, "Modern models"),
		dbtest.Paper(4, "Self-supervised learning"),
		dbtest.Paper(5, "Self-supervision"),
	)
	tests := []struct{ query, include, exclude string }{
		{"", "", ""},
		{"models", `"models" OR "model" OR "modelling"`, ""},
		{"Modelling", `"models" OR "model" OR "modelling"`, ""},
		{`"models"`, `"models"`, ""},
		{"zyzzyva", `"zyzzyva"`, ""},
		{"title:models", `title : "models" OR title : "model" OR title : "modelling"`, ""},
		{"self-supervised", `"self supervised" OR "self supervision"`, ""},
		{`"in contrast"`, `"in contrast"`, ""},
		{`"representation learning" OR embedding*`, `("representation learning") OR ("embedding"*)`, ""},
		{"title:jepa -survey", `((title : "jepa")) NOT (("survey"))`, ""},
		{"NOT survey", "", `"survey"`},
		{"-a -b*", "", `("a") OR ("b"*)`},
		{`modern OR "language model"`, `("modern") OR ("language model")`, ""},
		{"interpretab* -model", `(("interpretab"*)) NOT (("models" OR "model" OR "modelling"))`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := query.Parse(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			p, err := compileFTS(context.Background(), s.r, newFormsCache(0), q.Root)
			if err != nil {
				t.Fatal(err)
			}
			if p.include != tt.include {
				t.Errorf("include\n%s\nwant\n%s", p.include, tt.include)
			}
			if p.exclude != tt.exclude {
				t.Errorf("exclude\n%s\nwant\n%s", p.exclude, tt.exclude)
			}
		})
	}
}

// TestWordFormsScanARange: the vocabulary lookup passes both term bounds to
// fts5vocab (its idxNum flags FTS5_VOCAB_TERM_GE 0x200 and _LE 0x400, see
// fts5_vocab.c), so it reads the stem's range, never the whole vocabulary.
func TestWordFormsScanARange(t *testing.T) {
	s := openTest(t)
	idxNum := func(sqlText string, args ...any) int {
		plan := strings.Join(queryPlan(t, s.r, sqlText, args...), "; ")
		var n int
		if _, err := fmt.Sscanf(plan, "SCAN "+ftsVocab+" VIRTUAL TABLE INDEX %d:", &n); err != nil {
			t.Fatalf("plan %q: %v", plan, err)
		}
		return n
	}
	all := idxNum("SELECT term FROM " + ftsVocab)
	if all&0x600 != 0 {
		t.Fatalf("an unbounded scan has idxNum %#x: the flags checked below mean something else", all)
	}
	if idx := idxNum(vocabSQL, "mode", "mode\U0010FFFF"); idx&0x600 != 0x600 {
		t.Errorf("the lookup does not bound the term range (idxNum %#x)", idx)
	}
}

// TestWordFormsCapped: a stem with more forms than maxForms expands to the
// maxForms in the most papers, and a hyphenated word to at most maxForms phrases.
func TestWordFormsCapped(t *testing.T) {
	s := openTest(t)
	// "connect" + ed/ing/ion/ions/s ... share a stem; doc counts fall with i so the order is known.
	suffixes := []string{"", "s", "ed", "ing", "ion", "ions"}
	var titles []string
	n := 0
	for i, suf := range suffixes {
		for range len(suffixes) - i {
			n++
			titles = append(titles, "connect"+suf)
		}
	}
	for i, title := range titles {
		dbtest.Save(t, s, dbtest.Paper(i+1, title+" hyper"))
	}
	c := &compiler{ctx: context.Background(), q: s.r, forms: newFormsCache(0)}
	forms, err := c.wordForms("connection")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"connect", "connects", "connected", "connecting", "connection", "connections"}
	if strings.Join(forms, " ") != strings.Join(want, " ") {
		t.Errorf("forms %v, want %v", forms, want)
	}
	q, _ := query.Parse("connect-connect-connect-connect")
	expr, err := c.term(q.Root)
	if err != nil {
		t.Fatal(err)
	}
	// 6^4 phrases would be 1296: the rarest forms go until at most maxForms remain.
	if got := strings.Count(expr, " OR ") + 1; got > maxForms || got < maxForms/2 {
		t.Errorf("%d phrases, want at most %d (and not far fewer)", got, maxForms)
	}
	if !strings.HasPrefix(expr, `"connect connect connect connect" OR `) {
		t.Errorf("expansion does not start with the most frequent forms: %.80s", expr)
	}
}

// TestWordFormsFollowWrites: a word form first stored after a query is
// matched by the next query (the forms cache lives for one generation).
func TestWordFormsFollowWrites(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	dbtest.Save(t, s, dbtest.Paper(1, "A model"))
	for i, title := range []string{"", "Modelling", "Models"} {
		if title != "" {
			dbtest.Save(t, s, dbtest.Paper(i+1, title))
		}
		got, err := s.Topic(ctx, db.TopicQuery{Match: "modeled"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != i+1 {
			t.Errorf("after %d papers, %d match", i+1, len(got))
		}
	}
}
