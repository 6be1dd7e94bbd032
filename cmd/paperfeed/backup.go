package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/db"
)

// runBackup writes a consistent, compacted copy of the store (VACUUM INTO):
// safe while `serve` or `collect` write to it.
func runBackup(ctx context.Context, cfg *config.Config, now func() time.Time, out string, stdout io.Writer) error {
	if _, err := os.Stat(out); err == nil {
		return &exitError{code: exitConfigError, err: fmt.Errorf("backup: %s exists; choose a new file", out)}
	}
	store, err := openStore(ctx, cfg, now)
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
