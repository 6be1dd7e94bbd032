package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/paperfeed/paperfeed/aggregator"
	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/aggregator/sources"
	"github.com/paperfeed/paperfeed/aggregator/topic"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/copystore"
	"github.com/paperfeed/paperfeed/db/postgres"
	"github.com/paperfeed/paperfeed/db/sqlite"
	"github.com/paperfeed/paperfeed/feeds"
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
  paperfeed publish [-config FILE]            announce the changed feeds to the WebSub hubs, once
  paperfeed digest  [-config FILE] -name NAME -dry-run | -send [-force]
                                              print or send a digest's message of now
  paperfeed copy-store -from STORE -to STORE [-batch N]
                                              copy a whole store into an empty one (SQLite file or
                                              postgres:// URL; a side left out is -config's store),
                                              resumable, verified by counts

Common flags:
  -config FILE       configuration file (default ./config.toml)
  -log-format FMT    text (default) or json
  -log-level LEVEL   debug, info (default), warn, error

Exit status: 0 success; 1 collect: some sources failed, publish: some announcements
failed, digest: the send failed, copy-store: the counts differ; 2 bad config, usage or
storage (copy-store: also a destination it refuses).
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
	case "serve", "collect", "export", "check", "backup", "publish", "digest", "copy-store":
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
	var dm digestMode
	var cp copyFlags
	switch cmd {
	case "digest":
		fs.StringVar(&dm.name, "name", "", "the [[digest]] to print or send")
		fs.BoolVar(&dm.dryRun, "dry-run", false, "print the message that would go out now")
		fs.BoolVar(&dm.send, "send", false, "send it now, unless this slot's was sent")
		fs.BoolVar(&dm.force, "force", false, "with -send: send even if this slot's was sent")
	case "copy-store":
		fs.StringVar(&cp.from, "from", "", "store to copy: a SQLite file or a postgres:// URL")
		fs.StringVar(&cp.to, "to", "", "store to copy into (empty, or a partial copy to resume)")
		fs.IntVar(&cp.batch, "batch", copystore.DefaultBatch, "rows per transaction")
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
	// The program's one clock: the collector, the sources, the fetcher, the
	// store and the server all read it.
	now := time.Now
	if cmd == "copy-store" {
		return runCopyStore(ctx, cp, *configPath, logger, now, stdout)
	}
	cfg, err := loadConfig(ctx, *configPath)
	if err != nil {
		return &exitError{code: exitConfigError, err: err}
	}
	switch cmd {
	case "check":
		return runCheck(ctx, cfg, now, stdout)
	case "collect":
		return runCollect(ctx, cfg, logger, now, stdout)
	case "export":
		if outDir == "" {
			return &exitError{code: exitConfigError, err: errors.New("export: -out DIR is required")}
		}
		return runExport(ctx, cfg, logger, now, outDir, stdout)
	case "backup":
		if outDir == "" {
			return &exitError{code: exitConfigError, err: errors.New("backup: -out FILE is required")}
		}
		return runBackup(ctx, cfg, now, outDir, stdout)
	case "publish":
		return runPublish(ctx, cfg, logger, now, stdout)
	case "digest":
		return runDigest(ctx, cfg, logger, now, dm, stdout)
	default:
		return runServe(ctx, cfg, logger, now)
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

// openStore opens (creating and migrating if needed) the configured store on the clock now.
func openStore(ctx context.Context, cfg *config.Config, now func() time.Time) (db.Store, error) {
	return openStorage(ctx, cfg.Storage, now)
}

// openStorage opens (creating and migrating if needed) a store on the clock now.
func openStorage(ctx context.Context, st config.Storage, now func() time.Time) (db.Store, error) {
	if st.URL != "" {
		s, err := postgres.Open(ctx, st.URL, postgres.Options{Now: now, PasswordFile: st.PasswordFile})
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return s, nil
	}
	s, err := sqlite.Open(ctx, st.Path, sqlite.Options{Now: now})
	if err != nil {
		return nil, err
	}
	return s, nil
}

type app struct {
	cfg       *config.Config
	store     db.Store
	collector *aggregator.Collector
	registry  *prometheus.Registry
	now       func() time.Time // the program's clock
	feeds     *feeds.Server    // set by newHandler
}

// openApp opens what serve and collect share: the store, the metrics, the
// collector, and the process's memory limit.
func openApp(ctx context.Context, cfg *config.Config, logger *slog.Logger, now func() time.Time, progress func(string, int, int)) (*app, error) {
	setMemoryLimit(cfg.Collect.MaxBodyBytes, logger)
	store, err := openStore(ctx, cfg, now)
	if err != nil {
		return nil, &exitError{code: exitConfigError, err: err}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	client := fetch.New(fetch.Options{
		UserAgent: cfg.Collect.UserAgent,
		Timeout:   time.Duration(cfg.Collect.Timeout),
		MaxBody:   cfg.Collect.MaxBodyBytes,
		Now:       now,
	})
	opts := aggregator.Options{Logger: logger, Now: now, Metrics: aggregator.NewMetrics(reg), Progress: progress}
	if cfg.Collect.ArxivAPIURL != "" {
		opts.ArxivLookup = &sources.ArxivLookup{Endpoint: cfg.Collect.ArxivAPIURL}
	}
	col, err := aggregator.New(cfg, store, client, opts)
	if err != nil {
		store.Close()
		return nil, &exitError{code: exitConfigError, err: err}
	}
	return &app{cfg: cfg, store: store, collector: col, registry: reg, now: now}, nil
}
