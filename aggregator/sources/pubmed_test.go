package sources

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/db/model"
)

const (
	pubmedSearchFixture = "pubmed/biopython__esearch2.xml" // Count 42249, WebEnv, QueryKey 1
	pubmedWebEnv        = "MCID_6927d6e7fee3e90f880ec190"
)

// markupLeftRE is a tag left in text ("P < 0.001" is text).
var markupLeftRE = regexp.MustCompile(`</?[A-Za-z][\w:.-]*[ />]`)

// pubmedServer answers esearch with search and efetch with fetch.
func pubmedServer(t *testing.T, search, fetchBody []byte) (string, *[]string) {
	t.Helper()
	srv, seen := server(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml; charset=UTF-8")
		switch {
		case strings.HasSuffix(r.URL.Path, "/esearch.fcgi"):
			w.Write(search)
		case strings.HasSuffix(r.URL.Path, "/efetch.fcgi"):
			w.Write(fetchBody)
		default:
			http.NotFound(w, r)
		}
	})
	return srv.URL, seen
}

// searchWithCount is the recorded esearch answer with its Count set to n, so
// that the pass fetches exactly what an efetch recording holds.
func searchWithCount(t *testing.T, n string) []byte {
	return bytes.Replace(fixture(t, pubmedSearchFixture), []byte("<Count>42249</Count>"), []byte("<Count>"+n+"</Count>"), 1)
}

func newTestPubmed(t *testing.T, url string, c config.Source) Source {
	t.Helper()
	c.Name, c.Type, c.URL = "pm", "pubmed", url+"/entrez/eutils"
	if c.Term == "" {
		c.Term = "cancer"
	}
	return mustNew(t, c, Options{Now: at("2026-09-09T12:00:00Z"), UserAgent: "paperfeed/1 (mailto:ops@example.org)"})
}

// TestPubmedRecordedArticles fetches every recorded efetch answer.
func TestPubmedRecordedArticles(t *testing.T) {
	type want struct {
		pmid, title, doi, pmc string
		authors               int
		first, last           string
		published             string
		journal               string
		abstract              string // a prefix
		contains              []string
		categories            int
		firstCategory         string
	}
	for _, tt := range []struct {
		file  string
		count string
		items []want
	}{
		{"biopython__pubmed1.xml", "2", []want{
			// No abstract; PubDate Year + Season.
			{pmid: "12091962", title: "The treatment of AIDS behind the walls of correctional facilities.", authors: 1, first: "J Michael Olivero", last: "J Michael Olivero",
				published: "1990-03-01T00:00:00Z", journal: "Social justice (San Francisco, Calif.) 17(1), 113-25", categories: 19, firstCategory: "AIDS Serodiagnosis"},
			{pmid: "9997", doi: "10.1016/0005-2795(76)90109-4", authors: 1, first: "T C Strekas", published: "1976-09-28T00:00:00Z", journal: "Biochimica et biophysica acta 446(1), 179-91",
				categories: 13, firstCategory: "Binding Sites"},
		}},
		{"biopython__pubmed2.xml", "2", []want{
			{pmid: "11748933", doi: "10.1006/cryo.2001.2328", authors: 8, first: "A R Taddei", last: "M Mazzini", published: "2001-06-01T00:00:00Z", categories: 11},
			{pmid: "11700088", title: "Proton MRI of (13)C distribution by J and chemical shift editing.", doi: "10.1006/jmre.2001.2429", authors: 6, last: "F De Luca", published: "2001-11-01T00:00:00Z", categories: 0},
		}},
		// Structured abstract; ArticleDate before the PubDate.
		{"biopython__pubmed4.xml", "1", []want{{pmid: "27797938", title: "Leucocyte telomere length, genetic variants at the TERT gene region and risk of pancreatic cancer.",
			doi: "10.1136/gutjnl-2016-312510", pmc: "PMC5442267", authors: 22, first: "Ying Bao", last: "Brian M Wolpin", published: "2016-10-21T00:00:00Z",
			journal: "Gut 66(6), 1116-1122", abstract: "Objective: Telomere shortening occurs as an early event",
			contains:   []string{" Design: We measured", " Results: Shorter prediagnostic", "(TERT) gene region", "ptrend=0.048", "r2<0.25", " Conclusions: "},
			categories: 21, firstCategory: "Adenocarcinoma"}}},
		// No MeSH: the keywords are the categories.
		{"biopython__pubmed5.xml", "1", []want{{pmid: "28775130", doi: "10.1136/oemed-2017-104431", pmc: "PMC5771820", authors: 12, published: "2017-08-03T00:00:00Z",
			abstract: "Objectives: Animal studies suggest", contains: []string{" Methods: Self-reported lifetime pesticide use"}, categories: 5}}},
		// Badly nested markup in the title; MathML in the abstract.
		{"biopython__pubmed6.xml", "1", []want{{pmid: "30108519", title: `A "Blood Relationship" Between the Overlooked Minimum Lactate Equivalent and Maximal Lactate Steady State in Trained Runners. Back to the Old Days?`,
			doi: "10.3389/fphys.2018.01034", pmc: "PMC6079548", authors: 2, published: "2018-07-31T00:00:00Z", journal: "Frontiers in physiology 9, 1034",
			contains: []string{"maximal oxygen uptake ( V.O2max ) 67.6", "km·h-1"}}}},
		// A CollectiveName author; MathML.
		{"biopython__pubmed7.xml", "1", []want{{pmid: "29963580", doi: "10.1117/1.JMI.5.2.026002", pmc: "PMC6022861", authors: 9, first: "Fumin Guo",
			last: "Canadian Respiratory Research Network", published: "2018-06-28T00:00:00Z", contains: []string{"inhaled He3/Xe129 MRI"}}}},
		{"metapub__pmid_28731372.xml", "1", []want{{pmid: "28731372", title: "Exploring the effect of vitamin D3 supplementation on the anti-EBV antibody response in relapsing-remitting multiple sclerosis.",
			doi: "10.1177/1352458517722646", pmc: "PMC6108041", authors: 11, first: "Linda Rolf", published: "2017-07-21T00:00:00Z",
			abstract: "Background: ", contains: []string{" Objectives: ", " Conclusion: "}, categories: 11}}},
		// One PubmedArticle without a set; MedlineDate "2019 May/Jun".
		{"pymed__test_article_PMID31245831_EXCERPT_one_PubmedArticle.xml", "1", []want{{pmid: "31245831",
			title: "The Joint Counterterrorism Awareness Workshop Series (JCTAWS): Integrating disciplines for enhanced capabilities during a complex coordinated attack.",
			doi:   "10.5055/jem.2019.0419", published: "2019-05-01T00:00:00Z"}}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			url, seen := pubmedServer(t, searchWithCount(t, tt.count), fixture(t, "pubmed/"+tt.file))
			res, err := collect(t, newTestPubmed(t, url, config.Source{}), &State{})
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "requests", len(*seen), 2)
			eq(t, "efetch", (*seen)[1], "/entrez/eutils/efetch.fcgi?WebEnv="+pubmedWebEnv+"&db=pubmed&email=ops%40example.org&query_key=1&retmax="+tt.count+"&retmode=xml&retstart=0&rettype=abstract&tool=paperfeed")
			eq(t, "items", len(res.Items), len(tt.items))
			for i, w := range tt.items {
				it := res.Items[i]
				eq(t, "GUID", it.GUID, "pmid:"+w.pmid)
				eq(t, "Link", it.Link, "https://pubmed.ncbi.nlm.nih.gov/"+w.pmid+"/")
				if w.title != "" {
					eq(t, "Title", it.Title, w.title)
				}
				eq(t, "DOI", it.DOI, strings.ToLower(w.doi))
				links := []model.Link{{Kind: model.LinkAbstract, URL: it.Link}}
				if w.doi != "" {
					links = append(links, model.Link{Kind: model.LinkDOI, URL: "https://doi.org/" + strings.ToLower(w.doi)})
				}
				if w.pmc != "" {
					links = append(links, model.Link{Kind: model.LinkFullText, URL: "https://pmc.ncbi.nlm.nih.gov/articles/" + w.pmc + "/"})
				}
				eq(t, "Links", it.Links, links)
				if w.authors > 0 {
					eq(t, "authors", len(it.Authors), w.authors)
				}
				if w.first != "" {
					eq(t, "first author", it.Authors[0], w.first)
				}
				if w.last != "" {
					eq(t, "last author", it.Authors[len(it.Authors)-1], w.last)
				}
				eq(t, "Published", it.Published, date(w.published))
				if w.journal != "" {
					eq(t, "JournalRef", it.JournalRef, w.journal)
				}
				if !strings.HasPrefix(it.Abstract, w.abstract) || markupLeftRE.MatchString(it.Abstract) {
					t.Errorf("Abstract %.120q, want it to start %q, without markup", it.Abstract, w.abstract)
				}
				for _, c := range w.contains {
					if !strings.Contains(it.Abstract, c) {
						t.Errorf("Abstract lacks %q: %.300q", c, it.Abstract)
					}
				}
				if w.categories > 0 || w.firstCategory != "" {
					eq(t, "categories", len(it.Categories), w.categories)
				}
				if w.firstCategory != "" {
					eq(t, "first category", it.Categories[0], w.firstCategory)
				}
			}
		})
	}
}

// TestPubmedSearchAndBatches: esearch with usehistory=y and the entry-date
// bound, then efetch through WebEnv/query_key in batches of at most 200,
// bounded per pass with a note.
func TestPubmedSearchAndBatches(t *testing.T) {
	url, seen := pubmedServer(t, searchWithCount(t, "450"), fixture(t, "pubmed/biopython__pubmed2.xml"))
	s := newTestPubmed(t, url, config.Source{Term: "cancer[tiab] AND humans[mh]", Days: 30, Email: "me@example.org", Tool: "mytool", APIKey: "abc123"})
	res, err := collect(t, s, &State{})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "esearch", (*seen)[0], "/entrez/eutils/esearch.fcgi?api_key=abc123&datetype=edat&db=pubmed&email=me%40example.org&reldate=30&retmax=0&term=cancer%5Btiab%5D+AND+humans%5Bmh%5D&tool=mytool&usehistory=y")
	eq(t, "requests", len(*seen), 4)
	for i, want := range []string{"retmax=200&retmode=xml&retstart=0&", "retmax=200&retmode=xml&retstart=200&", "retmax=50&retmode=xml&retstart=400&"} {
		if !strings.Contains((*seen)[i+1], want) || !strings.Contains((*seen)[i+1], "WebEnv="+pubmedWebEnv) || !strings.Contains((*seen)[i+1], "query_key=1") {
			t.Errorf("efetch %d = %q, want %q with the WebEnv", i, (*seen)[i+1], want)
		}
	}
	eq(t, "items (the same two each batch)", len(res.Items), 2)
	eq(t, "notes", res.Notes, []string(nil))

	s.(*pubmed).maxBatches = 2
	res, err = collect(t, s, &State{})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "bound note", res.Notes, []string{"stopped after 2 batches (400 of 450 articles)"})
}

// TestPubmedRecordedSearchErrors: the recorded esearch and epost answers that
// are not a usable result set.
func TestPubmedRecordedSearchErrors(t *testing.T) {
	for _, tt := range []struct {
		file   string
		wanted []string
	}{
		{"biopython__esearch8.xml", []string{"PubMed esearch: no hits: phrase not found: abcXYZ; No items found."}},
		{"biopython__esearch1.xml", []string{"63 hits but no WebEnv/QueryKey"}},
		{"biopython__esearch3.xml", []string{"2651 hits but no WebEnv/QueryKey"}},
		{"biopython__epost1.xml", []string{"PubMed esearch: unexpected XML (<ePostResult>)"}},
		{"biopython__epost2.xml", []string{"PubMed esearch: NCBI error: Invalid db name specified: nothing"}},
		{"biopython__epost3.xml", []string{"PubMed esearch: NCBI error: "}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			url, _ := pubmedServer(t, fixture(t, "pubmed/"+tt.file), nil)
			res, err := collect(t, newTestPubmed(t, url, config.Source{}), &State{})
			wantErr(t, res, err, tt.wanted...)
		})
	}
}

// TestPubmedQuietAndFailing: zero hits without an ErrorList is an empty
// pass; efetch errors, HTML and HTTP errors fail it with the URL (the key
// redacted) and NCBI's message.
func TestPubmedQuietAndFailing(t *testing.T) {
	url, seen := pubmedServer(t, []byte(`<?xml version="1.0" encoding="UTF-8" ?><eSearchResult><Count>0</Count><RetMax>0</RetMax><RetStart>0</RetStart><QueryKey>1</QueryKey><WebEnv>MCID_X</WebEnv><IdList/><TranslationSet/><QueryTranslation>x</QueryTranslation></eSearchResult>`), nil)
	res, err := collect(t, newTestPubmed(t, url, config.Source{}), &State{})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "requests", len(*seen), 1)
	eq(t, "items", len(res.Items), 0)

	for _, tt := range []struct {
		name   string
		h      http.HandlerFunc
		wanted []string
	}{
		// The shape NCBI documents for its rate limit.
		{"429", body(429, "application/json", []byte(`{"error":"API rate limit exceeded","api-key":"abc123","count":"11","limit":"10"}`)),
			[]string{"HTTP 429", "api_key=REDACTED", `PubMed esearch says "API rate limit exceeded"`}},
		{"efetch error", func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/esearch.fcgi") {
				w.Write(searchWithCount(t, "5"))
				return
			}
			w.Write([]byte(`<?xml version="1.0" ?><eFetchResult><ERROR>Unable to obtain query #1</ERROR></eFetchResult>`))
		}, []string{"PubMed efetch retstart=0: NCBI error: Unable to obtain query #1"}},
		{"efetch HTML", func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/esearch.fcgi") {
				w.Write(searchWithCount(t, "5"))
				return
			}
			w.Write([]byte(`<html><body>Service unavailable</body></html>`))
		}, []string{"PubMed efetch retstart=0: <html>, want a PubmedArticleSet"}},
		{"text", body(200, "text/plain", []byte("Bad Gateway")), []string{"PubMed esearch: not XML"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := server(t, tt.h)
			res, err := collect(t, newTestPubmed(t, srv.URL, config.Source{APIKey: "abc123"}), &State{})
			wantErr(t, res, err, tt.wanted...)
			if err != nil && strings.Contains(err.Error(), "abc123") {
				t.Errorf("the error shows the key: %v", err)
			}
		})
	}
}

// groupFetcher records the politeness group of each request.
type groupFetcher struct {
	f      Fetcher
	groups []string
}

func (g *groupFetcher) Get(ctx context.Context, r fetch.Request) (*fetch.Response, error) {
	g.groups = append(g.groups, r.Group)
	return g.f.Get(ctx, r)
}

// TestPubmedKeyAndRate: the key comes from the config or the environment and
// moves the requests into the faster politeness group; the backfill drops the
// date bound and reports progress.
func TestPubmedKeyAndRate(t *testing.T) {
	url, seen := pubmedServer(t, searchWithCount(t, "2"), fixture(t, "pubmed/biopython__pubmed2.xml"))
	for _, tt := range []struct {
		name, env, key, group, param string
	}{
		{"no key", "", "", fetch.NCBIGroup, ""},
		{"environment", "fromenv1", "", fetch.NCBIKeyGroup, "api_key=fromenv1&"},
		{"config over environment", "fromenv1", "fromconfig2", fetch.NCBIKeyGroup, "api_key=fromconfig2&"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(PubmedKeyEnv, tt.env)
			*seen = nil
			g := &groupFetcher{f: client()}
			s := newTestPubmed(t, url, config.Source{APIKey: tt.key})
			if _, err := s.Collect(context.Background(), g, &State{}); err != nil {
				t.Fatal(err)
			}
			eq(t, "groups", g.groups, []string{tt.group, tt.group})
			if tt.param != "" && !strings.HasPrefix((*seen)[0], "/entrez/eutils/esearch.fcgi?"+tt.param) {
				t.Errorf("esearch %q lacks %q", (*seen)[0], tt.param)
			}
			if tt.param == "" && strings.Contains((*seen)[0], "api_key") {
				t.Errorf("esearch %q sends a key", (*seen)[0])
			}
		})
	}
	intervals := fetch.DefaultGroupIntervals()
	if iv := intervals[fetch.NCBIGroup]; iv*3 <= 1e9 || iv*3 > 1.01e9 {
		t.Errorf("NCBI interval %v: want a bit over a third of a second", iv)
	}
	if iv := intervals[fetch.NCBIKeyGroup]; iv*10 <= 1e9 || iv*10 > 1.02e9 {
		t.Errorf("NCBI key interval %v: want a bit over a tenth of a second", iv)
	}

	var progress [][2]int
	*seen = nil
	s := mustNew(t, config.Source{Name: "pm", Type: "pubmed", URL: url + "/entrez/eutils", Term: "cancer", Backfill: 100},
		Options{Now: at("2026-09-09T12:00:00Z"), Progress: func(_ string, done, total int) { progress = append(progress, [2]int{done, total}) }})
	st := &State{}
	res, err := collect(t, s, st)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains((*seen)[0], "reldate") {
		t.Errorf("backfill search %q is date-bound", (*seen)[0])
	}
	eq(t, "progress", progress, [][2]int{{2, 2}})
	eq(t, "notes", res.Notes, []string{"backfill done: 2 articles"})
	eq(t, "state", st.BackfillDone, true)
}

func FuzzPubmedArticles(f *testing.F) {
	f.Add([]byte(`<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>a <i>b</i> <mml:math xmlns:mml="x"><mml:mi>c</mml:mi></mml:math></ArticleTitle><Journal><JournalIssue><PubDate><MedlineDate>1998 Dec-1999 Jan</MedlineDate></PubDate></JournalIssue></Journal></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>`))
	f.Add([]byte(`<PubmedArticle><MedlineCitation><PMID>x</PMID></MedlineCitation></PubmedArticle>`))
	f.Add([]byte(`<eFetchResult><ERROR>e</ERROR></eFetchResult>`))
	f.Add([]byte(`<PubmedArticleSet><PubmedBookArticle/></PubmedArticleSet>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		set, err := ParsePubmedArticles(b)
		if err != nil {
			return
		}
		for i := range set.Articles {
			if it, ok := PubmedItem(&set.Articles[i]); ok && (it.Title == "" || !strings.HasPrefix(it.GUID, "pmid:")) {
				t.Fatalf("converted without a title or a PMID: %+v", it)
			}
		}
	})
}
