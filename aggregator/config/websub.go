package config

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// hubProblem says what is wrong with a [server] websub_hubs entry, "" when
// nothing is; seen holds the entries before it (in their compared form) and
// gains this one. A hub is named in every feed, so it must be an address any
// subscriber can reach and must carry no credentials.
func hubProblem(hub string, seen map[string]bool) string {
	u, err := url.Parse(hub)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "":
		return fmt.Sprintf("%q: want an absolute http(s) URL such as \"https://pubsubhubbub.appspot.com/\"", redactHub(hub))
	case u.User != nil:
		return fmt.Sprintf("%q: a hub URL must not carry credentials: every feed names it", redactHub(hub))
	case u.Fragment != "":
		return fmt.Sprintf("%q: a hub URL has no #fragment", hub)
	case strings.ContainsFunc(hub, notInURI) || u.String() != hub:
		// Feeds and Link headers carry the entry as written: it must be a URI.
		if s := u.String(); s != hub && !strings.ContainsFunc(s, notInURI) {
			return fmt.Sprintf("%q: write it percent-encoded, %q", hub, s)
		}
		return fmt.Sprintf("%q: write it percent-encoded: spaces, non-ASCII letters and <>\"{}|\\^` are not part of a URI", hub)
	}
	// Scheme and host are case-insensitive; the path is not.
	key := strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + u.RequestURI()
	if seen[key] {
		return fmt.Sprintf("%q is listed twice", hub)
	}
	seen[key] = true
	return ""
}

// notInURI reports a character RFC 3986 never allows in a URI (so a feed's
// Link header, which writes the hub between < and >, stays readable).
func notInURI(r rune) bool {
	return r <= ' ' || r >= 0x7f || strings.ContainsRune("<>\"{}|\\^`", r)
}

// redactHub hides a password in an entry that is rejected for it.
func redactHub(hub string) string {
	if u, err := url.Parse(hub); err == nil && u.User != nil {
		return u.Redacted()
	}
	return hub
}

// checkHubs checks the websub_hubs entries as decoded and reports the first
// bad or repeated hub at the line:column the file writes it (Validate checks
// the same for a config built in code, without a place).
func (c *Config) checkHubs(data []byte) error {
	seen := map[string]bool{}
	for i, h := range c.Server.WebSubHubs {
		if msg := hubProblem(h, seen); msg != "" {
			line, col := indexPositions(data).at("server.websub_hubs." + strconv.Itoa(i))
			return &PositionError{File: c.fileName(), Line: line, Column: col, Msg: "websub_hubs: " + msg}
		}
	}
	return nil
}
