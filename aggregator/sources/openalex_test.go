package sources

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/db/model"
)

const openAlexDir = "openalex/extracted_bodies/"

// openAlexEnd is the recorded answer past the last page: results [] and next_cursor null.
const openAlexEnd = openAlexDir + "rkrug-openalexPro__pro_snowball__4_filter-openalex_cursor-page2_next_cursor-null_0results.json"

// openAlexCursor answers the first page with b and any later cursor with the recorded end.
func openAlexCursor(t *testing.T, b []byte) http.HandlerFunc {
	end := fixture(t, openAlexEnd)
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("cursor") != "*" {
			w.Write(end)
			return
		}
		w.Write(b)
	}
}

func newTestOpenAlex(t *testing.T, url string, c config.Source) Source {
	t.Helper()
	c.Name, c.Type, c.URL = "oa", "openalex", url
	if c.Filter == "" && c.Search == "" {
		c.Filter = "primary_topic.id:T10102"
	}
	return mustNew(t, c, Options{Now: at("2026-09-09T12:00:00Z"), UserAgent: "paperfeed/1 (+https://example.org; mailto:ops@example.org)"})
}

// TestOpenAlexRecordedLists runs a pass on every recorded work list.
func TestOpenAlexRecordedLists(t *testing.T) {
	for _, tt := range []struct {
		file            string
		requests, items int
		notes           []string
		guid, title     string
		doi, arxiv      string
		authors         int
		firstAuthor     string
		published       string
		journal         string
		categories      []string // a prefix
		abstract        string   // a prefix; "" for none
	}{
		{file: "rkrug-openalexPro__oa_snowball__0_filter-openalex_per-page1_page1.json", requests: 1, items: 1,
			guid: "openalex:W3046863325", title: "Trends of Publications' Citations and Altmetrics Based on Open Access Types", doi: "10.1145/3383583.3398584",
			authors: 2, firstAuthor: "Chifumi Nishioka", published: "2020-08-01T00:00:00Z",
			categories: []string{"scientometrics and bibliometrics research", "Research Data Management Practices", "Academic Publishing and Open Access", "Altmetrics"},
			abstract:   "This paper analyzes trends of citation and altmetrics with respect to different OA types"},
		// The count (2) is reached on the first page: no request for the empty one.
		{file: "rkrug-openalexPro__oa_snowball__1_filter-openalex_cursor-star_2results.json", requests: 1, items: 2,
			guid: "openalex:W3045921891", title: "Measuring prominence of scientific work in online news as a proxy for impact", doi: "10.48550/arxiv.2007.14454", arxiv: "2007.14454",
			published: "2020-07-28T00:00:00Z", authors: 3},
		{file: "rkrug-openalexPro__oa_snowball__2_filter-cites_per-page1_page1.json", requests: 1, items: 1,
			guid: "openalex:W4311043552", title: "Online and Distance Learning Research in The Last 30 Years: Real Contribution in Physics Learning", doi: "10.36312/esaintika.v6i3.897",
			authors: 6, firstAuthor: "Binar Kurnia Prahanı", published: "2022-11-30T00:00:00Z", journal: "Jurnal Penelitian dan Pengkajian Ilmu Pendidikan e-Saintika 6(3), 202-220",
			abstract: "Learning systems in emergencies, can be implemented"},
		{file: "rkrug-openalexPro__oa_snowball__3_filter-cites_cursor-star_5results.json", requests: 1, items: 5,
			guid: "openalex:W4311043552", title: "Online and Distance Learning Research in The Last 30 Years: Real Contribution in Physics Learning", doi: "10.36312/esaintika.v6i3.897",
			authors: 6, published: "2022-11-30T00:00:00Z"},
		{file: "rkrug-openalexPro__oa_snowball__4_filter-cited_by_per-page1_page1.json", requests: 1, items: 1,
			guid: "openalex:W2250539671", title: "Glove: Global Vectors for Word Representation", doi: "10.3115/v1/d14-1162",
			authors: 3, firstAuthor: "Jeffrey Pennington", published: "2014-01-01T00:00:00Z", abstract: "Recent methods for learning vector space representations of words"},
		// 38 works: BERT's title is "" (skipped, noted); a journal article with an arXiv location.
		{file: "rkrug-openalexPro__oa_snowball__5_filter-cited_by_cursor-star_38results.json", requests: 1, items: 37, notes: []string{"skipped 1 works without a title"},
			guid: "openalex:W1996515099", doi: "10.1007/s11192-015-1547-0", arxiv: "1503.05702", journal: "Scientometrics"},
		{file: "rkrug-openalexPro__oa_snowball__5_filter-cited_by_cursor-star_38results.json", requests: 1, items: 37, notes: []string{"skipped 1 works without a title"},
			guid: "openalex:W2091406001", title: "Tests for departure from normality. Empirical results for the distributions of b2 and √b1", journal: "Biometrika"},
		{file: "pro_snowball end page", requests: 1, items: 0},
		// The same work twice: the journal article and its arXiv preprint (two OpenAlex ids).
		{file: "paper-qa__test_title_search__paper_attributes2__3_filter-title.search_2results.json", requests: 1, items: 2,
			guid: "openalex:W4396723768", title: "Augmenting large language models with chemistry tools", doi: "10.1038/s42256-024-00832-8",
			authors: 6, firstAuthor: "Andres M. Bran", published: "2024-05-08T00:00:00Z", journal: "Nature Machine Intelligence 6(5), 525-535",
			abstract: "Large language models (LLMs) have shown strong performance"},
		{file: "paper-qa__test_title_search__paper_attributes2__3_filter-title.search_2results.json", requests: 1, items: 2,
			guid: "openalex:W4365597205", title: "ChemCrow: Augmenting large-language models with chemistry tools", doi: "10.48550/arxiv.2304.05376", arxiv: "2304.05376"},
		// select=ids: results without an id or a title.
		{file: "rkrug-openalexPro__pro_request_list_count__0_select-ids_per_page1_page1.json", requests: 1, items: 0,
			notes: []string{"skipped 1 results without an OpenAlex id (a select= without id?)"}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			var b []byte
			if tt.file == "pro_snowball end page" {
				b = fixture(t, openAlexEnd)
			} else {
				b = fixture(t, openAlexDir+tt.file)
			}
			srv, seen := server(t, openAlexCursor(t, b))
			s := newTestOpenAlex(t, srv.URL, config.Source{})
			res, err := collect(t, s, &State{})
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "first request", (*seen)[0], "/works?cursor=%2A&filter=from_publication_date%3A2026-09-03%2Cprimary_topic.id%3AT10102&mailto=ops%40example.org&per_page=100&sort=publication_date%3Adesc")
			eq(t, "requests", res.Requests, tt.requests)
			eq(t, "items", len(res.Items), tt.items)
			eq(t, "notes", res.Notes, tt.notes)
			if tt.guid == "" {
				return
			}
			var it model.Item
			for _, x := range res.Items {
				if x.GUID == tt.guid {
					it = x
				}
			}
			if it.GUID == "" {
				t.Fatalf("no item %s", tt.guid)
			}
			eq(t, "Link", it.Link, "https://openalex.org/"+strings.TrimPrefix(tt.guid, "openalex:"))
			if tt.title != "" {
				eq(t, "Title", it.Title, tt.title)
			}
			if tt.doi != "" {
				eq(t, "DOI", it.DOI, tt.doi)
			}
			eq(t, "ArxivID", it.ArxivID, tt.arxiv)
			if tt.authors > 0 {
				eq(t, "authors", len(it.Authors), tt.authors)
			}
			if tt.firstAuthor != "" {
				eq(t, "first author", it.Authors[0], tt.firstAuthor)
			}
			if tt.published != "" {
				eq(t, "Published", it.Published, date(tt.published))
			}
			if !strings.HasPrefix(it.JournalRef, tt.journal) {
				t.Errorf("JournalRef %q, want %q", it.JournalRef, tt.journal)
			}
			if len(tt.categories) > 0 && (len(it.Categories) < len(tt.categories) || !equalStrings(it.Categories[:len(tt.categories)], tt.categories)) {
				t.Errorf("Categories %q, want them to start %q", it.Categories, tt.categories)
			}
			if tt.abstract != "" && !strings.HasPrefix(it.Abstract, tt.abstract) {
				t.Errorf("Abstract %q, want it to start %q", it.Abstract, tt.abstract)
			}
		})
	}
}

func equalStrings(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

// TestOpenAlexNullAbstracts: a work whose abstract_inverted_index is null is
// kept without an abstract.
func TestOpenAlexNullAbstracts(t *testing.T) {
	page, err := ParseOpenAlexList(fixture(t, openAlexDir+"rkrug-openalexPro__oa_snowball__5_filter-cited_by_cursor-star_38results.json"))
	if err != nil {
		t.Fatal(err)
	}
	nulls, kept := 0, 0
	for i := range page.Results {
		w := &page.Results[i]
		if w.AbstractInvertedIndex != nil {
			continue
		}
		nulls++
		if it, ok := OpenAlexItem(w); ok {
			kept++
			eq(t, "Abstract of "+it.GUID, it.Abstract, "")
		}
	}
	eq(t, "null abstracts recorded", nulls, 8)
	eq(t, "kept", kept, 8)
}

// TestOpenAlexErrors: the recorded 400s, 401, HTML 404, the group_by answer and
// the single work fail the pass with the URL and OpenAlex's message.
func TestOpenAlexErrors(t *testing.T) {
	for _, tt := range []struct {
		file   string
		status int
		wanted []string
	}{
		{"rkrug-openalexPro__opt_filter_names__0_400_invalid_filter_field.json", 400,
			[]string{"HTTP 400", "/works?cursor=", `OpenAlex says "Invalid query parameters error. DOESNTEXIST is not a valid field. Valid fields are`}},
		{"rkrug-openalexPro__opt_filter_names__1_400_invalid_select_field.json", 400, []string{"HTTP 400", "DOESNTEXIST is not a valid select field"}},
		{"rkrug-openalexPro__pro_rate_limit_status_401__0_401_rate-limit_invalid_api_key.json", 401, []string{"HTTP 401", `OpenAlex says "Invalid or missing API key API key not found"`}},
		{"paper-qa__test_does_openalex_work__not-in-openalex__0_404_unknown_doi.html", 404, []string{"HTTP 404", `OpenAlex says "404 Not Found"`}},
		{"rkrug-openalexPro__pro_request_biodiversity_and_group_by_type__0_group_by-type.json", 200, []string{"OpenAlex works page 1", "not an OpenAlex work list"}},
		{"rkrug-openalexPro__api_call_200__0_single_work_W4234567890_title-null.json", 200, []string{"not an OpenAlex work list"}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			ctype := "application/json"
			if strings.HasSuffix(tt.file, ".html") {
				ctype = "text/html; charset=utf-8"
			}
			srv, _ := server(t, body(tt.status, ctype, fixture(t, openAlexDir+tt.file)))
			res, err := collect(t, newTestOpenAlex(t, srv.URL, config.Source{}), &State{})
			wantErr(t, res, err, tt.wanted...)
			if len(err.Error()) > 1000 {
				t.Errorf("error of %d bytes: the upstream message is not bounded", len(err.Error()))
			}
		})
	}
}

// TestOpenAlexSingleWorkNullTitle: the recorded work with title null converts to nothing.
func TestOpenAlexSingleWorkNullTitle(t *testing.T) {
	var w OpenAlexWork
	if err := json.Unmarshal(fixture(t, openAlexDir+"rkrug-openalexPro__api_call_200__0_single_work_W4234567890_title-null.json"), &w); err != nil {
		t.Fatal(err)
	}
	eq(t, "id", openAlexID(w.ID), "W4234567890")
	if _, ok := OpenAlexItem(&w); ok {
		t.Error("a work without a title was converted")
	}
}

// TestOpenAlexSearchBackfill: search and backfill (no date bound, pages of
// 200, progress), then a normal pass; a cursor that never ends stops at the bound.
func TestOpenAlexSearchBackfill(t *testing.T) {
	b := fixture(t, openAlexDir+"rkrug-openalexPro__oa_snowball__5_filter-cited_by_cursor-star_38results.json")
	srv, seen := server(t, openAlexCursor(t, b))
	var progress [][2]int
	s := mustNew(t, config.Source{Name: "oa", Type: "openalex", URL: srv.URL, Search: "word embeddings", Mailto: "me@example.org", Backfill: 500, PerPage: 25},
		Options{Now: at("2026-09-09T12:00:00Z"), Progress: func(_ string, done, total int) { progress = append(progress, [2]int{done, total}) }})
	st := &State{}
	res, err := collect(t, s, st)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "backfill request", (*seen)[0], "/works?cursor=%2A&mailto=me%40example.org&per_page=200&search=word+embeddings&sort=publication_date%3Adesc")
	eq(t, "requests (38 of count 38 on page 1)", res.Requests, 1)
	eq(t, "progress", progress, [][2]int{{38, 38}})
	eq(t, "notes", res.Notes, []string{"skipped 1 works without a title", "backfill done: 37 works"})
	eq(t, "state", st.BackfillDone, true)

	*seen = nil
	if _, err := collect(t, s, st); err != nil {
		t.Fatal(err)
	}
	eq(t, "normal pass", (*seen)[0], "/works?cursor=%2A&filter=from_publication_date%3A2026-09-03&mailto=me%40example.org&per_page=25&search=word+embeddings&sort=publication_date%3Adesc")

	// A server that repeats a page with a cursor forever: bounded, noted.
	rep := bytes.Replace(fixture(t, openAlexDir+"rkrug-openalexPro__oa_snowball__1_filter-openalex_cursor-star_2results.json"), []byte(`"count":2,`), []byte(`"count":999,`), 1)
	srv2, seen2 := server(t, body(200, "application/json", rep))
	s2 := newTestOpenAlex(t, srv2.URL, config.Source{})
	s2.(*openAlex).maxPages = 3
	res, err = collect(t, s2, &State{})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "bounded requests", len(*seen2), 3)
	eq(t, "bound note", res.Notes, []string{"stopped after 3 pages (6 of 999 works)"})
	eq(t, "items (one per id)", len(res.Items), 2)
}

// TestOpenAlexEndPage: a count the first page does not reach pages on with the
// cursor; the recorded end page (results [], next_cursor null) ends the pass.
func TestOpenAlexEndPage(t *testing.T) {
	b := bytes.Replace(fixture(t, openAlexDir+"rkrug-openalexPro__oa_snowball__1_filter-openalex_cursor-star_2results.json"), []byte(`"count":2,`), []byte(`"count":3,`), 1)
	srv, seen := server(t, openAlexCursor(t, b))
	res, err := collect(t, newTestOpenAlex(t, srv.URL, config.Source{}), &State{})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "requests", len(*seen), 2)
	if !strings.Contains((*seen)[1], "cursor=IlsnLUluZmluaXR5JywgMCwgJ2h0dHBzOi8vb3BlbmFsZXgub3JnL1czMDQ1OTIxODkxJ10i") {
		t.Errorf("second request %q does not carry next_cursor", (*seen)[1])
	}
	eq(t, "items", len(res.Items), 2)
	eq(t, "notes", res.Notes, []string(nil))
}

func TestInvertedAbstract(t *testing.T) {
	for _, tt := range []struct {
		name string
		idx  map[string][]int
		want string
	}{
		{"nil", nil, ""},
		{"order", map[string][]int{"b": {1}, "a": {0, 2}}, "a b a"},
		{"gap", map[string][]int{"a": {0}, "c": {2}}, "a  c"},
		{"negative", map[string][]int{"a": {-1}}, ""},
		{"huge", map[string][]int{"a": {openAlexMaxWords}}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) { eq(t, "text", invertedAbstract(tt.idx), tt.want) })
	}
}

func FuzzOpenAlexList(f *testing.F) {
	f.Add([]byte(`{"meta":{"count":1,"next_cursor":null},"results":[{"id":"https://openalex.org/W1","title":"<i>a</i>","abstract_inverted_index":{"x":[0,3]},"locations":[{"landing_page_url":"http://arxiv.org/abs/2007.14454"}]}]}`))
	f.Add([]byte(`{"meta":{"count":1},"results":[{"id":"W12","title":"","display_name":null}]}`))
	f.Add([]byte(`{"error":"Invalid","message":"no"}`))
	f.Add([]byte(`<!doctype html><title>404 Not Found</title>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		page, err := ParseOpenAlexList(b)
		if err != nil {
			return
		}
		for i := range page.Results {
			if it, ok := OpenAlexItem(&page.Results[i]); ok && (it.Title == "" || !strings.HasPrefix(it.GUID, "openalex:W")) {
				t.Fatalf("converted without a title or an id: %+v", it)
			}
		}
	})
}
