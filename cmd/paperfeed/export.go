package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/feeds"
)

func runExport(ctx context.Context, cfg *config.Config, logger *slog.Logger, now func() time.Time, dir string, stdout io.Writer) error {
	store, err := openStore(ctx, cfg, now)
	if err != nil {
		return &exitError{code: exitConfigError, err: err}
	}
	defer store.Close()
	srv, err := feeds.NewServer(cfg, store, feeds.Options{Now: now, Logger: logger, TopicsChecked: true})
	if err != nil {
		return &exitError{code: exitConfigError, err: err}
	}
	if err := srv.Export(ctx, dir); err != nil {
		return &exitError{code: exitConfigError, err: fmt.Errorf("export: %w", err)}
	}
	fmt.Fprintf(stdout, "exported %d topics to %s\n", len(cfg.Topics), dir)
	return nil
}
