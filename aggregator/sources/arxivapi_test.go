package sources

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/db/model"
)

const apiBodies = "arxiv-api/arxivpy_extracted_bodies/"

func newAPI(t *testing.T, c config.Source, page int) *arxivAPI {
	t.Helper()
	c.Name, c.Type = "api", "arxiv-api"
	if c.Query == "" {
		c.Query = "all:testing"
	}
	s := mustNew(t, c, Options{}).(*arxivAPI)
	if page > 0 {
		s.page, s.bfPage = page, page
	}
	return s
}

// TestArxivAPIRecorded replays single recorded answers of every vintage.
func TestArxivAPIRecorded(t *testing.T) {
	for _, tc := range []struct {
		file  string
		glob  bool
		n     int
		title string
		check func(t *testing.T, it model.Item)
	}{
		{file: "arxiv-api/legacy2016_search_au_del_maestro_10entries.xml", n: 10, title: "A Luttinger Liquid Core Inside Helium-4 Filled Nanopores", check: func(t *testing.T, it model.Item) {
			eq(t, "ArxivID", it.ArxivID, "1201.4869")
			eq(t, "GUID", it.GUID, "oai:arXiv.org:1201.4869")
			eq(t, "Authors", it.Authors, []string{"Adrian Del Maestro"})
			eq(t, "DOI", it.DOI, "10.1142/s021797921244002x")
			eq(t, "JournalRef", it.JournalRef, "Int. J. Mod. Phys. B, 26, 1244002 (2012)")
			eq(t, "Comment", it.Comment, "26 pages, 10 figures")
			eq(t, "Categories", it.Categories, []string{"cond-mat.mes-hall", "cond-mat.other"})
			eq(t, "Published", it.Published, date("2012-01-23T21:15:02Z"))
			eq(t, "Links", it.Links, []model.Link{
				{Kind: model.LinkAbstract, URL: "https://arxiv.org/abs/1201.4869"},
				{Kind: model.LinkPDF, URL: "https://arxiv.org/pdf/1201.4869"},
				{Kind: model.LinkDOI, URL: "https://doi.org/10.1142/s021797921244002x"},
			})
			if !strings.HasPrefix(it.Abstract, "As helium-4 is cooled below 2.17 K it undergoes a phase transition to a fundamentally new state") {
				t.Errorf("Abstract not collapsed: %q", it.Abstract[:90])
			}
		}},
		{file: "arxiv-api/legacy2016_id_list_1111.2011v2.xml", n: 1, title: "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit", check: func(t *testing.T, it model.Item) {
			eq(t, "ArxivID", it.ArxivID, "1111.2011")
			eq(t, "Authors", it.Authors, []string{"James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"})
			eq(t, "Published (v1)", it.Published, date("2011-11-08T18:48:36Z"))
			eq(t, "Updated", it.Updated, date("2012-04-02T12:38:54Z"))
			eq(t, "Categories", it.Categories, []string{"cond-mat.str-el", "cond-mat.stat-mech"})
			eq(t, "DOI", it.DOI, "10.1103/physrevb.85.115117")
			eq(t, "Comment", it.Comment, "8 pages, 3 figures. Published version")
		}},
		{file: "arxiv-api/xiv_cat_cs.RO_AND_neural_2entries_2025-10-17.xml", n: 2, title: "RDD: Retrieval-Based Demonstration Decomposer for Planner Alignment in Long-Horizon Tasks", check: func(t *testing.T, it model.Item) {
			eq(t, "ArxivID", it.ArxivID, "2510.14968")
			eq(t, "Authors", it.Authors, []string{"Mingxuan Yan", "Yuping Wang", "Zechun Liu", "Jiachen Li"})
			eq(t, "Comment", it.Comment, "39th Conference on Neural Information Processing Systems (NeurIPS 2025); Project Website: rdd-neurips.github.io")
			eq(t, "Categories", it.Categories, []string{"cs.RO", "cs.AI", "cs.CV", "cs.LG", "cs.SY", "eess.SY"})
			eq(t, "Published", it.Published, date("2025-10-16T17:59:37Z"))
			eq(t, "DOI", it.DOI, "")
			eq(t, "Links", len(it.Links), 2)
		}},
		{file: "arxiv-api/zoia_id_list_1601.00001_2020-09-04.xml", n: 1, title: "Inelastic effects in molecular transport junctions: The probe technique at high bias", check: func(t *testing.T, it model.Item) {
			eq(t, "ArxivID", it.ArxivID, "1601.00001")
			eq(t, "Authors", it.Authors, []string{"Michael Kilgour", "Dvira Segal"})
			eq(t, "DOI", it.DOI, "10.1063/1.4944470")
			eq(t, "JournalRef", it.JournalRef, "J. Chem. Phys. 144, 124107 (2016)")
			eq(t, "Categories", it.Categories, []string{"cond-mat.mes-hall"})
			if !strings.HasPrefix(it.Abstract, `We extend the Landauer-B\"uttiker probe formalism`) || !strings.Contains(it.Abstract, "$I$-$V$ characteristics") {
				t.Errorf("Abstract = %q", it.Abstract)
			}
		}},
		{file: apiBodies + "id_1707.08567_*.xml", glob: true, n: 1, title: "Proceedings of Workshop AEW10: Concepts in Information Theory and Communications", check: func(t *testing.T, it model.Item) {
			eq(t, "authors", len(it.Authors), 34)
			eq(t, "first author", it.Authors[0], "Kees A. Schouhamer Immink")
			eq(t, "33rd author", it.Authors[32], "Dirk Wübben")
			eq(t, "last author", it.Authors[33], "Hirosuke Yamamoto")
			eq(t, "Comment", it.Comment, "44 pages, editors for the proceedings: Yanling Chen and A. J. Han Vinck")
			eq(t, "Categories", it.Categories, []string{"cs.IT"})
		}},
		{file: apiBodies + "id_astro-ph_0601001_*.xml", glob: true, n: 1, title: "Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III Transit Surveys Toward the Galactic Bulge and Carina", check: func(t *testing.T, it model.Item) {
			eq(t, "ArxivID (old style)", it.ArxivID, "astro-ph/0601001")
			eq(t, "Link", it.Link, "https://arxiv.org/abs/astro-ph/0601001")
		}},
		{file: apiBodies + "id_0000.0000_*.xml", glob: true, n: 0},
		{file: apiBodies + "q_testing_s0_m10_*.xml", glob: true, n: 10, title: "Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques", check: func(t *testing.T, it model.Item) {
			eq(t, "Authors", it.Authors, []string{"Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker"})
			eq(t, "DOI", it.DOI, "10.1109/icstw55395.2022.00035")
			eq(t, "Categories", it.Categories, []string{"cs.SE", "cs.LG"})
			eq(t, "JournalRef", it.JournalRef, "Artificial Intelligence in Software Testing @ 2022 IEEE International Conference on Software Testing, Verification and Validation Workshops (ICSTW)")
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var doc []byte
			if tc.glob {
				doc = fixtureGlob(t, tc.file)
			} else {
				doc = fixture(t, tc.file)
			}
			srv, _ := server(t, body(200, "application/atom+xml", doc))
			s := newAPI(t, config.Source{URL: srv.URL + "/api/query", MaxResults: 10}, 0)
			res, err := collect(t, s, &State{})
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "items", len(res.Items), tc.n)
			if tc.check != nil {
				tc.check(t, findItem(t, res.Items, tc.title))
			}
		})
	}
}

// pagesServer answers by start and max_results with the recorded pages of the
// query "testing"; route maps "start/max" to a file pattern.
func pagesServer(t *testing.T, route map[string]string) (*[]string, string) {
	t.Helper()
	docs := map[string][]byte{}
	for k, pat := range route {
		docs[k] = fixtureGlob(t, apiBodies+pat)
	}
	srv, seen := server(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		doc, ok := docs[q.Get("start")+"/"+q.Get("max_results")]
		if !ok {
			http.Error(w, "no recording for "+r.URL.RawQuery, 404)
			return
		}
		w.Write(doc)
	})
	return seen, srv.URL + "/api/query"
}

func TestArxivAPIPaging(t *testing.T) {
	tens := map[string]string{}
	for i := 0; i <= 50; i += 10 {
		tens[fmt.Sprintf("%d/10", i)] = fmt.Sprintf("q_testing_s%d_m10_*.xml", i)
	}
	for _, tc := range []struct {
		name       string
		route      map[string]string
		page, max  int
		wantReqs   int
		wantItems  int
		lastID     string
		wantNoteIn string
	}{
		{name: "six pages of 10", route: tens, page: 10, max: 60, wantReqs: 6, wantItems: 60, lastID: "2101.09077"},
		{name: "max_results 25 bounds the pass", route: tens, page: 10, max: 25, wantReqs: 3, wantItems: 25, lastID: "2109.07960"},
		{name: "page size is at most max_results", route: map[string]string{"0/10": "q_testing_s0_m10_*.xml"}, page: 100, max: 10, wantReqs: 1, wantItems: 10, lastID: "1812.11470"},
		// The upstream shifted between pages (the second page overlaps the first
		// by six), then repeated the first: overlap is dropped, a page with
		// nothing new ends the pass.
		{name: "overlapping pages", route: map[string]string{"0/15": "q_testing_s0_m15_*.xml", "15/15": "q_testing_s9_m15_*.xml", "30/15": "q_testing_s0_m15_*.xml"},
			page: 15, max: 45, wantReqs: 3, wantItems: 24, lastID: "1908.03707", wantNoteIn: "start=30 brought nothing new"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen, u := pagesServer(t, tc.route)
			s := newAPI(t, config.Source{URL: u, MaxResults: tc.max}, tc.page)
			res, err := collect(t, s, &State{})
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "requests", res.Requests, tc.wantReqs)
			eq(t, "items", len(res.Items), tc.wantItems)
			eq(t, "last id", res.Items[len(res.Items)-1].ArxivID, tc.lastID)
			ids := map[string]bool{}
			for _, it := range res.Items {
				if ids[it.ArxivID] {
					t.Errorf("duplicate %s", it.ArxivID)
				}
				ids[it.ArxivID] = true
			}
			q, _ := url.ParseQuery(strings.SplitN((*seen)[0], "?", 2)[1])
			eq(t, "search_query", q.Get("search_query"), "all:testing")
			eq(t, "sortBy", q.Get("sortBy"), "submittedDate")
			eq(t, "sortOrder", q.Get("sortOrder"), "descending")
			eq(t, "start", q.Get("start"), "0")
			if tc.wantNoteIn != "" && !strings.Contains(strings.Join(res.Notes, "|"), tc.wantNoteIn) {
				t.Errorf("notes %q lack %q", res.Notes, tc.wantNoteIn)
			}
		})
	}
}

func TestArxivAPIStopsAtTotal(t *testing.T) {
	doc := fixture(t, "arxiv-api/legacy2016_search_au_del_maestro_and_checkerboard.xml")
	srv, seen := server(t, body(200, "application/atom+xml", doc))
	res, err := collect(t, newAPI(t, config.Source{URL: srv.URL, MaxResults: 200}, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "requests", len(*seen), 1)
	eq(t, "items", len(res.Items), 1)
}

func TestArxivAPIBackfill(t *testing.T) {
	route := map[string]string{}
	for i := 0; i <= 30; i += 10 {
		route[fmt.Sprintf("%d/10", i)] = fmt.Sprintf("q_testing_s%d_m10_*.xml", i)
	}
	_, u := pagesServer(t, route)
	type call struct{ done, total int }
	var calls []call
	s := mustNew(t, config.Source{Name: "bf", Type: "arxiv-api", URL: u, Query: "all:testing", MaxResults: 10, Backfill: 40},
		Options{Progress: func(src string, done, total int) {
			if src != "bf" {
				t.Errorf("progress for %q", src)
			}
			calls = append(calls, call{done, total})
		}}).(*arxivAPI)
	s.page, s.bfPage = 10, 10
	st := &State{}
	res, err := collect(t, s, st)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "backfill items", len(res.Items), 40)
	eq(t, "progress", calls, []call{{10, 40}, {20, 40}, {30, 40}, {40, 40}})
	eq(t, "BackfillDone", st.BackfillDone, true)
	// Later passes are normal ones.
	res, err = collect(t, s, st)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "normal pass requests", res.Requests, 1)
	eq(t, "normal pass items", len(res.Items), 10)
	eq(t, "no more progress", len(calls), 4)
}

// fullBody hands out a recorded error answer whole, as a client without a cap
// on error bodies would.
type fullBody struct {
	status int
	body   []byte
}

func (f fullBody) Get(ctx context.Context, r fetch.Request) (*fetch.Response, error) {
	resp := &fetch.Response{URL: r.URL, Status: f.status, Body: f.body}
	if f.status >= 400 {
		return resp, &fetch.HTTPError{URL: r.URL, Status: f.status}
	}
	return resp, nil
}

func TestArxivAPIBadAnswers(t *testing.T) {
	errDoc := fixtureGlob(t, apiBodies+"id_abc_*.xml")
	emptyPage := []byte(`<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns="http://www.w3.org/2005/Atom">
<title>arXiv Query</title><opensearch:totalResults>214881</opensearch:totalResults></feed>`)
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		want []string
	}{
		// Through the real client: it keeps only the start of an error body.
		{"400 Error entry", body(400, "application/atom+xml", errDoc), []string{"HTTP 400", "incorrect id"}},
		{"Error entry with 200", body(200, "application/atom+xml", errDoc), []string{"arXiv API error: incorrect id format for abc"}},
		{"html page", body(200, "text/html", []byte("<html><head><title>503</title></head><body>Down</body></html>")), []string{"not an Atom feed"}},
		{"empty body", body(200, "application/atom+xml", []byte("  \n")), []string{"empty body"}},
		{"empty first page", body(200, "application/atom+xml", emptyPage), []string{"empty first page", "214881"}},
		{"json", body(200, "application/json", []byte(`{"entries":[]}`)), []string{"not an Atom feed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := server(t, tc.h)
			res, err := collect(t, newAPI(t, config.Source{URL: srv.URL}, 0), &State{})
			wantErr(t, res, err, tc.want...)
		})
	}
	t.Run("400 Error entry, whole body", func(t *testing.T) {
		s := newAPI(t, config.Source{Query: "id:abc"}, 0)
		res, err := s.Collect(context.Background(), fullBody{400, errDoc}, &State{})
		wantErr(t, res, err, "arXiv API error: incorrect id format for abc (HTTP 400)")
	})
}
