package sources

import (
	"net/http"
	"testing"

	"github.com/paperfeed/paperfeed/aggregator/config"
)

// TestScholarlyConditional: the first page of a normal Crossref or OpenAlex
// pass is asked with the validators of the previous answer; a 304 is an
// unchanged pass that stores nothing.
func TestScholarlyConditional(t *testing.T) {
	for _, tt := range []struct {
		name string
		src  config.Source
		file string
	}{
		{"crossref", config.Source{Type: "crossref", ISSN: []string{"0028-0836"}}, crossrefDir + "test_works_query__0.json"},
		{"openalex", config.Source{Type: "openalex", Filter: "primary_topic.id:T10102"}, openAlexDir + "rkrug-openalexPro__oa_snowball__0_filter-openalex_per-page1_page1.json"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := fixture(t, tt.file)
			conditional := 0
			srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("ETag", `"v1"`)
				if r.Header.Get("If-None-Match") == `"v1"` {
					conditional++
					w.WriteHeader(http.StatusNotModified)
					return
				}
				w.Write(b)
			})
			c := tt.src
			c.Name, c.URL = "x", srv.URL
			s := mustNew(t, c, Options{Now: at("2026-09-09T12:00:00Z")})
			st := &State{}
			res, err := collect(t, s, st)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Items) == 0 || res.AllNotModified || len(st.Validators) != 1 {
				t.Fatalf("first pass: %d items, not modified %v, validators %v", len(res.Items), res.AllNotModified, st.Validators)
			}
			res, err = collect(t, s, st)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "conditional requests", conditional, 1)
			eq(t, "AllNotModified", res.AllNotModified, true)
			eq(t, "items", len(res.Items), 0)
		})
	}
}
