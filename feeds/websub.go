package feeds

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// HubFeed is one feed the WebSub publisher announces, in its three formats.
type HubFeed struct {
	// URLs are the feed's Atom, RSS and JSON Feed addresses: each document's
	// rel="self", the hub.url of an announcement.
	URLs []string
	// Fingerprint identifies the feed's content: the ids and dates of its
	// entries, in order. A re-render that changes nothing else (the build
	// time, a cached model) keeps it.
	Fingerprint string
}

// HubFeeds returns every feed that names the WebSub hubs, fingerprinted:
// each topic's feed and its daily and weekly digest feeds. A feed is
// rendered as a reader's request would render it (through the cache and the
// render gate), in its JSON Feed form, which carries the same entries as the
// other two. A topic that fails to render is left out and named in the
// error; the others are returned.
func (s *Server) HubFeeds(ctx context.Context) ([]HubFeed, error) {
	var out []HubFeed
	var errs []error
	for _, t := range s.cfg.Topics {
		for _, name := range []string{t.Name, t.Name + "/" + digestKinds[0], t.Name + "/" + digestKinds[1]} {
			hf := HubFeed{}
			for _, f := range []string{FormatAtom, FormatRSS, FormatJSON} {
				hf.URLs = append(hf.URLs, s.base+"/"+s.topicDocs[[2]string{name, f}].path)
			}
			r, err := s.get(ctx, s.topicDocs[[2]string{name, FormatJSON}])
			if err == nil {
				hf.Fingerprint, err = entriesFingerprint(r.body)
			}
			if err != nil {
				if ctx.Err() != nil {
					return out, ctx.Err()
				}
				errs = append(errs, fmt.Errorf("feed %s: %w", name, err))
				continue
			}
			out = append(out, hf)
		}
	}
	return out, errors.Join(errs...)
}

// entriesFingerprint hashes the ids and dates of a rendered JSON Feed's items.
func entriesFingerprint(body []byte) (string, error) {
	var f struct {
		Items []struct {
			ID        string `json:"id"`
			Published string `json:"date_published"`
			Modified  string `json:"date_modified"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &f); err != nil {
		return "", fmt.Errorf("read rendered feed: %w", err)
	}
	h := sha256.New()
	for _, it := range f.Items {
		fmt.Fprintf(h, "%s\x00%s\x00%s\n", it.ID, it.Published, it.Modified)
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18]), nil
}

// hubLinkHeader is the Link header of a feed that names hubs (WebSub 4:
// rel="hub" for each hub and exactly one rel="self").
func hubLinkHeader(hubs []string, self string) string {
	var b strings.Builder
	for _, h := range hubs {
		b.WriteString("<" + h + `>; rel="hub", `)
	}
	b.WriteString("<" + self + `>; rel="self"`)
	return b.String()
}
