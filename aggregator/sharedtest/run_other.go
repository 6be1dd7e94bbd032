//go:build !linux

package sharedtest

import (
	"fmt"
	"os"
)

// Outside Linux the go command's stderr cannot be reached from a test binary,
// so each binary with skips prints its own line to the terminal when there is
// one (`go test ./...` discards a passing binary's stderr), else to stderr.
type run struct{}

func joinRun() *run { return &run{} }

func (r *run) finish(pkg string, n int64, dir string) {
	if n == 0 {
		return
	}
	line := pkg + ": " + summary(dir, n, 1)
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		fmt.Fprintln(tty, line)
		tty.Close()
		return
	}
	fmt.Fprintln(os.Stderr, line)
}
