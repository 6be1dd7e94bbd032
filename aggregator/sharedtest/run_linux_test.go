package sharedtest

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestRecords(t *testing.T) {
	dir := "/abs/shared"
	tests := []struct {
		name, file string
		want       string
		total      int64
	}{
		{"nothing skipped", "start 10\ndone 10 0 db\n", "", 0},
		{"first summary", "start 10\nstart 11\ndone 11 3 feeds\ndone 10 20 aggregator/sources\n",
			summary(dir, 23, 2), 23},
		{"already printed", "done 10 2 a\nprinted 2\n", "", 2},
		{"skips after the summary", "done 10 2 a\nprinted 2\ndone 11 1 b\n",
			"paperfeed tests: 1 more fixture test skipped since; " + summary(dir, 3, 2), 3},
		{"torn line ignored", "done 10 2 a\ndone 11\n", summary(dir, 2, 1), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := readRecords(strings.NewReader(tt.file))
			if got := recs.unprinted(dir); got != tt.want {
				t.Errorf("unprinted =\n %q\nwant\n %q", got, tt.want)
			}
			if recs.total() != tt.total {
				t.Errorf("total = %d, want %d", recs.total(), tt.total)
			}
		})
	}
	recs := readRecords(strings.NewReader("start 10\nstart 11\ndone 11 0 x\n"))
	if !recs.running(10) || recs.running(11) || recs.running(12) {
		t.Errorf("running: 10 %v 11 %v 12 %v, want only 10", recs.running(10), recs.running(11), recs.running(12))
	}
	want := "paperfeed tests: ../shared (looked for /abs/shared) is absent: 1 fixture test skipped in 1 package; " +
		"clone the shared folder beside the repository (or set PAPERFEED_SHARED) to run them"
	if got := summary(dir, 1, 1); got != want {
		t.Errorf("summary =\n %q\nwant\n %q", got, want)
	}
}

func TestChildren(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if got := children(os.Getpid()); !slices.Contains(got, cmd.Process.Pid) {
		t.Errorf("children(%d) = %v, want it to hold %d", os.Getpid(), got, cmd.Process.Pid)
	}
	if _, err := goCommandStart(os.Getpid()); err == nil {
		t.Errorf("goCommandStart accepted the test binary itself as the go command")
	}
}

func TestAppends(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		flag int
		want bool
	}{
		{"append", os.O_WRONLY | os.O_CREATE | os.O_APPEND, true},
		{"truncate", os.O_WRONLY | os.O_CREATE | os.O_TRUNC, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := os.OpenFile(dir+"/"+tt.name, tt.flag, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if got := appends(os.Getpid(), int(f.Fd())); got != tt.want {
				t.Errorf("appends = %v, want %v", got, tt.want)
			}
		})
	}
}
