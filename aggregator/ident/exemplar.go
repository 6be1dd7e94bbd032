package ident

import "strings"

// Exemplar reads a paper named by its identifier alone, as a config's like
// and unlike entries and reference-manager exports write it: an arXiv id in
// any form NormalizeArxivID reads ("arxiv:2301.08243", "2404.08471v2",
// "hep-th/9901001", an abs or pdf link), or a DOI that is bare, "doi:"
// prefixed or a resolver link ("https://doi.org/10.1109/..."). It returns
// "arxiv:ID" or "doi:DOI" (normalised), or "" when s is neither. A DOI
// buried in prose is not an exemplar: the entry must be the identifier.
func Exemplar(s string) string {
	s = strings.TrimSpace(s)
	if id := NormalizeArxivID(s); id != "" {
		return "arxiv:" + id
	}
	ls := strings.ToLower(s)
	rest := ls
	for _, p := range doiPrefixes {
		if r, ok := strings.CutPrefix(ls, p); ok {
			rest = strings.TrimSpace(r)
			break
		}
	}
	if !strings.HasPrefix(rest, "10.") {
		return ""
	}
	d := NormalizeDOI(rest)
	if d == "" || !strings.HasPrefix(rest, d[:strings.IndexByte(d, '/')+1]) {
		return ""
	}
	return "doi:" + d
}

// doiPrefixes introduce a DOI in an exemplar entry.
var doiPrefixes = []string{
	"doi:", "https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/",
	"doi.org/", "dx.doi.org/", "https://www.doi.org/", "http://www.doi.org/",
}
