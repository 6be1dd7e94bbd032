package feeds

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/likefile"
	"github.com/paperfeed/paperfeed/aggregator/recommend"
	"github.com/paperfeed/paperfeed/aggregator/topic"
	"github.com/paperfeed/paperfeed/db"
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
	// RefuseHold is how long such a 503 is held before it is sent (default
	// 1 s; negative: not held). See renderGate.
	RefuseHold time.Duration
}

// Cache bounds.
const (
	cacheMaxEntries = 512
	cacheMaxBytes   = 64 << 20
	indexNewest     = 3 // papers listed per topic on the index
)

// Server serves and exports the feeds.
type Server struct {
	cfg   *config.Config
	store db.Reader
	// models keeps the like-topics' models and scores between renders.
	models *recommend.Engine
	// likeFiles keeps their like_files as last read (re-read when changed).
	likeFiles *likefile.Cache
	now       func() time.Time
	log       *slog.Logger
	mux       *http.ServeMux
	topics    map[string]config.Topic
	// topicDocs are the documents of every topic and format without ?limit,
	// made once (a cache hit then allocates no key or closure).
	topicDocs map[[2]string]doc
	maxAge    time.Duration
	base      string

	cacheControl    string   // the Cache-Control value of every feed and page, formatted once
	cacheControlHdr []string // the same, as a header value
	favicon         *rendered

	mu      sync.Mutex
	cache   *lru               // ad-hoc documents: searches, ?limit=
	pinned  *lru               // configured documents, never evicted by ad-hoc ones
	group   singleflight.Group // concurrent misses of one key render once (see get)
	flights map[string]*flight // the context and callers of each render in flight
	gate    *renderGate
	// renderHook, when set (by tests), runs in every render, inside the gate.
	renderHook func(key string)

	requests *prometheus.CounterVec
	counters sync.Map // requestLabels -> prometheus.Counter
	hits     prometheus.Counter
}

// Models is the server's like-topic models, for the digest sender to rank
// with (one corpus in memory per process).
func (s *Server) Models() *recommend.Engine { return s.models }

// likes is what ranking the like-topics keeps between renders.
func (s *Server) likes() topic.Likes { return topic.Likes{Models: s.models, Files: s.likeFiles} }

// NewServer checks every topic's full-text expressions against the store
// (unless opts.TopicsChecked) and builds the handler.
func NewServer(cfg *config.Config, store db.Reader, opts Options) (*Server, error) {
	if cfg == nil || store == nil {
		return nil, errors.New("feeds: config and store are required")
	}
	s := &Server{
		cfg: cfg, store: store, now: opts.Now, log: opts.Logger,
		models:    recommend.NewEngine(store, recommend.DefaultOptions()),
		likeFiles: likefile.NewCache(),
		topics:    map[string]config.Topic{},
		topicDocs: map[[2]string]doc{},
		base:      strings.TrimRight(cfg.Server.BaseURL, "/"),
		cache:     newLRU(cacheMaxEntries, cacheMaxBytes),
		flights:   map[string]*flight{},
		gate:      newRenderGate(opts.RenderSlots, opts.RenderQueue, opts.RefuseHold),
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
		for _, k := range digestKinds {
			for _, f := range []string{FormatAtom, FormatRSS, FormatJSON} {
				s.topicDocs[[2]string{t.Name + "/" + k, f}] = docDigest(t, k, f)
			}
		}
	}
	// Every configured document fits: 4 formats and 6 digest feeds per
	// topic, the index, the OPML and the search form.
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

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }
