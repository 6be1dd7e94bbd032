package sources

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/db/model"
)

func TestFeedJournalRDF(t *testing.T) {
	srv, _ := server(t, body(200, "application/rdf+xml", fixture(t, "journals/nature_medicine_current_rdf_2026-09.rdf")))
	res, err := collect(t, mustNew(t, config.Source{Name: "nm", Type: "feed", URL: srv.URL}, Options{}), &State{})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "items", len(res.Items), 8)
	it := findItem(t, res.Items, "A binding ban, and its limits: Japan legislates on heritable human genome editing")
	eq(t, "DOI", it.DOI, "10.1038/s41591-026-04641-x")
	eq(t, "Authors", it.Authors, []string{"Tsutomu Sawai"})
	eq(t, "Published", it.Published, date("2026-09-08T00:00:00Z"))
	eq(t, "GUID", it.GUID, "https://www.nature.com/articles/s41591-026-04641-x")
	eq(t, "Links", it.Links, []model.Link{
		{Kind: model.LinkAbstract, URL: "https://www.nature.com/articles/s41591-026-04641-x"},
		{Kind: model.LinkDOI, URL: "https://doi.org/10.1038/s41591-026-04641-x"},
	})
	it = findItem(t, res.Items, "From algorithms to patient outcomes — lessons from one of the first randomized trials of AI in medicine")
	eq(t, "Authors (non-ASCII)", it.Authors, []string{"Kristina Lång"})
	it = findItem(t, res.Items, "Gene alteration in human brain suggests genetic and epigenetic roots of major depression")
	eq(t, "Authors (no dc:creator)", len(it.Authors), 0)
	eq(t, "DOI", it.DOI, "10.1038/s41591-026-04682-2")
	it = findItem(t, res.Items, "Reply to: Limited benchmarks constrain the conclusions of a general-purpose versus clinical AI comparison")
	eq(t, "Authors (every dc:creator)", it.Authors, []string{"Krithik Vishwanath", "Yindalon Aphinyanaphongs", "Eric Karl Oermann"})
}

func TestFeedIdentifiers(t *testing.T) {
	doc, err := os.ReadFile("testdata/feed_ids.xml")
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := server(t, body(200, "application/rss+xml", doc))
	res, err := collect(t, mustNew(t, config.Source{Name: "f", Type: "feed", URL: srv.URL}, Options{}), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ title, arxiv, doi string }{
		{"An arXiv link", "2401.01234", ""},
		{"A DOI in the guid", "", "10.1234/abc.5678"},
		{"PRISM under another prefix", "", "10.5555/xyz-1"},
		{"dc:identifier", "", "10.7777/q.1"},
	} {
		t.Run(tc.title, func(t *testing.T) {
			it := findItem(t, res.Items, tc.title)
			eq(t, "ArxivID", it.ArxivID, tc.arxiv)
			eq(t, "DOI", it.DOI, tc.doi)
		})
	}
}

func TestFeedBadAnswers(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		want []string
	}{
		{"html", body(200, "text/html", []byte("<!DOCTYPE html><html><body>Not found</body></html>")), []string{"not a feed"}},
		{"empty", body(200, "application/rss+xml", nil), []string{"empty body"}},
		{"http 404", body(404, "text/html", []byte("<html>gone</html>")), []string{"HTTP 404"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := server(t, tc.h)
			res, err := collect(t, mustNew(t, config.Source{Name: "f", Type: "feed", URL: srv.URL}, Options{}), &State{})
			wantErr(t, res, err, tc.want...)
		})
	}
}

// TestFeedAssumedEncodingNote: a feed that declares no encoding and is not
// UTF-8 is read as windows-1252, and the pass says so.
func TestFeedAssumedEncodingNote(t *testing.T) {
	doc := []byte("<rss version=\"2.0\"><channel><title>c</title><item><title>Caf\xe9 \x805</title><guid>g</guid></item></channel></rss>")
	srv, _ := server(t, body(200, "application/rss+xml", doc))
	res, err := collect(t, mustNew(t, config.Source{Name: "f", Type: "feed", URL: srv.URL}, Options{}), &State{})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "titles", len(res.Items), 1)
	eq(t, "title", res.Items[0].Title, "Café €5")
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "read as windows-1252") {
		t.Errorf("notes %q, want the assumed encoding", res.Notes)
	}
}
