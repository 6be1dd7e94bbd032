// Command paperfeed collects paper listings from arXiv, Hugging Face, bioRxiv,
// medRxiv and any feed, deduplicates them, and republishes topics as RSS, Atom
// and JSON Feed.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitError carries a process exit code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// Exit codes.
const (
	exitOK          = 0
	exitSomeFailed  = 1 // collect: some sources failed; publish: some announcements failed
	exitConfigError = 2 // bad config, bad usage, storage error
)

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "paperfeed:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "paperfeed:", err)
	return exitConfigError
}
