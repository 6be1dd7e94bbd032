package sources

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/db/model"
)

var hfNow = func() time.Time { return time.Date(2024, 10, 25, 12, 0, 0, 0, time.UTC) }

// hfServer answers each date with its document ("[]" for unknown dates) and
// supports conditional GETs with a per-date ETag.
func hfServer(t *testing.T, days map[string][]byte) (string, *[]string) {
	t.Helper()
	srv, seen := server(t, func(w http.ResponseWriter, r *http.Request) {
		d := r.URL.Query().Get("date")
		etag := `"` + d + `"`
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "application/json")
		if doc, ok := days[d]; ok {
			w.Write(doc)
			return
		}
		w.Write([]byte("[]"))
	})
	return srv.URL + "/api/daily_papers", seen
}

func TestHuggingFaceRecorded(t *testing.T) {
	u, seen := hfServer(t, map[string][]byte{"2024-10-25": fixture(t, "hf-daily-papers/daily_papers_2024-10-25.json")})
	s := mustNew(t, config.Source{Name: "hf", Type: "huggingface", URL: u}, Options{Now: hfNow})
	res, err := collect(t, s, &State{})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "requests", *seen, []string{"/api/daily_papers?date=2024-10-25", "/api/daily_papers?date=2024-10-24"})
	eq(t, "items", len(res.Items), 29)

	it := findItem(t, res.Items, "Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss")
	eq(t, "GUID", it.GUID, "https://huggingface.co/papers/2410.17243")
	eq(t, "Link", it.Link, "https://huggingface.co/papers/2410.17243")
	eq(t, "ArxivID", it.ArxivID, "2410.17243")
	eq(t, "Upvotes", it.Upvotes, 64)
	eq(t, "Authors", it.Authors, []string{"Zesen Cheng", "Hang Zhang", "Kehan Li", "Sicong Leng", "Zhiqiang Hu", "Fei Wu", "Deli Zhao", "Xin Li", "Lidong Bing"})
	eq(t, "Published", it.Published, date("2024-10-22T17:59:30Z"))
	eq(t, "Links", it.Links, []model.Link{
		{Kind: model.LinkHuggingFace, URL: "https://huggingface.co/papers/2410.17243"},
		{Kind: model.LinkAbstract, URL: "https://arxiv.org/abs/2410.17243"},
		{Kind: model.LinkPDF, URL: "https://arxiv.org/pdf/2410.17243"},
	})
	if !strings.HasPrefix(it.Abstract, "Contrastive loss is a powerful approach for representation learning, where larger batch sizes enhance performance") || strings.Contains(it.Abstract, "\n") {
		t.Errorf("Abstract = %q", it.Abstract[:100])
	}

	it = findItem(t, res.Items, "Multi-Draft Speculative Sampling: Canonical Architectures and Theoretical Limits")
	eq(t, "Upvotes", it.Upvotes, 2)
	eq(t, "Authors", it.Authors, []string{"Ashish Khisti", "M. Reza Ebrahimi", "Hassan Dbouk", "Arash Behboodi", "Roland Memisevic", "Christos Louizos"})
	eq(t, "Published", it.Published, date("2024-10-23T19:28:34Z"))
	for _, it := range res.Items {
		if strings.Contains(it.Title, "\n") || strings.Contains(it.Title, "  ") {
			t.Errorf("title keeps its hard wrap: %q", it.Title)
		}
	}
}

func TestHuggingFaceLinks(t *testing.T) {
	doc, err := os.ReadFile("testdata/hf_daily_papers_links.json")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := hfServer(t, map[string][]byte{"2025-01-03": doc})
	s := mustNew(t, config.Source{Name: "hf", Type: "huggingface", URL: u, Days: 1},
		Options{Now: func() time.Time { return time.Date(2025, 1, 2, 23, 0, 0, 0, time.FixedZone("X", -5*3600)) }})
	res, err := collect(t, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "items", len(res.Items), 1)
	it := res.Items[0]
	eq(t, "Title", it.Title, "A Hand-Written Entry")
	eq(t, "Authors", it.Authors, []string{"Ada Lovelace", "Alan Turing"})
	eq(t, "Upvotes", it.Upvotes, 7)
	eq(t, "Links[3:]", it.Links[3:], []model.Link{
		{Kind: model.LinkCode, URL: "https://github.com/example/repo"},
		{Kind: model.LinkProject, URL: "https://example.org/project"},
	})
	eq(t, "notes", res.Notes, []string{"2025-01-03: skipped 1 entries without a paper id or title"})
}

func TestHuggingFaceConditional(t *testing.T) {
	u, _ := hfServer(t, map[string][]byte{"2024-10-25": fixture(t, "hf-daily-papers/daily_papers_2024-10-25.json")})
	now := hfNow()
	s := mustNew(t, config.Source{Name: "hf", Type: "huggingface", URL: u}, Options{Now: func() time.Time { return now }})
	st := &State{}
	if _, err := collect(t, s, st); err != nil {
		t.Fatal(err)
	}
	eq(t, "validators", len(st.Validators), 2)
	res, err := collect(t, s, st)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "AllNotModified", res.AllNotModified, true)
	eq(t, "items", len(res.Items), 0)
	// A day later: today's page is new, yesterday's is unchanged, the day
	// before's validators are dropped.
	now = now.AddDate(0, 0, 1)
	res, err = collect(t, s, st)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "AllNotModified", res.AllNotModified, false)
	eq(t, "requests", res.Requests, 2)
	if _, ok := st.Validators[u+"?date=2024-10-24"]; ok {
		t.Error("validators of a day out of the window are kept")
	}
	eq(t, "validators", len(st.Validators), 2)
}

func TestHuggingFaceBadAnswers(t *testing.T) {
	errBody := fixture(t, "hf-daily-papers/error_not_found.json")
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		want []string
	}{
		{"error body with 200", body(200, "application/json", errBody), []string{"upstream error: Sorry, we can't find the page you are looking for.", "2024-10-24"}},
		{"error body with 404", body(404, "application/json", errBody), []string{"HTTP 404"}},
		{"html", body(200, "text/html", []byte("<!doctype html><html>Hugging Face is down</html>")), []string{"not JSON"}},
		{"empty body", body(200, "application/json", nil), []string{"empty body"}},
		{"object of another shape", body(200, "application/json", []byte(`{"papers":[]}`)), []string{"unexpected JSON object"}},
		{"array of numbers", body(200, "application/json", []byte(`[1,2]`)), []string{"unexpected JSON"}},
		{"id of the wrong type", body(200, "application/json", []byte(`[{"paper":{"id":2410.17243}}]`)), []string{"unexpected JSON"}},
		{"entries without papers", body(200, "application/json", []byte(`[{"title":"x"},{"title":"y"}]`)), []string{"none of the 2 entries"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := server(t, tc.h)
			s := mustNew(t, config.Source{Name: "hf", Type: "huggingface", URL: srv.URL}, Options{Now: hfNow})
			res, err := collect(t, s, &State{})
			wantErr(t, res, err, tc.want...)
		})
	}
}

// TestHuggingFaceTodayNotOutYet: early in a UTC day HF answers "not found" for
// today; the pass keeps yesterday's list and says so, instead of failing.
func TestHuggingFaceTodayNotOutYet(t *testing.T) {
	errBody := fixture(t, "hf-daily-papers/error_not_found.json")
	day := fixture(t, "hf-daily-papers/daily_papers_2024-10-25.json")
	for _, status := range []int{200, 404} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("date") == "2024-10-25" {
					w.WriteHeader(status)
					w.Write(errBody)
					return
				}
				w.Write(day)
			})
			s := mustNew(t, config.Source{Name: "hf", Type: "huggingface", URL: srv.URL}, Options{Now: hfNow})
			res, err := collect(t, s, &State{})
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "items", len(res.Items), 29)
			if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "2024-10-25: not published yet") {
				t.Errorf("notes %q", res.Notes)
			}
		})
	}
	// With one day configured there is nothing else to serve: an error.
	srv, _ := server(t, body(200, "application/json", errBody))
	s := mustNew(t, config.Source{Name: "hf", Type: "huggingface", URL: srv.URL, Days: 1}, Options{Now: hfNow})
	res, err := collect(t, s, &State{})
	wantErr(t, res, err, "upstream error")
}
