// Package feeds publishes paperfeed's topics: Atom 1.0, RSS 2.0 and JSON Feed 1.1
// per topic, an ad-hoc search feed, OPML of every topic, and HTML pages.
//
// Routes (Server.ServeHTTP; GET and HEAD):
//
//	/                            HTML index (also /index.html)
//	/topics.opml                 OPML 2.0, one outline per topic
//	/topics/{name}               HTML topic page (also /topics/{name}.html)
//	/topics/{name}.atom|.rss|.json
//	/search.atom|.rss|.json?q=   FTS5 query over title, abstract, authors
//	/search?q=                   HTML search page
//	/favicon.ico                 the site icon
//
// Every feed and page accepts ?limit=N (1..config.MaxTopicLimit): then it holds
// exactly the N first papers by the topic's sort, ignoring the window.
//
// Caching: a rendered representation (body, its gzip, strong ETag from a SHA-256
// of the body, Last-Modified) stays in a bounded in-memory LRU until the store's
// generation changes or it is older than the max-age (so a topic's time window
// still slides when nothing is collected). The generation is checked on every
// request; the store answers from memory, re-reading its row at most every
// sqlite.GenerationTTL (250 ms), so a write by another process (a cron `paperfeed
// collect`) shows within that, and a write by this process at once. Concurrent
// misses of one key render once, and renders pass a bounded gate (renderGate):
// past its queue, a search or ?limit= answers 503 with Retry-After. Configured
// documents are cached apart from ad-hoc ones, which cannot evict them.
//
// Last-Modified is the newest Updated or FirstSeen of the papers in the
// document; when a re-render yields different bytes whose papers are not newer
// (a paper left the window, trending order changed), it is the render time, so
// If-Modified-Since never hides a change.
//
// Cache-Control is "public, max-age=M" with M = collect interval / 2, clamped to
// 1 minute .. 30 minutes: a reader polling at M sees a new collection within
// 1.5 intervals at worst, and revalidation is a cheap 304.
package feeds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/topic"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// Options are the Server's optional dependencies.
type Options struct {
	Now        func() time.Time      // defaults to time.Now
	Registerer prometheus.Registerer // may be nil: no metrics
	Logger     *slog.Logger          // defaults to discarding
	// TopicsChecked says the topics' expressions passed topic.Check already
	// (cmd checks them when it loads the config); NewServer then does not.
	TopicsChecked bool
	// RenderSlots bounds the uncached renders running at once (default:
	// GOMAXPROCS/2, 1 to 4); RenderQueue the requests waiting for a slot
	// beyond which a search or ?limit= render answers 503 (default: 4 per
	// slot). See renderGate.
	RenderSlots, RenderQueue int
}

// Cache bounds.
const (
	cacheMaxEntries = 512
	cacheMaxBytes   = 64 << 20
	indexNewest     = 3 // papers listed per topic on the index
)

// Server serves and exports the feeds.
type Server struct {
	cfg    *config.Config
	store  db.Reader
	now    func() time.Time
	log    *slog.Logger
	mux    *http.ServeMux
	topics map[string]config.Topic
	// topicDocs are the documents of every topic and format without ?limit,
	// made once (a cache hit then allocates no key or closure).
	topicDocs map[[2]string]doc
	maxAge    time.Duration
	base      string

	cacheControl    string   // the Cache-Control value of every feed and page, formatted once
	cacheControlHdr []string // the same, as a header value
	favicon         *rendered

	mu       sync.Mutex
	cache    *lru // ad-hoc documents: searches, ?limit=
	pinned   *lru // configured documents, never evicted by ad-hoc ones
	inflight map[string]chan struct{}
	gate     *renderGate
	// renderHook, when set (by tests), runs in every render, inside the gate.
	renderHook func(key string)

	requests *prometheus.CounterVec
	counters sync.Map // requestLabels -> prometheus.Counter
	hits     prometheus.Counter
}

// NewServer checks every topic's full-text expressions against the store
// (unless opts.TopicsChecked) and builds the handler.
func NewServer(cfg *config.Config, store db.Reader, opts Options) (*Server, error) {
	if cfg == nil || store == nil {
		return nil, errors.New("feeds: config and store are required")
	}
	s := &Server{
		cfg: cfg, store: store, now: opts.Now, log: opts.Logger,
		topics:    map[string]config.Topic{},
		topicDocs: map[[2]string]doc{},
		base:      strings.TrimRight(cfg.Server.BaseURL, "/"),
		cache:     newLRU(cacheMaxEntries, cacheMaxBytes),
		inflight:  map[string]chan struct{}{},
		gate:      newRenderGate(opts.RenderSlots, opts.RenderQueue),
		favicon:   newFavicon(),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.base == "" {
		return nil, errors.New("feeds: server.base_url is empty (run config.Validate)")
	}
	if !opts.TopicsChecked {
		if probs := topic.Check(context.Background(), store, cfg.Topics); len(probs) > 0 {
			return nil, fmt.Errorf("topic %q: %w", probs[0].Topic, probs[0].Err)
		}
	}
	for _, t := range cfg.Topics {
		s.topics[t.Name] = t
		for _, f := range []string{FormatAtom, FormatRSS, FormatJSON, FormatHTML} {
			s.topicDocs[[2]string{t.Name, f}] = docTopic(t, f, 0)
		}
	}
	// Every configured document fits: 4 formats per topic, the index, the
	// OPML and the search form.
	s.pinned = newLRU(len(s.topicDocs)+3, cacheMaxBytes)
	s.maxAge = min(max(time.Duration(cfg.Collect.Interval)/2, time.Minute), 30*time.Minute)
	s.cacheControl = fmt.Sprintf("public, max-age=%d", int(s.maxAge.Seconds()))
	s.cacheControlHdr = []string{s.cacheControl}

	if opts.Registerer != nil {
		s.requests = register(opts.Registerer, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paperfeed_feed_requests_total",
			Help: "Feed and page requests by topic, format and HTTP status.",
		}, []string{"topic", "format", "status"}))
		s.hits = register(opts.Registerer, prometheus.NewCounter(prometheus.CounterOpts{
			Name: "paperfeed_feed_cache_hits_total",
			Help: "Requests answered from the rendered-feed cache.",
		}))
	}

	s.mux = http.NewServeMux()
	s.Register(s.mux)
	return s, nil
}

// Register adds the feed and page routes to mux, so that a program serving
// other endpoints too routes every request once.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.handleIndex)
	mux.HandleFunc("GET /index.html", s.handleIndex)
	mux.HandleFunc("GET /topics.opml", s.handleOPML)
	mux.HandleFunc("GET /topics/{file}", s.handleTopic)
	for _, f := range []string{FormatAtom, FormatRSS, FormatJSON} {
		mux.HandleFunc("GET /search."+f, s.handleSearch(f))
	}
	mux.HandleFunc("GET /search", s.handleSearch(FormatHTML))
	mux.HandleFunc("GET /favicon.ico", s.handleFavicon)
}

// register registers c, or returns the collector already registered under its name.
func register[C prometheus.Collector](r prometheus.Registerer, c C) C {
	if err := r.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if old, ok := are.ExistingCollector.(C); ok {
				return old
			}
		}
	}
	return c
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// ---- handlers ----

type httpError struct {
	code       int
	msg        string
	retryAfter int // seconds; 0: no Retry-After
}

func (e *httpError) Error() string { return e.msg }

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

func (s *Server) handleSearch(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.respond(w, r, "search", format, func() (*rendered, error) {
			v := r.URL.Query()
			q := strings.TrimSpace(v.Get("q"))
			if q == "" && format == FormatHTML {
				return s.get(r.Context(), docSearch("", format, 0)) // the search form alone
			}
			if q == "" {
				return nil, &httpError{code: http.StatusBadRequest, msg: "missing query: use ?q=<FTS5 expression>, e.g. ?q=diffusion+AND+protein"}
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

// respond runs get, then writes the representation with conditional GET, gzip
// and HEAD handled, and counts the request.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, topic, format string, get func() (*rendered, error)) {
	status := s.write(w, r, get)
	if s.requests != nil {
		s.requestCounter(topic, format, status).Inc()
	}
}

// Security headers of every HTML page paperfeed serves (feeds.Server's pages
// and the status page): no script at all, nothing framed, and the one form
// (search) submits to this origin.
const (
	PageCSP            = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	PageReferrerPolicy = "no-referrer"
)

// Constant header values, shared by every response (never modified).
var (
	hdrVary       = []string{"Accept-Encoding"}
	hdrNosniff    = []string{"nosniff"}
	hdrGzip       = []string{"gzip"}
	hdrNoReferrer = []string{PageReferrerPolicy}
	hdrCSP        = []string{PageCSP}
)

type requestLabels struct {
	topic, format string
	status        int
}

// requestCounter returns the request counter of a label set, looked up once:
// topic labels are bounded (configured names, "search", "", "_unknown").
func (s *Server) requestCounter(topic, format string, status int) prometheus.Counter {
	key := requestLabels{topic, format, status}
	if c, ok := s.counters.Load(key); ok {
		return c.(prometheus.Counter)
	}
	c := s.requests.WithLabelValues(topic, format, strconv.Itoa(status))
	s.counters.Store(key, c)
	return c
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, get func() (*rendered, error)) int {
	doc, err := get()
	if err != nil {
		var he *httpError
		if !errors.As(err, &he) {
			if r.Context().Err() == nil {
				s.log.Error("render feed", "path", r.URL.Path, "err", err)
			}
			he = &httpError{code: http.StatusInternalServerError, msg: "internal error; see the server log"}
		}
		h := w.Header()
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		if he.retryAfter > 0 {
			h.Set("Retry-After", strconv.Itoa(he.retryAfter))
		}
		w.WriteHeader(he.code)
		io.WriteString(w, he.msg+"\n")
		return he.code
	}
	// Header values are built once per rendered document (see rendered.hdr) and
	// assigned under their canonical keys: a cache hit allocates nothing here.
	h := w.Header()
	hv := doc.headers()
	h["Content-Type"] = hv.ctype
	h["Cache-Control"] = s.cacheControlHdr
	if doc.cacheControl != nil {
		h["Cache-Control"] = doc.cacheControl
	}
	h["Vary"] = hdrVary
	h["X-Content-Type-Options"] = hdrNosniff
	if doc.ctype == contentTypes[FormatHTML] {
		h["Content-Security-Policy"] = hdrCSP
		h["Referrer-Policy"] = hdrNoReferrer
	}
	body, etag, clen := doc.body, hv.etag, hv.clen
	gzipped := doc.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding"))
	if gzipped {
		body, etag, clen = doc.gz, hv.gzETag, hv.gzClen
	}
	h["Etag"] = etag
	if hv.lastMod != nil {
		h["Last-Modified"] = hv.lastMod
	}
	if notModified(r, doc) {
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified
	}
	if gzipped {
		h["Content-Encoding"] = hdrGzip
	}
	h["Content-Length"] = clen
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
	return http.StatusOK
}

// notModified applies RFC 9110 section 13.2.2: If-None-Match wins over
// If-Modified-Since. Either variant's ETag matches (weak comparison, as for GET).
func notModified(r *http.Request, doc *rendered) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == doc.etag || t == doc.gzETag {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !doc.lastMod.IsZero() && !doc.lastMod.Truncate(time.Second).After(t)
	}
	return false
}

// acceptsGzip reports whether an Accept-Encoding value lets the response be
// gzip (RFC 9110 section 12.5.3): gzip (or its alias x-gzip) must have a
// non-zero weight, given explicitly or through "*" when gzip is not listed,
// and at least the weight of identity, so that a client that prefers the
// uncompressed bytes gets them. An element whose weight is malformed is
// ignored; no header, or an empty one, means identity.
func acceptsGzip(ae string) bool {
	gzipQ, identityQ, starQ := -1, -1, -1 // -1: not listed; else the weight in thousandths
	for part := range strings.SplitSeq(ae, ",") {
		coding, params, _ := strings.Cut(part, ";")
		q, ok := parseQ(params)
		if !ok {
			continue
		}
		var to *int
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			to = &gzipQ
		case "identity":
			to = &identityQ
		case "*":
			to = &starQ
		default:
			continue
		}
		*to = max(*to, q)
	}
	if gzipQ < 0 {
		gzipQ = starQ
	}
	if identityQ < 0 {
		identityQ = starQ // for the preference only: identity stays acceptable
	}
	return gzipQ > 0 && gzipQ >= identityQ
}

// parseQ reads the weight of one Accept-Encoding element from its parameters
// (";q=0.5"), in thousandths: 1000 when absent. RFC 9110 section 12.4.2:
// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), the name case-
// insensitive, whitespace allowed around the ";". ok is false when it is malformed.
func parseQ(params string) (q int, ok bool) {
	q = 1000
	for p := range strings.SplitSeq(params, ";") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		name, v, _ := strings.Cut(p, "=")
		if !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		v = strings.TrimSpace(v)
		whole, frac, _ := strings.Cut(v, ".")
		if (whole != "0" && whole != "1") || len(frac) > 3 {
			return 0, false
		}
		n := 0
		for i := range 3 {
			d := byte('0')
			if i < len(frac) {
				d = frac[i]
			}
			if d < '0' || d > '9' {
				return 0, false
			}
			n = n*10 + int(d-'0')
		}
		if whole == "1" {
			if n != 0 {
				return 0, false
			}
			n = 1000
		}
		q = n
	}
	return q, true
}

// ---- the cache ----

// get returns the document from the cache, or renders and caches it; a
// render waits for the render gate.
func (s *Server) get(ctx context.Context, d doc) (*rendered, error) {
	gen, err := s.store.Generation(ctx)
	if err != nil {
		return nil, err
	}
	cache := s.cache
	if d.pinned {
		cache = s.pinned
	}
	for {
		now := s.now()
		s.mu.Lock()
		old := cache.get(d.key)
		if old != nil && old.gen == gen && !now.Before(old.at) && now.Sub(old.at) < s.maxAge {
			s.mu.Unlock()
			if s.hits != nil {
				s.hits.Inc()
			}
			return old, nil
		}
		if wait, ok := s.inflight[d.key]; ok {
			s.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		done := make(chan struct{})
		s.inflight[d.key] = done
		s.mu.Unlock()

		var r *rendered
		err := s.gate.enter(ctx, d.pinned)
		if err == nil {
			r, err = s.render(ctx, d, gen, now, old)
			s.gate.leave()
		}
		s.mu.Lock()
		delete(s.inflight, d.key)
		if err == nil {
			cache.put(r)
		}
		s.mu.Unlock()
		close(done)
		return r, err
	}
}

func (s *Server) render(ctx context.Context, d doc, gen int64, now time.Time, old *rendered) (*rendered, error) {
	if s.renderHook != nil {
		s.renderHook(d.key)
	}
	body, contentT, err := d.build(ctx, s, now)
	if err != nil {
		return nil, err
	}
	r := newRendered(d.key, contentTypes[d.format], body)
	r.gen, r.at, r.contentT = gen, now, contentT.UTC().Truncate(time.Second)
	switch {
	case old != nil && old.etag == r.etag:
		r.setLastModified(old.lastMod)
	case old != nil && !r.contentT.After(old.lastMod):
		r.setLastModified(now.UTC().Truncate(time.Second)) // changed without a newer paper
	case r.contentT.IsZero():
		r.setLastModified(now.UTC().Truncate(time.Second))
	default:
		r.setLastModified(r.contentT)
	}
	return r, nil
}

// ---- documents ----

// doc is one addressable document: its cache key, format and how to build it.
type doc struct {
	key    string
	format string
	path   string // export path, relative to the site root
	pinned bool   // a configured document (see renderGate), cached apart
	build  func(ctx context.Context, s *Server, now time.Time) ([]byte, time.Time, error)
}

func docIndex() doc {
	return doc{key: "index", format: FormatHTML, path: "index.html", pinned: true, build: func(ctx context.Context, s *Server, now time.Time) ([]byte, time.Time, error) {
		return s.buildIndex(ctx, now)
	}}
}

func docOPML() doc {
	return doc{key: "opml", format: FormatOPML, path: "topics.opml", pinned: true, build: func(_ context.Context, s *Server, now time.Time) ([]byte, time.Time, error) {
		b, err := s.buildOPML()
		return b, time.Time{}, err
	}}
}

func docTopic(t config.Topic, format string, limit int) doc {
	return doc{
		key:    "topic\x00" + t.Name + "\x00" + format + "\x00" + strconv.Itoa(limit),
		format: format,
		path:   "topics/" + t.Name + "." + format,
		pinned: limit == 0,
		build: func(ctx context.Context, s *Server, now time.Time) ([]byte, time.Time, error) {
			return s.buildTopic(ctx, t, format, limit, now)
		},
	}
}

func docSearch(q, format string, limit int) doc {
	return doc{
		key:    fmt.Sprintf("search\x00%s\x00%d\x00%s", format, limit, q),
		format: format,
		pinned: q == "" && limit == 0, // the form alone
		build: func(ctx context.Context, s *Server, now time.Time) ([]byte, time.Time, error) {
			return s.buildSearch(ctx, q, format, limit, now)
		},
	}
}

func (s *Server) topicURL(name, ext string) string { return s.base + "/topics/" + name + "." + ext }

func withLimit(u string, limit int) string {
	if limit <= 0 {
		return u
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + "limit=" + strconv.Itoa(limit)
}

// entries converts papers and returns the newest Updated/FirstSeen among them.
func entries(ps []*model.Paper, pageURL string) ([]entry, time.Time, time.Time) {
	es := make([]entry, 0, len(ps))
	var newestUpdated, newestContent time.Time
	for _, p := range ps {
		e := newEntry(p, pageURL)
		es = append(es, e)
		if e.Updated.After(newestUpdated) {
			newestUpdated = e.Updated
		}
		for _, t := range []time.Time{e.Updated, p.FirstSeen} {
			if t.After(newestContent) {
				newestContent = t
			}
		}
	}
	return es, newestUpdated, newestContent
}

func (s *Server) buildTopic(ctx context.Context, t config.Topic, format string, limit int, now time.Time) ([]byte, time.Time, error) {
	ps, err := topic.Papers(ctx, s.store, t, limit, now)
	if err != nil {
		return nil, time.Time{}, err
	}
	pageURL := s.topicURL(t.Name, FormatHTML)
	es, updated, contentT := entries(ps, pageURL)
	if format == FormatHTML {
		tv := s.topicView(t, es, "")
		b, err := renderPage(&pageView{
			SiteTitle: cleanLine(s.cfg.Server.Title, 200),
			Title:     tv.Title + " · " + cleanLine(s.cfg.Server.Title, 200),
			Home:      "../",
			OPML:      "../topics.opml",
			Topic:     &tv,
			Alternate: tv.Feeds,
		})
		return b, contentT, err
	}
	if updated.IsZero() {
		updated = now.UTC().Truncate(time.Second)
	}
	m := &feedMeta{
		ID:          feedID(s.base, "topics/"+t.Name),
		Title:       cleanLine(t.Title, maxTitleRunes),
		Description: cleanLine(t.Description, maxAbstractRunes),
		SiteTitle:   cleanLine(s.cfg.Server.Title, 200),
		SelfURL:     withLimit(s.topicURL(t.Name, format), limit),
		HTMLURL:     pageURL,
		Updated:     updated,
		TTL:         int(s.maxAge.Minutes()),
	}
	b, err := renderFeed(format, m, es)
	return b, contentT, err
}

func renderFeed(format string, m *feedMeta, es []entry) ([]byte, error) {
	switch format {
	case FormatAtom:
		return renderAtom(m, es)
	case FormatRSS:
		return renderRSS(m, es)
	case FormatJSON:
		return renderJSON(m, es)
	}
	return nil, fmt.Errorf("unknown feed format %q", format)
}

func (s *Server) buildSearch(ctx context.Context, q, format string, limit int, now time.Time) ([]byte, time.Time, error) {
	if limit <= 0 {
		limit = config.DefaultTopicLimit
	}
	var ps []*model.Paper
	if q != "" {
		err := s.store.CheckQuery(ctx, q) // its error names the query alone
		if err == nil {
			ps, err = topic.Papers(ctx, s.store, topic.Search(q), limit, now)
		}
		if err != nil {
			var qe *db.QueryError
			if errors.As(err, &qe) {
				return nil, time.Time{}, &httpError{code: http.StatusBadRequest, msg: cleanLine(qe.Error(), 2000)}
			}
			return nil, time.Time{}, err
		}
	}
	pageURL := s.base + "/search?q=" + url.QueryEscape(q)
	es, updated, contentT := entries(ps, pageURL)
	if format == FormatHTML {
		return s.searchPage(q, es, contentT)
	}
	if updated.IsZero() {
		updated = now.UTC().Truncate(time.Second)
	}
	self := s.base + "/search." + format + "?q=" + url.QueryEscape(q)
	m := &feedMeta{
		ID:          feedID(s.base, "search?q="+url.QueryEscape(q)),
		Title:       "Search: " + cleanLine(q, 200),
		Description: "Papers matching the full-text query " + cleanLine(q, 1000),
		SiteTitle:   cleanLine(s.cfg.Server.Title, 200),
		SelfURL:     withLimit(self, limit),
		HTMLURL:     pageURL,
		Updated:     updated,
		TTL:         int(s.maxAge.Minutes()),
	}
	b, err := renderFeed(format, m, es)
	return b, contentT, err
}

// topicView is a topic as the HTML pages show it; prefix is the relative path
// from the page to the topics/ folder ("" on a topic page, "topics/" on the index).
func (s *Server) topicView(t config.Topic, es []entry, prefix string) topicView {
	tv := topicView{
		Name:        t.Name,
		Title:       cleanLine(t.Title, maxTitleRunes),
		Description: cleanLine(t.Description, maxAbstractRunes),
		Page:        prefix + t.Name + ".html",
		Count:       len(es),
		Entries:     es,
	}
	tv.Feeds = feedLinks(tv.Title,
		func(ext string) string { return prefix + t.Name + "." + ext },
		func(ext string) string { return s.topicURL(t.Name, ext) })
	return tv
}

// feedLinks are the subscribe links of one document in each feed format: href
// relative to the page, abs for autodiscovery.
func feedLinks(title string, href, abs func(ext string) string) []feedLink {
	var out []feedLink
	for _, f := range []struct{ ext, label string }{{FormatAtom, "Atom"}, {FormatRSS, "RSS"}, {FormatJSON, "JSON Feed"}} {
		out = append(out, feedLink{
			Label: title + " (" + f.label + ")",
			Type:  strings.TrimSuffix(contentTypes[f.ext], "; charset=utf-8"),
			Href:  href(f.ext),
			Abs:   abs(f.ext),
		})
	}
	return out
}

func (s *Server) buildIndex(ctx context.Context, now time.Time) ([]byte, time.Time, error) {
	site := cleanLine(s.cfg.Server.Title, 200)
	v := &pageView{SiteTitle: site, Title: site, Home: "./", OPML: "topics.opml"}
	var newest time.Time
	for _, t := range s.cfg.Topics {
		ps, err := topic.Papers(ctx, s.store, t, 0, now)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("topic %q: %w", t.Name, err)
		}
		es, _, contentT := entries(ps, s.topicURL(t.Name, FormatHTML))
		if contentT.After(newest) {
			newest = contentT
		}
		tv := s.topicView(t, es[:min(len(es), indexNewest)], "topics/")
		tv.Count = len(es)
		for i := range tv.Feeds {
			tv.Feeds[i].Label = strings.TrimPrefix(tv.Feeds[i].Label, tv.Title+" (")
			tv.Feeds[i].Label = strings.TrimSuffix(tv.Feeds[i].Label, ")")
			v.Alternate = append(v.Alternate, feedLink{
				Label: tv.Title + " (" + tv.Feeds[i].Label + ")", Type: tv.Feeds[i].Type, Abs: tv.Feeds[i].Abs,
			})
		}
		v.Topics = append(v.Topics, tv)
	}
	b, err := renderPage(v)
	return b, newest, err
}

func (s *Server) buildOPML() ([]byte, error) {
	d := &opmlDoc{Version: "2.0", Title: cleanLine(s.cfg.Server.Title, 200)}
	for _, t := range s.cfg.Topics {
		title := cleanLine(t.Title, maxTitleRunes)
		d.Outline = append(d.Outline, opmlEntry{
			Type: "rss", Text: title, Title: title,
			XMLURL:      s.topicURL(t.Name, FormatRSS),
			HTMLURL:     s.topicURL(t.Name, FormatHTML),
			Description: cleanLine(t.Description, maxAbstractRunes),
		})
	}
	return renderOPML(d)
}

// searchPage is the HTML search page: a form, and the results of q with
// subscribe links to the same search as feeds.
func (s *Server) searchPage(q string, es []entry, contentT time.Time) ([]byte, time.Time, error) {
	title := "Search"
	if q != "" {
		title = "Search: " + cleanLine(q, 200)
	}
	tv := topicView{Title: title, Count: len(es), Entries: es}
	if q != "" {
		href := func(ext string) string { return "search." + ext + "?q=" + url.QueryEscape(q) }
		tv.Feeds = feedLinks(title, href, func(ext string) string { return s.base + "/" + href(ext) })
	}
	site := cleanLine(s.cfg.Server.Title, 200)
	b, err := renderPage(&pageView{
		SiteTitle: site,
		Title:     title + " · " + site,
		Home:      "./",
		OPML:      "topics.opml",
		Topic:     &tv,
		Alternate: tv.Feeds,
		Search:    true,
		Query:     cleanLine(q, 1000),
	})
	return b, contentT, err
}
