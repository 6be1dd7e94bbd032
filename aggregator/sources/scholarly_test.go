package sources

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMarkupText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"plain  text\n", "plain text"},
		{"P<0.05 and P < 0.01", "P<0.05 and P < 0.01"},
		{"<i>b</i><sup>2</sup> and \u221a<i>b</i><sup>1</sup>", "b2 and √b1"},
		{"<jats:title>Abstract</jats:title><jats:p>One.</jats:p><jats:p>Two.</jats:p>", "One. Two."},
		{"<jats:sec><jats:title>Methods</jats:title><jats:p>H<jats:sub>2</jats:sub>O &amp; more</jats:p></jats:sec>", "Methods: H2O & more"},
		{`x <mml:math xmlns:mml="m"> <mml:mi>a</mml:mi>  <mml:mo>+</mml:mo> <mml:mn>1</mml:mn> </mml:math> y`, "x a+1 y"},
		{`<math><mi>n</mi></math>!`, "n!"},
		{`A &quot;<i>Blood Relationship&quot;</i> Between`, `A "Blood Relationship" Between`},
		{"<italic>Drosophila</italic> <scp>dna</scp>", "Drosophila dna"},
	} {
		t.Run(tt.in, func(t *testing.T) { eq(t, "text", markupText(tt.in), tt.want) })
	}
}

func TestUpstreamMessage(t *testing.T) {
	long := `{"error":"Invalid query parameters error.","message":"` + strings.Repeat("field, ", 100) + `"}`
	for _, tt := range []struct{ name, in, want string }{
		{"openalex", `{"error":"Invalid or missing API key","message":"API key not found"}`, "Invalid or missing API key API key not found"},
		{"crossref list", `{"status":"failed","message":[{"message":"a"},{"message":"b"}]}`, "a; b"},
		{"html", "<!doctype html><title>404 Not Found</title><h1>Not Found</h1>", "404 Not Found"},
		{"text", "Resource not found.", "Resource not found."},
		{"secret", `{"message":"bad key https://x.org/?api_key=abc123"}`, "bad key https://x.org/?api_key=REDACTED"},
		{"empty", "  ", ""},
	} {
		t.Run(tt.name, func(t *testing.T) { eq(t, "message", upstreamMessage([]byte(tt.in)), tt.want) })
	}
	if m := upstreamMessage([]byte(long)); utf8.RuneCountInString(m) != maxUpstreamMessage+1 || !strings.HasSuffix(m, "…") {
		t.Errorf("long message not bounded: %d runes", utf8.RuneCountInString(m))
	}
}

func TestContactOf(t *testing.T) {
	for _, tt := range []struct{ ua, want string }{
		{"paperfeed/1 (+https://example.org; mailto:ops@example.org)", "ops@example.org"},
		{"paperfeed/1 (ops@example.org)", "ops@example.org"},
		{"paperfeed/1 (+https://github.com/paperfeed/paperfeed)", ""},
		{"", ""},
	} {
		t.Run(tt.ua, func(t *testing.T) { eq(t, "contact", contactOf(tt.ua), tt.want) })
	}
}

func FuzzMarkupText(f *testing.F) {
	for _, s := range []string{"<jats:title>T</jats:title><jats:p>p</jats:p>", "<mml:math><mml:mi>x</mml:mi></mml:math>", "a < b", "&amp;&#x2009;", "<jats:title><jats:title>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := markupText(s)
		if !utf8.ValidString(out) || strings.TrimSpace(out) != out || strings.Contains(out, "  ") {
			t.Fatalf("markupText(%q) = %q: not collapsed valid text", s, out)
		}
	})
}
