package config

import (
	"errors"
	"strings"
	"testing"
)

// TestUnknownKeySuggestion: an unknown key names its line:column and the
// nearest valid key of its own table; a [[source]] entry is offered only the
// options of its type.
func TestUnknownKeySuggestion(t *testing.T) {
	tests := []struct {
		name, text string
		line, col  int
		want       string // "" when no suggestion must be made
	}{
		{"top level", "servr = 1\n", 1, 1, "unknown key servr (did you mean `server`?)"},
		{"server", "[server]\nbase_ur = \"https://x\"\n", 2, 1, "unknown key server.base_ur (did you mean `base_url`?)"},
		{"collect", "[collect]\nintreval = \"1h\"\n", 2, 1, "unknown key collect.intreval (did you mean `interval`?)"},
		{"storage", "[storage]\npth = \"x.db\"\n", 2, 1, "unknown key storage.pth (did you mean `path`?)"},
		{"source feed", minimal + "intervall = \"2h\"\n", 6, 1, "unknown key source.intervall (did you mean `interval`?)"},
		{"source arxiv", "[[source]]\nname = \"a\"\ntype = \"arxiv\"\ncategores = [\"cs.CL\"]\n", 4, 1, "(did you mean `categories`?)"},
		{"source biorxiv", "[[source]]\nname = \"b\"\ntype = \"biorxiv\"\ncategori = \"neuroscience\"\n", 4, 1, "(did you mean `category`?)"},
		{"source arxiv-api", minimal + "[[source]]\nname = \"q\"\ntype = \"arxiv-api\"\nquery = \"cat:cs.CL\"\nmax_result = 10\n", 10, 1, "unknown key source.max_result (did you mean `max_results`?)"},
		{"source option of another type", "[[source]]\nname = \"a\"\ntype = \"arxiv\"\ncategories = [\"cs.CL\"]\ndayz = 3\n", 5, 1, ""},
		{"topic", minimal + "[[topic]]\nname = \"t\"\nqeury = \"x\"\n", 8, 1, "unknown key topic.qeury (did you mean `query`?)"},
		{"topic min_upvote", minimal + "[[topic]]\nname = \"t\"\nmin_upvote = 3\n", 8, 1, "(did you mean `min_upvotes`?)"},
		{"nothing near", "[server]\ncolour = \"red\"\n", 2, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(t, tt.text)
			var pe *PositionError
			if !errors.As(err, &pe) {
				t.Fatalf("want PositionError, got %T %v", err, err)
			}
			if pe.Line != tt.line || pe.Column != tt.col {
				t.Errorf("position %d:%d, want %d:%d (%v)", pe.Line, pe.Column, tt.line, tt.col, err)
			}
			if tt.want == "" {
				if strings.Contains(pe.Msg, "did you mean") {
					t.Errorf("unexpected suggestion: %v", err)
				}
				return
			}
			if !strings.Contains(pe.Msg, tt.want) {
				t.Errorf("message %q lacks %q", pe.Msg, tt.want)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"abc", "", 3}, {"interval", "interval", 0}, {"intreval", "interval", 1},
		{"intervall", "interval", 1}, {"kitten", "sitting", 3}, {"qeury", "query", 1},
	} {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			if got := editDistance(tt.a, tt.b); got != tt.d {
				t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.d)
			}
		})
	}
}

func FuzzSuggestKey(f *testing.F) {
	f.Add("[[source]]\ntype = \"arxiv\"\ncategry = 1\n", 3)
	f.Add("x = 1", 0)
	f.Fuzz(func(t *testing.T, text string, row int) {
		_ = suggestKey([]byte(text), []string{"source", "x"}, row)
		_ = suggestKey([]byte(text), []string{"x"}, row)
	})
}
