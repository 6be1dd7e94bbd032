package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var servingRE = regexp.MustCompile(`msg=serving addr=(127\.0\.0\.1:\d+)`)

// startServe starts `paperfeed serve` and returns it with its bound address
// (parsed from the "serving" log line) and its log.
func startServe(t *testing.T, bin, cfgPath string, extra ...*regexp.Regexp) (*exec.Cmd, string, *lineWatcher, <-chan struct{}) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "-config", cfgPath)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	logs, done := watch(stderr, append(extra, servingRE)...)
	line := logs.wait(t, servingRE, 20*time.Second)
	return cmd, servingRE.FindStringSubmatch(line)[1], logs, done
}

// waitExit waits for cmd to end within d and returns its exit code.
func waitExit(t *testing.T, cmd *exec.Cmd, d time.Duration, logs *lineWatcher) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatalf("wait: %v", err)
		}
		return 0
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		t.Fatalf("process did not exit within %v of the signal; log:\n%s", d, logs)
		return -1
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b)
}

// TestServeSIGTERMDuringPass: `paperfeed serve` receives SIGTERM while its
// startup collect pass waits on a slow upstream. It exits 0 after that pass has
// committed or rolled back: the database passes integrity_check and the slow
// source is stored whole or not at all.
func TestServeSIGTERMDuringPass(t *testing.T) {
	bin := buildPaperfeed(t)
	const n = 1000
	feeds := map[string][]byte{"fast": bigFeed("fast", n), "slow": bigFeed("slow", n)}
	slowStarted := make(chan struct{})
	var startOnce sync.Once
	stop := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), ".xml")
		body, ok := feeds[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		if name == "slow" {
			w.Write(body[:len(body)/2])
			w.(http.Flusher).Flush()
			startOnce.Do(func() { close(slowStarted) })
			select {
			case <-time.After(1500 * time.Millisecond):
			case <-stop:
				return
			}
		}
		w.Write(body[len(body)/2*boolInt(name == "slow"):])
	}))
	t.Cleanup(up.Close)
	t.Cleanup(func() { close(stop) })

	dir := t.TempDir()
	cfgPath := writeConfig(t, dir, up.URL, []string{"fast", "slow"}, "")
	cmd, addr, logs, logsDone := startServe(t, bin, cfgPath)
	select {
	case <-slowStarted:
	case <-time.After(20 * time.Second):
		t.Fatalf("the slow upstream was never asked; log:\n%s", logs)
	}
	if code, body := get(t, "http://"+addr+"/healthz"); code != 200 {
		t.Errorf("healthz during the pass: %d %s", code, body)
	}
	if code, body := get(t, "http://"+addr+"/topics/all.atom"); code != 200 {
		t.Errorf("feed during the pass: %d %.200s", code, body)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code := waitExit(t, cmd, 30*time.Second, logs)
	<-logsDone
	if code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0; log:\n%s", code, logs)
	}
	out := logs.String()
	if !strings.Contains(out, "msg=stopped") {
		t.Errorf("no orderly stop logged:\n%s", out)
	}
	if strings.Contains(out, "database is locked") || strings.Contains(out, "SQLITE_BUSY") {
		t.Errorf("busy database reported:\n%s", out)
	}

	store := openChecked(t, filepath.Join(dir, "pf.db"))
	states, err := store.SourceStates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"fast", "slow"} {
		got := sightingsOf(t, store, s)
		if states[s].LastSuccess.IsZero() {
			t.Logf("%s: rolled back / not run (%d papers)", s, len(got))
			if len(got) != 0 {
				t.Errorf("%s: %d papers of a pass that did not commit", s, len(got))
			}
			continue
		}
		t.Logf("%s: committed (%d papers)", s, len(got))
		assertComplete(t, got, s, n)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
