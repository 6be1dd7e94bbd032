package ident

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

func FuzzTitleKey(f *testing.F) {
	for _, s := range benchTitles {
		f.Add(s)
	}
	for _, s := range []string{"", "<b>", "$\\beta$", "\\textbf{}", "&amp;#39;", "ﬃ", "Ⅱ", "ͺ", "ẞ", "İ", "２．５", "1.2.3", "<i", "$\\", "&#x1F600;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := TitleKey(s)
		if k2 := TitleKey(k); k2 != k {
			t.Fatalf("not idempotent: TitleKey(%q) = %q, TitleKey(%q) = %q", s, k, k, k2)
		}
		if !utf8.ValidString(k) {
			t.Fatalf("TitleKey(%q) = %q is not valid UTF-8", s, k)
		}
		if k == "" {
			for _, r := range s {
				if r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
					t.Fatalf("TitleKey(%q) is empty though the title has %q", s, r)
				}
			}
		}
	})
}

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
