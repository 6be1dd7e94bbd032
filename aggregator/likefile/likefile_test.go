package likefile

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseExports(t *testing.T) {
	tests := []struct {
		file     string
		ids      []string
		warnings []string // each a substring of one warning, in order
	}{
		{"zotero.bib", []string{"arxiv:2301.08243", "doi:10.1109/cvpr52729.2023.01499", "doi:10.1038/s41586-021-03819-2", "doi:10.1016/j.cell.2020_01_003"},
			[]string{`zotero.bib:50: entry "goodfellow_deep_2016" has no arXiv id or DOI`}},
		{"jabref.bib", []string{"arxiv:2002.05709", "arxiv:hep-th/9802150", "doi:10.1145/3065386"}, nil},
		{"mendeley.bib", []string{"arxiv:2103.03230", "arxiv:2006.07733"},
			[]string{`mendeley.bib:27: entry "Notes2021" has no arXiv id or DOI`}},
		{"zotero.json", []string{"arxiv:2404.08471", "doi:10.1109/cvpr52729.2023.01499", "arxiv:2103.03230"},
			[]string{`zotero.json:34: entry "http://zotero.org/users/1234567/items/MNOP3456" has no arXiv id or DOI`}},
		{"ids.txt", []string{"arxiv:2301.08243", "arxiv:2404.08471", "arxiv:2103.03230", "doi:10.1109/cvpr52729.2023.01499", "arxiv:hep-th/9901001", "doi:10.1038/s41586-021-03819-2"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse(tt.file, data)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(f.IDs, tt.ids) {
				t.Errorf("ids\n got %q\nwant %q", f.IDs, tt.ids)
			}
			if len(f.Warnings) != len(tt.warnings) {
				t.Fatalf("warnings %q, want %d", f.Warnings, len(tt.warnings))
			}
			for i, w := range tt.warnings {
				if !strings.Contains(f.Warnings[i], w) {
					t.Errorf("warning %q lacks %q", f.Warnings[i], w)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, file, text string
		line             int
		key, msg         string
	}{
		{"bibtex unterminated", "lib.bib", "@article{a, doi = {10.1145/3065386}}\n\n@article{broken,\n  title = {Open\n", 3, "broken", "unbalanced braces"},
		{"bibtex no equals", "lib.bib", "@misc{x,\n  title {T}\n}\n", 1, "x", "want field = value"},
		{"bibtex no key", "lib.bib", "\n@article{,\n title = {T}}\n", 2, "", "no key"},
		{"bibtex no brace", "lib.bib", "@article key\n", 1, "", "want {"},
		{"bibtex unterminated quote", "lib.bib", "@misc{q, title = \"open}\n", 1, "q", "unterminated"},
		{"csl syntax", "lib.json", "[\n  {\"DOI\": \"10.1145/3065386\"},\n  {\"DOI\": }\n]\n", 3, "", "CSL-JSON"},
		{"csl not an item", "lib.json", "[\n  \"10.1145/3065386\"\n]\n", 2, "", "must be an object"},
		{"csl one item, then more", "lib.json", "{\"DOI\": \"10.1145/3065386\"}\n{", 2, "", "data after the items"},
		{"csl after the array", "lib.json", "[]\n]", 2, "", "data after the items"},
		{"text bad line", "ids.txt", "2404.08471\n# ok\nsimclr paper\n", 3, "", `"simclr paper" is neither`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.file, []byte(tt.text))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("want *Error, got %T %v", err, err)
			}
			if e.Line != tt.line || e.Key != tt.key || e.File != tt.file || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("got %v (line %d key %q), want line %d key %q msg %q", err, e.Line, e.Key, tt.line, tt.key, tt.msg)
			}
		})
	}
}

func TestFormatByContents(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"  [ {\"DOI\": \"10.1145/3065386\"} ]", "arxiv-or-doi"},
		{"% export\n@misc{k, doi = {10.1145/3065386}}\n", "arxiv-or-doi"},
		{"10.1145/3065386\n", "arxiv-or-doi"},
	} {
		f, err := Parse("exemplars", []byte(tt.text))
		if err != nil || !slices.Equal(f.IDs, []string{"doi:10.1145/3065386"}) {
			t.Errorf("Parse(%q) = %v, %v", tt.text, f, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"zotero.bib", "jabref.bib", "mendeley.bib", "zotero.json", "ids.txt"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(name, data)
	}
	f.Add("x.bib", []byte("@string(j = \"Nature\")\n@preamble{ {\\x} }\n@misc{a, journal = j # { vol}, eprint = \"2404.08471\"}"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		file, err := Parse(name, data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Line < 1 {
				t.Fatalf("error %T %v: want *Error with a line", err, err)
			}
			return
		}
		for _, id := range file.IDs {
			if !strings.HasPrefix(id, "arxiv:") && !strings.HasPrefix(id, "doi:10.") {
				t.Fatalf("id %q", id)
			}
		}
	})
}
