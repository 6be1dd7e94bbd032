package query

import (
	"testing"
)

func TestMarks(t *testing.T) {
	tests := []struct {
		query string
		field Field
		text  string
		want  string // text with the marks in [brackets]
	}{
		{"interpretab*", Title, "Interpretable probes and interpretability", "[Interpretable] probes and [interpretability]"},
		{`"contrastive"`, Abstract, "Contrastive loss, in contrast to ...", "[Contrastive] loss, in contrast to ..."},
		{"contrastive", Abstract, "Contrastive loss, in contrast to ...", "[Contrastive] loss, in [contrast] to ..."},
		{`"in contrast"`, Abstract, "In contrast, contrastive", "[In contrast], contrastive"},
		{"embedding*", Title, "Embedded Systems meet embeddings", "Embedded Systems meet [embeddings]"},
		{"self-supervised", Title, "Self-supervised JEPA", "[Self-supervised] JEPA"},
		{"GPT-4 Qwen2.5", Abstract, "GPT-4 and Qwen2.5 and GPT 3", "[GPT-4] and [Qwen2.5] and GPT 3"},
		{"models -survey", Title, "A survey of modelling and models", "A survey of [modelling] and [models]"},
		{"title:jepa", Abstract, "jepa", "jepa"},
		{"title:jepa", Title, "JEPA", "[JEPA]"},
		{"naive", Title, "Naïve Bayes", "[Naïve] Bayes"},
		{"a b OR b", Title, "b a b", "[b] [a] [b]"},
		{"", Title, "text", "text"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := Parse(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, at := "", 0
			for _, sp := range Marks(q.Root, tt.field, tt.text) {
				got += tt.text[at:sp.Start] + "[" + tt.text[sp.Start:sp.End] + "]"
				at = sp.End
			}
			got += tt.text[at:]
			if got != tt.want {
				t.Errorf("marked %q, want %q", got, tt.want)
			}
		})
	}
}
