package dedup

import (
	"testing"
	"time"
)

// benchTitles are realistic titles as sources deliver them.
var benchTitles = []string{
	"Language Models are Few-Shot Learners",
	"Denoising Diffusion Probabilistic\n  Models",
	"Self-supervised learning of Split Invariant Equivariant\n  representations",
	"Scaling Laws for Neural Language Models",
	"LORA: LOW-RANK ADAPTATION OF LARGE LANGUAGE MODELS",
	"Qwen2.5 Technical Report",
	"A binding ban, and its limits: Japan legislates on heritable human genome editing",
	"Diffusion Schrödinger Bridge with Applications to Score-Based Generative Modeling",
	"HuggingFace&#39;s Transformers: State-of-the-art Natural Language Processing",
	"<i>De novo</i> design of protein structure and function with RFdiffusion",
	"$\\infty$-former: Infinite Memory Transformer",
	"“Why Should I Trust You?”: Explaining the Predictions of Any Classifier",
}

func BenchmarkTitleKey(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		TitleKey(benchTitles[i%len(benchTitles)])
	}
}

func BenchmarkTitleKeyASCII(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		TitleKey("Self-supervised learning of Split Invariant Equivariant\n  representations")
	}
}

func BenchmarkSame(b *testing.B) {
	pub := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	pairs := [][2]Candidate{
		{cand("Language Models are Few-Shot Learners", []string{"Tom B. Brown", "Benjamin Mann", "Nick Ryder"}, pub),
			cand("Language models are few-shot learners.", []string{"T. Brown", "B. Mann", "N. Ryder"}, pub.AddDate(1, 0, 0))},
		{cand("Editor's note", []string{"Joao Monteiro"}, pub), cand("Editor’s Note", []string{"Joao Monteiro"}, pub.AddDate(0, 1, 0))},
		{withIDs(cand("A", nil, pub), "2410.17243", ""), withIDs(cand("B", nil, pub), "2410.17243", "")},
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p := pairs[i%len(pairs)]
		Same(p[0], p[1])
	}
}
