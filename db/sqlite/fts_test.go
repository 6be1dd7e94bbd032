package sqlite

import (
	"fmt"
	"testing"

	"github.com/paperfeed/paperfeed/db/query"
)

// TestCompileFTS: terms on one index become one FTS5 MATCH; only a tree
// that needs both indexes becomes SQL set operations.
func TestCompileFTS(t *testing.T) {
	tests := []struct{ query, include, exclude string }{
		{"", "", ""},
		{"models", `papers_fts: "models"`, ""},
		{`"in contrast"`, `papers_exact: "in contrast"`, ""},
		{`"representation learning" OR embedding*`, `papers_exact: ("representation learning") OR ("embedding"*)`, ""},
		{"title:jepa -survey", `papers_fts: ((title : "jepa")) NOT (("survey"))`, ""},
		{"NOT survey", "", `papers_fts: "survey"`},
		{"-a -b*", "", `SELECT rowid FROM (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?) UNION SELECT rowid FROM (SELECT rowid FROM papers_exact WHERE papers_exact MATCH ?) [("a") ("b"*)]`},
		{`LLM OR "language model"`, `SELECT rowid FROM (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?) UNION SELECT rowid FROM (SELECT rowid FROM papers_exact WHERE papers_exact MATCH ?) [("LLM") ("language model")]`, ""},
		{"interpretab* -probing", `SELECT rowid FROM (SELECT rowid FROM (SELECT rowid FROM papers_exact WHERE papers_exact MATCH ?)) EXCEPT SELECT rowid FROM (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?) [("interpretab"*) ("probing")]`, ""},
	}
	show := func(r *rowSet) string {
		switch {
		case r == nil:
			return ""
		case r.table != "":
			return r.table + ": " + r.expr
		}
		return fmt.Sprintf("%s %v", r.sql, r.args)
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := query.Parse(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			p := compileFTS(q.Root)
			if got := show(p.include); got != tt.include {
				t.Errorf("include\n%s\nwant\n%s", got, tt.include)
			}
			if got := show(p.exclude); got != tt.exclude {
				t.Errorf("exclude\n%s\nwant\n%s", got, tt.exclude)
			}
		})
	}
}
