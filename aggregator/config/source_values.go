package config

import (
	"regexp"
	"strings"
)

// Checks of the values of type-specific source options.

var (
	issnRE     = regexp.MustCompile(`^[0-9]{4}-?[0-9]{3}[0-9Xx]$`)
	workTypeRE = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	apiKeyRE   = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	toolRE     = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
)

// checkISSN wants an ISSN, with or without its hyphen ("0028-0836").
func checkISSN(v string) string {
	if !issnRE.MatchString(v) {
		return "is not an ISSN (want NNNN-NNNN)"
	}
	return ""
}

// checkWorkType wants a lower-case word with hyphens ("journal-article").
func checkWorkType(v string) string {
	if !workTypeRE.MatchString(v) {
		return "want a lower-case word with hyphens (e.g. journal-article)"
	}
	return ""
}

// checkEmail wants something that looks like an address: upstreams use it to
// reach the operator, and one without "@" is a typo.
func checkEmail(v string) string {
	local, domain, ok := strings.Cut(v, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.ContainsAny(v, " \t<>") {
		return "want an e-mail address"
	}
	return ""
}

// checkAPIKey wants letters and digits (NCBI keys are 36 hex digits). The
// problem never repeats the value: it is a secret.
func checkAPIKey(v string) string {
	if !apiKeyRE.MatchString(v) {
		return "want letters and digits only"
	}
	return ""
}

// checkTool wants one word: NCBI identifies the program by it.
func checkTool(v string) string {
	if !toolRE.MatchString(v) {
		return "want one word of letters, digits, '.', '_' or '-'"
	}
	return ""
}
