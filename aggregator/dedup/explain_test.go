package dedup

import (
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db/model"
)

// TestExplain: every rule says what agreed; a pair that is two papers has no reason.
func TestExplain(t *testing.T) {
	five := []string{"Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov"}
	cases := []struct {
		name         string
		a, b         Candidate
		rule, reason string
	}{
		{"arXiv id", withIDs(cand("Old title", nil, day(2023, 1, 1)), "2301.00001", ""), withIDs(cand("New title", nil, day(2024, 1, 1)), "2301.00001", ""),
			model.RuleIdentifier, "same arXiv id 2301.00001"},
		{"DOI", withIDs(cand("Preprint title", nil, time.Time{}), "", "10.1038/x1"), withIDs(cand("Journal title", nil, time.Time{}), "", "10.1038/x1"),
			model.RuleIdentifier, "same DOI 10.1038/x1"},
		{"exact key, a year apart", cand("Language Models are Few-Shot Learners", []string{"Tom B. Brown", "Benjamin Mann"}, day(2020, 5, 28)),
			cand("Language models are few-shot learners.", []string{"T. Brown", "B. Mann"}, day(2021, 1, 1)),
			model.RuleExactKey, "same title key; authors agree: Tom B. Brown, Benjamin Mann; years 2020/2021"},
		{"exact key, no authors", cand("Graph Neural Networks for Molecules", nil, time.Time{}), cand("graph neural networks for molecules", []string{"Li Wei"}, time.Time{}),
			model.RuleExactKey, "same title key; authors not listed on both"},
		{"exact key, a column title the same day", cand("Editor's note", []string{"Joao Monteiro"}, day(2025, 1, 1)), cand("Editor’s Note", []string{"Joao Monteiro"}, day(2025, 1, 1)),
			model.RuleExactKey, "same title key; a column or notice title, published within a day; authors agree: Joao Monteiro; year 2025"},
		{"exact key, initials in another order", cand("Mining frequent patterns in data streams quickly", []string{"t hannu"}, day(2003, 1, 1)),
			cand("Mining Frequent Patterns in Data Streams Quickly", []string{"Hannu Toivonen"}, day(2003, 1, 1)),
			model.RuleExactKey, "same title key; author initials agree; year 2003"},
		{"more agreeing authors than shown", cand("Scaling Sparse Mixture Models for Retrieval", five, day(2024, 1, 1)),
			cand("Scaling sparse mixture models for retrieval", five, day(2024, 1, 1)),
			model.RuleExactKey, "same title key; authors agree: Ada Lovelace, Alan Turing, Grace Hopper and 2 more; year 2024"},
		{"typo", cand("Robust Estimation of Optical Flow under Bandwith Limits", []string{"Barbara Liskov"}, day(2019, 3, 1)),
			cand("Robust Estimation of Optical Flow under Bandwidth Limits", []string{"B. Liskov", "J. Backus"}, day(2019, 9, 1)),
			model.RuleTolerant, "titles agree word for word, spelling variants and typos aside; authors agree: Barbara Liskov; year 2019"},
		{"a word dropped", cand("Learning Sparse Representations for Protein Structure Search", []string{"F. Allen", "K. Thompson"}, day(2021, 6, 1)),
			cand("Learning Sparse Representations for Fast Protein Structure Search", []string{"Frances Allen", "Ken Thompson"}, day(2021, 6, 1)),
			model.RuleTolerant, "title differs by one word; authors agree: F. Allen, K. Thompson; year 2021"},
		{"a qualifier", cand("Query Optimization for Streaming Sensor Networks (extended abstract)", []string{"Jim Gray"}, day(2001, 1, 1)),
			cand("Query optimization for streaming sensor networks", []string{"J. Gray"}, day(2001, 1, 1)),
			model.RuleTolerant, "titles equal once qualifiers and scraped debris are removed; authors agree: Jim Gray; year 2001"},
		{"truncated", cand("Efficient Algorithms for Mining Outliers from Large Data Sets in Distributed Databases", []string{"Sridhar Ramaswamy", "Rajeev Rastogi"}, time.Time{}),
			cand("Efficient Algorithms for Mining Outliers from Large Data", []string{"S. Ramaswamy", "R. Rastogi"}, time.Time{}),
			model.RuleTolerant, "one title is a truncation of the other; authors agree: Sridhar Ramaswamy, Rajeev Rastogi"},
		{"a lost ligature", cand("Efficient Query Processing in Distributed Database Systems", []string{"Michael Stonebraker", "Joseph Hellerstein"}, day(1998, 1, 1)),
			cand("E cient query processing in distributed database systems", []string{"M. Stonebraker", "J. Hellerstein"}, day(1998, 1, 1)),
			model.RuleTolerant, "titles agree once their words are joined; authors agree: Michael Stonebraker, Joseph Hellerstein; year 1998"},
		{"two papers", cand("Qwen2 Technical Report", []string{"An Yang"}, day(2024, 7, 1)), cand("Qwen2.5 Technical Report", []string{"An Yang"}, day(2024, 12, 1)),
			model.RuleTolerant, ""},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			rule, reason, ok := Explain(tt.a, tt.b)
			if rule != tt.rule || reason != tt.reason || ok != (tt.reason != "") {
				t.Errorf("Explain = %q, %q, %v; want %q, %q", rule, reason, ok, tt.rule, tt.reason)
			}
			if r, same := Match(tt.a, tt.b); r != rule || same != ok {
				t.Errorf("Match = %q, %v; Explain %q, %v", r, same, rule, ok)
			}
		})
	}
}
