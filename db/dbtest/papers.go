package dbtest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// testRoundTrip: every field of a paper comes back as saved, through
// Candidates and through Topic, and an update replaces every field.
func testRoundTrip(t *testing.T, b Backend) {
	full := Paper(1, "Attention Is All You Need")
	full.DOI, full.Upvotes, full.Comment, full.JournalRef = "10.1/x", 42, "15 pages", "NeurIPS 2017"
	full.Authors = append(full.Authors, "Éva Tardos", "李飞飞")
	full.Categories = append(full.Categories, "cs.LG")
	full.Updated = full.Published.Add(36 * time.Hour)
	full.FirstSeen = full.Published.Add(2 * time.Hour)
	full.Links = append(full.Links, model.Link{Kind: model.LinkPDF, URL: "https://arxiv.org/pdf/2611.00001"}, model.Link{Kind: model.LinkCode, URL: "https://github.com/x/y"})
	full.Sightings[0].Rule = model.RuleStarted
	full.Sightings = append(full.Sightings, model.Sighting{Source: "hf", GUID: "h1", Link: "https://hf.co/papers/2611.00001", FirstSeen: Day.Add(time.Hour), LastSeen: Day.Add(3 * time.Hour),
		Rule: model.RuleTolerant, Reason: "title differs by one word; authors agree: Ada Lovelace; year 2026"})
	sparse := &model.Paper{Title: "Untitled note", TitleKey: "untitled note", Published: Day, FirstSeen: Day,
		Sightings: []model.Sighting{{Source: "feed", GUID: "n1", FirstSeen: Day, LastSeen: Day}}}

	for _, tt := range []struct {
		name string
		p    *model.Paper
		find func(t *testing.T, s db.Store) []*model.Paper
	}{
		{"every field", full, func(t *testing.T, s db.Store) []*model.Paper { return candidates(t, s, "", "", "2611.00001", "", "") }},
		{"no optional field", sparse, func(t *testing.T, s db.Store) []*model.Paper { return candidates(t, s, "feed", "n1", "", "", "") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := b.New(t)
			Save(t, s, tt.p)
			if tt.p.ID == 0 || tt.p.UID == "" {
				t.Fatalf("Save assigned id %d, uid %q", tt.p.ID, tt.p.UID)
			}
			got := tt.find(t, s)
			if len(got) != 1 {
				t.Fatalf("found %d papers", len(got))
			}
			assertPaper(t, got[0], tt.p)
			topic, err := s.Topic(context.Background(), db.TopicQuery{Limit: 10})
			if err != nil || len(topic) != 1 {
				t.Fatalf("topic: %d papers, %v", len(topic), err)
			}
			assertPaper(t, topic[0], tt.p)
		})
	}

	t.Run("update replaces every field", func(t *testing.T) {
		s := b.New(t)
		p := Paper(2, "Old title")
		Save(t, s, p)
		id, uid := p.ID, p.UID
		p.Title, p.TitleKey, p.Abstract = "New title", "new title", "A new abstract."
		p.Authors = []string{"Grace Hopper"}
		p.Published, p.Updated = p.Published.Add(-time.Hour), p.Updated.Add(time.Hour)
		p.Categories = append(p.Categories, "cs.IR")
		p.DOI, p.Upvotes, p.Comment, p.JournalRef = "10.2/y", 7, "v2", "JMLR"
		p.Links = append(p.Links, model.Link{Kind: model.LinkPDF, URL: "https://arxiv.org/pdf/2611.00002v2"})
		Save(t, s, p)
		if p.ID != id || p.UID != uid {
			t.Errorf("update changed id %d -> %d, uid %q -> %q", id, p.ID, uid, p.UID)
		}
		assertPaper(t, byArxivID(t, s, "2611.00002"), p)
		if n := stats(t, s).Papers; n != 1 {
			t.Errorf("%d papers after an update", n)
		}
	})
}

// testUpdate: Update commits what fn saved when it returns nil and nothing
// when it fails, and returns fn's error.
func testUpdate(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.New(t)
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx db.Tx) error {
		if err := tx.Save(ctx, Paper(1, "A")); err != nil {
			return err
		}
		if err := tx.SaveSourceState(ctx, db.SourceState{Name: "a", Type: "feed"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	if st := stats(t, s); st.Papers != 0 || st.Sightings != 0 {
		t.Errorf("rolled back pass left %+v", st)
	}
	if p := byArxivID(t, s, "2611.00001"); p != nil {
		t.Errorf("rolled back paper found: %+v", p)
	}
	if all, err := s.SourceStates(ctx); err != nil || len(all) != 0 {
		t.Errorf("rolled back source state stored: %v %v", all, err)
	}
	Save(t, s, Paper(1, "A"), Paper(2, "B"))
	if st := stats(t, s); st.Papers != 2 || st.Sightings != 2 {
		t.Errorf("committed pass: %+v", st)
	}
}

// testUID: a new paper's public id is its arXiv id, else its DOI, else a hash
// of its first sighting; a taken one falls through to the next; it never
// changes.
func testUID(t *testing.T, b Backend) {
	s := b.New(t)
	arxiv := Paper(1, "A")
	doi := Paper(2, "B")
	doi.ArxivID, doi.DOI = "", "10.5/b"
	none := Paper(3, "C")
	none.ArxivID = ""
	taken := Paper(4, "D")
	taken.ArxivID, taken.DOI = "2611.00001", "10.5/d" // the arXiv id's uid is taken
	given := Paper(5, "E")
	given.UID = "pf:kept"
	Save(t, s, arxiv, doi, none, taken, given)
	for _, tt := range []struct {
		name string
		p    *model.Paper
		want string
	}{
		{"arXiv id", arxiv, "arxiv:2611.00001"},
		{"DOI", doi, "doi:10.5/b"},
		{"taken arXiv id falls to the DOI", taken, "doi:10.5/d"},
		{"given", given, "pf:kept"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.p.UID != tt.want {
				t.Errorf("uid %q, want %q", tt.p.UID, tt.want)
			}
		})
	}
	t.Run("hash of the first sighting", func(t *testing.T) {
		if len(none.UID) < 4 || none.UID[:3] != "pf:" {
			t.Errorf("uid %q", none.UID)
		}
		other := b.New(t)
		again := Paper(3, "C, listed again elsewhere")
		again.ArxivID = ""
		Save(t, other, again)
		if again.UID != none.UID {
			t.Errorf("the same first sighting gave uid %q, then %q", none.UID, again.UID)
		}
	})
	t.Run("unchanged by updates", func(t *testing.T) {
		arxiv.ArxivID = "2611.09999"
		Save(t, s, arxiv)
		if got := candidates(t, s, "arxiv", "g1", "", "", ""); len(got) != 1 || got[0].UID != "arxiv:2611.00001" {
			t.Errorf("after update: %+v", got)
		}
	})
}

// testCandidates: every lookup key finds the paper, unrelated and empty keys
// find nothing, each paper comes once, the sighting's paper first.
func testCandidates(t *testing.T, b Backend) {
	s := b.New(t)
	byID := Paper(2, "Found by arXiv id")
	sighted := Paper(1, "Found by sighting")
	sighted.DOI = "10.1/s"
	noKeys := Paper(3, "No identifiers")
	noKeys.ArxivID, noKeys.TitleKey = "", ""
	Save(t, s, byID, sighted, noKeys) // byID is stored first
	for _, tt := range []struct {
		name                               string
		source, guid, arxiv, doi, titleKey string
		want                               []int64
	}{
		{"sighting", "arxiv", "g1", "", "", "", []int64{sighted.ID}},
		{"arXiv id", "x", "y", "2611.00002", "", "", []int64{byID.ID}},
		{"DOI", "x", "y", "", "10.1/s", "", []int64{sighted.ID}},
		{"title key", "x", "y", "", "", "key2", []int64{byID.ID}},
		{"one paper by every key, once", "arxiv", "g1", "2611.00001", "10.1/s", "key1", []int64{sighted.ID}},
		{"sighting's paper first", "arxiv", "g1", "2611.00002", "", "key2", []int64{sighted.ID, byID.ID}},
		{"same source, other guid", "arxiv", "g9", "", "", "", nil},
		{"same guid, other source", "hf", "g1", "", "", "", nil},
		{"unrelated keys", "x", "y", "2611.99999", "10.9/z", "other", nil},
		{"empty keys match nothing", "", "", "", "", "", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []int64
			for _, p := range candidates(t, s, tt.source, tt.guid, tt.arxiv, tt.doi, tt.titleKey) {
				got = append(got, p.ID)
				if len(p.Sightings) == 0 {
					t.Errorf("candidate %d without its sightings", p.ID)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			for _, c := range lookup(t, s, tt.source, tt.guid, tt.arxiv, tt.doi, tt.titleKey, nil) {
				if want := c.ID == sighted.ID && tt.guid == "g1" && tt.source == "arxiv"; c.Listed != want {
					t.Errorf("candidate %d: Listed %v, want %v", c.ID, c.Listed, want)
				}
			}
		})
	}
	t.Run("Paper of an unknown id", func(t *testing.T) {
		ctx := context.Background()
		err := s.Update(ctx, func(tx db.Tx) error {
			_, err := tx.Paper(ctx, noKeys.ID+1000)
			return err
		})
		if !errors.Is(err, db.ErrNotFound) {
			t.Errorf("Paper of an unknown id: %v, want db.ErrNotFound", err)
		}
	})
}

// testCandidateBlocks: a blocking key finds at most db.MaxPerBlock papers,
// the newest first, keys in the order asked, each paper once and after those
// found by identifier or title key.
func testCandidateBlocks(t *testing.T, b Backend) {
	s := b.New(t)
	var ps []*model.Paper
	for i := 1; i <= db.MaxPerBlock+2; i++ {
		p := Paper(i, "Blocked")
		p.BlockKeys = []string{"w:common shared"}
		if i > db.MaxPerBlock {
			p.BlockKeys = append(p.BlockKeys, "a:lovelace rare")
		}
		ps = append(ps, p)
	}
	Save(t, s, ps...)
	ids := func(cs []db.Candidate) []int64 {
		var out []int64
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	newest := []int64{}
	for i := len(ps) - 1; len(newest) < db.MaxPerBlock; i-- {
		newest = append(newest, ps[i].ID)
	}
	for _, tt := range []struct {
		name     string
		titleKey string
		blocks   []string
		want     []int64
	}{
		{"capped, newest first", "", []string{"w:common shared"}, newest},
		{"each paper once", "", []string{"a:lovelace rare", "w:common shared"}, newest},
		{"title key first", "key1", []string{"w:common shared"}, append([]int64{ps[0].ID}, newest...)},
		{"keys in the order asked", "", []string{"w:none", "a:lovelace rare"}, newest[:2]},
		{"unknown key", "", []string{"w:none"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := lookup(t, s, "x", "y", "", "", tt.titleKey, tt.blocks)
			if !reflect.DeepEqual(ids(got), tt.want) {
				t.Errorf("got %v, want %v", ids(got), tt.want)
			}
			for _, c := range got {
				for _, p := range ps {
					if p.ID == c.ID && !reflect.DeepEqual(normalCandidate(c), candidateOf(p, false)) {
						t.Errorf("candidate %+v, want the stored paper's %+v", c, candidateOf(p, false))
					}
				}
			}
		})
	}
}

// testSightings: a sighting is upserted by (source, guid), Touch moves its
// last-seen time only, sightings come ordered by first seen then source.
func testSightings(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.New(t)
	p := Paper(1, "A")
	Save(t, s, p)

	t.Run("upsert", func(t *testing.T) {
		p.Sightings[0].LastSeen = Day.Add(5 * time.Hour)
		p.Sightings[0].Link = "https://arxiv.org/abs/2611.00001v2"
		p.Sightings = append(p.Sightings, model.Sighting{Source: "biorxiv", GUID: "b1", FirstSeen: Day.Add(-time.Hour), LastSeen: Day})
		Save(t, s, p)
		got := byArxivID(t, s, "2611.00001")
		want := []model.Sighting{p.Sightings[1], p.Sightings[0]} // first seen, then source
		if !reflect.DeepEqual(got.Sightings, want) {
			t.Errorf("sightings\n got %+v\nwant %+v", got.Sightings, want)
		}
		if n := stats(t, s).Sightings; n != 2 {
			t.Errorf("%d sightings stored", n)
		}
	})

	t.Run("touch", func(t *testing.T) {
		seen := Day.Add(48 * time.Hour)
		err := s.Update(ctx, func(tx db.Tx) error {
			if err := tx.Touch(ctx, "arxiv", "g1", seen); err != nil {
				return err
			}
			return tx.Touch(ctx, "arxiv", "never-stored", seen)
		})
		if err != nil {
			t.Fatal(err)
		}
		got := byArxivID(t, s, "2611.00001")
		var sg model.Sighting
		for _, x := range got.Sightings {
			if x.Source == "arxiv" {
				sg = x
			}
		}
		if !sg.LastSeen.Equal(seen) || !sg.FirstSeen.Equal(Day) || sg.Link != "https://arxiv.org/abs/2611.00001v2" {
			t.Errorf("touched sighting %+v", sg)
		}
		if n := stats(t, s).Sightings; n != 2 {
			t.Errorf("touching an unknown sighting stored one: %d sightings", n)
		}
	})

	t.Run("rule and reason", func(t *testing.T) {
		got := byArxivID(t, s, "2611.00001")
		for i := range got.Sightings {
			got.Sightings[i].Rule, got.Sightings[i].Reason = model.RuleExactKey, "same title key"
		}
		Save(t, s, got)
		again := byArxivID(t, s, "2611.00001")
		if !reflect.DeepEqual(again.Sightings, got.Sightings) {
			t.Errorf("sightings\n got %+v\nwant %+v", again.Sightings, got.Sightings)
		}
		if err := s.Update(ctx, func(tx db.Tx) error { return tx.Touch(ctx, "arxiv", "g1", Day.Add(49*time.Hour)) }); err != nil {
			t.Fatal(err)
		}
		for _, sg := range byArxivID(t, s, "2611.00001").Sightings {
			if sg.Rule != model.RuleExactKey || sg.Reason != "same title key" {
				t.Errorf("Touch changed the rule: %+v", sg)
			}
		}
	})

	t.Run("same sighting saved with another paper moves to it", func(t *testing.T) {
		q := Paper(2, "B")
		q.Sightings = []model.Sighting{{Source: "biorxiv", GUID: "b1", FirstSeen: Day, LastSeen: Day}}
		Save(t, s, q)
		if got := candidates(t, s, "biorxiv", "b1", "", "", ""); len(got) != 1 || got[0].ID != q.ID {
			t.Errorf("sighting's paper: %v", numbers(got))
		}
		if got := byArxivID(t, s, "2611.00001"); len(got.Sightings) != 1 {
			t.Errorf("old paper keeps %d sightings", len(got.Sightings))
		}
	})
}
