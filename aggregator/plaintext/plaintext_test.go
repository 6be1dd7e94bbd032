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
		{"script body dropped", "<script>var tracking=1;</script>Real abstract.", "Real abstract."},
		{"style body dropped", "<style>p{color:red}</style><p>Real abstract.</p>", "Real abstract."},
		{"script and style around text", "<style type=\"text/css\">p{color:red}</style> Real abstract. <script type=\"text/javascript\">var tracking=1;</script>", "Real abstract."},
		{"script with markup inside", "Title<script>document.write('<b>x</b>')</script>", "Title"},
		{"unclosed script drops the rest", "Text <script>var a = 1;", "Text"},
		{"uppercase script", "<SCRIPT>x()</SCRIPT>Body", "Body"},
		{"self-closing script", "<script src=\"t.js\"/>Body", "Body"},
		{"noscript text kept", "<noscript>Enable JS</noscript> Body", "Enable JS Body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FromHTML(tt.in); got != tt.want {
				t.Errorf("FromHTML(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFromTextOrHTML(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Attention Is All You Need", "Attention Is All You Need"},
		{"less-than before a non-tag", "Is P<NP? A survey of x<y bounds", "Is P<NP? A survey of x<y bounds"},
		{"comparisons", "We show n<m and m>k", "We show n<m and m>k"},
		{"a tag-like word without a closing tag", "Bounds for a<b", "Bounds for a<b"},
		{"lone ampersand", "Q&A", "Q&A"},
		{"unknown entity-like text", "AT&T;s &foo; plan", "AT&T;s &foo; plan"},
		{"html", "<b>Bold</b> result", "Bold result"},
		{"html with a stray less-than", "<p>Is P<NP? x<y</p>", "Is P<NP? x<y"},
		{"html with a stray less-than before a tag name word", "<i>x</i> for n<p>2", "x for n 2"},
		{"entity", "Fish &amp; chips", "Fish & chips"},
		{"numeric reference", "caf&#233;", "café"},
		{"void element", "line<br>break", "line break"},
		{"script dropped", "<script>var tracking=1;</script>Real abstract.", "Real abstract."},
		{"style dropped", "<style>p{color:red}</style> Real abstract.", "Real abstract."},
		{"comment", "Title<!-- x --> </b>", "Title"},
		{"whitespace", "  Is P<NP?\n  yes ", "Is P<NP? yes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FromTextOrHTML(tt.in); got != tt.want {
				t.Errorf("FromTextOrHTML(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzFromTextOrHTML(f *testing.F) {
	for _, s := range []string{"Is P<NP?", "<b>x</b> a<b", "&amp;", "<script>x</script>y", "<p>n<m</p>", "<", "<a", "</"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := FromTextOrHTML(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		if Collapse(out) != out {
			t.Fatalf("whitespace not collapsed: %q", out)
		}
		if !strings.ContainsAny(s, "<&") && out != Collapse(s) {
			t.Fatalf("text without markup changed: %q -> %q", s, out)
		}
	})
}

func FuzzFromHTML(f *testing.F) {
	for _, s := range []string{"<i>a</i>", "&#39;", "a\n  b", "\xff", "<p>x</p>", "<!-- c -->", "<script>x</script>", "<style>p{}</style>y", "<script>a<script>b</script>c"} {
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
		// A script that never closes inside its body leaves no text at all.
		if got := FromHTML("<script>" + strings.ReplaceAll(s, "</", "") + "</script>"); got != "" {
			t.Fatalf("script body %q came out as text %q", s, got)
		}
	})
}
