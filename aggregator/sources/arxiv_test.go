package sources

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/db/model"
)

const arxivRSSFixture = "arxiv-rss/laya-reader_rss_cs.LG+cs.AI+cs.CL+stat.ML_2026-09-24_TRIMMED_4items.xml"

func TestArxivRSSDefaultURL(t *testing.T) {
	s := mustNew(t, config.Source{Name: "a", Type: "arxiv", Categories: []string{"cs.CL", " cs.LG "}}, Options{})
	eq(t, "url", s.(*arxivRSS).url, "https://rss.arxiv.org/rss/cs.CL+cs.LG")
	s = mustNew(t, config.Source{Name: "a", Type: "arxiv", URL: "https://rss.arxiv.org/atom/cs.CL"}, Options{})
	eq(t, "url", s.(*arxivRSS).url, "https://rss.arxiv.org/atom/cs.CL")
	if _, err := New(config.Source{Name: "a", Type: "arxiv"}, Options{}); err == nil {
		t.Error("want an error without categories or url")
	}
}

func TestArxivRSSRecorded(t *testing.T) {
	doc := fixture(t, arxivRSSFixture)
	// The same feed with the arXiv namespace bound to another prefix: gofeed
	// keys extensions by the document's prefix.
	renamed := bytes.ReplaceAll(doc, []byte("arxiv:"), []byte("ax:"))
	renamed = bytes.ReplaceAll(renamed, []byte("xmlns:arxiv="), []byte("xmlns:ax="))
	for _, tc := range []struct {
		name string
		doc  []byte
	}{{"recorded", doc}, {"prefix ax", renamed}} {
		t.Run(tc.name, func(t *testing.T) {
			srv, seen := server(t, body(200, "application/rss+xml", tc.doc))
			s := mustNew(t, config.Source{Name: "arxiv-ml", Type: "arxiv", URL: srv.URL + "/rss/cs.LG+cs.AI+cs.CL+stat.ML"}, Options{})
			res, err := collect(t, s, &State{})
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "requests", *seen, []string{"/rss/cs.LG+cs.AI+cs.CL+stat.ML"})
			eq(t, "items", len(res.Items), 4)

			it := findItem(t, res.Items, "Signal2Symbol: Neuro-Symbolic Temporal Reasoning for Explainable Physiological Time-Series Anomaly Detection")
			eq(t, "GUID", it.GUID, "oai:arXiv.org:2609.26820")
			eq(t, "Link", it.Link, "https://arxiv.org/abs/2609.26820")
			eq(t, "ArxivID", it.ArxivID, "2609.26820")
			eq(t, "Authors", it.Authors, []string{"Naser Mansour", "Sidahmed Benabderrahmane", "Ameer Rahwan"})
			eq(t, "Categories", it.Categories, []string{"cs.LG", "cs.AI"})
			eq(t, "Published", it.Published, date("2026-09-24T04:00:00Z"))
			eq(t, "AnnounceType", it.AnnounceType, "new")
			eq(t, "DOI", it.DOI, "")
			if !strings.HasPrefix(it.Abstract, "Physiological time series such as electrocardiograms (ECG)") ||
				!strings.HasSuffix(it.Abstract, "provides compact, interpretable summaries of local detections.") {
				t.Errorf("Abstract = %q", it.Abstract)
			}
			eq(t, "Links", it.Links, []model.Link{
				{Kind: model.LinkAbstract, URL: "https://arxiv.org/abs/2609.26820"},
				{Kind: model.LinkPDF, URL: "https://arxiv.org/pdf/2609.26820"},
			})

			it = findItem(t, res.Items, "Outlier Detection for Multi-Network Data")
			eq(t, "GUID", it.GUID, "oai:arXiv.org:2205.06398")
			eq(t, "AnnounceType", it.AnnounceType, "cross")
			eq(t, "DOI", it.DOI, "10.1093/bioinformatics/btac431")
			eq(t, "Authors", it.Authors, []string{"Pritam Dey", "Zhengwu Zhang", "David B. Dunson"})
			eq(t, "Categories", it.Categories, []string{"stat.ME", "stat.AP", "stat.ML"})
			eq(t, "Links[2]", it.Links[2], model.Link{Kind: model.LinkDOI, URL: "https://doi.org/10.1093/bioinformatics/btac431"})
			if !strings.HasPrefix(it.Abstract, "It has become routine in neuroscience") {
				t.Errorf("Abstract = %q", it.Abstract[:80])
			}

			it = findItem(t, res.Items, "Random Polytope Descriptors")
			eq(t, "AnnounceType", it.AnnounceType, "replace")
			eq(t, "ArxivID", it.ArxivID, "2009.13987")
			eq(t, "GUID (version-less)", it.GUID, "oai:arXiv.org:2009.13987")
			eq(t, "Authors", it.Authors, []string{"Michael Joswig", "Marek Kaluba", "Lukas Ruff"})

			it = findItem(t, res.Items, "The Drift Contract: Spectral Updates for Depth-Robust Local Learning")
			eq(t, "Authors", it.Authors, []string{"Fabien Polly"})
			for _, it := range res.Items {
				if strings.Contains(it.Abstract, "Announce Type") || strings.HasPrefix(it.Abstract, "arXiv:") || strings.HasPrefix(it.Abstract, "Abstract") {
					t.Errorf("%s: abstract keeps the prefix: %q", it.ArxivID, it.Abstract[:60])
				}
			}
		})
	}
}

func TestArxivRSSAnnounce(t *testing.T) {
	doc := fixture(t, arxivRSSFixture)
	srv, _ := server(t, body(200, "application/rss+xml", doc))
	for _, tc := range []struct {
		announce []string
		want     []string // announce types returned, in feed order
	}{
		{nil, []string{"new", "new", "cross", "replace"}},
		{[]string{"new"}, []string{"new", "new", "replace"}},
		{[]string{"cross"}, []string{"cross", "replace"}},
		{[]string{"replace"}, []string{"replace"}},
	} {
		t.Run(strings.Join(tc.announce, ","), func(t *testing.T) {
			s := mustNew(t, config.Source{Name: "a", Type: "arxiv", URL: srv.URL, Announce: tc.announce}, Options{})
			res, err := collect(t, s, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range res.Items {
				got = append(got, it.AnnounceType)
			}
			eq(t, "announce types", got, tc.want)
		})
	}
}

// conditional answers 304 when the request carries the ETag it hands out.
func conditional(etag string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		h(w, r)
	}
}

func TestArxivRSSNotModified(t *testing.T) {
	doc := fixture(t, arxivRSSFixture)
	srv, _ := server(t, conditional(`"v1"`, body(200, "application/rss+xml", doc)))
	s := mustNew(t, config.Source{Name: "a", Type: "arxiv", URL: srv.URL}, Options{})
	st := &State{}
	res, err := collect(t, s, st)
	if err != nil || len(res.Items) != 4 || res.AllNotModified {
		t.Fatalf("first pass: %v, %+v", err, res)
	}
	eq(t, "validators", st.Validator(srv.URL), Validators{ETag: `"v1"`})
	res, err = collect(t, s, st)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "AllNotModified", res.AllNotModified, true)
	eq(t, "items", len(res.Items), 0)
	eq(t, "requests", res.Requests, 1)
	eq(t, "validators kept", st.Validator(srv.URL), Validators{ETag: `"v1"`})
}

func TestArxivRSSBadAnswers(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		want []string
	}{
		{"html error page", body(200, "text/html", []byte("<!DOCTYPE html><html><body><h1>Service unavailable</h1></body></html>")), []string{"not a feed"}},
		{"empty body", body(200, "application/rss+xml", nil), []string{"empty body"}},
		{"http 503", body(503, "text/plain", []byte("busy")), []string{"HTTP 503"}},
		{"truncated xml", body(200, "application/rss+xml", []byte(`<?xml version="1.0"?><rss version="2.0"><channel><item><title>x`)), []string{"parse"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := server(t, tc.h)
			s := mustNew(t, config.Source{Name: "a", Type: "arxiv", URL: srv.URL}, Options{})
			res, err := collect(t, s, &State{})
			wantErr(t, res, err, tc.want...)
		})
	}
}

func TestArxivRSSEmptyFeed(t *testing.T) {
	// Weekends: a valid feed without items is a normal, empty pass.
	doc := []byte(`<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" version="2.0"><channel><title>cs.CL updates on arXiv.org</title>
<link>http://rss.arxiv.org/rss/cs.CL</link><description>none</description></channel></rss>`)
	srv, _ := server(t, body(200, "application/rss+xml", doc))
	res, err := collect(t, mustNew(t, config.Source{Name: "a", Type: "arxiv", URL: srv.URL}, Options{}), nil)
	if err != nil || len(res.Items) != 0 {
		t.Fatalf("%v %+v", err, res)
	}
}

func TestSplitArxivAuthors(t *testing.T) {
	for _, tc := range []struct{ in string }{
		{"Naser Mansour, Sidahmed Benabderrahmane, Ameer Rahwan"},
		{"Pritam Dey, Zhengwu Zhang, and David B. Dunson"},
		{"Pritam Dey and David B. Dunson"},
		{"  Pritam Dey ,\n  Zhengwu Zhang,  "},
		{"A. Smith (MIT, USA), B. Jones (Oxford and Cambridge)"},
		{"John Smith, Jr., Jane Doe"},
		{"ATLAS and CMS Collaboration, Jane Doe"},
		{"Alexander Andersen, Sandra Anderson"},
		{""},
		{", ,and ,"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			want := map[string][]string{
				"Naser Mansour, Sidahmed Benabderrahmane, Ameer Rahwan": {"Naser Mansour", "Sidahmed Benabderrahmane", "Ameer Rahwan"},
				"Pritam Dey, Zhengwu Zhang, and David B. Dunson":        {"Pritam Dey", "Zhengwu Zhang", "David B. Dunson"},
				"Pritam Dey and David B. Dunson":                        {"Pritam Dey", "David B. Dunson"},
				"  Pritam Dey ,\n  Zhengwu Zhang,  ":                    {"Pritam Dey", "Zhengwu Zhang"},
				"A. Smith (MIT, USA), B. Jones (Oxford and Cambridge)":  {"A. Smith (MIT, USA)", "B. Jones (Oxford and Cambridge)"},
				"John Smith, Jr., Jane Doe":                             {"John Smith Jr.", "Jane Doe"},
				"ATLAS and CMS Collaboration, Jane Doe":                 {"ATLAS and CMS Collaboration", "Jane Doe"},
				"Alexander Andersen, Sandra Anderson":                   {"Alexander Andersen", "Sandra Anderson"},
				"":                                                      nil,
				", ,and ,":                                              nil,
			}[tc.in]
			eq(t, "authors", splitArxivAuthors(tc.in), want)
		})
	}
}

func TestParseArxivDescription(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     arxivDescription
	}{
		{"new", "arXiv:2609.26811v1 Announce Type: new \nAbstract: Local learning trains.", arxivDescription{"2609.26811", "v1", "new", "Local learning trains."}},
		{"replace-cross", "arXiv:2009.13987v3 Announce Type: replace-cross \nAbstract:  We  introduce\n a class.", arxivDescription{"2009.13987", "v3", "replace-cross", "We introduce a class."}},
		{"old id", "arXiv:hep-th/9901001v2 Announce Type: replace\nAbstract: Strings.", arxivDescription{"hep-th/9901001", "v2", "replace", "Strings."}},
		{"no prefix", "Just an abstract.", arxivDescription{Abstract: "Just an abstract."}},
		{"abstract only", "Abstract: Text.", arxivDescription{Abstract: "Text."}},
		{"entities", "arXiv:2401.00001v1 Announce Type: new Abstract: a &lt; b &amp; c", arxivDescription{"2401.00001", "v1", "new", "a < b & c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eq(t, "description", parseArxivDescription(tc.in), tc.want)
		})
	}
}

func FuzzParseArxivDescription(f *testing.F) {
	f.Add("arXiv:2609.26811v1 Announce Type: new \nAbstract: Local learning.")
	f.Add("arXiv:hep-th/9901001 Announce Type: replace-cross Abstract:")
	f.Add("arXiv: Announce Type: \nAbstract: Abstract:")
	f.Add("\xff\xfe arXiv:1234.5678v99 Announce Type: cross")
	f.Fuzz(func(t *testing.T, s string) {
		d := parseArxivDescription(s)
		if !utf8.ValidString(d.Abstract) || d.Abstract != strings.TrimSpace(d.Abstract) {
			t.Fatalf("abstract not clean: %q", d.Abstract)
		}
		if d.ID != "" {
			if strings.Contains(d.ID, "v") && !strings.Contains(d.ID, "/") {
				t.Fatalf("id keeps a version: %q", d.ID)
			}
			if d.AnnounceType == "" {
				t.Fatalf("id %q without announce type", d.ID)
			}
		}
		// A well-formed prefix around any abstract is always stripped.
		in := "arXiv:2401.01234v2 Announce Type: new \nAbstract: " + s
		d = parseArxivDescription(in)
		if d.ID != "2401.01234" || d.Version != "v2" || d.AnnounceType != "new" {
			t.Fatalf("prefix not recognised in %q: %+v", in, d)
		}
	})
}

func FuzzSplitArxivAuthors(f *testing.F) {
	f.Add("Naser Mansour, Sidahmed Benabderrahmane, Ameer Rahwan")
	f.Add("A and B, and C,, (x, y) and")
	f.Add("Jr., Smith, III")
	f.Add("((a,b),c))) and ; d")
	f.Fuzz(func(t *testing.T, s string) {
		names := splitArxivAuthors(s)
		for _, n := range names {
			if n == "" || n != strings.TrimSpace(n) || !utf8.ValidString(n) {
				t.Fatalf("bad name %q from %q", n, s)
			}
		}
		if len(names) > 0 && !utf8.ValidString(s) {
			return
		}
		// Names joined back never grow beyond the input.
		if utf8.RuneCountInString(strings.Join(names, "")) > utf8.RuneCountInString(s) {
			t.Fatalf("names %q longer than input %q", names, s)
		}
	})
}

// TestArxivSpacing: two arXiv sources sharing one client keep the group's
// interval between their requests, even when collected at the same time.
func TestArxivSpacing(t *testing.T) {
	doc := fixture(t, arxivRSSFixture)
	api := fixtureGlob(t, "arxiv-api/arxivpy_extracted_bodies/id_1707.08567_*.xml")
	var mu sync.Mutex
	var starts []time.Time
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		starts = append(starts, time.Now())
		mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/api") {
			w.Write(api)
			return
		}
		w.Write(doc)
	})
	// The test server stands in for arXiv's hosts.
	c := fetch.New(fetch.Options{
		GroupInterval: map[string]time.Duration{fetch.ArxivGroup: 200 * time.Millisecond},
		GroupOf:       func(string) string { return fetch.ArxivGroup },
	})
	rss := mustNew(t, config.Source{Name: "rss", Type: "arxiv", URL: srv.URL + "/rss/cs.LG"}, Options{})
	apiSrc := mustNew(t, config.Source{Name: "api", Type: "arxiv-api", URL: srv.URL + "/api/query", Query: "id:1707.08567", MaxResults: 1}, Options{})
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, s := range []Source{rss, apiSrc} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Collect(context.Background(), c, &State{})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(starts) != 2 {
		t.Fatalf("want 2 requests, got %d", len(starts))
	}
	gap := starts[1].Sub(starts[0])
	if gap < 0 {
		gap = -gap
	}
	if gap < 190*time.Millisecond {
		t.Errorf("arXiv requests %v apart, want at least 200ms", gap)
	}
}

// TestArxivRSSShapeLimits: the announcement source refuses the document
// shapes the generic feed source refuses, before gofeed builds them; an
// announcement at the item limit parses.
func TestArxivRSSShapeLimits(t *testing.T) {
	rss := func(inner string) []byte {
		return []byte(`<?xml version="1.0"?><rss xmlns:arxiv="http://arxiv.org/schemas/atom" version="2.0"><channel><title>cs.CL</title>` + inner + `</channel></rss>`)
	}
	item := `<item><title>T</title><link>https://arxiv.org/abs/2409.00001</link><description>arXiv:2409.00001v1 Announce Type: new Abstract: A.</description></item>`
	for _, tc := range []struct {
		name  string
		doc   []byte
		want  string // "" when the document must parse
		items int
	}{
		{"700,000 nested elements", rss(`<item><title>T</title>` + strings.Repeat(`<x>`, 700_000) + strings.Repeat(`</x>`, 700_000) + `</item>`),
			fmt.Sprintf("limit of %d levels of nesting at line 1, column", maxFeedDepth), 0},
		{"items over the limit", rss(strings.Repeat(`<item/>`, maxFeedItems+1)), fmt.Sprintf("limit of %d items", maxFeedItems), 0},
		{"elements over the limit", rss(`<item>` + strings.Repeat(`<arxiv:e/>`, maxFeedNodes) + `</item>`), fmt.Sprintf("limit of %d elements and attributes", maxFeedNodes), 0},
		{"JSON values over the limit", []byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"tags":[` + strings.TrimSuffix(strings.Repeat(`"a",`, maxFeedNodes), ",") + `]}]}`),
			fmt.Sprintf("limit of %d values", maxFeedNodes), 0},
		{"items at the limit", rss(item + strings.Repeat(`<item/>`, maxFeedItems-1)), "", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mustNew(t, config.Source{Name: "a", Type: "arxiv", Categories: []string{"cs.CL"}}, Options{}).(*arxivRSS)
			items, _, err := s.parse(tc.doc)
			if tc.want == "" {
				if err != nil || len(items) != tc.items {
					t.Fatalf("%d items, error %v; want %d items", len(items), err, tc.items)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}
