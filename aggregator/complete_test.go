package aggregator

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/aggregator/sharedtest"
	"github.com/paperfeed/paperfeed/aggregator/sources"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// completion is a collector of the recorded Hugging Face listing whose arXiv
// API answers testdata/arxivapi_hf_synthetic.xml (no API answer for those ids
// was recorded), or fails with the status in fail; clock moves with at.
type completion struct {
	c     *Collector
	store db.Store
	fail  atomic.Int32
	asked []string // id_list of every API request
	mu    sync.Mutex
	at    time.Time
}

func newCompletion(t *testing.T) *completion {
	t.Helper()
	hf := sharedtest.File(t, "fixtures/hf-daily-papers/daily_papers_2024-10-25.json")
	api, err := os.ReadFile(filepath.Join("testdata", "arxivapi_hf_synthetic.xml"))
	if err != nil {
		t.Fatal(err)
	}
	k := &completion{at: now}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/daily_papers":
			w.Write(hf)
		case "/api/query":
			k.mu.Lock()
			k.asked = append(k.asked, r.URL.Query().Get("id_list"))
			k.mu.Unlock()
			if code := k.fail.Load(); code != 0 {
				http.Error(w, "unavailable", int(code))
				return
			}
			w.Header().Set("Content-Type", "application/atom+xml")
			w.Write(api)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	cfg := config.Default()
	cfg.Sources = []config.Source{{Name: "hf", Type: "huggingface", URL: srv.URL + "/api/daily_papers"}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	store := tempStore(t)
	clock := func() time.Time { k.mu.Lock(); defer k.mu.Unlock(); return k.at }
	k.c, err = New(cfg, store, fetch.New(fetch.Options{Timeout: 5 * time.Second}), Options{Now: clock,
		ArxivLookup: &sources.ArxivLookup{Endpoint: srv.URL + "/api/query", Attempts: 2, Backoff: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	k.store = store
	return k
}

func (k *completion) requests() int { k.mu.Lock(); defer k.mu.Unlock(); return len(k.asked) }

func (k *completion) advance(d time.Duration) { k.mu.Lock(); k.at = k.at.Add(d); k.mu.Unlock() }

func (k *completion) topic(t *testing.T, cats ...string) []*model.Paper {
	t.Helper()
	ps, err := k.store.Topic(context.Background(), db.TopicQuery{Categories: cats, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestCompletionKeepsHuggingFacePapers: a topic with categories = ["cs.LG",
// "cs.CL", "cs.AI"] sees no Hugging Face paper as listed, and sees those the
// arXiv API files there once completed, with nothing of the listing lost.
func TestCompletionKeepsHuggingFacePapers(t *testing.T) {
	k := newCompletion(t)
	ctx := context.Background()
	for _, s := range k.c.CollectAll(ctx) {
		if s.Err != nil || s.New != 29 {
			t.Fatalf("pass: %s", s)
		}
	}
	cats := []string{"cs.LG", "cs.CL", "cs.AI"}
	if ps := k.topic(t, cats...); len(ps) != 0 {
		t.Fatalf("%d papers in the topic before completion", len(ps))
	}
	before := map[string]*model.Paper{}
	for _, p := range all(t, k.store) {
		before[p.ArxivID] = p
	}

	sum := k.c.Complete(ctx)
	if sum.Err != nil || sum.Asked != 29 || sum.Completed != 6 || sum.NotFound != 23 || sum.Failed != 0 || sum.Requests != 1 {
		t.Fatalf("completion: %s", sum)
	}
	if got := len(strings.Split(k.asked[0], ",")); got != 29 {
		t.Errorf("one request of %d ids, want 29", got)
	}
	var got []string
	for _, p := range k.topic(t, cats...) {
		got = append(got, p.ArxivID)
	}
	slices.Sort(got)
	if want := []string{"2410.16251", "2410.17243", "2410.18533", "2410.18693", "2410.18975"}; !slices.Equal(got, want) {
		t.Errorf("topic after completion: %v, want %v (2410.18978 is cs.CV only)", got, want)
	}

	after := map[string]*model.Paper{}
	for _, p := range all(t, k.store) {
		after[p.ArxivID] = p
	}
	if len(after) != 29 {
		t.Fatalf("%d papers after completion, want the same 29", len(after))
	}
	for id, b := range before {
		a := after[id]
		if a.UID != b.UID || a.Upvotes != b.Upvotes || a.Title != b.Title || a.Abstract != b.Abstract {
			t.Errorf("%s lost listing data: %+v -> %+v", id, b, a)
		}
		for _, au := range b.Authors {
			if !slices.Contains(a.Authors, au) {
				t.Errorf("%s lost author %q", id, au)
			}
		}
		for _, l := range b.Links {
			if !slices.Contains(a.Links, l) {
				t.Errorf("%s lost link %+v", id, l)
			}
		}
		if sightingOf(a, "hf", b.Sightings[0].GUID) == nil {
			t.Errorf("%s lost its Hugging Face sighting", id)
		}
	}
	full := after["2410.17243"]
	for _, e := range []struct{ name, got, want string }{
		{"DOI", full.DOI, "10.5555/synthetic.2410.17243"},
		{"journal ref", full.JournalRef, "Synthetic Journal 1 (2025) 1"},
		{"comment", full.Comment, "Synthetic comment: 15 pages, 8 figures"},
		{"last author", full.Authors[len(full.Authors)-1], "Synthetic Tenth Author"},
	} {
		if e.got != e.want {
			t.Errorf("2410.17243 %s = %q, want %q", e.name, e.got, e.want)
		}
	}
	if sg := sightingOf(full, CompletionSource, "oai:arXiv.org:2410.17243"); !slices.Equal(full.Categories, []string{"cs.CV", "cs.LG"}) || sg == nil || sg.Rule != model.RuleIdentifier {
		t.Errorf("2410.17243 categories %v, sightings %+v", full.Categories, full.Sightings)
	}

	// Found and not-found ids are never asked again, even much later.
	k.advance(48 * time.Hour)
	if sum := k.c.Complete(ctx); sum.Asked != 0 || k.requests() != 1 {
		t.Errorf("second round asked again: %s (%d requests)", sum, k.requests())
	}
}

// TestCompletionFailureIsRetriedLater: a failing API fails no pass, records
// the ids as failed, and they are asked again only after completeRetry.
func TestCompletionFailureIsRetriedLater(t *testing.T) {
	k := newCompletion(t)
	ctx := context.Background()
	k.fail.Store(http.StatusServiceUnavailable)
	for _, s := range k.c.CollectAll(ctx) {
		if s.Err != nil {
			t.Fatalf("pass: %s", s)
		}
	}
	sum := k.c.Complete(ctx)
	if sum.Err != nil || sum.Failed != 29 || sum.Completed != 0 || sum.Requests != 2 {
		t.Fatalf("failing completion: %s", sum)
	}
	recs, err := k.store.ArxivLookups(ctx, []string{"2410.17243"})
	if err != nil || recs["2410.17243"].Outcome != db.LookupFailed || !strings.Contains(recs["2410.17243"].Error, "503") {
		t.Fatalf("record of a failure: %+v %v", recs, err)
	}
	k.fail.Store(0)
	k.advance(completeRetry / 2)
	if sum := k.c.Complete(ctx); sum.Asked != 0 {
		t.Errorf("asked again before the retry time: %s", sum)
	}
	k.advance(completeRetry)
	if sum := k.c.Complete(ctx); sum.Asked != 29 || sum.Completed != 6 {
		t.Errorf("retry: %s", sum)
	}
	if ps := k.topic(t, "cs.CL"); len(ps) != 3 {
		t.Errorf("%d cs.CL papers after the retry, want 3", len(ps))
	}
}

// TestRunCompletesAfterPasses: the scheduler runs a completion round after a
// pass that stored papers, beside the passes.
func TestRunCompletesAfterPasses(t *testing.T) {
	k := newCompletion(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { k.c.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if len(k.topic(t, "cs.LG", "cs.CL", "cs.AI")) == 5 {
			return
		}
	}
	t.Fatalf("no completion while running (%d API requests)", k.requests())
}

// sightingOf is p's sighting of (source, guid), nil when it has none.
func sightingOf(p *model.Paper, source, guid string) *model.Sighting {
	for i, s := range p.Sightings {
		if s.Source == source && s.GUID == guid {
			return &p.Sightings[i]
		}
	}
	return nil
}
