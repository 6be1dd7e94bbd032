package feeds

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/paperfeed/paperfeed/aggregator/config"
)

// Register adds the feed and page routes to mux, so that a program serving
// other endpoints too routes every request once.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.handleIndex)
	mux.HandleFunc("GET /index.html", s.handleIndex)
	mux.HandleFunc("GET /topics.opml", s.handleOPML)
	mux.HandleFunc("GET /topics/{file}", s.handleTopic)
	mux.HandleFunc("GET /topics/{name}/{file}", s.handleDigest)
	for _, f := range []string{FormatAtom, FormatRSS, FormatJSON} {
		mux.HandleFunc("GET /search."+f, s.handleSearch(f))
	}
	mux.HandleFunc("GET /search", s.handleSearch(FormatHTML))
	mux.HandleFunc("GET /papers/{id}", s.handlePaper)
	mux.HandleFunc("GET /papers/{id}/{file}", s.handleSimilar)
	mux.HandleFunc("GET /favicon.ico", s.handleFavicon)
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	s.respond(w, r, "", FormatHTML, func() (*rendered, error) { return s.get(r.Context(), docIndex()) })
}

func (s *Server) handleOPML(w http.ResponseWriter, r *http.Request) {
	s.respond(w, r, "", FormatOPML, func() (*rendered, error) { return s.get(r.Context(), docOPML()) })
}

func (s *Server) handleTopic(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	// A topic name may contain dots: "{name}.{ext}" of a configured topic wins,
	// then "{name}" (the HTML page).
	name, format := file, FormatHTML
	if i := strings.LastIndexByte(file, '.'); i > 0 {
		switch ext := file[i+1:]; ext {
		case FormatAtom, FormatRSS, FormatJSON, FormatHTML:
			if _, whole := s.topics[file]; !whole {
				name, format = file[:i], ext
			}
			if _, ok := s.topics[file[:i]]; ok {
				name, format = file[:i], ext
			}
		}
	}
	label := name
	if _, ok := s.topics[name]; !ok {
		label = "_unknown"
	}
	s.respond(w, r, label, format, func() (*rendered, error) {
		t, ok := s.topics[name]
		if !ok {
			return nil, &httpError{code: http.StatusNotFound, msg: fmt.Sprintf("no topic named %q; see /topics.opml for the list", name)}
		}
		limit, err := parseLimit(r)
		if err != nil {
			return nil, err
		}
		d, ok := s.topicDocs[[2]string{name, format}]
		if limit != 0 || !ok {
			d = docTopic(t, format, limit)
		}
		return s.get(r.Context(), d)
	})
}

// handleDigest serves /topics/{name}/daily.atom and the other digest feeds.
func (s *Server) handleDigest(w http.ResponseWriter, r *http.Request) {
	name, file := r.PathValue("name"), r.PathValue("file")
	kind, format, _ := strings.Cut(file, ".")
	d, ok := s.topicDocs[[2]string{name + "/" + kind, format}]
	label, flabel := name, kind+"."+format // bounded: only configured documents get their own
	if !ok {
		label, flabel = "_unknown", "_unknown"
	}
	s.respond(w, r, label, flabel, func() (*rendered, error) {
		if !ok {
			return nil, &httpError{code: http.StatusNotFound, msg: fmt.Sprintf("no digest feed %q of topic %q: want daily or weekly, .atom, .rss or .json", cleanLine(file, 100), cleanLine(name, 100))}
		}
		return s.get(r.Context(), d)
	})
}

func (s *Server) handleSearch(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.respond(w, r, "search", format, func() (*rendered, error) {
			v := r.URL.Query()
			q := strings.TrimSpace(v.Get("q"))
			if q == "" && format == FormatHTML {
				return s.get(r.Context(), docSearch("", format, 0)) // the search form alone
			}
			if q == "" {
				return nil, &httpError{code: http.StatusBadRequest, msg: "missing query: use ?q=<query>, e.g. ?q=diffusion+protein"}
			}
			if len(q) > 1000 {
				return nil, &httpError{code: http.StatusBadRequest, msg: "query too long (max 1000 bytes)"}
			}
			limit, err := parseLimit(r)
			if err != nil {
				return nil, err
			}
			return s.get(r.Context(), docSearch(q, format, limit))
		})
	}
}

// parseLimit reads ?limit=: digits only (no sign, space or exponent), 1..config.MaxTopicLimit.
// The error quotes the value as the client sent it (percent-encoding and all),
// so that "+5", which a query string decodes to " 5", reads as "+5".
func parseLimit(r *http.Request) (int, error) {
	if r.URL.RawQuery == "" {
		return 0, nil
	}
	raw, ok := rawQueryValue(r.URL.RawQuery, "limit")
	if !ok {
		return 0, nil
	}
	v, err := url.QueryUnescape(raw)
	n := 0
	if err == nil && v != "" && len(v) <= 9 && strings.Trim(v, "0123456789") == "" {
		n, _ = strconv.Atoi(v)
	}
	if n < 1 || n > config.MaxTopicLimit {
		return 0, &httpError{code: http.StatusBadRequest, msg: fmt.Sprintf("bad limit %q: want a whole number 1..%d", cleanLine(raw, 40), config.MaxTopicLimit)}
	}
	return n, nil
}

// rawQueryValue is the first value of key in a raw query string, still
// percent-encoded, as url.Values.Get would find it.
func rawQueryValue(rawQuery, key string) (string, bool) {
	for part := range strings.SplitSeq(rawQuery, "&") {
		k, v, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil && uk == key {
			return v, true
		}
	}
	return "", false
}
