// Package redact removes credentials from URLs before paperfeed prints them.
// Source URLs may carry secrets (https://user:password@host/, ?api_key=...),
// and everything paperfeed prints can end up somewhere public: /status is
// served on the public listener, logs are shipped, summaries are pasted into
// bug reports. Every place that prints a URL, or a message that may contain
// one, passes it through URL or Text.
//
// The rule, applied to the text of the URL without re-encoding anything else:
//
//   - the whole userinfo (user and password) of an authority is replaced by
//     Mask: a token is often sent as the user name (https://TOKEN@host/);
//   - in the query and in the fragment (OAuth puts access_token there), the
//     value of every parameter whose name is credential-like is replaced by
//     Mask. A name is credential-like when, lowercased and with "-", "_" and
//     "." removed, it is one of auth, authorization, sig, pwd, pass, jwt,
//     session, sessionid, or ends with key, keyid, token, secret, password,
//     passwd, signature, credential or credentials (api_key, apikey, key,
//     access_token, client_secret, X-Amz-Signature, X-Amz-Credential,
//     X-Amz-Security-Token, AWSAccessKeyId ...);
//   - a parameter value that is itself a URL (?next=https://u:p@host/) is
//     redacted by the same rule.
//
// Secrets in a URL's path (webhook paths, /bot<token>/) are not recognised:
// nothing distinguishes them from an ordinary path segment.
package redact

import (
	"net/url"
	"regexp"
	"strings"
)

// Mask replaces each redacted part.
const Mask = "REDACTED"

var (
	exactNames = map[string]bool{
		"auth": true, "authorization": true, "sig": true, "pwd": true, "pass": true,
		"jwt": true, "session": true, "sessionid": true,
	}
	nameSuffixes = []string{"key", "keyid", "token", "secret", "password", "passwd", "signature", "credential", "credentials"}
)

// IsCredentialName reports whether a query parameter called name holds a
// credential (see the package comment for the rule).
func IsCredentialName(name string) bool {
	if n, err := url.QueryUnescape(name); err == nil {
		name = n
	}
	n := strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', '.':
			return -1
		}
		return r
	}, strings.ToLower(name))
	if exactNames[n] {
		return true
	}
	for _, s := range nameSuffixes {
		if strings.HasSuffix(n, s) {
			return true
		}
	}
	return false
}

// URL returns raw with its credentials replaced by Mask. raw need not parse:
// the rule works on the text, so a malformed URL in an error message is
// redacted too.
func URL(raw string) string {
	rest, frag, hasFrag := strings.Cut(raw, "#")
	rest, query, hasQuery := strings.Cut(rest, "?")
	var b strings.Builder
	b.Grow(len(raw))
	b.WriteString(redactUserinfo(rest))
	if hasQuery {
		b.WriteByte('?')
		b.WriteString(redactParams(query))
	}
	if hasFrag {
		b.WriteByte('#')
		b.WriteString(redactParams(frag))
	}
	return b.String()
}

// redactUserinfo masks the userinfo of "scheme://userinfo@host/path" (or
// "//userinfo@host"); s has no query or fragment.
func redactUserinfo(s string) string {
	start := strings.Index(s, "//")
	if start < 0 {
		return s
	}
	start += 2
	end := strings.IndexByte(s[start:], '/')
	if end < 0 {
		end = len(s)
	} else {
		end += start
	}
	at := strings.LastIndexByte(s[start:end], '@')
	if at < 0 {
		return s
	}
	return s[:start] + Mask + s[start+at:]
}

// redactParams masks the values of credential-like parameters of a query (or
// a fragment written like one), keeping every other byte as it was.
func redactParams(q string) string {
	parts := strings.Split(q, "&")
	for i, p := range parts {
		name, value, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		switch {
		case IsCredentialName(name):
			parts[i] = name + "=" + Mask
		case strings.Contains(value, "://"):
			parts[i] = name + "=" + URL(value)
		default:
			if v, err := url.QueryUnescape(value); err == nil && strings.Contains(v, "://") {
				if r := URL(v); r != v {
					parts[i] = name + "=" + url.QueryEscape(r)
				}
			}
		}
	}
	return strings.Join(parts, "&")
}

// urlInText finds URLs in free text: a scheme, "://", and everything up to a
// space, a quote or an angle bracket; or a query string on its own ("?" and
// what follows), as error pages echo a request line's path and query.
var urlInText = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.\-]*://[^\s"'<>` + "`" + `]+|\?[^\s"'<>` + "`" + `]+`)

// Text returns s with every URL and query string in it redacted (see URL).
// Messages built from errors of other packages (net/http, url.Parse) quote
// URLs; Text is the last line of defence wherever such a message is printed
// or stored. Punctuation that ends a URL in prose ("GET https://h/?token=x:
// HTTP 500") is kept out of it, so that the mask does not swallow the
// message's colon.
func Text(s string) string {
	if !strings.Contains(s, "://") && !strings.Contains(s, "?") {
		return s
	}
	return urlInText.ReplaceAllStringFunc(s, func(u string) string {
		trimmed := strings.TrimRight(u, ".,:;!?)]}")
		return URL(trimmed) + u[len(trimmed):]
	})
}

// Error returns err with its message redacted by Text, and its chain kept for
// errors.Is and errors.As. It is for errors of other packages (net/http,
// net/url) whose messages quote URLs in full; nil stays nil.
func Error(err error) error {
	if err == nil {
		return nil
	}
	return redacted{err}
}

type redacted struct{ err error }

func (e redacted) Error() string { return Text(e.err.Error()) }
func (e redacted) Unwrap() error { return e.err }
