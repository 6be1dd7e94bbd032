package aggregator

import (
	"context"
	"slices"
	"testing"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// TestPreprintDOIMerges: an item naming its preprint's DOI (Crossref's
// has-preprint) joins the stored preprint, whatever its own title and DOI;
// without a stored preprint it is a paper of its own.
func TestPreprintDOIMerges(t *testing.T) {
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
	journal := model.Item{Source: "nature", GUID: "doi:10.1038/x1", Title: "The journal's other title", DOI: "10.1038/x1", PreprintDOI: "10.1101/2025.01.01.000001",
		JournalRef: "Nature 1(1)", Links: []model.Link{{Kind: model.LinkDOI, URL: "https://doi.org/10.1038/x1"}}}
	orphan := model.Item{Source: "nature", GUID: "doi:10.1038/x2", Title: "Another article", DOI: "10.1038/x2", PreprintDOI: "10.1101/2025.09.09.999999"}

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
}
