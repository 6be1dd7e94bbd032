package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/feeds"
	"github.com/paperfeed/paperfeed/feeds/websub"
)

// runPublish announces to the [server] websub_hubs every feed whose content
// changed since each hub last accepted it, once: for a site written by
// export (run it after the upload, so the hubs fetch the new files) or a
// collect from cron without serve, which announces by itself.
func runPublish(ctx context.Context, cfg *config.Config, logger *slog.Logger, now func() time.Time, stdout io.Writer) error {
	if len(cfg.Server.WebSubHubs) == 0 {
		return &exitError{code: exitConfigError, err: errors.New("publish: [server] websub_hubs is empty: there is no hub to announce to")}
	}
	a, err := openApp(ctx, cfg, logger, now, nil)
	if err != nil {
		return err
	}
	defer a.store.Close()
	fs, err := feeds.NewServer(cfg, a.store, feeds.Options{Now: now, Logger: logger, TopicsChecked: true})
	if err != nil {
		return &exitError{code: exitConfigError, err: err}
	}
	p := websub.New(cfg.Server.WebSubHubs, fs, a.store, websub.Options{
		Now: now, Logger: logger, Replica: a.collector.Replica(), UserAgent: cfg.Collect.UserAgent,
	})
	defer p.Release(ctx)
	res, err := p.Round(ctx)
	if res.Holder != "" {
		fmt.Fprintf(stdout, "the websub lease is held by %s, which announces the feeds: nothing done\n", res.Holder)
		return nil
	}
	failed := 0
	for _, h := range cfg.Server.WebSubHubs {
		c := res.Hubs[h]
		fmt.Fprintf(stdout, "%-40s %d announced, %d refused, %d failed, %d unchanged\n", h, c.OK, c.Rejected, c.Failed, c.Unchanged)
		failed += c.Rejected + c.Failed
	}
	switch {
	case err != nil:
		return &exitError{code: exitSomeFailed, err: fmt.Errorf("publish: %w", err)}
	case failed > 0:
		return &exitError{code: exitSomeFailed, err: fmt.Errorf("publish: %d announcements failed or were refused; the log has the hubs' answers", failed)}
	}
	return nil
}
