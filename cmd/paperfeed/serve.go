package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/feeds"
	"github.com/paperfeed/paperfeed/feeds/mail"
	"github.com/paperfeed/paperfeed/feeds/status"
	"github.com/paperfeed/paperfeed/feeds/websub"
)

func runServe(ctx context.Context, cfg *config.Config, logger *slog.Logger, now func() time.Time) error {
	a, err := openApp(ctx, cfg, logger, now, nil)
	if err != nil {
		return err
	}
	defer a.store.Close()
	handler, fs, err := newHandler(a, logger)
	if err != nil {
		return &exitError{code: exitConfigError, err: err}
	}
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return &exitError{code: exitConfigError, err: fmt.Errorf("listen: %w", err)}
	}
	srv := newHTTPServer(handler)
	logger.Info("serving", "addr", ln.Addr().String(), "base_url", cfg.Server.BaseURL, "db", cfg.Storage.Backend(),
		"sources", len(cfg.Sources), "topics", len(cfg.Topics))

	collectDone := make(chan struct{})
	go func() {
		defer close(collectDone)
		a.collector.Run(ctx)
	}()
	// Announces changed feeds to the [server] websub_hubs; returns at once without any.
	publishDone := make(chan struct{})
	go func() {
		defer close(publishDone)
		websub.New(cfg.Server.WebSubHubs, fs, a.store, websub.Options{
			Now: a.now, Logger: logger, Registerer: a.registry,
			Replica: a.collector.Replica(), UserAgent: cfg.Collect.UserAgent,
		}).Run(ctx)
	}()
	// Like-topics score papers as they arrive, not at the next request.
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		fs.Watch(ctx, feeds.LikeRefreshInterval)
	}()
	// Digests go out beside collecting and serving: a slow or failing SMTP
	// server delays neither.
	mailDone := make(chan struct{})
	go func() {
		defer close(mailDone)
		newDigestRunner(a, logger).Run(ctx)
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
	<-publishDone
	<-watchDone
	<-mailDone
	logger.Info("stopped")
	return nil
}

// newDigestRunner sends the configured digests on the program's clock,
// under the replica's name, ranking with the feed server's models.
func newDigestRunner(a *app, logger *slog.Logger) *mail.Runner {
	o := mail.Options{Now: a.now, Logger: logger, Holder: a.collector.Replica(), Models: a.feeds.Models()}
	if len(a.cfg.Digests) > 0 {
		o.Metrics = mail.NewMetrics(a.registry)
	}
	return mail.NewRunner(a.cfg, a.store, o)
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

// newHandler routes the feeds and the operator endpoints; it returns the
// feed server too, whose feeds the WebSub publisher announces and whose
// Watch serve runs.
func newHandler(a *app, logger *slog.Logger) (http.Handler, *feeds.Server, error) {
	fs, err := feeds.NewServer(a.cfg, a.store, feeds.Options{Now: a.now, Logger: logger, Registerer: a.registry, TopicsChecked: true})
	if err != nil {
		return nil, nil, err
	}
	a.feeds = fs
	st := status.New(a.cfg, a.store, a.collector.Replica(), a.now)
	mux := http.NewServeMux()
	fs.Register(mux)
	mux.Handle("GET /status", st)
	mux.Handle("GET /metrics", status.Metrics(a.registry, a.store, a.cfg))
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
	return mux, fs, nil
}
