package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExemplarEntries(t *testing.T) {
	const head = "[[topic]]\nname = \"my-ssl\"\nsort = \"relevance\"\n"
	tests := []struct {
		name, text string
		line, col  int // 0: valid
		entry      string
	}{
		{"every usual form", head + `like = ["arxiv:2301.08243", "2404.08471v2", "hep-th/9901001",
  "https://arxiv.org/abs/2103.03230", "https://arxiv.org/pdf/2103.03230v1.pdf",
  "doi:10.1109/CVPR52729.2023.01499", "10.1038/s41586-021-03819-2", "https://doi.org/10.1145/3065386"]
unlike = ["arxiv:2002.05709"]
`, 0, 0, ""},
		{"bad like", head + `like = ["arxiv:2301.08243", "simclr"]` + "\n", 4, 29, `"simclr"`},
		{"bad like on a later line", head + "like = [\n  \"2404.08471\",\n  \"2301.0824\",\n]\n", 6, 3, `"2301.0824"`},
		{"bad unlike", head + "like = [\"2404.08471\"]\nunlike = [\"see doi 10.1145/3065386\"]\n", 5, 11, `"see doi 10.1145/3065386"`},
		{"second topic", head + "like = [\"2404.08471\"]\n[[topic]]\nname = \"b\"\nlike = [\"https://example.org/paper\"]\n", 7, 9, `"https://example.org/paper"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parse(t, tt.text)
			if tt.line == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if tp, _ := c.Topic("my-ssl"); len(tp.Like) != 8 || len(tp.Unlike) != 1 {
					t.Errorf("like %q unlike %q", tp.Like, tp.Unlike)
				}
				return
			}
			var pe *PositionError
			if !errors.As(err, &pe) {
				t.Fatalf("want PositionError, got %T %v", err, err)
			}
			if pe.Line != tt.line || pe.Column != tt.col {
				t.Errorf("position %d:%d, want %d:%d (%v)", pe.Line, pe.Column, tt.line, tt.col, err)
			}
			if !strings.Contains(err.Error(), tt.entry) || !strings.Contains(err.Error(), "neither an arXiv id") {
				t.Errorf("message %q does not name %s", err, tt.entry)
			}
		})
	}
}

func TestLikeFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("good.bib", "@misc{a, eprint = {2404.08471}, archiveprefix = {arXiv}}\n")
	write("bad.bib", "@misc{a, eprint = {2404.08471}}\n\n@article{broken,\n title = {open\n")
	topic := func(file string) string {
		return "[[topic]]\nname = \"mine\"\nsort = \"relevance\"\nlike_file = \"" + file + "\"\n"
	}
	tests := []struct{ name, text, want string }{
		{"relative to the config file", topic("good.bib"), ""},
		{"absolute", topic(filepath.Join(dir, "good.bib")), ""},
		{"missing", topic("nope.bib"), `[[topic]] "mine": like_file: open ` + filepath.Join(dir, "nope.bib")},
		{"unparseable", topic("bad.bib"), `[[topic]] "mine": like_file: ` + filepath.Join(dir, "bad.bib") + `:3: entry "broken": unbalanced braces`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "paperfeed.toml")
			write("paperfeed.toml", tt.text)
			c, err := Load(path)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if tp, _ := c.Topic("mine"); tp.LikeFile != filepath.Join(dir, "good.bib") || !tp.IsLike() {
					t.Errorf("like_file = %q", tp.LikeFile)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}
