package sources

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/db/model"
)

const (
	biorxivFixture = "biorxiv/biorxiv_details_cancer-biology_2026-09-07_2026-09-09.json"
	medrxivFixture = "biorxiv/medrxiv_details_2026-09-15_RESERIALIZED_TRIMMED_3of72.json"
)

func at(s string) func() time.Time { return func() time.Time { return date(s) } }

func TestBiorxivRecorded(t *testing.T) {
	srv, seen := server(t, body(200, "application/json", fixture(t, biorxivFixture)))
	s := mustNew(t, config.Source{Name: "bio", Type: "biorxiv", URL: srv.URL, Days: 3, Category: "cancer biology"}, Options{Now: at("2026-09-09T12:00:00Z")})
	res, err := collect(t, s, &State{})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "requests", *seen, []string{"/details/biorxiv/2026-09-07/2026-09-09/0?category=cancer%20biology"})
	eq(t, "items", len(res.Items), 18)

	it := findItem(t, res.Items, "Simultaneous Inhibition of ACLY and OGDH Has a Synergistic Effect on Hepatocellular Carcinoma Cell Lines")
	eq(t, "DOI", it.DOI, "10.64898/2026.04.19.716936")
	eq(t, "GUID", it.GUID, "doi:10.64898/2026.04.19.716936")
	eq(t, "Link", it.Link, "https://www.biorxiv.org/content/10.64898/2026.04.19.716936v2")
	eq(t, "Authors", it.Authors, []string{"M. Dehghan Manshadi", "P. Setoodeh", "H. Zare"})
	eq(t, "Published", it.Published, date("2026-09-07T00:00:00Z"))
	eq(t, "Categories", it.Categories, []string{"cancer biology"})
	eq(t, "JournalRef", it.JournalRef, "")
	eq(t, "Links", it.Links, []model.Link{
		{Kind: model.LinkAbstract, URL: "https://www.biorxiv.org/content/10.64898/2026.04.19.716936v2"},
		{Kind: model.LinkPDF, URL: "https://www.biorxiv.org/content/10.64898/2026.04.19.716936v2.full.pdf"},
		{Kind: model.LinkDOI, URL: "https://doi.org/10.64898/2026.04.19.716936"},
	})
	if !strings.HasPrefix(it.Abstract, "Hepatocellular carcinoma (HCC) remains a leading cause") {
		t.Errorf("Abstract = %q", it.Abstract[:60])
	}

	it = findItem(t, res.Items, "The Indian Cancer Genome Atlas:A Multi-Omics Resource for Advancing Cancer Research")
	eq(t, "DOI (10.1101 prefix)", it.DOI, "10.1101/2025.03.25.645286")
	eq(t, "Authors", it.Authors, []string{"S. Dhup", "A. Singh"})
	eq(t, "Published", it.Published, date("2026-09-08T00:00:00Z"))

	it = findItem(t, res.Items, "Pannexin 1 inhibition reduces tumorigenic properties of patient-derived glioblastoma cells through the HIPPO and Wnt signalling pathways")
	eq(t, "author with apostrophe", it.Authors[6], "B. O'Donnell")
	eq(t, "author count", len(it.Authors), 15)
	if !strings.Contains(it.Abstract, "downregulating β-catenin mRNA") || strings.Contains(it.Abstract, "{beta}") {
		t.Errorf("Greek placeholder not replaced: %q", it.Abstract)
	}
}

func TestMedrxivRecorded(t *testing.T) {
	srv, seen := server(t, body(200, "application/json", fixture(t, medrxivFixture)))
	s := mustNew(t, config.Source{Name: "med", Type: "medrxiv", URL: srv.URL + "/", Days: 1}, Options{Now: at("2026-09-15T23:59:00Z")})
	st := &State{}
	s.(*biorxiv).maxPages = 3
	res, err := collect(t, s, st)
	if err != nil {
		t.Fatal(err)
	}
	// The trimmed recording says total 72 but holds 3 records: the pass pages
	// on (the server repeats itself) until the page bound.
	eq(t, "first request", (*seen)[0], "/details/medrxiv/2026-09-15/2026-09-15/0")
	eq(t, "second request", (*seen)[1], "/details/medrxiv/2026-09-15/2026-09-15/3")
	eq(t, "requests", res.Requests, 3)
	eq(t, "notes", res.Notes, []string{"stopped after 3 pages (9 of 72 records)"})
	eq(t, "items (deduplicated by DOI)", len(res.Items), 3)

	it := findItem(t, res.Items, "Surgically Modifiable Insertion Geometry Drives Thrombogenic Flow in the Modified Blalock-Taussig-Thomas Shunt")
	eq(t, "Link", it.Link, "https://www.medrxiv.org/content/10.64898/2026.09.11.26362753v1")
	eq(t, "Categories", it.Categories, []string{"cardiovascular medicine"})
	eq(t, "Authors[0:2]", it.Authors[:2], []string{"Y. Qiao", "E. Penn"})
	eq(t, "Authors[8]", it.Authors[8], "G. M. Genin")
	for _, want := range []string{
		"Background: The modified Blalock-Taussig-Thomas shunt",
		"CLINICAL PERSEPECTIVE What is new? In patient-specific computational models",
		"normalized WSR (ρ = 0.94, p < 0.001; ρ = 0.88",
		"thrombosis risk. What are the clinical implications? Infants with mBTTS",
	} {
		if !strings.Contains(it.Abstract, want) {
			t.Errorf("Abstract lacks %q", want)
		}
	}
	for _, it := range res.Items {
		for _, bad := range []string{"O_ST_ABS", "C_LI", "O_LI", "SCPLOW", "SCPCAP", "\n"} {
			if strings.Contains(it.Abstract, bad) {
				t.Errorf("%s: abstract keeps %q", it.DOI, bad)
			}
		}
	}
	it = findItem(t, res.Items, "Mapping the Diagnostic Space of Auditory Brainstem Responses: An Interpretable Framework for Classification")
	if !strings.Contains(it.Abstract, "Cohens K = 0.620") {
		t.Errorf("small caps not cleaned: %q", it.Abstract)
	}
}

// TestBiorxivPaging replays the recorded bioRxiv answer cut into pages of 5.
func TestBiorxivPaging(t *testing.T) {
	var doc struct {
		Messages   []map[string]any  `json:"messages"`
		Collection []json.RawMessage `json:"collection"`
	}
	if err := json.Unmarshal(fixture(t, biorxivFixture), &doc); err != nil {
		t.Fatal(err)
	}
	srv, seen := server(t, func(w http.ResponseWriter, r *http.Request) {
		var cursor int
		fmt.Sscanf(r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:], "%d", &cursor)
		end := min(cursor+5, len(doc.Collection))
		m := map[string]any{}
		for k, v := range doc.Messages[0] {
			m[k] = v
		}
		m["cursor"], m["count"] = cursor, end-cursor
		json.NewEncoder(w).Encode(map[string]any{"messages": []any{m}, "collection": doc.Collection[cursor:end]})
	})
	s := mustNew(t, config.Source{Name: "bio", Type: "biorxiv", URL: srv.URL, Days: 3}, Options{Now: at("2026-09-09T01:00:00Z")})
	res, err := collect(t, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "requests", *seen, []string{
		"/details/biorxiv/2026-09-07/2026-09-09/0", "/details/biorxiv/2026-09-07/2026-09-09/5",
		"/details/biorxiv/2026-09-07/2026-09-09/10", "/details/biorxiv/2026-09-07/2026-09-09/15",
	})
	eq(t, "items", len(res.Items), 18)
	eq(t, "notes", len(res.Notes), 0)
}

func TestBiorxivVersions(t *testing.T) {
	doc := []byte(`{"messages":[{"status":"ok","count":2,"total":2}],"collection":[
{"doi":"10.1101/2024.01.01.000001","title":"T","authors":"Doe, J.; The X Consortium;","date":"2024-01-02","version":"1","category":"Cell Biology","abstract":"a","funder":"NA","published":"NA","server":"bioRxiv"},
{"doi":"10.1101/2024.01.01.000001","title":"T <i>in vivo</i>","authors":"Doe, J.","date":"2024-01-03","version":"2","category":"cell biology","abstract":"b &amp; c","funder":[],"published":"10.1016/j.cell.2024.01.001","server":"bioRxiv"}]}`)
	srv, _ := server(t, body(200, "application/json", doc))
	res, err := collect(t, mustNew(t, config.Source{Name: "b", Type: "biorxiv", URL: srv.URL}, Options{Now: at("2024-01-03T10:00:00Z")}), nil)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "items", len(res.Items), 1)
	it := res.Items[0]
	eq(t, "Link (latest version)", it.Link, "https://www.biorxiv.org/content/10.1101/2024.01.01.000001v2")
	eq(t, "Title", it.Title, "T in vivo")
	eq(t, "Abstract", it.Abstract, "b & c")
	eq(t, "JournalRef (journal DOI)", it.JournalRef, "doi:10.1016/j.cell.2024.01.001")
	eq(t, "VersionDOIs (journal DOI)", it.VersionDOIs, []string{"10.1016/j.cell.2024.01.001"})
	eq(t, "Categories", it.Categories, []string{"cell biology"})
}

func TestBiorxivEmptyAndNotModified(t *testing.T) {
	noPosts, err := os.ReadFile("testdata/biorxiv_no_posts.json")
	if err != nil {
		t.Fatal(err)
	}
	srv, seen := server(t, conditional(`"e1"`, body(200, "application/json", noPosts)))
	s := mustNew(t, config.Source{Name: "b", Type: "biorxiv", URL: srv.URL}, Options{Now: at("2024-01-03T10:00:00Z")})
	st := &State{}
	res, err := collect(t, s, st)
	if err != nil || len(res.Items) != 0 || res.AllNotModified {
		t.Fatalf("no posts: %v %+v", err, res)
	}
	res, err = collect(t, s, st)
	if err != nil || !res.AllNotModified {
		t.Fatalf("second pass: %v %+v", err, res)
	}
	eq(t, "requests", len(*seen), 2)
}

func TestBiorxivBadAnswers(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		want []string
	}{
		{"html", body(200, "text/html", []byte("<html><body>Bad gateway</body></html>")), []string{"not a JSON object"}},
		{"empty body", body(200, "application/json", nil), []string{"empty body"}},
		{"array", body(200, "application/json", []byte(`[]`)), []string{"not a JSON object"}},
		{"no messages", body(200, "application/json", []byte(`{"collection":[]}`)), []string{"no messages"}},
		{"status ok without collection", body(200, "application/json", []byte(`{"messages":[{"status":"ok","total":"3"}]}`)), []string{"no collection"}},
		{"error status", body(200, "application/json", []byte(`{"messages":[{"status":"Interval is not valid"}],"collection":[]}`)), []string{`upstream status "Interval is not valid"`}},
		{"total not a number", body(200, "application/json", []byte(`{"messages":[{"status":"ok","total":"many"}],"collection":[]}`)), []string{"unexpected JSON"}},
		{"collection of strings", body(200, "application/json", []byte(`{"messages":[{"status":"ok","total":1}],"collection":["x"]}`)), []string{"unexpected JSON"}},
		{"http 500", body(500, "text/plain", []byte("oops")), []string{"HTTP 500"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := server(t, tc.h)
			s := mustNew(t, config.Source{Name: "b", Type: "medrxiv", URL: srv.URL}, Options{Now: at("2024-01-03T10:00:00Z")})
			res, err := collect(t, s, &State{})
			wantErr(t, res, err, tc.want...)
		})
	}
}

func TestSplitBiorxivAuthors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Dehghan Manshadi, M.; Setoodeh, P.; Zare, H.", []string{"M. Dehghan Manshadi", "P. Setoodeh", "H. Zare"}},
		{"Wang, W.-l.;  ; The ABC Consortium", []string{"W.-l. Wang", "The ABC Consortium"}},
		{"Smith,; ", []string{"Smith"}},
		{"", nil},
	} {
		t.Run(tc.in, func(t *testing.T) { eq(t, "authors", splitBiorxivAuthors(tc.in), tc.want) })
	}
}
