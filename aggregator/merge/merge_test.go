package merge

import (
	"slices"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/ident"
	"github.com/paperfeed/paperfeed/db/model"
)

var (
	t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t1 = t0.Add(time.Hour)
)

func TestMergeKeepsBest(t *testing.T) {
	arxiv := &model.Item{
		Source: "arxiv", GUID: "oai:arXiv.org:2005.14165v1", Link: "https://arxiv.org/abs/2005.14165",
		Title: "Language Models are Few-Shot Learners", Abstract: "Short abstract.",
		Authors:    []string{"T. Brown", "B. Mann"},
		Published:  time.Date(2020, 5, 28, 0, 0, 0, 0, time.UTC),
		Categories: []string{"cs.CL"}, ArxivID: "2005.14165",
		Links: []model.Link{{Kind: model.LinkAbstract, URL: "https://arxiv.org/abs/2005.14165"}},
	}
	p := New(arxiv, t0)
	p.ID = 1

	hf := &model.Item{
		Source: "hf", GUID: "2005.14165", Link: "https://huggingface.co/papers/2005.14165",
		Title:      "Language models are few-shot learners",
		Abstract:   "A much longer abstract that says more about the paper.",
		Authors:    []string{"Tom B. Brown", "Benjamin Mann", "Nick Ryder"},
		Published:  time.Date(2020, 5, 29, 0, 0, 0, 0, time.UTC),
		Categories: []string{"cs.CL", "cs.AI"}, Upvotes: 12,
		Links: []model.Link{{Kind: model.LinkHuggingFace, URL: "https://huggingface.co/papers/2005.14165"}, {Kind: model.LinkAbstract, URL: "http://arxiv.org/abs/2005.14165/"}},
	}
	if !Into(p, hf, t1) {
		t.Error("a longer abstract is news")
	}
	if want := []string{"Tom B. Brown", "Benjamin Mann", "Nick Ryder"}; !slices.Equal(p.Authors, want) {
		t.Errorf("Authors = %q, want %q", p.Authors, want)
	}
	if p.Abstract != hf.Abstract {
		t.Errorf("Abstract = %q", p.Abstract)
	}
	if p.Title != arxiv.Title {
		t.Errorf("Title = %q, want the first", p.Title)
	}
	if !p.Published.Equal(arxiv.Published) {
		t.Errorf("Published = %v, want the earliest", p.Published)
	}
	if want := []string{"cs.CL", "cs.AI"}; !slices.Equal(p.Categories, want) {
		t.Errorf("Categories = %q", p.Categories)
	}
	if len(p.Links) != 2 || p.Link(model.LinkHuggingFace) == "" {
		t.Errorf("Links = %v", p.Links)
	}
	if p.Upvotes != 12 || !p.Updated.Equal(t1) || len(p.Sightings) != 2 {
		t.Errorf("Upvotes %d Updated %v Sightings %d", p.Upvotes, p.Updated, len(p.Sightings))
	}

	// A poorer later sighting erases nothing and is not news.
	t2 := t1.Add(time.Hour)
	poor := &model.Item{Source: "hf", GUID: "2005.14165", Title: "Language Models are Few-Shot Learners",
		Abstract: "Short.", Authors: []string{"T. Brown"}, Upvotes: 3, Published: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)}
	if Into(p, poor, t2) {
		t.Error("poorer sighting reported as news")
	}
	if p.Abstract != hf.Abstract || p.Upvotes != 12 || len(p.Authors) != 3 || len(p.Categories) != 2 || p.ArxivID != "2005.14165" {
		t.Errorf("later sighting erased something: %+v", p)
	}
	if !p.Updated.Equal(t1) || p.Sightings[1].LastSeen != t2 || len(p.Sightings) != 2 {
		t.Errorf("Updated %v, sightings %+v", p.Updated, p.Sightings)
	}

	// New upvotes alone are not news.
	if Into(p, &model.Item{Source: "hf", GUID: "2005.14165", Upvotes: 40}, t2) || p.Upvotes != 40 {
		t.Errorf("upvotes: %d", p.Upvotes)
	}
}

func TestMergeAbstractClean(t *testing.T) {
	p := New(&model.Item{Source: "a", GUID: "1", Title: "T", Abstract: "A clean abstract of moderate length."}, t0)
	if Into(p, &model.Item{Source: "b", GUID: "2", Abstract: "A clean abstract of moderate length <jats:p>with residue</jats:p> and more text."}, t1) {
		t.Error("longer abstract with markup residue replaced a clean one")
	}
	if Into(p, &model.Item{Source: "c", GUID: "3", Abstract: "A clean abstract of moderate length, truncated and longer than before..."}, t1) {
		t.Error("truncated abstract replaced a complete one")
	}
	p = New(&model.Item{Source: "a", GUID: "1", Title: "T", Abstract: "Residue &amp; markup <p>here</p> in a long abstract text"}, t0)
	if !Into(p, &model.Item{Source: "b", GUID: "2", Abstract: "Clean but shorter."}, t1) || p.Abstract != "Clean but shorter." {
		t.Errorf("clean abstract did not replace residue: %q", p.Abstract)
	}
}

func TestMergeTitle(t *testing.T) {
	p := New(&model.Item{Source: "a", GUID: "1", Title: "LORA: LOW-RANK ADAPTATION OF LARGE LANGUAGE MODELS."}, t0)
	if !Into(p, &model.Item{Source: "b", GUID: "2", Title: "LoRA: Low-Rank Adaptation of Large Language Models"}, t1) ||
		p.Title != "LoRA: Low-Rank Adaptation of Large Language Models" {
		t.Errorf("cleaner spelling not taken: %q", p.Title)
	}
	if Into(p, &model.Item{Source: "c", GUID: "3", Title: "LORA: LOW-RANK ADAPTATION OF LARGE LANGUAGE MODELS"}, t1) {
		t.Error("poorer spelling replaced the title")
	}
	if Into(p, &model.Item{Source: "c", GUID: "4", Title: "A journal title that differs"}, t1) {
		t.Error("a different title from a non-replacement replaced the title")
	}
	if !Into(p, &model.Item{Source: "arxiv", GUID: "5", Title: "LoRA, revised", AnnounceType: "replace"}, t1) || p.Title != "LoRA, revised" {
		t.Errorf("arXiv replacement title not taken: %q", p.Title)
	}
	if Into(p, &model.Item{Source: "c", GUID: "6"}, t1) || p.Title != "LoRA, revised" {
		t.Error("an empty title erased the title")
	}
}

func TestMergeAuthors(t *testing.T) {
	cases := []struct {
		name      string
		have, add []string
		want      []string
	}{
		{"first sighting", nil, []string{"A. One", " ", "B. Two"}, []string{"A. One", "B. Two"}},
		{"fuller spelling wins", []string{"T. Brown", "B. Mann"}, []string{"Tom B. Brown", "B. Mann"}, []string{"Tom B. Brown", "B. Mann"}},
		{"fuller kept", []string{"Tom B. Brown"}, []string{"T. Brown"}, []string{"Tom B. Brown"}},
		{"PubMed style", []string{"Watson JL", "Juergens D"}, []string{"Joseph L. Watson", "David Juergens"}, []string{"Joseph L. Watson", "David Juergens"}},
		{"Last, First", []string{"Brown, Tom B."}, []string{"T. B. Brown"}, []string{"Brown, Tom B."}},
		{"case only", []string{"Yann LeCun"}, []string{"Yann Lecun"}, []string{"Yann LeCun"}},
		{"diacritics win a tie", []string{"Andre F. T. Martins"}, []string{"André F. T. Martins"}, []string{"André F. T. Martins"}},
		{"new author appended", []string{"Jason Wei", "Yi Tay"}, []string{"Jason Wei", "Rishi Bommasani"}, []string{"Jason Wei", "Yi Tay", "Rishi Bommasani"}},
		{"fuller list keeps its order", []string{"A. One", "C. Three"}, []string{"Ann One", "Bo Two", "Cy Three"}, []string{"Ann One", "Bo Two", "Cy Three"}},
		{"same surname, other person", []string{"Xuezhi Wang"}, []string{"Xiaolong Wang"}, []string{"Xuezhi Wang", "Xiaolong Wang"}},
		{"same surname, other initial", []string{"J. Wang"}, []string{"K. Wang"}, []string{"J. Wang", "K. Wang"}},
		{"et al. dropped", []string{"Jason Wei"}, []string{"J. Wei", "et al."}, []string{"Jason Wei"}},
		{"empty add keeps", []string{"Jason Wei"}, nil, []string{"Jason Wei"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			have := slices.Clone(c.have)
			if got := mergeAuthors(have, c.add); !slices.Equal(got, c.want) {
				t.Errorf("mergeAuthors(%q, %q) = %q, want %q", c.have, c.add, got, c.want)
			}
			if !slices.Equal(have, c.have) {
				t.Errorf("have modified: %q", have)
			}
		})
	}
}

// TestMergeMovesUpdated: any change of a stored record but a sighting's
// LastSeen moves Updated (feeds show all of it); Into still reports only
// title and abstract changes as news.
func TestMergeMovesUpdated(t *testing.T) {
	base := model.Item{Source: "hf", GUID: "2005.14165", Link: "https://huggingface.co/papers/2005.14165",
		Title: "Language Models are Few-Shot Learners", Abstract: "An abstract.", Authors: []string{"Tom B. Brown"},
		Published: t0, ArxivID: "2005.14165", Upvotes: 12, Categories: []string{"cs.CL"},
		Links: []model.Link{{Kind: model.LinkHuggingFace, URL: "https://huggingface.co/papers/2005.14165"}}}
	t2 := t1.Add(time.Hour)
	cases := []struct {
		name  string
		edit  func(*model.Item)
		moves bool
		news  bool
	}{
		{"same listing seen again", func(*model.Item) {}, false, false},
		{"fewer upvotes", func(it *model.Item) { it.Upvotes = 3 }, false, false},
		{"new upvotes", func(it *model.Item) { it.Upvotes = 40 }, true, false},
		{"a second source", func(it *model.Item) { it.Source, it.GUID = "arxiv", "oai:arXiv.org:2005.14165" }, true, false},
		{"a code link", func(it *model.Item) {
			it.Links = append(it.Links, model.Link{Kind: model.LinkCode, URL: "https://github.com/openai/gpt-3"})
		}, true, false},
		{"another author", func(it *model.Item) { it.Authors = append(it.Authors, "Benjamin Mann") }, true, false},
		{"another category", func(it *model.Item) { it.Categories = []string{"cs.AI"} }, true, false},
		{"a journal reference", func(it *model.Item) { it.JournalRef = "NeurIPS 2020" }, true, false},
		{"an earlier date", func(it *model.Item) { it.Published = t0.Add(-time.Hour) }, true, false},
		{"a moved listing link", func(it *model.Item) { it.Link = "https://huggingface.co/papers/2005.14165v2" }, true, false},
		{"a longer abstract", func(it *model.Item) { it.Abstract = "A much longer abstract of the paper." }, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			first := base
			p := New(&first, t0)
			p.ID = 1 // stored
			it := base
			it.Authors = slices.Clone(base.Authors)
			it.Links = slices.Clone(base.Links)
			c.edit(&it)
			if news := Into(p, &it, t2); news != c.news {
				t.Errorf("Merge reported news=%v, want %v", news, c.news)
			}
			want := t0
			if c.moves {
				want = t2
			}
			if !p.Updated.Equal(want) {
				t.Errorf("Updated %v, want %v", p.Updated, want)
			}
		})
	}
	t.Run("a record not yet stored keeps its own date", func(t *testing.T) {
		p := New(&base, t1)
		if !p.Updated.Equal(t0) {
			t.Errorf("Updated %v, want the published date %v", p.Updated, t0)
		}
	})
}

// TestTitleKeyFollowsTitle: New and Into keep TitleKey equal to the title's
// key, so no caller recomputes it.
func TestTitleKeyFollowsTitle(t *testing.T) {
	now := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	p := New(&model.Item{Source: "a", GUID: "1", Title: "  LORA: LOW-RANK ADAPTATION  "}, now)
	if want := ident.TitleKey("LORA: LOW-RANK ADAPTATION"); p.TitleKey != want || want == "" {
		t.Fatalf("new: TitleKey %q, want %q", p.TitleKey, want)
	}
	p.ID = 1
	Into(p, &model.Item{Source: "arxiv", GUID: "2", Title: "LoRA, revised", AnnounceType: "replace"}, now)
	if want := ident.TitleKey("LoRA, revised"); p.TitleKey != want {
		t.Fatalf("revised: TitleKey %q, want %q", p.TitleKey, want)
	}
	p.TitleKey = ""
	Into(p, &model.Item{Source: "c", GUID: "3"}, now)
	if p.TitleKey == "" {
		t.Fatal("a record loaded without a key gets one")
	}
}
