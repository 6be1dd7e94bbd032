package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/paperfeed/paperfeed/aggregator"
	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/aggregator/redact"
	"github.com/paperfeed/paperfeed/aggregator/topic"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/sqlite"
	"github.com/paperfeed/paperfeed/feeds"
	"github.com/paperfeed/paperfeed/feeds/status"
)

const usage = `paperfeed collects new papers from arXiv, Hugging Face, bioRxiv/medRxiv and any
RSS/Atom/JSON feed, merges what several sources list into one record, and
republishes each configured topic as RSS 2.0, Atom 1.0 and JSON Feed.

Usage:
  paperfeed serve   [-config FILE]            collect on schedule and serve HTTP
  paperfeed collect [-config FILE]            one pass over every source, then exit
  paperfeed export  [-config FILE] -out DIR   write the served files for static hosting
  paperfeed check   [-config FILE]            validate the config, list sources and topics
  paperfeed backup  [-config FILE] -out FILE  write a consistent copy of the store (safe while serving)

Common flags:
  -config FILE       configuration file (default ./config.toml)
  -log-format FMT    text (default) or json
  -log-level LEVEL   debug, info (default), warn, error

Exit status: 0 success; 1 collect: some sources failed; 2 bad config, usage or storage.
`

// run is the whole program; main only calls it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return &exitError{code: exitConfigError, err: errors.New("missing command")}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	case "serve", "collect", "export", "check", "backup":
	default:
		fmt.Fprint(stderr, usage)
		return &exitError{code: exitConfigError, err: fmt.Errorf("unknown command %q", cmd)}
	}

	fs := flag.NewFlagSet("paperfeed "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	configPath := fs.String("config", "config.toml", "configuration file")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	outDir := ""
	switch cmd {
	case "export":
		fs.StringVar(&outDir, "out", "", "output directory")
	case "backup":
		fs.StringVar(&outDir, "out", "", "backup file to create")
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &exitError{code: exitConfigError, err: err}
	}
	if fs.NArg() > 0 {
		return &exitError{code: exitConfigError, err: fmt.Errorf("%s: unexpected arguments %q", cmd, fs.Args())}
	}
	logger, err := newLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		return &exitError{code: exitConfigError, err: err}
	}
	cfg, err := loadConfig(ctx, *configPath)
	if err != nil {
		return &exitError{code: exitConfigError, err: err}
	}

	switch cmd {
	case "check":
		return runCheck(cfg, stdout)
	case "collect":
		return runCollect(ctx, cfg, logger, stdout)
	case "export":
		if outDir == "" {
			return &exitError{code: exitConfigError, err: errors.New("export: -out DIR is required")}
		}
		return runExport(ctx, cfg, logger, outDir, stdout)
	case "backup":
		if outDir == "" {
			return &exitError{code: exitConfigError, err: errors.New("backup: -out FILE is required")}
		}
		return runBackup(ctx, cfg, outDir, stdout)
	default:
		return runServe(ctx, cfg, logger)
	}
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("-log-format %q: want text or json", format)
}

// loadConfig reads and validates the config, resolves the storage path against
// the config file's folder and checks every topic's full-text expressions
// (without opening the store): the one check of topics at startup.
func loadConfig(ctx context.Context, path string) (*config.Config, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if !filepath.IsAbs(cfg.Storage.Path) && cfg.Storage.Path != ":memory:" {
		cfg.Storage.Path = filepath.Join(filepath.Dir(path), cfg.Storage.Path)
	}
	var probs []string
	for _, p := range topic.Check(ctx, sqlite.Syntax{}, cfg.Topics) {
		probs = append(probs, p.Error())
	}
	if len(probs) > 0 {
		return nil, &config.ValidationError{File: path, Problems: probs}
	}
	return cfg, nil
}

func runCheck(cfg *config.Config, stdout io.Writer) error {
	fmt.Fprintf(stdout, "config %s: ok\n", cfg.Path)
	fmt.Fprintf(stdout, "storage: %s\nlisten: %s\nbase_url: %s\n", cfg.Storage.Path, cfg.Server.Listen, cfg.Server.BaseURL)
	for _, w := range warnings(cfg) {
		fmt.Fprintln(stdout, "warning:", w)
	}
	fmt.Fprintf(stdout, "\nsources (%d):\n", len(cfg.Sources))
	for _, s := range cfg.Sources {
		where := redact.URL(s.URL)
		switch {
		case where != "":
		case s.Type == "arxiv":
			where = "categories " + strings.Join(s.Categories, "+")
		case s.Type == "arxiv-api":
			where = "query " + s.Query
		default:
			where = "default endpoint"
		}
		fmt.Fprintf(stdout, "  %-20s %-12s every %-8s %s\n", s.Name, s.Type, cfg.Interval(s), where)
	}
	fmt.Fprintf(stdout, "\ntopics (%d):\n", len(cfg.Topics))
	for _, t := range cfg.Topics {
		q := t.Query
		if q == "" {
			q = "(every paper)"
		}
		fmt.Fprintf(stdout, "  %-20s %s/topics/%s.atom  %s\n", t.Name, cfg.Server.BaseURL, t.Name, q)
	}
	return nil
}

// warnings are legal but risky settings.
func warnings(cfg *config.Config) []string {
	var out []string
	host, _, _ := net.SplitHostPort(cfg.Server.Listen)
	ip := net.ParseIP(host)
	loopback := host == "localhost" || (ip != nil && ip.IsLoopback())
	if !loopback && strings.HasPrefix(cfg.Server.BaseURL, "http://") {
		out = append(out, fmt.Sprintf("listen %q is not loopback and base_url %q is plain http: put a TLS-terminating proxy in front and use an https base_url", cfg.Server.Listen, cfg.Server.BaseURL))
	}
	return out
}

// openStore opens (creating and migrating if needed) the configured store.
func openStore(ctx context.Context, cfg *config.Config) (db.Store, error) {
	s, err := sqlite.Open(ctx, cfg.Storage.Path)
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return s, nil
}

type app struct {
	cfg       *config.Config
	store     db.Store
	collector *aggregator.Collector
	registry  *prometheus.Registry
}

func openApp(ctx context.Context, cfg *config.Config, logger *slog.Logger, progress func(string, int, int)) (*app, error) {
	store, err := openStore(ctx, cfg)
	if err != nil {
		return nil, &exitError{code: exitConfigError, err: err}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	client := fetch.New(fetch.Options{
		UserAgent: cfg.Collect.UserAgent,
		Timeout:   time.Duration(cfg.Collect.Timeout),
		MaxBody:   cfg.Collect.MaxBodyBytes,
	})
	col, err := aggregator.New(cfg, store, client, aggregator.Options{Logger: logger, Metrics: aggregator.NewMetrics(reg), Progress: progress})
	if err != nil {
		store.Close()
		return nil, &exitError{code: exitConfigError, err: err}
	}
	return &app{cfg: cfg, store: store, collector: col, registry: reg}, nil
}

func runCollect(ctx context.Context, cfg *config.Config, logger *slog.Logger, stdout io.Writer) error {
	a, err := openApp(ctx, cfg, logger, terminalProgress(stdout))
	if err != nil {
		return err
	}
	defer a.store.Close()
	failed := 0
	for _, s := range a.collector.CollectAll(ctx) {
		fmt.Fprintln(stdout, s.String())
		if s.Err != nil {
			failed++
		}
	}
	if failed > 0 {
		return &exitError{code: exitSomeFailed, err: fmt.Errorf("collect: %d of %d sources failed", failed, len(cfg.Sources))}
	}
	return nil
}

// terminalProgress draws a one-line progress bar for backfills when stdout is a terminal.
func terminalProgress(w io.Writer) func(string, int, int) {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	var mu sync.Mutex
	return func(source string, done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if total <= 0 {
			return
		}
		const width = 30
		n := min(width, done*width/total)
		fmt.Fprintf(w, "\r%s backfill [%s%s] %d/%d", source, strings.Repeat("#", n), strings.Repeat(".", width-n), done, total)
		if done >= total {
			fmt.Fprintln(w)
		}
	}
}

func runExport(ctx context.Context, cfg *config.Config, logger *slog.Logger, dir string, stdout io.Writer) error {
	store, err := openStore(ctx, cfg)
	if err != nil {
		return &exitError{code: exitConfigError, err: err}
	}
	defer store.Close()
	srv, err := feeds.NewServer(cfg, store, feeds.Options{Logger: logger, TopicsChecked: true})
	if err != nil {
		return &exitError{code: exitConfigError, err: err}
	}
	if err := srv.Export(ctx, dir); err != nil {
		return &exitError{code: exitConfigError, err: fmt.Errorf("export: %w", err)}
	}
	fmt.Fprintf(stdout, "exported %d topics to %s\n", len(cfg.Topics), dir)
	return nil
}

// runBackup writes a consistent, compacted copy of the store (VACUUM INTO):
// safe while `serve` or `collect` write to it.
func runBackup(ctx context.Context, cfg *config.Config, out string, stdout io.Writer) error {
	if _, err := os.Stat(out); err == nil {
		return &exitError{code: exitConfigError, err: fmt.Errorf("backup: %s exists; choose a new file", out)}
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return &exitError{code: exitConfigError, err: err}
	}
	defer store.Close()
	b, ok := store.(db.Backuper)
	if !ok {
		return &exitError{code: exitConfigError, err: fmt.Errorf("backup: the store at %s cannot copy itself", cfg.Storage.Path)}
	}
	if err := b.Backup(ctx, out); err != nil {
		return &exitError{code: exitConfigError, err: err}
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", cfg.Storage.Path, out)
	return nil
}

func runServe(ctx context.Context, cfg *config.Config, logger *slog.Logger) error {
	a, err := openApp(ctx, cfg, logger, nil)
	if err != nil {
		return err
	}
	defer a.store.Close()
	handler, err := newHandler(a, logger)
	if err != nil {
		return &exitError{code: exitConfigError, err: err}
	}
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return &exitError{code: exitConfigError, err: fmt.Errorf("listen: %w", err)}
	}
	srv := newHTTPServer(handler)
	logger.Info("serving", "addr", ln.Addr().String(), "base_url", cfg.Server.BaseURL, "db", cfg.Storage.Path,
		"sources", len(cfg.Sources), "topics", len(cfg.Topics))

	collectDone := make(chan struct{})
	go func() {
		defer close(collectDone)
		a.collector.Run(ctx)
	}()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	select {
	case err := <-serveErr:
		return &exitError{code: exitConfigError, err: fmt.Errorf("serve: %w", err)}
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing requests and the current collect transaction")
	shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		logger.Warn("shutdown", "err", err)
	}
	<-collectDone
	logger.Info("stopped")
	return nil
}

// newHTTPServer sets the timeouts a server facing the internet needs.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           capRequestBody(h, 64<<10),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
	}
}

// capRequestBody limits request bodies to max bytes. No endpoint reads a
// body; the cap bounds what the server would drain from a client that sends
// one anyway. A request without a body passes untouched (http.MaxBytesHandler
// would copy every request).
func capRequestBody(h http.Handler, max int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if r.ContentLength != 0 { // -1: unknown length (chunked)
			r2 := *r // handlers must not modify the request they are given
			r2.Body = http.MaxBytesReader(w, r.Body, max)
			r = &r2
		}
		h.ServeHTTP(w, r)
	})
}

// newHandler routes the feeds and the operator endpoints.
func newHandler(a *app, logger *slog.Logger) (http.Handler, error) {
	fs, err := feeds.NewServer(a.cfg, a.store, feeds.Options{Logger: logger, Registerer: a.registry, TopicsChecked: true})
	if err != nil {
		return nil, err
	}
	st := status.New(a.cfg, a.store)
	mux := http.NewServeMux()
	fs.Register(mux)
	mux.Handle("GET /status", st)
	mux.Handle("GET /metrics", status.Metrics(a.registry, a.store))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := a.store.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "database unreachable: %v\n", err)
			return
		}
		io.WriteString(w, "ok\n")
	})
	return mux, nil
}
