package sharedtest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// How one `go test` run prints one summary on Linux.
//
// `go test ./...` discards everything a passing test binary writes, TestMain's
// stderr included, so the summary goes to the go command's own stderr
// (/proc/<go pid>/fd/2: the terminal, or the CI log). The go command runs
// several test binaries at once and has no end-of-run hook, so the binaries of
// one run (same parent pid and start time) share a record file in os.TempDir:
// each appends its count when it finishes, and the one that finds the go
// command with nothing else left to run prints the total. A binary that
// finishes while another package using this helper is still running leaves the
// summary to it.

const (
	// quiet is how long the go command must have no other child before the
	// finishing binary takes itself to be the last one.
	quiet = 200 * time.Millisecond
	// patience bounds how long a finishing binary waits for other work (a
	// package without fixture tests) to end before leaving the summary to a
	// later binary.
	patience = 3 * time.Second
	poll     = 50 * time.Millisecond
)

// run is this test binary's share of one go command's run.
type run struct {
	goPID int    // 0: not started by the go command; the binary prints its own line
	file  string // the run's record file
}

var errNotGo = errors.New("the parent process is not the go command")

// staleMaxAge is when a run's record file is left over from a finished run.
const staleMaxAge = 24 * time.Hour

// joinRun registers this binary as running in the go command's run.
func joinRun() *run {
	ppid := os.Getppid()
	start, err := goCommandStart(ppid)
	if err != nil {
		return &run{}
	}
	dir := os.TempDir()
	removeStale(dir)
	r := &run{goPID: ppid, file: filepath.Join(dir, fmt.Sprintf("paperfeed-sharedtest-%d-%s", ppid, start))}
	r.append(fmt.Sprintf("start %d\n", os.Getpid()))
	return r
}

// goCommandStart returns the start time of process pid (field 22 of its
// stat), or an error when pid is not the go command.
func goCommandStart(pid int) (string, error) {
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		return "", err
	}
	if filepath.Base(exe) != "go" {
		return "", errNotGo
	}
	fields, err := statFields(pid)
	if err != nil {
		return "", err
	}
	return fields[19], nil
}

// statFields are the fields of /proc/pid/stat after the command name
// (fields[0] is the state, fields[1] the parent pid).
func statFields(pid int) ([]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, err
	}
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return nil, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return nil, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	return f, nil
}

// children lists the live child processes of pid.
func children(pid int) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	want := strconv.Itoa(pid)
	for _, e := range ents {
		c, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f, err := statFields(c); err == nil && f[1] == want && f[0] != "Z" {
			out = append(out, c)
		}
	}
	return out
}

// removeStale deletes record files of runs older than staleMaxAge.
func removeStale(dir string) {
	old, _ := filepath.Glob(filepath.Join(dir, "paperfeed-sharedtest-*"))
	for _, p := range old {
		if st, err := os.Stat(p); err == nil && time.Since(st.ModTime()) > staleMaxAge {
			os.Remove(p)
		}
	}
}

// locked runs fn with the record file open and exclusively locked.
func (r *run) locked(fn func(f *os.File) error) error {
	f, err := os.OpenFile(r.file, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return fn(f)
}

func (r *run) append(line string) {
	r.locked(func(f *os.File) error {
		_, err := f.WriteString(line)
		return err
	})
}

// finish records this binary's count and prints the run's summary when this
// binary is the last of the run.
func (r *run) finish(pkg string, n int64, dir string) {
	if r.goPID == 0 {
		if n > 0 {
			fmt.Fprintln(os.Stderr, summary(dir, n, 1))
		}
		return
	}
	self := os.Getpid()
	r.append(fmt.Sprintf("done %d %d %s\n", self, n, pkg))
	deadline := time.Now().Add(patience)
	var idleSince time.Time
	for {
		var others []int
		for _, c := range children(r.goPID) {
			if c != self {
				others = append(others, c)
			}
		}
		var recs records
		r.locked(func(f *os.File) error {
			recs = readRecords(f)
			return nil
		})
		for _, c := range others {
			if recs.running(c) {
				return // that binary finishes later and reports
			}
		}
		if len(others) > 0 {
			idleSince = time.Time{}
		} else if idleSince.IsZero() {
			idleSince = time.Now()
		} else if time.Since(idleSince) >= quiet {
			break
		}
		if time.Now().After(deadline) {
			return // a later binary of this run reports
		}
		time.Sleep(poll)
	}
	r.locked(func(f *os.File) error {
		recs := readRecords(f)
		line := recs.unprinted(dir)
		if line == "" {
			return nil
		}
		if err := say(r.goPID, line); err != nil {
			return err
		}
		_, err := fmt.Fprintf(f, "printed %d\n", recs.total())
		return err
	})
}

// say writes line to the go command's stderr, else the terminal, else ours.
func say(goPID int, line string) error {
	if f := goStderr(goPID); f != nil {
		_, err := io.WriteString(f, line+"\n")
		f.Close()
		if err == nil {
			return nil
		}
	}
	if f, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		_, err = io.WriteString(f, line+"\n")
		f.Close()
		if err == nil {
			return nil
		}
	}
	_, err := io.WriteString(os.Stderr, line+"\n")
	return err
}

// goStderr opens the go command's stderr for writing, or returns nil.
//
// pidfd_getfd shares the go command's open file, offset included, so a line
// written to a log file is not overwritten by the go command's next write.
// Where that is refused (ptrace restrictions), /proc/<pid>/fd/2 opens the same
// pipe or terminal; a regular file reopened that way has an offset of its own,
// so it is used only when the go command appends to it.
func goStderr(goPID int) *os.File {
	if pidfd, err := unix.PidfdOpen(goPID, 0); err == nil {
		fd, err := unix.PidfdGetfd(pidfd, 2, 0)
		unix.Close(pidfd)
		if err == nil {
			return os.NewFile(uintptr(fd), "go command stderr")
		}
	}
	p := fmt.Sprintf("/proc/%d/fd/2", goPID)
	st, err := os.Stat(p)
	if err != nil || (st.Mode().IsRegular() && !appends(goPID, 2)) {
		return nil
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil
	}
	return f
}

// appends reports whether pid's descriptor fd was opened with O_APPEND.
func appends(pid, fd int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%d", pid, fd))
	if err != nil {
		return false
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "flags:"); ok {
			flags, err := strconv.ParseUint(strings.TrimSpace(v), 8, 64)
			return err == nil && flags&unix.O_APPEND != 0
		}
	}
	return false
}

// records is the parsed record file of one run.
type records struct {
	started map[int]bool
	done    map[int]bool
	counts  map[string]int64 // package -> tests skipped
	printed int64            // total in the last printed line
}

func readRecords(r io.ReadSeeker) records {
	recs := records{started: map[int]bool{}, done: map[int]bool{}, counts: map[string]int64{}}
	r.Seek(0, io.SeekStart)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "start":
			pid, _ := strconv.Atoi(f[1])
			recs.started[pid] = true
		case len(f) == 4 && f[0] == "done":
			pid, _ := strconv.Atoi(f[1])
			n, _ := strconv.ParseInt(f[2], 10, 64)
			recs.done[pid] = true
			if n > 0 {
				recs.counts[f[3]] += n
			}
		case len(f) == 2 && f[0] == "printed":
			recs.printed, _ = strconv.ParseInt(f[1], 10, 64)
		}
	}
	return recs
}

// running reports whether pid is a binary of this run that has not finished.
func (recs records) running(pid int) bool { return recs.started[pid] && !recs.done[pid] }

func (recs records) total() int64 {
	var n int64
	for _, c := range recs.counts {
		n += c
	}
	return n
}

// unprinted is the line to print now: the summary, or, when a binary reported
// skips after the summary was printed, the corrected total; "" when nothing
// is new.
func (recs records) unprinted(dir string) string {
	total := recs.total()
	switch {
	case total == recs.printed:
		return ""
	case recs.printed == 0:
		return summary(dir, total, len(recs.counts))
	default:
		return fmt.Sprintf("paperfeed tests: %d more fixture %s skipped since; %s", total-recs.printed,
			plural(total-recs.printed, "test", "tests"), summary(dir, total, len(recs.counts)))
	}
}
