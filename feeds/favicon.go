package feeds

import (
	_ "embed"
	"net/http"
	"time"
)

//go:generate go run favicon_gen.go

// faviconICO is the site icon (favicon_gen.go draws it). Feed readers fetch
// /favicon.ico of a feed's site on every change, so it is served like a feed:
// from memory, with an ETag and 304s, and cacheable for a week.
//
//go:embed favicon.ico
var faviconICO []byte

const faviconCacheControl = "public, max-age=604800"

// newFavicon is the icon as a representation, made once per Server. It has
// no Last-Modified (the file has no meaningful date); its ETag is its hash.
func newFavicon() *rendered {
	r := newRendered("favicon", "image/x-icon", faviconICO)
	r.cacheControl = []string{faviconCacheControl}
	r.setLastModified(time.Time{})
	return r
}

func (s *Server) handleFavicon(w http.ResponseWriter, r *http.Request) {
	s.respond(w, r, "", "ico", func() (*rendered, error) { return s.favicon, nil })
}
