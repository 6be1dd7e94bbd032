package ident

import "testing"

func TestNormalizeArxivID(t *testing.T) {
	cases := []struct{ in, want string }{
		{"oai:arXiv.org:2409.12345v1", "2409.12345"},
		{"http://arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001"},
		{"https://arxiv.org/pdf/2410.17243v1", "2410.17243"},
		{"https://arxiv.org/pdf/2410.17243v1.pdf", "2410.17243"},
		{"arXiv:1706.03762", "1706.03762"},
		{"arXiv: 1706.03762v7", "1706.03762"},
		{"2410.17243", "2410.17243"},
		{"2410.17243v3", "2410.17243"},
		{" 0704.0001 ", "0704.0001"},
		{"1412.6980v9", "1412.6980"},
		{"hep-th/9901001", "hep-th/9901001"},
		{"math.GT/0309136v2", "math/0309136"},
		{"http://arxiv.org/abs/cond-mat.str-el/0501001", "cond-mat/0501001"},
		{"https://export.arxiv.org/abs/2410.17243", "2410.17243"},
		{"https://huggingface.co/papers/2410.17243", "2410.17243"},
		{"10.48550/arXiv.2410.17243", "2410.17243"},
		{"https://doi.org/10.48550/arXiv.1706.03762", "1706.03762"},
		// Not arXiv ids.
		{"", ""},
		{"2410.1724", ""},   // 2015 on: five digits
		{"1412.69801", ""},  // before 2015: four digits
		{"2413.12345", ""},  // month 13
		{"0612.1234", ""},   // before April 2007: old style only
		{"24101.17243", ""}, // five-digit prefix
		{"papers/1234567", ""},
		{"https://arxiv.org/list/cs.CL/new", ""},
		{"https://example.org/2410.17243", ""},
	}
	for _, c := range cases {
		if got := NormalizeArxivID(c.in); got != c.want {
			t.Errorf("NormalizeArxivID(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFindArxivID(t *testing.T) {
	cases := []struct{ in, want string }{
		{"oai:arXiv.org:2409.12345v1", "2409.12345"},
		{"http://arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001"},
		{"https://arxiv.org/pdf/2410.17243v1", "2410.17243"},
		{"arXiv:1706.03762", "1706.03762"},
		{"Preprint at arXiv:2301.00001v2 (2023)", "2301.00001"},
		{"https://ar5iv.labs.arxiv.org/html/2410.17243", "2410.17243"},
		// No arXiv context: numbers that look like ids are not ids.
		{"2410.17243", ""},
		{"Volume 2024.12345", ""},
		{"https://www.biorxiv.org/content/10.1101/2024.01.01.123456v1", ""},
		{"https://example.org/reports/2401.12345", ""},
		{"https://journal.example/arxiv-digest/page/3", ""},
		{"https://arxiv.org/a/lecun_y_1", ""},
		{"", ""},
	}
	for _, c := range cases {
		if got := FindArxivID(c.in); got != c.want {
			t.Errorf("FindArxivID(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNormalizeDOI(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://doi.org/10.1038/S41591-026-01234-5", "10.1038/s41591-026-01234-5"},
		{"http://dx.doi.org/10.1038/nature14539", "10.1038/nature14539"},
		{"doi:10.1101/2024.01.01.123456", "10.1101/2024.01.01.123456"},
		{"DOI: 10.1103/PhysRevLett.116.061102.", "10.1103/physrevlett.116.061102"},
		{"10.1101/2024.01.01.123456v2", "10.1101/2024.01.01.123456"},
		{"https://www.biorxiv.org/content/10.1101/2024.01.01.123456v1.full.pdf", "10.1101/2024.01.01.123456"},
		{"https://www.biorxiv.org/content/10.1101/2024.01.01.123456.full", "10.1101/2024.01.01.123456"},
		{"10.1101/gr.123456.124", "10.1101/gr.123456.124"},
		{"https://www.science.org/doi/10.1126/science.abc1234?utm_source=rss", "10.1126/science.abc1234"},
		{"https://journals.plos.org/plosone/article?id=10.1371/journal.pone.0000001", "10.1371/journal.pone.0000001"},
		{"https://doi.org/10.1000%2F182", "10.1000/182"},
		{"10.1016/S0140-6736(20)30183-5", "10.1016/s0140-6736(20)30183-5"},
		{"(doi:10.1000/xyz123)", "10.1000/xyz123"},
		{`<a href="https://doi.org/10.1038/s41591-026-04641-x">doi:10.1038/s41591-026-04641-x</a>`, "10.1038/s41591-026-04641-x"},
		{"10.48550/arXiv.2410.17243", "10.48550/arxiv.2410.17243"},
		// No DOI.
		{"", ""},
		{"https://www.nature.com/articles/s41591-026-01234-5", ""},
		{"https://arxiv.org/abs/2410.17243", ""},
		{"https://arxiv.org/abs/0910.12345", ""},
		{"10.12/abc", ""},
		{"10.1038/", ""},
	}
	for _, c := range cases {
		if got := NormalizeDOI(c.in); got != c.want {
			t.Errorf("NormalizeDOI(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := FindDOI(c.in); got != c.want {
			t.Errorf("FindDOI(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
