package ident

import (
	"strings"
	"testing"
)

func TestExemplar(t *testing.T) {
	cases := []struct{ in, want string }{
		{"arxiv:2301.08243", "arxiv:2301.08243"},
		{"arXiv:2301.08243v3", "arxiv:2301.08243"},
		{"2404.08471", "arxiv:2404.08471"},
		{"2404.08471v2", "arxiv:2404.08471"},
		{"hep-th/9901001", "arxiv:hep-th/9901001"},
		{"arXiv:hep-th/9901001v1", "arxiv:hep-th/9901001"},
		{"https://arxiv.org/abs/2103.03230", "arxiv:2103.03230"},
		{"https://arxiv.org/abs/2103.03230v3", "arxiv:2103.03230"},
		{"https://arxiv.org/pdf/2103.03230v1.pdf", "arxiv:2103.03230"},
		{"http://export.arxiv.org/abs/math.GT/0309136", "arxiv:math/0309136"},
		{"10.48550/arXiv.2002.05709", "arxiv:2002.05709"},
		{"doi:10.1109/CVPR52729.2023.01499", "doi:10.1109/cvpr52729.2023.01499"},
		{"DOI: 10.1109/CVPR52729.2023.01499", "doi:10.1109/cvpr52729.2023.01499"},
		{"10.1038/s41586-021-03819-2", "doi:10.1038/s41586-021-03819-2"},
		{"https://doi.org/10.1038/s41586-021-03819-2", "doi:10.1038/s41586-021-03819-2"},
		{"http://dx.doi.org/10.1145/3065386", "doi:10.1145/3065386"},
		{" https://doi.org/10.1101/2024.01.01.123456v2 ", "doi:10.1101/2024.01.01.123456"},
		// Neither.
		{"", ""},
		{"simclr", ""},
		{"2301.0824", ""},
		{"arxiv:cs/12345", ""},
		{"see 10.1038/s41586-021-03819-2", ""},
		{"https://example.org/10.1038/nature", ""},
		{"doi:10.12/x", ""},
		{"10.1038/", ""},
		{"https://arxiv.org/list/cs.LG/new", ""},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			if got := Exemplar(c.in); got != c.want {
				t.Errorf("Exemplar(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func FuzzExemplar(f *testing.F) {
	for _, s := range []string{
		"arxiv:2301.08243", "2404.08471v2", "hep-th/9901001", "https://arxiv.org/pdf/2103.03230v1.pdf",
		"doi:10.1109/CVPR52729.2023.01499", "https://doi.org/10.1038/s41586-021-03819-2",
		"10.1101/2024.01.01.123456v2.full", "doi: 10.1000.10/a(b)", "simclr", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Exemplar(s)
		if got == "" {
			return
		}
		// The normal form reads back as itself, so entries compare by it.
		if again := Exemplar(got); again != got {
			t.Fatalf("Exemplar(%q) = %q, but Exemplar(%q) = %q", s, got, got, again)
		}
		if !strings.HasPrefix(got, "arxiv:") && !strings.HasPrefix(got, "doi:10.") {
			t.Fatalf("Exemplar(%q) = %q: no kind", s, got)
		}
	})
}
