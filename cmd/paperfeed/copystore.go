package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/redact"
	"github.com/paperfeed/paperfeed/db/copystore"
)

// copyFlags are copy-store's own flags.
type copyFlags struct {
	from, to string
	batch    int
}

// runCopyStore copies the store -from names into the store -to names (see
// package db/copystore). A side left out is the store of the -config file.
// Exit status: 0 copied and verified, 1 copied but the counts differ, 2 a
// usage or storage error or a refused destination.
func runCopyStore(ctx context.Context, f copyFlags, configPath string, logger *slog.Logger, now func() time.Time, stdout io.Writer) error {
	usageErr := func(format string, args ...any) error {
		return &exitError{code: exitConfigError, err: fmt.Errorf("copy-store: "+format, args...)}
	}
	if f.from == "" && f.to == "" {
		return usageErr("-from and -to are required (one may be left out to mean the store of -config)")
	}
	from, to, err := copySides(ctx, f, configPath)
	if err != nil {
		return &exitError{code: exitConfigError, err: err}
	}
	if from.Backend() == to.Backend() {
		return usageErr("-from and -to are the same store (%s)", from.Backend())
	}
	if from.URL == "" {
		if _, err := os.Stat(from.Path); err != nil {
			return usageErr("-from: no store at %s", from.Path)
		}
	}
	src, err := openStorage(ctx, from, now)
	if err != nil {
		return &exitError{code: exitConfigError, err: fmt.Errorf("copy-store: -from: %w", redact.Error(err))}
	}
	defer src.Close()
	dst, err := openStorage(ctx, to, now)
	if err != nil {
		return &exitError{code: exitConfigError, err: fmt.Errorf("copy-store: -to: %w", redact.Error(err))}
	}
	defer dst.Close()

	logger.Info("copy-store", "from", from.Backend(), "to", to.Backend())
	start := now()
	var last time.Time
	copied := map[string]int64{}
	res, err := copystore.Copy(ctx, src, dst, copystore.Options{
		Source: from.Backend(), Dest: to.Backend(), Batch: f.batch, Now: now,
		Progress: func(p copystore.Progress) {
			copied[p.Part] += int64(p.Batch)
			if t := now(); t.Sub(last) >= time.Second || p.Rows >= p.Total {
				last = t
				rate := float64(copied[p.Part]) / max(t.Sub(start).Seconds(), 1e-3)
				logger.Info("copied", "part", p.Part, "rows", p.Rows, "of", p.Total, "per_second", int64(rate))
			}
		},
	})
	if res != nil {
		how := "copied"
		switch {
		case res.Resumed && len(copied) == 0:
			how = "nothing left to copy (checked the counts again) from"
		case res.Resumed:
			how = "resumed and finished a partial copy of"
		}
		fmt.Fprintf(stdout, "%s %s to %s in %s\n", how, from.Backend(), to.Backend(), now().Sub(start).Round(time.Millisecond))
		printCounts(stdout, res.Counts)
	}
	var me *copystore.MismatchError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &me):
		return &exitError{code: exitSomeFailed, err: fmt.Errorf("copy-store: %w", err)}
	case errors.Is(err, context.Canceled):
		return &exitError{code: exitConfigError, err: errors.New("copy-store: stopped before the end; run the same command again to resume")}
	}
	return &exitError{code: exitConfigError, err: fmt.Errorf("copy-store: %w", redact.Error(err))}
}

// copySides are the stores -from and -to name: a postgres:// URL, else a
// SQLite file; the one left out is the -config file's store.
func copySides(ctx context.Context, f copyFlags, configPath string) (from, to config.Storage, err error) {
	side := func(v string) config.Storage {
		if strings.HasPrefix(v, "postgres://") || strings.HasPrefix(v, "postgresql://") {
			return config.Storage{URL: v}
		}
		if abs, err := filepath.Abs(v); err == nil {
			v = abs
		}
		return config.Storage{Path: v}
	}
	if f.from != "" {
		from = side(f.from)
	}
	if f.to != "" {
		to = side(f.to)
	}
	if f.from == "" || f.to == "" {
		cfg, err := loadConfig(ctx, configPath)
		if err != nil {
			return from, to, err
		}
		st := cfg.Storage
		if st.URL == "" {
			st = side(st.Path)
		}
		if f.from == "" {
			from = st
		} else {
			to = st
		}
	}
	return from, to, nil
}

// printCounts writes the verified counts, one kind of row a line.
func printCounts(w io.Writer, cs []copystore.Compared) {
	for _, c := range cs {
		mark := "="
		if c.Source != c.Dest {
			mark = "≠"
		}
		fmt.Fprintf(w, "  %-17s %10d %s %d\n", c.What, c.Source, mark, c.Dest)
	}
}
