package ident

import (
	"net/url"
	"strings"
)

// arxivMarkers introduce an arXiv id in links, guids and identifiers. The id
// must follow the marker directly (spaces allowed): "arXiv:1706.03762",
// "oai:arXiv.org:2409.12345v1", "https://arxiv.org/abs/hep-th/9901001v2",
// "https://huggingface.co/papers/2410.17243", "10.48550/arXiv.2410.17243".
var arxivMarkers = []string{
	"arxiv.org/abs/", "arxiv.org/pdf/", "arxiv.org/html/", "arxiv.org/format/", "arxiv.org/ps/",
	"arxiv.org:", "arxiv:", "10.48550/arxiv.", "ar5iv.org/abs/", "ar5iv.org/html/",
	"huggingface.co/papers/", "alphaxiv.org/abs/", "alphaxiv.org/overview/",
}

// oldArchives are the arXiv archives of old-style ids (archive/YYMMNNN, before April 2007).
var oldArchives = map[string]bool{
	"acc-phys": true, "adap-org": true, "alg-geom": true, "ao-sci": true, "astro-ph": true,
	"atom-ph": true, "bayes-an": true, "chao-dyn": true, "chem-ph": true, "cmp-lg": true,
	"comp-gas": true, "cond-mat": true, "cs": true, "dg-ga": true, "funct-an": true, "gr-qc": true,
	"hep-ex": true, "hep-lat": true, "hep-ph": true, "hep-th": true, "math": true, "math-ph": true,
	"mtrl-th": true, "nlin": true, "nucl-ex": true, "nucl-th": true, "patt-sol": true,
	"physics": true, "plasm-ph": true, "q-alg": true, "q-bio": true, "quant-ph": true,
	"solv-int": true, "supr-con": true,
}

// NormalizeArxivID returns the version-less arXiv id in s, or "". s is a bare
// id ("2410.17243v2", "hep-th/9901001"), an "arXiv:" id, an abs/pdf URL or an
// OAI identifier. Old-style ids lose their subject class ("math.GT/0309136" ->
// "math/0309136").
func NormalizeArxivID(s string) string {
	s = strings.TrimSpace(s)
	if id := FindArxivID(s); id != "" {
		return id
	}
	ls := strings.ToLower(s)
	if id, end := parseArxivID(ls, 0); id != "" && (end == len(ls) || ls[end:] == ".pdf") {
		return id
	}
	return ""
}

// FindArxivID returns the version-less arXiv id in a link, guid or identifier
// that clearly names arXiv (see arxivMarkers), or "". A bare number such as
// "2024.12345" is not an arXiv id without that context.
func FindArxivID(s string) string {
	if len(s) < 9 {
		return ""
	}
	ls := strings.ToLower(s)
	for _, m := range arxivMarkers {
		for off := 0; ; {
			k := strings.Index(ls[off:], m)
			if k < 0 {
				break
			}
			p := off + k + len(m)
			for p < len(ls) && ls[p] == ' ' {
				p++
			}
			if id, _ := parseArxivID(ls, p); id != "" {
				return id
			}
			off = p
		}
	}
	return ""
}

// parseArxivID parses a (lower-case) arXiv id starting at s[i], version
// included, and returns the version-less id and where it ended.
func parseArxivID(s string, i int) (string, int) {
	// New style: YYMM.NNNN (0704-1412) or YYMM.NNNNN (1501 on).
	if j := digitsAt(s, i); j-i == 4 && j < len(s) && s[j] == '.' {
		k := digitsAt(s, j+1)
		yymm := atoi(s[i:j])
		n := k - j - 1
		if validYYMM(yymm, 704) && ((yymm < 1501 && n == 4) || (yymm >= 1501 && n == 5)) {
			return s[i:k], skipVersion(s, k)
		}
		return "", 0
	}
	// Old style: archive[.SUBJECT]/YYMMNNN.
	slash := strings.IndexByte(s[i:], '/')
	if slash <= 0 || slash > 20 {
		return "", 0
	}
	arch := s[i : i+slash]
	if dot := strings.IndexByte(arch, '.'); dot >= 0 {
		arch = arch[:dot]
	}
	if !oldArchives[arch] {
		return "", 0
	}
	p := i + slash + 1
	k := digitsAt(s, p)
	if k-p != 7 || !validYYMM(atoi(s[p:p+4]), 0) {
		return "", 0
	}
	return arch + "/" + s[p:k], skipVersion(s, k)
}

// skipVersion skips a "vN" suffix at s[k] and reports the end; it rejects an
// id followed by more digits or letters (returns k unchanged, caller checks).
func skipVersion(s string, k int) int {
	if k < len(s) && s[k] == 'v' {
		if e := digitsAt(s, k+1); e > k+1 {
			return e
		}
	}
	return k
}

func digitsAt(s string, i int) int {
	for i < len(s) && isASCIIDigit(s[i]) {
		i++
	}
	return i
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func validYYMM(yymm, min int) bool {
	m := yymm % 100
	return m >= 1 && m <= 12 && yymm >= min
}

// NormalizeDOI returns the DOI in s lower-cased without resolver or "doi:"
// prefix, or "". bioRxiv/medRxiv version and page suffixes ("v2", ".full")
// are cut, so every version of a preprint has one DOI.
func NormalizeDOI(s string) string {
	s = strings.TrimSpace(s)
	if strings.IndexByte(s, '%') >= 0 {
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
	}
	ls := strings.ToLower(s)
	for off := 0; ; {
		k := strings.Index(ls[off:], "10.")
		if k < 0 {
			return ""
		}
		i := off + k
		off = i + 3
		if i > 0 && !strings.ContainsRune("/:= \t\n(\"'", rune(ls[i-1])) {
			continue
		}
		if d := parseDOI(ls, i); d != "" {
			return d
		}
	}
}

// FindDOI returns the DOI in a link, guid or identifier ("doi:10.1101/...",
// "https://doi.org/10.1038/...", "https://www.science.org/doi/10.1126/..."),
// or "". A publisher link without a DOI in it (nature.com/articles/s41591-...)
// has none.
func FindDOI(s string) string { return NormalizeDOI(s) }

// parseDOI parses the lower-case DOI starting at s[i] ("10.").
func parseDOI(s string, i int) string {
	p := i + 3
	j := digitsAt(s, p)
	if j-p < 4 || j-p > 9 {
		return ""
	}
	for j < len(s) && s[j] == '.' && digitsAt(s, j+1) > j+1 { // 10.1000.10/...
		j = digitsAt(s, j+1)
	}
	if j >= len(s) || s[j] != '/' {
		return ""
	}
	e := j + 1
	for e < len(s) && !strings.ContainsRune(" \t\r\n\"'<>?#", rune(s[e])) {
		e++
	}
	suffix := strings.TrimRight(s[j+1:e], ".,;:")
	for strings.HasSuffix(suffix, ")") && strings.Count(suffix, "(") < strings.Count(suffix, ")") ||
		strings.HasSuffix(suffix, "]") && strings.Count(suffix, "[") < strings.Count(suffix, "]") {
		suffix = strings.TrimRight(suffix[:len(suffix)-1], ".,;:")
	}
	if suffix == "" {
		return ""
	}
	prefix := s[i:j]
	if prefix == "10.1101" {
		suffix = cutBiorxivVersion(suffix)
	} else if strings.HasSuffix(suffix, ".pdf") && strings.Contains(s[:i], "://") {
		suffix = strings.TrimSuffix(suffix, ".pdf")
	}
	return prefix + "/" + suffix
}

// cutBiorxivVersion cuts "v2", "v2.full", ".full.pdf", "/..." after a bioRxiv
// id ("2024.01.01.123456" or the older "123456").
func cutBiorxivVersion(suf string) string {
	k := 0
	for k < len(suf) && (isASCIIDigit(suf[k]) || suf[k] == '.') {
		k++
	}
	if k == 0 || k == len(suf) {
		return strings.TrimRight(suf, ".")
	}
	switch suf[k] {
	case 'v', '/':
		return strings.TrimRight(suf[:k], ".")
	}
	if rest := suf[k-1:]; strings.HasPrefix(rest, ".full") || strings.HasPrefix(rest, ".abstract") ||
		strings.HasPrefix(rest, ".supplementary") || strings.HasPrefix(rest, ".article") {
		return suf[:k-1]
	}
	return suf
}
