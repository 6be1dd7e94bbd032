package dbtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db"
)

// testLookups: Paper by UID, Identified by arXiv id or DOI, Texts of all.
func testLookups(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.New(t)
	p1, p2, p3 := Paper(1, "Masked autoencoders"), Paper(2, "Contrastive learning"), Paper(3, "Protein folding")
	p2.DOI = "10.1109/cvpr.2023.1"
	p3.Authors = nil
	Save(t, s, p1, p2, p3)

	t.Run("Paper", func(t *testing.T) {
		got, err := s.Paper(ctx, p2.UID)
		if err != nil {
			t.Fatal(err)
		}
		assertPaper(t, got, p2)
		if _, err := s.Paper(ctx, "arxiv:0000.00000"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("unknown uid: err = %v, want ErrNotFound", err)
		}
	})
	t.Run("Identified", func(t *testing.T) {
		for _, c := range []struct {
			name        string
			arxiv, dois []string
			want        []int64
		}{
			{"none", nil, nil, nil},
			{"arxiv", []string{p1.ArxivID, "9999.99999"}, nil, []int64{p1.ID}},
			{"doi", nil, []string{p2.DOI}, []int64{p2.ID}},
			{"both name one paper", []string{p2.ArxivID}, []string{p2.DOI}, []int64{p2.ID}},
			{"two", []string{p3.ArxivID, ""}, []string{p2.DOI, ""}, []int64{p2.ID, p3.ID}},
		} {
			t.Run(c.name, func(t *testing.T) {
				ps, err := s.Identified(ctx, c.arxiv, c.dois)
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, p := range ps {
					got = append(got, p.ID)
					if len(p.Sightings) == 0 {
						t.Errorf("paper %d without sightings", p.ID)
					}
				}
				slices.Sort(got)
				if !slices.Equal(got, c.want) {
					t.Errorf("ids = %v, want %v", got, c.want)
				}
			})
		}
	})
	t.Run("Texts", func(t *testing.T) {
		var got []string
		updated := map[int64]int64{p1.ID: p1.Updated.Unix(), p2.ID: p2.Updated.Unix(), p3.ID: p3.Updated.Unix()}
		err := s.Texts(ctx, func(x db.Text) error {
			got = append(got, fmt.Sprintf("%d|%s|%s|%d", x.ID, x.Title, x.Abstract, len(x.Authors)))
			if x.Updated.Unix() != updated[x.ID] {
				t.Errorf("paper %d: Updated = %v, want the stored record's %v", x.ID, x.Updated, time.Unix(updated[x.ID], 0).UTC())
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			fmt.Sprintf("%d|Masked autoencoders|We study Masked autoencoders.|2", p1.ID),
			fmt.Sprintf("%d|Contrastive learning|We study Contrastive learning.|2", p2.ID),
			fmt.Sprintf("%d|Protein folding|We study Protein folding.|0", p3.ID),
		}
		if !slices.Equal(got, want) {
			t.Errorf("texts = %q, want %q", got, want)
		}
		stop := errors.New("stop")
		n := 0
		if err := s.Texts(ctx, func(db.Text) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
			t.Errorf("stopping: err = %v after %d, want stop after 1", err, n)
		}
	})
}
