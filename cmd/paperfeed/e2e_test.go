package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/sharedtest"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
	"github.com/paperfeed/paperfeed/db/postgres/pgtest"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

// sharedFixture reads a recorded answer from ../shared/fixtures, skipping the
// test when the shared folder is absent.
func sharedFixture(t *testing.T, rel string) []byte {
	t.Helper()
	return sharedtest.File(t, "fixtures/"+rel)
}

// sharedGlob reads the one recorded answer matching pattern (names carry a hash).
func sharedGlob(t *testing.T, pattern string) []byte {
	t.Helper()
	return sharedtest.Glob(t, "fixtures/"+pattern)
}

// upstreams replays recorded answers of every source type on 127.0.0.1.
func upstreams(t *testing.T) *httptest.Server {
	t.Helper()
	files := map[string][]byte{
		"/hf/api/daily_papers": sharedFixture(t, "hf-daily-papers/daily_papers_2024-10-25.json"),
		"/rss/cs.LG":           sharedGlob(t, "arxiv-rss/laya-reader_rss_*.xml"),
		"/nature/nm.rdf":       sharedFixture(t, "journals/nature_medicine_current_rdf_2026-09.rdf"),
		"/biorxiv":             sharedFixture(t, "biorxiv/biorxiv_details_cancer-biology_2026-09-07_2026-09-09.json"),
		"/api/s0":              sharedGlob(t, "arxiv-api/arxivpy_extracted_bodies/q_testing_s0_m15_*.xml"),
		"/api/s5":              sharedGlob(t, "arxiv-api/arxivpy_extracted_bodies/q_testing_s5_m15_*.xml"),
		"/api/s9":              sharedGlob(t, "arxiv-api/arxivpy_extracted_bodies/q_testing_s9_m15_*.xml"),
	}
	for _, name := range []string{"arxiv_announce.xml", "journal.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		files["/local/"+name] = b
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		if strings.HasPrefix(path, "/biorxiv/") {
			// /biorxiv/details/biorxiv/{from}/{to}/{cursor}: one recorded page.
			if !strings.HasSuffix(path, "/0") {
				w.Write([]byte(`{"messages":[{"status":"no posts found"}],"collection":[]}`))
				return
			}
			path = "/biorxiv"
		}
		b, ok := files[path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func writeE2EConfig(t *testing.T, dir, upstream string) string {
	t.Helper()
	return writeE2EConfigOn(t, dir, upstream, `path = "e2e.db"`)
}

// writeE2EConfigOn writes the end-to-end config with storage as the body
// of its [storage] table.
func writeE2EConfigOn(t *testing.T, dir, upstream, storage string) string {
	t.Helper()
	cfg := fmt.Sprintf(`
[server]
listen = "127.0.0.1:0"
base_url = "https://papers.example.org"

[storage]
%[2]s

[collect]
timeout = "5s"
workers = 1   # passes commit in config order, so the summary is deterministic
arxiv_api_url = ""  # no category completion: the summary stays one line a source

[[source]]
name = "hf"
type = "huggingface"
url = "%[1]s/hf/api/daily_papers"

[[source]]
name = "arxiv-announce"
type = "arxiv"
url = "%[1]s/local/arxiv_announce.xml"

[[source]]
name = "arxiv-rss"
type = "arxiv"
url = "%[1]s/rss/cs.LG"

[[source]]
name = "journal"
type = "feed"
url = "%[1]s/local/journal.xml"

[[source]]
name = "nature-medicine"
type = "feed"
url = "%[1]s/nature/nm.rdf"

[[source]]
name = "biorxiv"
type = "biorxiv"
url = "%[1]s/biorxiv"
category = "cancer biology"

[[source]]
name = "api-s0"
type = "arxiv-api"
url = "%[1]s/api/s0"
query = "testing"
max_results = 15

[[source]]
name = "api-s5"
type = "arxiv-api"
url = "%[1]s/api/s5"
query = "testing"
max_results = 15

[[source]]
name = "api-s9"
type = "arxiv-api"
url = "%[1]s/api/s9"
query = "testing"
max_results = 15

# The recorded listings are from 2024-2025: since reaches back past the
# 60-day default.
[[topic]]
name = "all"
since = "3650d"

[[topic]]
name = "contrastive"
title = "Contrastive learning"
query = 'contrastive'
since = "3650d"

[[topic]]
name = "hf-trending"
title = "Trending"
sources = ["hf"]
sort = "trending"
limit = 10
since = "3650d"
`, upstream, storage)
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// storedPapers loads the config at cfgPath and reads every paper its store holds.
func storedPapers(t *testing.T, ctx context.Context, cfgPath string) (*config.Config, []*model.Paper) {
	t.Helper()
	cfg, err := loadConfig(ctx, cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	store, err := openStore(ctx, cfg, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	all, err := store.Topic(ctx, db.TopicQuery{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return cfg, all
}

// arxivIDs are the distinct arXiv ids of the entries of arXiv API answers.
func arxivIDs(docs ...[]byte) map[string]bool {
	re := regexp.MustCompile(`<id>https?://arxiv\.org/abs/([^<]+?)(v\d+)?</id>`)
	out := map[string]bool{}
	for _, d := range docs {
		for _, m := range re.FindAllSubmatch(d, -1) {
			out[string(m[1])] = true
		}
	}
	return out
}

// e2eStorages are the [storage] tables the end-to-end tests run on: SQLite
// always, PostgreSQL when pgtest's variable names a database (the subtest
// skips, saying so, otherwise).
func e2eStorages() []struct {
	name    string
	storage func(t *testing.T) string
} {
	return []struct {
		name    string
		storage func(t *testing.T) string
	}{
		{"sqlite", func(*testing.T) string { return `path = "e2e.db"` }},
		{"postgres", func(t *testing.T) string { return fmt.Sprintf("url = %q", pgtest.URL(t)) }},
	}
}

// TestEndToEnd collects recorded answers of every source type through the CLI,
// then reads the served and exported feeds back, on each storage engine.
func TestEndToEnd(t *testing.T) {
	for _, st := range e2eStorages() {
		t.Run(st.name, func(t *testing.T) { testEndToEnd(t, st.storage(t)) })
	}
}

func testEndToEnd(t *testing.T, storage string) {
	up := upstreams(t)
	dir := t.TempDir()
	cfgPath := writeE2EConfigOn(t, dir, up.URL, storage)
	ctx := context.Background()

	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"collect", "-config", cfgPath}, &stdout, &stderr); err != nil {
		t.Fatalf("collect: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	t.Logf("collect summary:\n%s", stdout.String())
	summary := stdout.String()
	for _, want := range []string{
		"hf ", "29 new",
		"arxiv-announce", "1 skipped", // the replacement of an unknown paper is not stored
		"journal ", "0 new, 1 merged", // the journal version meets the HF listing by title
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q", want)
		}
	}

	cfg, all := storedPapers(t, ctx, cfgPath)

	// A Hugging Face paper and its arXiv announcement are ONE paper (by id),
	// with HF upvotes and arXiv categories together.
	byID := map[string]int{}
	for _, p := range all {
		if p.ArxivID != "" {
			byID[p.ArxivID]++
		}
		if p.ArxivID == "2410.17243" {
			if !slices.Contains(p.Sources(), "hf") || !slices.Contains(p.Sources(), "arxiv-announce") {
				t.Errorf("2410.17243 sightings: %v", p.Sources())
			}
			if p.Upvotes != 64 || !slices.Contains(p.Categories, "cs.CV") || len(p.Authors) != 9 {
				t.Errorf("2410.17243 merged record: upvotes %d categories %v authors %v", p.Upvotes, p.Categories, p.Authors)
			}
			if p.Link("huggingface") == "" || p.Link("pdf") == "" {
				t.Errorf("2410.17243 links: %+v", p.Links)
			}
		}
		// ... and a journal item without identifiers meets the HF paper by title.
		if strings.HasPrefix(p.Title, "Can Knowledge Editing Really Correct Hallucinations") {
			if !slices.Contains(p.Sources(), "journal") || !slices.Contains(p.Sources(), "hf") || p.Upvotes != 41 {
				t.Errorf("title meeting: sources %v upvotes %d", p.Sources(), p.Upvotes)
			}
		}
	}
	for id, n := range byID {
		if n > 1 {
			t.Errorf("arXiv id %s stored %d times", id, n)
		}
	}
	// The overlapping API pages ingest with zero duplicates: one paper per distinct id.
	want := arxivIDs(
		sharedGlob(t, "arxiv-api/arxivpy_extracted_bodies/q_testing_s0_m15_*.xml"),
		sharedGlob(t, "arxiv-api/arxivpy_extracted_bodies/q_testing_s5_m15_*.xml"),
		sharedGlob(t, "arxiv-api/arxivpy_extracted_bodies/q_testing_s9_m15_*.xml"),
	)
	apiPapers := 0
	for _, p := range all {
		for _, s := range p.Sources() {
			if strings.HasPrefix(s, "api-") {
				apiPapers++
				if !want[p.ArxivID] {
					t.Errorf("API paper %q (%s) not in the recordings", p.Title, p.ArxivID)
				}
				break
			}
		}
	}
	if apiPapers != len(want) || len(want) < 15 {
		t.Errorf("API pages: %d papers stored, %d distinct ids recorded", apiPapers, len(want))
	}

	// Serve: every topic in every format reads back.
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.store.Close()
	h, _, err := newHandler(a, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	get := func(path string) []byte {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
		}
		return b
	}
	parser := gofeed.NewParser()
	for _, topic := range []string{"all", "contrastive", "hf-trending"} {
		for _, ext := range []string{"atom", "rss", "json"} {
			path := "/topics/" + topic + "." + ext
			f, err := parser.Parse(bytes.NewReader(get(path)))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if len(f.Items) == 0 {
				t.Errorf("%s: no items", path)
			}
			if topic == "contrastive" {
				found := false
				for _, it := range f.Items {
					found = found || strings.HasPrefix(it.Title, "Breaking the Memory Barrier")
				}
				if !found {
					t.Errorf("%s lacks the contrastive-loss paper", path)
				}
			}
			if topic == "all" && len(f.Items) != min(len(all), 50) && len(f.Items) < 50 {
				t.Errorf("%s: %d items of %d papers", path, len(f.Items), len(all))
			}
		}
	}
	// The Atom entry of the merged paper carries every author and its related links.
	atom := string(get("/topics/contrastive.atom"))
	for _, want := range []string{"<name>Lidong Bing</name>", `rel="related"`, "huggingface.co/papers/2410.17243", `term="cs.CV"`} {
		if !strings.Contains(atom, want) {
			t.Errorf("contrastive.atom lacks %s", want)
		}
	}
	var opml struct {
		Outlines []struct {
			XMLURL string `xml:"xmlUrl,attr"`
		} `xml:"body>outline"`
	}
	if err := xml.Unmarshal(get("/topics.opml"), &opml); err != nil || len(opml.Outlines) != 3*len(cfg.Topics) { // each topic, its daily and weekly digest
		t.Errorf("opml: %v %+v", err, opml)
	}
	if !strings.Contains(string(get("/")), "Contrastive learning") {
		t.Error("index lacks a topic")
	}
	var status struct {
		Papers  int64
		Sources []struct {
			Name, Health string
			Papers       int64
		}
	}
	if err := json.Unmarshal(get("/status?format=json"), &status); err != nil {
		t.Fatal(err)
	}
	if status.Papers != int64(len(all)) || len(status.Sources) != len(cfg.Sources) {
		t.Errorf("status: %d papers, %d sources", status.Papers, len(status.Sources))
	}
	for _, s := range status.Sources {
		if s.Health != "ok" || (s.Papers == 0 && s.Name != "arxiv-announce") {
			t.Errorf("status of %s: %+v", s.Name, s)
		}
	}
	metrics := string(get("/metrics"))
	for _, want := range []string{`paperfeed_papers_stored `, `paperfeed_feed_requests_total{format="atom",status="200",topic="contrastive"}`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	get("/healthz")
	get("/readyz")

	// Export writes the same files at the same paths.
	out := filepath.Join(dir, "out")
	stdout.Reset()
	if err := run(ctx, []string{"export", "-config", cfgPath, "-out", out}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"index.html", "topics.opml", "topics/all.atom", "topics/all.rss", "topics/all.json", "topics/contrastive.atom", "topics/contrastive/daily.atom", "topics/all/weekly.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("export: %v", err)
		}
	}
	exported, _ := os.ReadFile(filepath.Join(out, "topics/contrastive.json"))
	if !bytes.Equal(exported, get("/topics/contrastive.json")) {
		t.Error("exported contrastive.json differs from the served one")
	}
}

func TestCLIContract(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[server]\nlisten = \"127.0.0.1:0\"\n\n[[source]]\nname = \"a\"\ntype = \"feed\"\nurl = \"file:///dev/null\"\ncolour = 1\n"), 0o644)
	badQuery := filepath.Join(dir, "badquery.toml")
	os.WriteFile(badQuery, []byte("[[topic]]\nname = \"x\"\nquery = 'foo AND ('\n"), 0o644)
	good := filepath.Join(dir, "good.toml")
	os.WriteFile(good, []byte("[server]\nlisten = \"0.0.0.0:8080\"\n"), 0o644)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no command", nil, 2, "missing command"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"help", []string{"-h"}, 0, "paperfeed serve"},
		{"unknown key names line:column", []string{"check", "-config", bad}, 2, "bad.toml:8:1"},
		{"bad fts5 query", []string{"check", "-config", badQuery}, 2, `[[topic]] "x": query: bad query "foo AND ("`},
		{"missing config", []string{"check", "-config", filepath.Join(dir, "nope.toml")}, 2, "no such file"},
		{"export needs -out", []string{"export", "-config", good}, 2, "-out DIR is required"},
		{"check warns on public plain http", []string{"check", "-config", good}, 0, "warning: listen \"0.0.0.0:8080\" is not loopback"},
		{"bad log format", []string{"check", "-config", good, "-log-format", "xml"}, 2, "-log-format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, &stdout, &stderr)
			code := exitCode(err, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d (%v)", code, tt.code, err)
			}
			all := stdout.String() + stderr.String()
			if !strings.Contains(all, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, all)
			}
		})
	}
}

func TestShippedConfigChecks(t *testing.T) {
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"check", "-config", "../../config.toml"}, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"arxiv-cl-lg", "hf-daily", "nature-mi", "/topics/all.atom"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("check output lacks %q", want)
		}
	}
}

func TestRequestBodyCap(t *testing.T) {
	var read int
	h := capRequestBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		read = len(b)
		if err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		}
	}), 1000)
	tests := []struct {
		name   string
		body   io.Reader
		length int64
		code   int
	}{
		{"no body", nil, 0, 200},
		{"small", strings.NewReader("x"), 1, 200},
		{"declared too large", strings.NewReader(strings.Repeat("x", 2000)), 2000, 413},
		{"chunked too large", io.MultiReader(strings.NewReader(strings.Repeat("x", 2000))), -1, 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/", tt.body)
			req.ContentLength = tt.length
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.code || read > 1000 {
				t.Errorf("status %d (want %d), read %d bytes", rec.Code, tt.code, read)
			}
		})
	}
}

func TestBackup(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.toml")
	os.WriteFile(cfgPath, []byte("[storage]\npath = \"pf.db\"\n\n[[source]]\nname = \"j\"\ntype = \"feed\"\nurl = \"file://"+mustAbs(t, "testdata/journal.xml")+"\"\n"), 0o644)
	ctx := context.Background()
	if err := run(ctx, []string{"collect", "-config", cfgPath}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "copy.db")
	var stdout bytes.Buffer
	if err := run(ctx, []string{"backup", "-config", cfgPath, "-out", out}, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	copyStore, err := sqlite.Open(ctx, out, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer copyStore.Close()
	if st, _ := copyStore.Stats(ctx); st.Papers != 1 {
		t.Errorf("backup holds %d papers, want 1", st.Papers)
	}
	if ok, err := copyStore.IntegrityCheck(ctx); err != nil || ok != "ok" {
		t.Errorf("backup integrity: %q %v", ok, err)
	}
	// Never overwrites.
	err = run(ctx, []string{"backup", "-config", cfgPath, "-out", out}, io.Discard, io.Discard)
	if code := exitCode(err, io.Discard); code != 2 || !strings.Contains(err.Error(), "exists") {
		t.Errorf("second backup to the same file: exit %d, %v", code, err)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
