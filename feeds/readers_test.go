package feeds

import (
	"bufio"
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const checkFeed = "/work/shared/tools/readers/check-feed.sh"

// TestReaders serves a seeded store (the usual seed plus hostile strings) on
// 127.0.0.1 and runs the independent readers (check-feed.sh: feedparser,
// newsboat, jing/RFC 4287 for RSS and Atom; feedsmith and feed-extractor for
// JSON Feed) on every topic in every format. Any FAIL or warn line fails.
func TestReaders(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	if _, err := os.Stat(checkFeed); err != nil {
		t.Skipf("readers absent: %s not found", checkFeed)
	}
	if _, err := exec.LookPath("newsboat"); err != nil {
		t.Skip("readers absent: newsboat not installed; run bash /work/shared/tools/readers/setup.sh as root")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import feedparser").Run(); err != nil {
		t.Skip("readers absent: python3-feedparser not installed; run bash /work/shared/tools/readers/setup.sh as root")
	}
	items := append(testItems(), hostileItems()...)
	f := newFixture(t, nil, items...)
	srv := httptest.NewServer(f.srv) // httptest binds 127.0.0.1
	defer srv.Close()

	var paths []string
	for _, tp := range f.cfg.Topics {
		for _, ext := range []string{"atom", "rss", "json"} {
			paths = append(paths, "/topics/"+tp.Name+"."+ext)
		}
	}
	paths = append(paths, "/search.atom?q=learning", "/search.rss?q=learning", "/search.json?q=learning")
	for _, p := range paths {
		t.Run(strings.TrimPrefix(p, "/"), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			out, err := exec.CommandContext(ctx, "bash", checkFeed, srv.URL+p).CombinedOutput()
			var bad []string
			sc := bufio.NewScanner(bytes.NewReader(out))
			for sc.Scan() {
				if l := sc.Text(); strings.HasPrefix(l, "FAIL") || strings.HasPrefix(l, "warn") {
					bad = append(bad, l)
				}
			}
			if err != nil || len(bad) > 0 {
				t.Errorf("check-feed.sh %s: %v\n%s", p, err, out)
			} else {
				t.Logf("%s", strings.TrimSpace(string(out)))
			}
		})
	}
}

// TestScreenshots loads / and a topic page in headless Chromium at phone width
// (412x915) and writes PNGs to $PAPERFEED_SCREENSHOTS (default: a temp dir).
func TestScreenshots(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("chromium absent: apt-get install -y chromium")
	}
	dir := os.Getenv("PAPERFEED_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	items := append(testItems(), hostileItems()...)
	f := newFixture(t, nil, items...)
	srv := httptest.NewServer(f.srv)
	defer srv.Close()
	pages := []struct{ name, path string }{{"index", "/"}, {"topic-all", "/topics/all"}, {"topic-ml", "/topics/ml.html"}}
	for _, pg := range pages {
		t.Run(pg.name, func(t *testing.T) {
			file := filepath.Join(dir, pg.name+".png")
			os.Remove(file)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--no-first-run", "--user-data-dir="+t.TempDir(), "--hide-scrollbars",
				"--screenshot="+file, "--window-size=412,915", srv.URL+pg.path)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("chromium: %v\n%s", err, out)
			}
			png, err := os.ReadFile(file)
			if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) || len(png) < 5000 {
				t.Fatalf("no screenshot (%v, %d bytes)\n%s", err, len(png), out)
			}
			t.Logf("screenshot %s", file)
		})
	}
}
