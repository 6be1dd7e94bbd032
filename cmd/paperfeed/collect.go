package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
)

func runCollect(ctx context.Context, cfg *config.Config, logger *slog.Logger, now func() time.Time, stdout io.Writer) error {
	a, err := openApp(ctx, cfg, logger, now, terminalProgress(stdout))
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
	// Exemplar and completion failures are retried on a later run; they fail no source.
	if es := a.collector.FetchExemplars(ctx); es.Asked > 0 || es.Err != nil {
		fmt.Fprintf(stdout, "%-20s %s\n", "(like exemplars)", es)
	}
	if cs := a.collector.Complete(ctx); cs.Asked > 0 || cs.Err != nil {
		fmt.Fprintf(stdout, "%-20s %s\n", "(arXiv categories)", cs)
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
