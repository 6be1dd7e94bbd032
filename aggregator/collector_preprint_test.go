package aggregator

import (
	"context"
	"slices"
	"testing"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// TestVersionDOIsMerge: an item naming another version's DOI (Crossref's
// has-preprint, bioRxiv's published) joins the stored version, whatever its
// own title and DOI, in either order; without a stored version it is a paper
// of its own.
func TestVersionDOIsMerge(t *testing.T) {
	c, store := setup(t)
	ctx := context.Background()
	sc := config.Source{Name: "x", Type: "crossref"}
	ingest := func(it model.Item) outcome {
		t.Helper()
		var out outcome
		if err := store.Update(ctx, func(tx db.Tx) error {
			var err error
			out, err = c.ingest(ctx, tx, sc, &it, now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	preprint := model.Item{Source: "biorxiv", GUID: "doi:10.1101/2025.01.01.000001", Title: "A preprint title", DOI: "10.1101/2025.01.01.000001",
		Authors: []string{"Ada Lovelace"}, Links: []model.Link{{Kind: model.LinkDOI, URL: "https://doi.org/10.1101/2025.01.01.000001"}}}
	journal := model.Item{Source: "nature", GUID: "doi:10.1038/x1", Title: "The journal's other title", DOI: "10.1038/x1", VersionDOIs: []string{"10.1101/2025.01.01.000001"},
		JournalRef: "Nature 1(1)", Links: []model.Link{{Kind: model.LinkDOI, URL: "https://doi.org/10.1038/x1"}}}
	orphan := model.Item{Source: "nature", GUID: "doi:10.1038/x2", Title: "Another article", DOI: "10.1038/x2", VersionDOIs: []string{"10.1101/2025.09.09.999999"}}

	eq := func(what string, got, want outcome) {
		t.Helper()
		if got != want {
			t.Errorf("%s: outcome %d, want %d", what, got, want)
		}
	}
	eq("preprint", ingest(preprint), outcomeNew)
	eq("journal version", ingest(journal), outcomeMerged)
	eq("journal version again", ingest(journal), outcomeKnown)
	eq("preprint not stored", ingest(orphan), outcomeNew)

	ps := all(t, store)
	if len(ps) != 2 {
		t.Fatalf("%d papers, want 2", len(ps))
	}
	p := find(ps, "A preprint title")
	if p == nil || !slices.Equal(p.Sources(), []string{"biorxiv", "nature"}) || p.DOI != "10.1101/2025.01.01.000001" || p.JournalRef != "Nature 1(1)" ||
		!slices.Contains(p.Links, model.Link{Kind: model.LinkDOI, URL: "https://doi.org/10.1038/x1"}) {
		t.Errorf("merged paper: %+v", p)
	}
	// Listed again, the journal version keeps the rule it joined by.
	if sg := sightingOf(p, "nature", "doi:10.1038/x1"); sg == nil || sg.Rule != model.RuleVersionDOI ||
		sg.Reason != "names 10.1101/2025.01.01.000001, the DOI of another version of the paper" {
		t.Errorf("journal version's sighting: %+v", sg)
	}
	if sg := sightingOf(p, "biorxiv", "doi:10.1101/2025.01.01.000001"); sg == nil || sg.Rule != model.RuleStarted {
		t.Errorf("preprint's sighting: %+v", sg)
	}

	// The other order: the journal version first, then the preprint naming it.
	article := model.Item{Source: "nature", GUID: "doi:10.1038/x3", Title: "Journal title three", DOI: "10.1038/x3"}
	preprint3 := model.Item{Source: "biorxiv", GUID: "doi:10.1101/2025.03.03.000003", Title: "Preprint title three", DOI: "10.1101/2025.03.03.000003",
		VersionDOIs: []string{"10.1038/x3"}}
	eq("journal version first", ingest(article), outcomeNew)
	eq("its preprint", ingest(preprint3), outcomeMerged)
	p = find(all(t, store), "Journal title three")
	if p == nil || len(p.Sightings) != 2 || !slices.Contains(p.Sources(), "biorxiv") {
		t.Errorf("journal-first merge: %+v", p)
	}
}
