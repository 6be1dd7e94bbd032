package feeds

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/sharedtest"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/feeds/internal/pageshot"
)

// TestReaders serves a seeded store (the usual seed plus hostile strings) on
// 127.0.0.1 and reads every topic in every format with each independent reader
// of ../shared/tools/readers, as check-feed.sh does: feedparser, newsboat and
// (Atom) jing against RFC 4287 for RSS and Atom; feedsmith and feed-extractor
// for JSON Feed. Each reader is its own subtest and skips when it is not
// installed; a reader that is present and fails or warns fails the test.
func TestReaders(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	tools := filepath.Join(sharedtest.Dir(t), "tools", "readers")
	// Without hubs, and with two: the feeds then carry WebSub links (Atom
	// link, RSS atom:link and JSON Feed hubs), which every reader must take.
	for _, hubs := range [][]string{nil, {"https://pubsubhubbub.appspot.com/", "https://hub.example.org/websub?a=1&b=2"}} {
		t.Run(fmt.Sprintf("hubs=%d", len(hubs)), func(t *testing.T) {
			cfg := likeConfig(t)
			cfg.Server.WebSubHubs = hubs
			readFeeds(t, tools, cfg)
		})
	}
}

// readFeeds reads every feed of cfg's site with each reader.
func readFeeds(t *testing.T, tools string, cfg *config.Config) {
	items := append(likeItems(), hostileItems()...)
	f := newFixture(t, cfg, items...)
	srv := httptest.NewServer(f.srv) // httptest binds 127.0.0.1
	defer srv.Close()

	// A week on, the seed's day and week are over: the digest feeds have items.
	f.clock.Set(t0.Add(7 * 24 * time.Hour))
	var paths []string
	for _, tp := range f.cfg.Topics {
		for _, ext := range []string{"atom", "rss", "json"} {
			paths = append(paths, "/topics/"+tp.Name+"."+ext)
			for _, k := range digestKinds {
				paths = append(paths, "/topics/"+tp.Name+"/"+k+"."+ext)
			}
		}
	}
	paths = append(paths, "/search.atom?q=learning", "/search.rss?q=learning", "/search.json?q=learning")
	// A paper's similar papers, one of them with a DOI for a UID (an escaped slash in the path).
	for _, uid := range []string{"arxiv:2503.01234", "doi:10.1101%2F2025.03.01.123456"} {
		for _, ext := range []string{"atom", "rss", "json"} {
			paths = append(paths, "/papers/"+uid+"/similar."+ext)
		}
	}
	for _, rd := range feedReaders(tools) {
		t.Run(rd.name, func(t *testing.T) {
			if why := rd.missing(); why != "" {
				t.Skipf("reader %s absent (%s): run bash ../shared/tools/readers/setup.sh as root", rd.name, why)
			}
			for _, p := range paths {
				format := feedFormat(p)
				if !slices.Contains(rd.formats, format) {
					continue
				}
				t.Run(strings.TrimPrefix(p, "/"), func(t *testing.T) {
					body := filepath.Join(t.TempDir(), "body."+format)
					if err := os.WriteFile(body, f.get(t, p), 0o644); err != nil {
						t.Fatal(err)
					}
					ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
					defer cancel()
					out, err := rd.command(ctx, srv.URL+p, body).CombinedOutput()
					var warns []string
					sc := bufio.NewScanner(bytes.NewReader(out))
					for sc.Scan() {
						if l := sc.Text(); strings.HasPrefix(l, "WARNING") {
							warns = append(warns, l)
						}
					}
					if err != nil || len(warns) > 0 {
						t.Errorf("%s on %s: %v, %d warnings\n%s", rd.name, p, err, len(warns), out)
					} else {
						t.Logf("%s", strings.TrimSpace(string(out)))
					}
				})
			}
		})
	}
}

// feedReader is one independent reader of ../shared/tools/readers.
type feedReader struct {
	name    string
	formats []string // feed formats it reads: "atom", "rss", "json"
	// missing names what is not installed, "" when the reader can run.
	missing func() string
	// command reads the feed served at url, whose body is also saved in file.
	command func(ctx context.Context, url, file string) *exec.Cmd
}

// feedReaders are the readers check-feed.sh runs, located the way setup.sh
// installs them.
func feedReaders(tools string) []feedReader {
	// setup.sh puts the npm parsers in $READERS_HOME, by default
	// paperfeed-readers in the system's temp folder.
	home := os.Getenv("READERS_HOME")
	if home == "" {
		home = filepath.Join(os.TempDir(), "paperfeed-readers")
	}
	node := func(name, module string) feedReader {
		script := filepath.Join(home, "node", name+"-check.mjs")
		return feedReader{name: name, formats: []string{"json"},
			missing: func() string {
				if _, err := exec.LookPath("node"); err != nil {
					return "node not on PATH"
				}
				for _, p := range []string{script, filepath.Join(home, "node", "node_modules", module)} {
					if _, err := os.Stat(p); err != nil {
						return p + " not found"
					}
				}
				return ""
			},
			command: func(ctx context.Context, _, file string) *exec.Cmd {
				return exec.CommandContext(ctx, "node", script, file)
			}}
	}
	python := feedparserPython()
	return []feedReader{
		{name: "feedparser", formats: []string{"atom", "rss"},
			missing: func() string {
				if python == "" {
					return "no python3 on PATH that imports feedparser"
				}
				return ""
			},
			command: func(ctx context.Context, _, file string) *exec.Cmd {
				return exec.CommandContext(ctx, python, filepath.Join(tools, "feedparser_check.py"), file)
			}},
		{name: "newsboat", formats: []string{"atom", "rss"},
			missing: func() string { return missingCommands("newsboat", "sqlite3") },
			command: func(ctx context.Context, url, _ string) *exec.Cmd {
				return exec.CommandContext(ctx, "bash", filepath.Join(tools, "newsboat_check.sh"), url)
			}},
		{name: "jing-rfc4287", formats: []string{"atom"},
			missing: func() string { return missingCommands("jing", "java") },
			command: func(ctx context.Context, _, file string) *exec.Cmd {
				return exec.CommandContext(ctx, "bash", filepath.Join(tools, "atom_schema_check.sh"), file)
			}},
		node("feedsmith", "feedsmith"),
		node("feed-extractor", filepath.Join("@extractus", "feed-extractor")),
	}
}

// feedparserPython is a python3 that imports feedparser: the one on PATH,
// else the system interpreter setup.sh installs Debian's python3-feedparser
// for; "" when neither does.
func feedparserPython() string {
	var candidates []string
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	candidates = append(candidates, "/usr/bin/python3")
	for _, p := range candidates {
		if exec.Command(p, "-c", "import feedparser").Run() == nil {
			return p
		}
	}
	return ""
}

// missingCommands names the first of cmds not on PATH, "" when all are.
func missingCommands(cmds ...string) string {
	for _, c := range cmds {
		if _, err := exec.LookPath(c); err != nil {
			return c + " not on PATH"
		}
	}
	return ""
}

// feedFormat is the format a served path asks for by its extension.
func feedFormat(path string) string {
	path, _, _ = strings.Cut(path, "?")
	return strings.TrimPrefix(filepath.Ext(path), ".")
}

// TestScreenshots loads the index (with a failing source), topic pages and
// the search page (results, and a query that cannot run) in headless Chromium
// at 1280 and 400 px, and checks each renders and fits the viewport (no
// sideways scroll). PNGs go to $PAPERFEED_SCREENSHOTS (default: a temp dir).
func TestScreenshots(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bctx := pageshot.Browser(t)
	dir := pageshot.Dir(t)
	items := append(likeItems(), hostileItems()...)
	f := newFixture(t, likeConfig(t), items...)
	if err := f.store.SaveSourceState(context.Background(), db.SourceState{
		Name: "biorxiv", Type: "biorxiv", LastAttempt: t0, LastError: "HTTP 503", LastErrorAt: t0, Failures: 3,
	}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(f.srv)
	defer srv.Close()
	pages := []struct{ name, path string }{
		{"index", "/"}, {"topic-all", "/topics/all"}, {"topic-ml", "/topics/ml.html"}, {"topic-bio", "/topics/bio.html"},
		{"search", "/search?q=learning"}, {"search-error", "/search?q=%22unclosed+AND+%28"},
	}
	for _, pg := range pages {
		for _, width := range []int{1280, 400} {
			t.Run(fmt.Sprintf("%s-%d", pg.name, width), func(t *testing.T) {
				t.Logf("screenshot %s", pageshot.Shot(t, bctx, dir, pg.name, srv.URL+pg.path, width))
			})
		}
	}
}
