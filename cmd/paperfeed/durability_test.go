package main

// Process-level durability tests: the real binary, a real SQLite file, killed
// or stopped while it writes. Skipped under -short (they build the binary).

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

// buildPaperfeed builds the command into a temporary directory.
func buildPaperfeed(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "paperfeed")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// bigFeed is an RSS document of n papers of source src (GUIDs src-0 ... src-n-1),
// all matching the FTS query "durable".
func bigFeed(src string, n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rss version=\"2.0\"><channel><title>" + src + "</title><link>http://example.org/</link><description>d</description>\n")
	for i := range n {
		fmt.Fprintf(&b, "<item><title>Durable paper %s number %d on sheaf cohomology of %s</title><link>http://example.org/%s/%d</link><guid>%s-%d</guid>"+
			"<description>Abstract of paper %d: a study of durable storage under fault %s.</description><pubDate>Mon, 23 Nov 2026 %02d:%02d:00 GMT</pubDate></item>\n",
			src, i, src, src, i, src, i, i, src, (i/60)%24, i%60)
	}
	b.WriteString("</channel></rss>\n")
	return b.Bytes()
}

// writeConfig writes a config with one feed source per name, served by base/name.xml.
func writeConfig(t *testing.T, dir, base string, names []string, extra string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "[server]\nlisten = \"127.0.0.1:0\"\nbase_url = \"http://127.0.0.1\"\n[storage]\npath = \"pf.db\"\n[collect]\ninterval = \"1h\"\ntimeout = \"20s\"\nworkers = 1\narxiv_api_url = \"\"\n%s\n", extra)
	for _, n := range names {
		fmt.Fprintf(&b, "[[source]]\nname = %q\ntype = \"feed\"\nurl = \"%s/%s.xml\"\n", n, base, n)
	}
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// lineWatcher copies a process's output into a buffer and reports lines that
// match a pattern.
type lineWatcher struct {
	mu  sync.Mutex
	buf bytes.Buffer
	re  map[*regexp.Regexp]chan string
}

func watch(r io.Reader, patterns ...*regexp.Regexp) (*lineWatcher, <-chan struct{}) {
	w := &lineWatcher{re: map[*regexp.Regexp]chan string{}}
	for _, p := range patterns {
		w.re[p] = make(chan string, 1)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			w.mu.Lock()
			w.buf.WriteString(line + "\n")
			w.mu.Unlock()
			for p, ch := range w.re {
				if p.MatchString(line) {
					select {
					case ch <- line:
					default:
					}
				}
			}
		}
	}()
	return w, done
}

func (w *lineWatcher) wait(t *testing.T, p *regexp.Regexp, d time.Duration) string {
	t.Helper()
	select {
	case line := <-w.re[p]:
		return line
	case <-time.After(d):
		t.Fatalf("no line matching %s within %v; output:\n%s", p, d, w.String())
		return ""
	}
}

func (w *lineWatcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// sightingsOf returns the GUIDs the store holds for source src.
func sightingsOf(t *testing.T, store db.Store, src string) map[string]bool {
	t.Helper()
	ps, err := store.Topic(context.Background(), db.TopicQuery{Sources: []string{src}, Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, p := range ps {
		for _, sg := range p.Sightings {
			if sg.Source == src {
				out[sg.GUID] = true
			}
		}
	}
	return out
}

// assertComplete checks that a source's pass is stored whole: every GUID of
// its feed of n items.
func assertComplete(t *testing.T, got map[string]bool, src string, n int) {
	t.Helper()
	if len(got) != n {
		t.Errorf("source %s: %d papers stored, want all %d", src, len(got), n)
	}
	for i := range n {
		if g := fmt.Sprintf("%s-%d", src, i); !got[g] {
			t.Errorf("source %s: paper %s missing", src, g)
			return
		}
	}
}

func openChecked(t *testing.T, path string) db.Store {
	t.Helper()
	store, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatalf("reopen after the crash: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	if res, err := store.IntegrityCheck(context.Background()); err != nil || res != "ok" {
		t.Fatalf("integrity check: %q %v", res, err)
	}
	return store
}

// TestCollectKilledMidPass: `paperfeed collect` over three large sources
// (workers = 1, so one pass after another) is SIGKILLed as soon as its first
// pass has committed (its "source pass" log line), either while the next
// source's answer stalls mid-body or a moment later, while the next pass is
// parsed or written. The database must open, pass integrity_check, hold every
// paper of every committed pass and nothing of a pass that did not commit (a
// pass is all or nothing). A collect run afterwards stores everything.
func TestCollectKilledMidPass(t *testing.T) {
	bin := buildPaperfeed(t)
	for _, mode := range []struct {
		name  string
		stall bool          // later answers stall mid-body until the kill
		delay time.Duration // between the first commit and the kill
	}{
		{name: "while fetching", stall: true},
		{name: "while writing", delay: 300 * time.Millisecond},
	} {
		t.Run(mode.name, func(t *testing.T) { killMidPass(t, bin, mode.stall, mode.delay) })
	}
}

func killMidPass(t *testing.T, bin string, stall bool, delay time.Duration) {
	const n = 3000
	names := []string{"big1", "big2", "big3"}
	feeds := map[string][]byte{}
	for _, s := range names {
		feeds[s] = bigFeed(s, n)
	}
	var requests atomic.Int32
	var stalling atomic.Bool
	stalling.Store(stall)
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), ".xml")
		body, ok := feeds[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		if requests.Add(1) > 1 && stalling.Load() {
			w.Write(body[:len(body)/2])
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		w.Write(body)
	}))
	t.Cleanup(up.Close)
	var releaseOnce sync.Once
	stopStalling := func() {
		stalling.Store(false)
		releaseOnce.Do(func() { close(release) })
	}
	t.Cleanup(stopStalling)

	dir := t.TempDir()
	cfgPath := writeConfig(t, dir, up.URL, names, "")
	cmd := exec.Command(bin, "collect", "-config", cfgPath)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	committed := regexp.MustCompile(`msg="source pass" source=\S+ `)
	logs, logsDone := watch(stderr, committed)
	start := time.Now()
	line := logs.wait(t, committed, 60*time.Second)
	t.Logf("first pass committed after %v: %s", time.Since(start).Round(time.Millisecond), line)
	time.Sleep(delay)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	<-logsDone
	stopStalling()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("collect was not killed (it ended on its own?): %v\n%s", err, logs)
	}

	store := openChecked(t, filepath.Join(dir, "pf.db"))
	states, err := store.SourceStates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ncommitted := 0
	for _, s := range names {
		got := sightingsOf(t, store, s)
		if st := states[s]; !st.LastSuccess.IsZero() {
			ncommitted++
			t.Logf("%s: committed before the kill (%d papers)", s, len(got))
			assertComplete(t, got, s, n)
		} else {
			t.Logf("%s: not committed before the kill (%d papers)", s, len(got))
			if len(got) != 0 {
				t.Errorf("%s: a pass that did not commit left %d papers", s, len(got))
			}
		}
	}
	if ncommitted == 0 || ncommitted == len(names) {
		t.Errorf("%d of %d passes committed: the kill was not mid-collect", ncommitted, len(names))
	}
	// The killed collect still holds the lease of the pass it was in; it
	// would expire LeaseTTL after its last renewal. Let it expire now.
	leases, err := store.Leases(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range leases {
		if err := store.ReleaseLease(context.Background(), l.Name, l.Holder); err != nil {
			t.Fatal(err)
		}
	}
	store.Close()

	// Recovery: a full collect afterwards completes and stores everything.
	var out, errOut bytes.Buffer
	again := exec.Command(bin, "collect", "-config", cfgPath)
	again.Stdout, again.Stderr = &out, &errOut
	if err := again.Run(); err != nil {
		t.Fatalf("collect after the crash: %v\n%s%s", err, out.String(), errOut.String())
	}
	store = openChecked(t, filepath.Join(dir, "pf.db"))
	for _, s := range names {
		assertComplete(t, sightingsOf(t, store, s), s, n)
	}
	all, err := store.Topic(context.Background(), db.TopicQuery{Match: "durable", Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(names)*n {
		t.Errorf("topic query serves %d papers, want %d", len(all), len(names)*n)
	}
}
