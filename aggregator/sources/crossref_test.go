package sources

import (
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/db/model"
)

const crossrefDir = "crossref/extracted_bodies/"

// emptyCrossrefPage is the answer past the end of a cursor.
const emptyCrossrefPage = `{"status":"ok","message-type":"work-list","message-version":"1.0.0","message":{"facets":{},"next-cursor":"X","total-results":454,"items":[],"items-per-page":20}}`

// crossrefCursor answers the first page of a cursor with b and the next one empty.
func crossrefCursor(b []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("cursor") != "*" {
			w.Write([]byte(emptyCrossrefPage))
			return
		}
		w.Write(b)
	}
}

// TestCrossrefRecordedLists runs a pass on every recorded work list.
func TestCrossrefRecordedLists(t *testing.T) {
	for _, tt := range []struct {
		file            string
		requests, items int
		notes           []string
		doi, title      string
		authors         []string
		published       string
		journal         string
		abstract        string // a prefix
	}{
		{file: "test_cursor__0.json", requests: 2, items: 20,
			doi: "10.59350/7mtwq-q3661", title: "The SWT JChemPaint (viewing) widget", authors: []string{"Egon Willighagen"},
			published: "2008-06-18T00:00:00Z", abstract: "In addition to this Swing-based screenshot of JChemPaint , here's a SWT widget in action"},
		{file: "test_works_field_query_publisher_name__0.json", requests: 1, items: 20,
			doi: "10.5902/2175497775344", title: "Relações Públicas e Design Thinking: experiências convergentes na prototipação de um e-book sobre gestão de eventos no pós-pandemia",
			authors: []string{"Fabio Frá Fernandes", "Eugenia Maria Mariano da Rocha Barichello", "Roberta e Silva Hoffmann da Rocha"}, published: "2023-12-01T00:00:00Z",
			journal: "Animus. Revista Interamericana de Comunicação Midiática", abstract: "O presente texto, descreve uma pesquisa aplicada"},
		{file: "test_works_no_id_withlimit__0.json", requests: 1, items: 2,
			doi: "10.1007/978-3-658-17671-6_18-1", title: "Soziale Innovation", authors: []string{"Jürgen Howaldt", "Michael Schwarz"},
			published: "2018-11-03T00:00:00Z" /* published-online before published-print 2019 */, journal: "Handbuch Innovationsforschung"},
		{file: "test_works_query__0.json", requests: 1, items: 2,
			doi: "10.1093/obo/9780199830060-0238", title: "Communicating Ecology", published: "2022-07-26T00:00:00Z", journal: "Ecology",
			abstract: "Communication is perhaps the most important, but least formally discussed, aspect"},
		{file: "test_works_sample__0.json", requests: 1, items: 1, notes: []string{"skipped 1 works without a DOI or a title"},
			doi: "10.3917/mult.095.0001", title: "Icônes", authors: []string{"Denilson Baniwa"}, published: "2024-05-16T00:00:00Z"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			srv, seen := server(t, crossrefCursor(fixture(t, crossrefDir+tt.file)))
			s := mustNew(t, config.Source{Name: "cr", Type: "crossref", URL: srv.URL, Filter: "has-abstract:true", Mailto: "ops@example.org"}, Options{Now: at("2026-09-09T12:00:00Z")})
			res, err := collect(t, s, &State{})
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "first request", (*seen)[0], "/works?cursor=%2A&filter=from-pub-date%3A2026-09-03%2Ctype%3Ajournal-article%2Chas-abstract%3Atrue&mailto=ops%40example.org&order=desc&rows=100&sort=published")
			eq(t, "requests", res.Requests, tt.requests)
			eq(t, "items", len(res.Items), tt.items)
			eq(t, "notes", res.Notes, tt.notes)
			var it model.Item
			for _, x := range res.Items {
				if x.DOI == tt.doi {
					it = x
				}
			}
			eq(t, "Title", it.Title, tt.title)
			eq(t, "GUID", it.GUID, "doi:"+tt.doi)
			eq(t, "Authors", it.Authors, tt.authors)
			eq(t, "Published", it.Published, date(tt.published))
			if !strings.HasPrefix(it.JournalRef, tt.journal) {
				t.Errorf("JournalRef %q, want it to start with %q", it.JournalRef, tt.journal)
			}
			if !strings.HasPrefix(it.Abstract, tt.abstract) || strings.Contains(it.Abstract, "<") {
				t.Errorf("Abstract %q, want the text starting %q", it.Abstract, tt.abstract)
			}
			if !slices.Contains(it.Links, model.Link{Kind: model.LinkDOI, URL: "https://doi.org/" + tt.doi}) {
				t.Errorf("Links %+v lack the DOI", it.Links)
			}
		})
	}
}

// TestCrossrefRecordedWorks converts every recorded single-work answer
// (/works/{doi}) with the exported functions a DOI lookup uses, and fails a
// list pass that gets one.
func TestCrossrefRecordedWorks(t *testing.T) {
	for _, tt := range []struct {
		file, doi, title, journal, published, abstract string
		authors                                        int
		firstAuthor                                    string
	}{
		{"test_works_with_many_ids__0.json", "10.1016/j.neurobiolaging.2010.03.024", "Human umbilical cord blood-derived mesenchymal stem cells improve neuropathology and cognitive impairment in an Alzheimer's disease mouse model through modulation of neuroinflammation",
			"Neurobiology of Aging", "2012-03-01T00:00:00Z", "", 0, "Hyun Ju Lee"},
		// published-online (2005) wins over published-print (1997).
		{"test_works_with_many_ids__1.json", "10.1002/jor.1100150407", "Growth hormone secretagogue increases muscle strength during remobilization after canine hindlimb immobilization",
			"Journal of Orthopaedic Research", "2005-02-18T00:00:00Z", "Twenty‐two beagles were divided into two equal groups", 0, "Richard L. Lieber"},
		{"test_works_with_many_ids__2.json", "10.1038/srep16696", "Single-molecule FRET studies on alpha-synuclein oligomerization of Parkinson’s disease genetically related mutants",
			"Scientific Reports", "2015-11-19T00:00:00Z", "Oligomers of alpha-synuclein are toxic to cells", 0, "Laura Tosatto"},
		// issued [[null]]: no date.
		{"test_works_with_many_ids__3.json", "10.1109/icdcsw.2003.1203662", "Accurate and explicit differentiation of wireless and congestion losses",
			"23rd International Conference on Distributed Computing Systems Workshops, 2003. Proceedings.", "", "", 0, "V. Arya"},
		// An author with a family name only.
		{"test_works_with_many_ids__4.json", "10.3892/ijo_00000353", "Human bladder cancer cells undergo cisplatin-induced apoptosis that is associated with p53-dependent and p53-independent responses",
			"International Journal of Oncology", "2009-06-26T00:00:00Z", "", 0, "Stravopodis"},
		{"test_works_with_one_id__0.json", "10.1371/journal.pone.0033693", "Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of Microglia in the Basal Ganglia of Mice",
			"PLoS ONE", "2012-03-21T00:00:00Z", "", 0, "Shankar Sadasivan"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			b := fixture(t, crossrefDir+tt.file)
			w, err := ParseCrossrefWork(b)
			if err != nil {
				t.Fatal(err)
			}
			it, ok := CrossrefItem(w)
			if !ok {
				t.Fatal("not converted")
			}
			eq(t, "DOI", it.DOI, tt.doi)
			eq(t, "Title", it.Title, tt.title)
			if !strings.HasPrefix(it.JournalRef, tt.journal) {
				t.Errorf("JournalRef %q, want it to start with %q", it.JournalRef, tt.journal)
			}
			if tt.published == "" {
				eq(t, "Published", it.Published.IsZero(), true)
			} else {
				eq(t, "Published", it.Published, date(tt.published))
			}
			if !strings.HasPrefix(it.Abstract, tt.abstract) || strings.Contains(it.Abstract, "jats") || strings.HasPrefix(it.Abstract, "Abstract") {
				t.Errorf("Abstract %q, want the text starting %q", it.Abstract, tt.abstract)
			}
			eq(t, "first author", it.Authors[0], tt.firstAuthor)
			if len(w.Author) != len(it.Authors) {
				t.Errorf("%d authors recorded, %d kept", len(w.Author), len(it.Authors))
			}

			// A single work where a list is expected fails the pass.
			srv, _ := server(t, body(200, "application/json", b))
			s := mustNew(t, config.Source{Name: "cr", Type: "crossref", URL: srv.URL, ISSN: []string{"1932-6203"}}, Options{Now: at("2026-09-09T12:00:00Z")})
			res, err := collect(t, s, &State{})
			wantErr(t, res, err, `Crossref /journals/1932-6203/works page 1`, `message-type "work", want "work-list"`)
		})
	}
}

// TestCrossrefErrors: the recorded 404 (plain text) and other untrustworthy
// answers fail the pass with the URL and the upstream's message.
func TestCrossrefErrors(t *testing.T) {
	for _, tt := range []struct {
		name   string
		h      http.HandlerFunc
		wanted []string
	}{
		{"recorded 404 text", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(404)
			w.Write(fixture(t, crossrefDir+"test_works_bad_id_warn__0.json"))
		}, []string{"HTTP 404", "/journals/0028-0836/works?", `Crossref says "Resource not found."`}},
		{"400 validation failure", body(400, "application/json", []byte(`{"status":"failed","message-type":"validation-failure","message":[{"value":"bogus","message":"Filter bogus specified but there is no such filter for this route. Valid filters for this route are: ..."}]}`)),
			[]string{"HTTP 400", `Filter bogus specified but there is no such filter`}},
		{"HTML page", body(200, "text/html", []byte("<html><body>maintenance</body></html>")), []string{"not a JSON object"}},
		{"failed status", body(200, "application/json", []byte(`{"status":"failed","message-type":"exception","message":"Something broke"}`)), []string{`Crossref status "failed": Something broke`}},
		{"empty body", body(200, "application/json", nil), []string{"empty body"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := server(t, tt.h)
			s := mustNew(t, config.Source{Name: "cr", Type: "crossref", URL: srv.URL, ISSN: []string{"0028-0836"}}, Options{Now: at("2026-09-09T12:00:00Z")})
			res, err := collect(t, s, &State{})
			wantErr(t, res, err, tt.wanted...)
		})
	}
}

// TestCrossrefRelations reads the synthetic list with preprint relations,
// JATS sections, ORCID and an organisation author.
func TestCrossrefRelations(t *testing.T) {
	b, err := os.ReadFile("testdata/crossref_synthetic_relations.json")
	if err != nil {
		t.Fatal(err)
	}
	srv, seen := server(t, crossrefCursor(b))
	s := mustNew(t, config.Source{Name: "cr", Type: "crossref", URL: srv.URL, ISSN: []string{"0028-0836", "1476-4687"}, Days: 1}, Options{Now: at("2026-09-09T12:00:00Z"), UserAgent: "paperfeed/1 (mailto:ops@example.org)"})
	res, err := collect(t, s, &State{})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "requests", *seen, []string{
		"/journals/0028-0836/works?cursor=%2A&filter=from-pub-date%3A2026-09-09%2Ctype%3Ajournal-article&mailto=ops%40example.org&order=desc&rows=100&sort=published",
		"/journals/1476-4687/works?cursor=%2A&filter=from-pub-date%3A2026-09-09%2Ctype%3Ajournal-article&mailto=ops%40example.org&order=desc&rows=100&sort=published",
	})
	eq(t, "items (one per DOI over both journals)", len(res.Items), 3)

	it := res.Items[0]
	eq(t, "Title with subtitle", it.Title, "Gene drives in Anopheles mosquitoes: a field trial")
	eq(t, "Abstract", it.Abstract, "Background: Gene drives spread through H2O-breeding populations. Methods: We released Anopheles & counted (P<0.05).")
	eq(t, "Authors", it.Authors, []string{"Ada Lovelace", "Target Malaria Consortium"})
	eq(t, "Published (online before print)", it.Published, date("2026-09-08T00:00:00Z"))
	eq(t, "JournalRef", it.JournalRef, "Nature 601(7), 100-105")
	eq(t, "Categories", it.Categories, []string{"Multidisciplinary"})
	eq(t, "VersionDOIs", it.VersionDOIs, []string{"10.1101/2025.03.25.645286"})
	eq(t, "Links", it.Links, []model.Link{
		{Kind: model.LinkAbstract, URL: "https://www.nature.com/articles/s41586-099-0001-1"},
		{Kind: model.LinkDOI, URL: "https://doi.org/10.1038/s41586-099-0001-1"},
	})

	it = res.Items[1]
	eq(t, "arXiv preprint DOI -> arXiv id", it.ArxivID, "2104.12255")
	eq(t, "VersionDOIs", it.VersionDOIs, []string(nil))
	eq(t, "Published (print month)", it.Published, date("2026-09-01T00:00:00Z"))

	it = res.Items[2]
	eq(t, "posted date", it.Published, date("2026-01-01T00:00:00Z"))
	eq(t, "is-preprint-of", it.JournalRef, "doi:10.1038/s41586-099-0002-2")
	eq(t, "VersionDOIs", it.VersionDOIs, []string{"10.1038/s41586-099-0002-2"})
}

// TestCrossrefBackfill: the first pass drops the date bound and reads up to
// backfill works with progress; the next pass is a normal one.
func TestCrossrefBackfill(t *testing.T) {
	srv, seen := server(t, crossrefCursor(fixture(t, crossrefDir+"test_cursor__0.json")))
	var progress [][2]int
	s := mustNew(t, config.Source{Name: "cr", Type: "crossref", URL: srv.URL, Filter: "query:widget", Backfill: 15, WorkType: "book-chapter"},
		Options{Now: at("2026-09-09T12:00:00Z"), Progress: func(_ string, done, total int) { progress = append(progress, [2]int{done, total}) }})
	st := &State{}
	res, err := collect(t, s, st)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "backfill request", (*seen)[0], "/works?cursor=%2A&filter=type%3Abook-chapter%2Cquery%3Awidget&order=desc&rows=15&sort=published")
	eq(t, "requests (the page brought 20 >= 15)", res.Requests, 1)
	eq(t, "items", len(res.Items), 20)
	eq(t, "progress", progress, [][2]int{{15, 15}})
	eq(t, "notes", res.Notes, []string{"backfill done: 20 works"})
	eq(t, "state", st.BackfillDone, true)

	*seen = nil
	if _, err := collect(t, s, st); err != nil {
		t.Fatal(err)
	}
	eq(t, "normal pass after", (*seen)[0], "/works?cursor=%2A&filter=from-pub-date%3A2026-09-03%2Ctype%3Abook-chapter%2Cquery%3Awidget&order=desc&rows=100&sort=published")
}

// TestCrossrefPageBound: a cursor that never ends stops at the page bound with a note.
func TestCrossrefPageBound(t *testing.T) {
	b := fixture(t, crossrefDir+"test_cursor__0.json")
	srv, seen := server(t, body(200, "application/json", b))
	s := mustNew(t, config.Source{Name: "cr", Type: "crossref", URL: srv.URL, Filter: "query:widget"}, Options{Now: at("2026-09-09T12:00:00Z")})
	s.(*crossref).maxPages = 3
	res, err := collect(t, s, &State{})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "requests", len(*seen), 3)
	eq(t, "notes", res.Notes, []string{"/works: stopped after 3 pages (60 of 454 works)"})
	eq(t, "items", len(res.Items), 20)
}

func FuzzCrossrefList(f *testing.F) {
	f.Add([]byte(emptyCrossrefPage))
	f.Add([]byte(`{"status":"ok","message-type":"work-list","message":{"items":[{"DOI":"10.1/x","title":["<jats:p>a</jats:p>"],"issued":{"date-parts":[[null]]},"published-print":{"date-parts":[[2020,13,40]]}}]}}`))
	f.Add([]byte(`{"status":"ok","message-type":"work-list","message":{"items":[{"DOI":"10.1/x","title":["t"],"issued":{"date-parts":[[]]},"relation":{"has-preprint":[{"id-type":"doi","id":"10.48550/arxiv.x"}]}}]}}`))
	f.Add([]byte(`Resource not found.`))
	f.Fuzz(func(t *testing.T, b []byte) {
		page, err := ParseCrossrefList(b)
		if err != nil {
			return
		}
		for i := range page.Items {
			if it, ok := CrossrefItem(&page.Items[i]); ok && (it.DOI == "" || it.Title == "" || it.GUID == "") {
				t.Fatalf("converted without DOI, title or guid: %+v", it)
			}
		}
	})
}

// TestCrossrefBackfillProgress: over several journals the bar's total is an
// estimate (backfill per journal not read yet); it ends complete, also when
// a list runs short of the estimate.
func TestCrossrefBackfillProgress(t *testing.T) {
	for _, tt := range []struct {
		name, file string
		issns      []string
		want       [][2]int
	}{
		{"two journals", "test_works_sample__0.json", []string{"0028-0836", "1476-4687"}, [][2]int{{2, 12}, {4, 4}}},
		{"short list", "test_cursor__0.json", []string{"0028-0836"}, [][2]int{{20, 50}, {20, 50}, {20, 20}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := server(t, crossrefCursor(fixture(t, crossrefDir+tt.file)))
			var progress [][2]int
			backfill := 10
			if tt.name == "short list" {
				backfill = 50
			}
			s := mustNew(t, config.Source{Name: "cr", Type: "crossref", URL: srv.URL, ISSN: tt.issns, Backfill: backfill},
				Options{Now: at("2026-09-09T12:00:00Z"), Progress: func(_ string, done, total int) { progress = append(progress, [2]int{done, total}) }})
			if _, err := collect(t, s, &State{}); err != nil {
				t.Fatal(err)
			}
			eq(t, "progress", progress, tt.want)
		})
	}
}
