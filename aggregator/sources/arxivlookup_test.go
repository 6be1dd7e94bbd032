package sources

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// recordedLookup answers id_list requests with the recorded arXiv API answer
// of the same id_list (and 404 for one never recorded).
func recordedLookup(t *testing.T) http.HandlerFunc {
	t.Helper()
	rec := map[string][]byte{}
	for _, ids := range []string{"1605.08386", "1707.08567", "astro-ph/0601001", "0808.05394,1707.08567", "0000.0000", "0808.05394"} {
		name := strings.NewReplacer("/", "_", ",", "_").Replace(ids)
		rec[ids] = fixtureGlob(t, apiBodies+"id_"+name+"_s0_m100_*.xml")
	}
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		b, ok := rec[q.Get("id_list")]
		if !ok || q.Get("max_results") != "100" || q.Get("start") != "0" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/atom+xml")
		w.Write(b)
	}
}

func lookup(t *testing.T, l *ArxivLookup, ids ...string) *LookupResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return l.Lookup(ctx, client(), ids)
}

func foundIDs(r *LookupResult) []string {
	var out []string
	for id := range r.Found {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// TestArxivLookupRecorded replays recorded id_list answers: found, not found
// (an empty feed, or an id missing from a two-id answer), old-style ids and
// strings that are no arXiv id.
func TestArxivLookupRecorded(t *testing.T) {
	h := recordedLookup(t)
	for _, tc := range []struct {
		name      string
		batch     int
		ids       []string
		found     []string
		notFound  []string
		requests  int
		wantTitle map[string]string
		wantCats  map[string][]string
	}{
		{name: "one id per request", batch: 1,
			ids:      []string{"arXiv:1605.08386", "https://arxiv.org/abs/astro-ph/0601001v2", "0000.0000", "not an id"},
			found:    []string{"1605.08386", "astro-ph/0601001"},
			notFound: []string{"0000.0000", "not an id"}, // 0000.0000 is no valid id: never sent
			requests: 2,
			wantTitle: map[string]string{
				"1605.08386":       "Heat-bath random walks with Markov bases",
				"astro-ph/0601001": "Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III Transit Surveys Toward the Galactic Bulge and Carina",
			},
			wantCats: map[string][]string{"1605.08386": {"math.CO", "math.ST"}, "astro-ph/0601001": {"astro-ph"}},
		},
		// 0808.05394 (a five-digit number before 2015) is no arXiv id: unlike
		// arxiv.py, which recorded the answer to both, only the other is sent.
		{name: "invalid id never sent, duplicates asked once", batch: 2,
			ids:      []string{"0808.05394", "1707.08567", "arXiv:1707.08567"},
			found:    []string{"1707.08567"},
			notFound: []string{"0808.05394"},
			requests: 1,
			wantCats: map[string][]string{"1707.08567": {"cs.IT"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, seen := server(t, h)
			r := lookup(t, &ArxivLookup{Endpoint: srv.URL + "/api/query", Batch: tc.batch, Backoff: time.Millisecond}, tc.ids...)
			if len(r.Failed) > 0 {
				t.Fatalf("failed: %v (requests %v)", r.Failed, *seen)
			}
			eq(t, "found", foundIDs(r), tc.found)
			eq(t, "not found", r.NotFound, tc.notFound)
			eq(t, "requests", r.Requests, tc.requests)
			eq(t, "requests seen", len(*seen), tc.requests)
			for id, title := range tc.wantTitle {
				eq(t, "title of "+id, r.Found[id].Title, title)
			}
			for id, cats := range tc.wantCats {
				eq(t, "categories of "+id, r.Found[id].Categories, cats)
			}
		})
	}
}

// TestArxivLookupBatches splits 250 ids into requests of at most 100.
func TestArxivLookupBatches(t *testing.T) {
	empty := fixtureGlob(t, apiBodies+"id_0000.0000_s0_m100_*.xml")
	var sizes []int
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		sizes = append(sizes, len(strings.Split(r.URL.Query().Get("id_list"), ",")))
		w.Write(empty)
	})
	var ids []string
	for i := range 250 {
		ids = append(ids, fmt.Sprintf("2410.%05d", i+1))
	}
	r := lookup(t, &ArxivLookup{Endpoint: srv.URL}, ids...)
	eq(t, "request sizes", sizes, []int{100, 100, 50})
	eq(t, "not found", len(r.NotFound), 250)
	eq(t, "found", len(r.Found), 0)
}

// TestArxivLookupRetry retries a failing upstream, and never repeats a 400.
func TestArxivLookupRetry(t *testing.T) {
	ok := fixtureGlob(t, apiBodies+"id_1605.08386_s0_m100_*.xml")
	bad := fixtureGlob(t, apiBodies+"id_abc_s0_m100_*.xml")
	for _, tc := range []struct {
		name      string
		failures  int32 // answers of 503 before the recorded one
		status    int
		body      []byte
		found     int
		failed    int
		requests  int
		errSubstr string
	}{
		{name: "two 503 then the answer", failures: 2, status: 503, found: 1, requests: 3},
		{name: "503 every time", failures: 99, status: 503, failed: 1, requests: 3, errSubstr: "HTTP 503"},
		{name: "recorded 400 is not repeated", failures: 99, status: 400, body: bad, failed: 1, requests: 1, errSubstr: "arXiv API error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) <= tc.failures {
					w.WriteHeader(tc.status)
					w.Write(tc.body)
					return
				}
				w.Write(ok)
			})
			r := lookup(t, &ArxivLookup{Endpoint: srv.URL, Backoff: time.Millisecond}, "1605.08386")
			eq(t, "found", len(r.Found), tc.found)
			eq(t, "failed", len(r.Failed), tc.failed)
			eq(t, "requests", r.Requests, tc.requests)
			if tc.errSubstr != "" && !strings.Contains(r.Failed["1605.08386"].Error(), tc.errSubstr) {
				t.Errorf("error %q lacks %q", r.Failed["1605.08386"], tc.errSubstr)
			}
		})
	}
}

// TestArxivLookupCancelled stops waiting for a retry when ctx ends.
func TestArxivLookupCancelled(t *testing.T) {
	srv, _ := server(t, body(503, "text/plain", nil))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := (&ArxivLookup{Endpoint: srv.URL, Backoff: time.Hour}).Lookup(ctx, client(), []string{"1605.08386", "1707.08567"})
	eq(t, "failed", len(r.Failed), 2)
}
