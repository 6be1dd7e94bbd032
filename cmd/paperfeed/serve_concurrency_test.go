package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestServeAndCollectConcurrently: `paperfeed serve` runs (and collects at
// startup) while rounds of two concurrent `paperfeed collect` processes write
// the same database, every pass bringing new papers (a source at a time: the
// collects claim its lease, so of two at once one collects it). No one may see
// "database is locked" / SQLITE_BUSY: each collect exits 0, serve logs no
// such error, and the feeds keep answering 200 throughout.
func TestServeAndCollectConcurrently(t *testing.T) {
	bin := buildPaperfeed(t)
	const perPass = 400
	names := []string{"a", "b", "c"}
	var counter atomic.Int32
	fetched := map[string]*atomic.Int32{}
	for _, n := range names {
		fetched[n] = new(atomic.Int32)
	}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), ".xml")
		if c := fetched[name]; c != nil {
			c.Add(1)
		}
		// Half the items are new at every request, half are always listed.
		k := counter.Add(1)
		var b bytes.Buffer
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title><link>http://example.org/</link><description>d</description>`)
		for i := range perPass {
			guid := fmt.Sprintf("%s-stable-%d", name, i)
			if i%2 == 1 {
				guid = fmt.Sprintf("%s-req%d-%d", name, k, i)
			}
			fmt.Fprintf(&b, "<item><title>Concurrent paper %s about durable lattices</title><guid>%s</guid><link>http://example.org/%s</link><description>Abstract %s.</description><pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate></item>", guid, guid, guid, guid)
		}
		b.WriteString("</channel></rss>")
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(b.Bytes())
	}))
	t.Cleanup(up.Close)

	dir := t.TempDir()
	cfgPath := writeConfig(t, dir, up.URL, names, "")
	serve, addr, logs, logsDone := startServe(t, bin, cfgPath)

	// Readers: the feeds and the operator endpoints, continuously.
	stop := make(chan struct{})
	var readers sync.WaitGroup
	var reads, bad atomic.Int32
	var badMu sync.Mutex
	var badSample []string
	for _, path := range []string{"/topics/all.atom", "/topics/all.json", "/readyz", "/status"} {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				code, body := get(t, "http://"+addr+path)
				reads.Add(1)
				if code != 200 {
					bad.Add(1)
					badMu.Lock()
					if len(badSample) < 5 {
						badSample = append(badSample, fmt.Sprintf("%s: %d %.200s", path, code, body))
					}
					badMu.Unlock()
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
	}

	const rounds = 3
	for round := range rounds {
		var wg sync.WaitGroup
		for p := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var out, errOut bytes.Buffer
				cmd := exec.Command(bin, "collect", "-config", cfgPath)
				cmd.Stdout, cmd.Stderr = &out, &errOut
				err := cmd.Run()
				all := out.String() + errOut.String()
				if err != nil {
					t.Errorf("round %d, collect %d: %v\n%s", round, p, err, all)
				}
				if busy(all) {
					t.Errorf("round %d, collect %d reported a busy database:\n%s", round, p, all)
				}
			}()
		}
		wg.Wait()
	}
	close(stop)
	readers.Wait()
	t.Logf("%d reads during %d rounds", reads.Load(), rounds)
	if bad.Load() > 0 {
		t.Errorf("%d of %d reads did not answer 200, e.g. %q", bad.Load(), reads.Load(), badSample)
	}
	if reads.Load() == 0 {
		t.Error("no reads happened")
	}

	if err := serve.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, serve, 30*time.Second, logs); code != 0 {
		t.Errorf("serve exit code %d", code)
	}
	<-logsDone
	if busy(logs.String()) {
		t.Errorf("serve reported a busy database:\n%s", logs)
	}

	store := openChecked(t, filepath.Join(dir, "pf.db"))
	for _, s := range names {
		got := sightingsOf(t, store, s)
		for i := 0; i < perPass; i += 2 {
			if g := fmt.Sprintf("%s-stable-%d", s, i); !got[g] {
				t.Errorf("%s missing", g)
				break
			}
		}
		// The stable GUIDs, then perPass/2 new ones per fetch: every pass
		// that fetched committed. How many passes ran depends on timing: the
		// processes claim the source's lease, so of two at once one collects
		// it (a collect skips a source held by serve's startup pass, too).
		n := int(fetched[s].Load())
		if want := perPass/2 + n*perPass/2; n == 0 || len(got) != want {
			t.Errorf("source %s: %d papers after %d fetches, want %d", s, len(got), n, want)
		}
	}
}

func busy(s string) bool {
	l := strings.ToLower(s)
	return strings.Contains(l, "database is locked") || strings.Contains(l, "sqlite_busy") || strings.Contains(l, "database table is locked")
}
