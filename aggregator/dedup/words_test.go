package dedup

import (
	"slices"
	"testing"
)

func TestCleanWords(t *testing.T) {
	tests := []struct {
		name, title string
		want        []string
	}{
		{"mojibake dash joins nothing", "query optimization â€“ a survey of techniques", []string{"query", "optimization", "survey", "techniques"}},
		{"mojibake apostrophe splits no word", "databaseâ€™s recovery under failures", []string{"database", "s", "recovery", "under", "failures"}},
		{"question-mark debris", "mining ?? association rules", []string{"mining", "association", "rules"}},
		{"qualifier dropped", "spatial joins (extended abstract)", []string{"spatial", "joins"}},
		{"part label kept", "spatial joins (part ii)", []string{"spatial", "joins", "part", "ii"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanWords(tt.title); !slices.Equal(got, tt.want) {
				t.Errorf("cleanWords(%q) = %q, want %q", tt.title, got, tt.want)
			}
		})
	}
}
