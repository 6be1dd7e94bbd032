package dedup

import (
	"regexp"
	"strings"
)

var (
	// New-style arXiv ids (0704.0001 onwards, 4+4 or 4+5 digits) and old-style (hep-th/9901001).
	arxivNewRE = regexp.MustCompile(`(?i)(?:^|[^0-9.])(\d{4}\.\d{4,5})(?:v\d+)?(?:[^0-9]|$)`)
	arxivOldRE = regexp.MustCompile(`(?i)\b([a-z][a-z-]*(?:\.[a-z]{2})?/\d{7})(?:v\d+)?\b`)
	doiRE      = regexp.MustCompile(`(?i)\b(10\.\d{4,9}/[^\s"'<>]+)`)
)

// NormalizeArxivID returns the version-less arXiv id in s (a bare id, an
// "arXiv:" id, an abs/pdf URL or an OAI identifier), or "".
func NormalizeArxivID(s string) string {
	s = strings.TrimSpace(s)
	if m := arxivNewRE.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	if m := arxivOldRE.FindStringSubmatch(s); m != nil {
		return strings.ToLower(m[1])
	}
	return ""
}

// FindArxivID looks for an arXiv id in a link or guid that clearly names arXiv.
func FindArxivID(s string) string {
	ls := strings.ToLower(s)
	if !strings.Contains(ls, "arxiv") {
		return ""
	}
	return NormalizeArxivID(s)
}

// NormalizeDOI returns the DOI in s lower-cased without resolver prefix, or "".
func NormalizeDOI(s string) string {
	m := doiRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return ""
	}
	d := strings.ToLower(m[1])
	d = strings.TrimRight(d, ".,;)]}")
	return d
}

// FindDOI looks for a DOI in a link, guid or identifier.
func FindDOI(s string) string { return NormalizeDOI(s) }
