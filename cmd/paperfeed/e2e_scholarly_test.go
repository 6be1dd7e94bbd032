package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paperfeed/paperfeed/db/model"
)

// scholarlyUpstreams replays the journal APIs and an arXiv id lookup on
// 127.0.0.1 (bioRxiv comes from upstreams): the recorded answers from
// ../shared, and the synthetic ones in the sources package's testdata where
// no recording has the shape needed.
func scholarlyUpstreams(t *testing.T) *httptest.Server {
	t.Helper()
	synthetic := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "..", "aggregator", "sources", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	files := map[string][]byte{
		"/arxiv":               sharedGlob(t, "arxiv-api/arxivpy_extracted_bodies/id_2104.12255v1_*.xml"),
		"/crossref":            synthetic("crossref_synthetic_relations.json"),
		"/openalex":            synthetic("openalex_synthetic_overlap.json"),
		"/pubmed/esearch.fcgi": bytes.Replace(sharedFixture(t, "pubmed/biopython__esearch2.xml"), []byte("<Count>42249</Count>"), []byte("<Count>2</Count>"), 1),
		"/pubmed/efetch.fcgi":  synthetic("pubmed_synthetic_efetch.xml"),
		"/openalex-end":        sharedFixture(t, "openalex/extracted_bodies/rkrug-openalexPro__pro_snowball__4_filter-openalex_cursor-page2_next_cursor-null_0results.json"),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		if strings.HasPrefix(path, "/crossref/") {
			if r.URL.Query().Get("cursor") != "*" {
				w.Write([]byte(`{"status":"ok","message-type":"work-list","message":{"total-results":3,"items":[]}}`))
				return
			}
			path = "/crossref"
		}
		if path == "/openalex/works" {
			path = "/openalex"
			if r.URL.Query().Get("cursor") != "*" {
				path = "/openalex-end"
			}
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

// TestEndToEndScholarly collects the journal APIs after arXiv and bioRxiv
// through the CLI: a journal version and its preprint are one paper, and so
// is a preprint OpenAlex lists under its DOI.
func TestEndToEndScholarly(t *testing.T) {
	for _, st := range e2eStorages() {
		t.Run(st.name, func(t *testing.T) { testEndToEndScholarly(t, st.storage(t)) })
	}
}

func testEndToEndScholarly(t *testing.T, storage string) {
	bio, up := upstreams(t), scholarlyUpstreams(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.toml")
	cfg := fmt.Sprintf(`
[storage]
%[3]s

[collect]
timeout = "5s"
workers = 1
user_agent = "paperfeed-test (mailto:ops@example.org)"
arxiv_api_url = ""

[[source]]
name = "biorxiv"
type = "biorxiv"
url = "%[2]s/biorxiv"

[[source]]
name = "arxiv"
type = "arxiv-api"
url = "%[1]s/arxiv"
query = "id:2104.12255"
max_results = 10

[[source]]
name = "nature"
type = "crossref"
url = "%[1]s/crossref"
issn = ["0028-0836"]

[[source]]
name = "openalex"
type = "openalex"
url = "%[1]s/openalex"
filter = "primary_topic.id:T10028"

[[source]]
name = "pubmed"
type = "pubmed"
url = "%[1]s/pubmed"
term = "breast cancer[tiab]"
`, up.URL, bio.URL, storage)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"collect", "-config", cfgPath}, &stdout, &stderr); err != nil {
		t.Fatalf("collect: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	t.Logf("collect summary:\n%s", stdout.String())
	for _, want := range []string{"nature               1 new, 2 merged", "openalex             0 new, 2 merged", "pubmed               1 new, 1 merged"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("summary lacks %q", want)
		}
	}

	_, all := storedPapers(t, ctx, cfgPath)
	find := func(match func(*model.Paper) bool) []*model.Paper {
		var out []*model.Paper
		for _, p := range all {
			if match(p) {
				out = append(out, p)
			}
		}
		return out
	}
	// The journal article names its bioRxiv preprint (has-preprint): one paper.
	got := find(func(p *model.Paper) bool { return p.DOI == "10.1101/2025.03.25.645286" })
	if len(got) != 1 {
		t.Fatalf("bioRxiv DOI stored %d times", len(got))
	}
	p := got[0]
	if !slices.Contains(p.Sources(), "biorxiv") || !slices.Contains(p.Sources(), "nature") {
		t.Errorf("preprint and journal version not merged: sources %v", p.Sources())
	}
	if p.Link(model.LinkDOI) == "" || !slices.ContainsFunc(p.Links, func(l model.Link) bool { return l.URL == "https://doi.org/10.1038/s41586-099-0001-1" }) {
		t.Errorf("merged paper lacks the journal DOI link: %+v", p.Links)
	}
	if len(find(func(p *model.Paper) bool { return strings.HasPrefix(p.Title, "Gene drives") })) != 0 {
		t.Error("the journal version was stored apart")
	}
	// OpenAlex lists the bioRxiv preprint under its DOI: one paper.
	got = find(func(p *model.Paper) bool { return p.DOI == "10.64898/2026.04.19.716936" })
	if len(got) != 1 || !slices.Contains(got[0].Sources(), "biorxiv") || !slices.Contains(got[0].Sources(), "openalex") {
		t.Errorf("bioRxiv 10.64898/2026.04.19.716936: %d papers, sources %v", len(got), sourcesOf(got))
	}
	// PubMed lists another bioRxiv preprint under its DOI: one paper, with the PMC link.
	got = find(func(p *model.Paper) bool { return p.DOI == "10.64898/2026.09.03.748963" })
	if len(got) != 1 || !slices.Contains(got[0].Sources(), "biorxiv") || !slices.Contains(got[0].Sources(), "pubmed") || got[0].Link(model.LinkFullText) == "" {
		t.Errorf("bioRxiv 10.64898/2026.09.03.748963: %d papers, sources %v", len(got), sourcesOf(got))
	}
	// The journal version of an arXiv paper (a 10.48550 preprint DOI) joins it by arXiv id.
	got = find(func(p *model.Paper) bool { return p.ArxivID == "2104.12255" })
	if len(got) != 1 || !slices.Contains(got[0].Sources(), "arxiv") || !slices.Contains(got[0].Sources(), "nature") || !slices.Contains(got[0].Sources(), "openalex") {
		t.Errorf("arXiv 2104.12255: %d papers, sources %v", len(got), sourcesOf(got))
	}
}

func sourcesOf(ps []*model.Paper) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Sources()...)
	}
	return out
}
