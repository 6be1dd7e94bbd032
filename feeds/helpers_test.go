package feeds

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/merge"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

var t0 = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

// clock is a settable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

type fixture struct {
	cfg   *config.Config
	store db.Store
	srv   *Server
	clock *clock
	reg   *prometheus.Registry
}

func testConfig(t testing.TB) *config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.Server.BaseURL = "https://papers.example.org"
	cfg.Server.Title = "Test papers"
	cfg.Sources = []config.Source{
		{Name: "arxiv", Type: "arxiv", Categories: []string{"cs.LG"}},
		{Name: "hf", Type: "huggingface"},
		{Name: "biorxiv", Type: "biorxiv"},
	}
	cfg.Topics = []config.Topic{
		{Name: "ml", Title: "Machine learning", Description: "Learning papers from arXiv & HF.", Query: "learning OR diffusion", Categories: []string{"cs.LG", "cs.CL"}},
		{Name: "trending", Title: "Trending on HF", Sources: []string{"hf"}, Sort: "trending"},
		{Name: "bio", Title: "Biology", Description: "bioRxiv", Sources: []string{"biorxiv"}, Window: config.Duration(7 * 24 * time.Hour)},
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// testItems is the seed: several authors, categories, every link kind, a paper
// without links, one seen by two sources.
func testItems() []model.Item {
	return []model.Item{
		{
			Source: "arxiv", GUID: "oai:arXiv.org:2503.01234", Link: "https://arxiv.org/abs/2503.01234",
			Title: "Learning to Rank Papers", Abstract: "We learn to rank papers. Results: x < y & z > w.",
			Authors: []string{"Ada Lovelace", "Alan Turing", "Grace Hopper"}, Categories: []string{"cs.LG", "cs.IR"},
			Published: t0.Add(-24 * time.Hour), ArxivID: "2503.01234", DOI: "10.48550/arxiv.2503.01234",
			Links: []model.Link{
				{Kind: model.LinkAbstract, URL: "https://arxiv.org/abs/2503.01234"},
				{Kind: model.LinkPDF, URL: "https://arxiv.org/pdf/2503.01234"},
				{Kind: model.LinkDOI, URL: "https://doi.org/10.48550/arxiv.2503.01234"},
				{Kind: model.LinkHuggingFace, URL: "https://huggingface.co/papers/2503.01234"},
				{Kind: model.LinkCode, URL: "https://github.com/example/rank"},
				{Kind: model.LinkProject, URL: "https://example.org/rank"},
			},
		},
		{
			Source: "hf", GUID: "2503.05555", Link: "https://huggingface.co/papers/2503.05555",
			Title: "Diffusion Models Are Trendy", Abstract: "A diffusion paper with many upvotes.",
			Authors: []string{"Yann Example", "Fei Sample"}, Categories: []string{"cs.CV"},
			Published: t0.Add(-6 * time.Hour), ArxivID: "2503.05555", Upvotes: 42,
			Links: []model.Link{
				{Kind: model.LinkAbstract, URL: "https://arxiv.org/abs/2503.05555"},
				{Kind: model.LinkHuggingFace, URL: "https://huggingface.co/papers/2503.05555"},
			},
		},
		{
			Source: "biorxiv", GUID: "10.1101/2025.03.01.123456v1", Link: "https://www.biorxiv.org/content/10.1101/2025.03.01.123456v1",
			Title: "Protein Folding in Cells", Abstract: "Proteins fold.",
			Authors: []string{"Rosalind Franklin"}, Categories: []string{"biophysics"},
			Published: t0.Add(-48 * time.Hour), DOI: "10.1101/2025.03.01.123456",
			Links: []model.Link{
				{Kind: model.LinkDOI, URL: "https://doi.org/10.1101/2025.03.01.123456"},
				{Kind: model.LinkPDF, URL: "https://www.biorxiv.org/content/10.1101/2025.03.01.123456v1.full.pdf"},
			},
		},
		{
			Source: "hf", GUID: "old-1", Link: "https://huggingface.co/papers/2401.00001",
			Title: "An Older Paper", Abstract: "Old but gold.", Authors: []string{"Old Author"},
			Published: t0.Add(-30 * 24 * time.Hour), Upvotes: 3,
		},
	}
}

func seed(t testing.TB, s db.Store, now time.Time, items ...model.Item) {
	t.Helper()
	err := s.Update(context.Background(), func(tx db.Tx) error {
		for i := range items {
			p := merge.New(&items[i], now)
			p.TitleKey = "key:" + items[i].GUID
			if err := tx.Save(context.Background(), p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// mergeInto merges it into the stored paper that holds its sighting.
func mergeInto(t testing.TB, s db.Store, now time.Time, it model.Item) {
	t.Helper()
	ctx := context.Background()
	err := s.Update(ctx, func(tx db.Tx) error {
		cs, err := tx.Candidates(ctx, it.Source, it.GUID, it.ArxivID, it.DOI, "", nil)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			t.Fatalf("no stored paper for %s/%s", it.Source, it.GUID)
		}
		p, err := tx.Paper(ctx, cs[0].ID)
		if err != nil {
			return err
		}
		merge.Into(p, &it, now)
		return tx.Save(ctx, p)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func newFixture(t testing.TB, cfg *config.Config, items ...model.Item) *fixture {
	t.Helper()
	if cfg == nil {
		cfg = testConfig(t)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if items == nil {
		items = testItems()
	}
	seed(t, st, t0.Add(-time.Hour), items...)
	f := &fixture{cfg: cfg, store: st, clock: &clock{t: t0}, reg: prometheus.NewRegistry()}
	f.srv, err = NewServer(cfg, st, Options{Now: f.clock.Now, Registerer: f.reg})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// do runs one request through the handler.
func (f *fixture) do(t testing.TB, method, target string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, body
}

func (f *fixture) get(t testing.TB, target string) []byte {
	t.Helper()
	res, body := f.do(t, "GET", target, nil)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", target, res.StatusCode, body)
	}
	return body
}
