package plaintext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFromHTML(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Attention Is All You Need", "Attention Is All You Need"},
		{"tags", "<i>In vivo</i> imaging of <b>cells</b>", "In vivo imaging of cells"},
		{"entities", "HuggingFace&#39;s Transformers &amp; more", "HuggingFace's Transformers & more"},
		{"block tags separate words", "<p>First.</p><p>Second.</p>line<br>break", "First. Second. line break"},
		{"wraps and stray space", "  Denoising Diffusion\n   Probabilistic\tModels \n", "Denoising Diffusion Probabilistic Models"},
		{"control chars and invalid utf8", "bad\x00\x07 utf8 \xff here", "bad utf8 here"},
		{"bom", "\uFEFFTitle", "Title"},
		{"nbsp collapses", "Reasoning in\u00a0Large", "Reasoning in Large"},
		{"lone ampersand", "Q&A", "Q&A"},
		{"less-than in text", "x < y", "x < y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FromHTML(tt.in); got != tt.want {
				t.Errorf("FromHTML(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzFromHTML(f *testing.F) {
	for _, s := range []string{"<i>a</i>", "&#39;", "a\n  b", "\xff", "<p>x</p>", "<!-- c -->", "<script>x</script>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := FromHTML(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		if strings.TrimSpace(out) != out || strings.Contains(out, "  ") {
			t.Fatalf("whitespace not collapsed: %q", out)
		}
		if Collapse(out) != out {
			t.Fatalf("Collapse not idempotent on %q", out)
		}
	})
}
