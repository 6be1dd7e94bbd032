package dedup

import (
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/ident"
	"github.com/paperfeed/paperfeed/db/model"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

func cand(title string, authors []string, pub time.Time) Candidate {
	return Candidate{Title: title, TitleKey: ident.TitleKey(title), Authors: authors, Published: pub}
}

func withIDs(c Candidate, arxiv, doi string) Candidate {
	c.ArxivID, c.DOI = arxiv, doi
	return c
}

func TestSame(t *testing.T) {
	editors := []string{"Joao Monteiro", "Saheli Sadanand"}
	brown := []string{"Tom B. Brown", "Benjamin Mann", "Nick Ryder"}
	cases := []struct {
		name string
		a, b Candidate
		want bool
	}{
		// Identifiers.
		{"same arXiv id, titles differ (v1 vs v3 retitled)",
			withIDs(cand("Old title of the work", nil, day(2023, 1, 1)), "2301.00001", ""),
			withIDs(cand("A completely new title", nil, day(2024, 1, 1)), "2301.00001", ""), true},
		{"same DOI, titles differ",
			withIDs(cand("Preprint title", nil, time.Time{}), "", "10.1038/s41591-026-01234-5"),
			withIDs(cand("Journal title", nil, time.Time{}), "", "10.1038/s41591-026-01234-5"), true},
		{"same DOI and generic title, different dates",
			withIDs(cand("Editorial", editors, day(2025, 1, 1)), "", "10.1038/x1"),
			withIDs(cand("Editorial", editors, day(2025, 3, 1)), "", "10.1038/x1"), true},
		{"different arXiv ids, same title: two papers",
			withIDs(cand("Scaling Laws for Neural Language Models", brown, day(2020, 1, 1)), "2001.08361", ""),
			withIDs(cand("Scaling Laws for Neural Language Models", brown, day(2020, 1, 1)), "2001.08362", ""), false},
		{"arXiv DOI form equals arXiv id",
			newCandidate("X", "x", nil, time.Time{}, "", "10.48550/arXiv.2410.17243"),
			newCandidate("Y", "y", nil, time.Time{}, "2410.17243v2", ""), true},
		{"old-style arXiv ids",
			withIDs(cand("A", nil, time.Time{}), "hep-th/9901001", ""),
			withIDs(cand("B", nil, time.Time{}), "hep-th/9901001", ""), true},
		{"preprint DOI vs journal DOI, same title and authors, a year apart",
			withIDs(cand("Single-cell atlas of the ageing human liver", []string{"Ana Ruiz", "Li Wei"}, day(2024, 2, 3)), "", "10.1101/2024.02.01.578123"),
			withIDs(cand("Single-cell atlas of the ageing human liver.", []string{"Ruiz A", "Wei L"}, day(2025, 6, 9)), "", "10.1038/s41591-025-01111-1"), true},
		{"arXiv preprint vs journal version (no arXiv id), same title",
			withIDs(cand("Denoising Diffusion Probabilistic Models", []string{"Jonathan Ho", "Ajay Jain"}, day(2020, 6, 19)), "2006.11239", ""),
			withIDs(cand("Denoising diffusion probabilistic models", []string{"J. Ho", "A. Jain", "P. Abbeel"}, day(2021, 12, 6)), "", "10.5555/3495724.3496298"), true},

		// Title variants with author spellings.
		{"initials vs full names", cand("Language Models are Few-Shot Learners", brown, day(2020, 5, 28)),
			cand("Language models are few-shot learners.", []string{"T. Brown", "B. Mann"}, day(2020, 12, 1)), true},
		{"PubMed initials", cand("<i>De novo</i> design of protein structure", []string{"Joseph L. Watson"}, day(2023, 7, 11)),
			cand("De novo design of protein structure", []string{"Watson JL", "Juergens D"}, day(2022, 12, 1)), true},
		{"Last, First", cand("Diffusion Schrödinger Bridge", []string{"De Bortoli, Valentin", "Thornton, J."}, day(2021, 6, 1)),
			cand("Diffusion Schrodinger Bridge", []string{"Valentin De Bortoli"}, day(2021, 12, 1)), true},
		{"diacritics in surname", cand("Infinite memory transformer", []string{"André F. T. Martins"}, day(2021, 9, 1)),
			cand("Infinite Memory Transformer", []string{"Andre F. T. Martins"}, day(2022, 5, 1)), true},
		{"one author list unknown", cand("Emergent Abilities of Large Language Models", nil, day(2022, 6, 1)),
			cand("Emergent Abilities of Large Language Models", []string{"Jason Wei"}, day(2022, 8, 1)), true},
		{"arXiv RSS reader placeholder author", cand("Emergent Abilities of Large Language Models", []string{"rss-help@arxiv.org"}, day(2022, 6, 1)),
			cand("Emergent Abilities of Large Language Models", []string{"Jason Wei"}, day(2022, 8, 1)), true},

		// Title differences never merge.
		{"Part I vs Part II", cand("Mathematical Capabilities of ChatGPT: Part I", []string{"Simon Frieder"}, day(2023, 1, 1)),
			cand("Mathematical Capabilities of ChatGPT: Part II", []string{"Simon Frieder"}, day(2023, 1, 1)), false},
		{"v3 vs v4", cand("YOLOv3", []string{"Joseph Redmon"}, day(2018, 1, 1)),
			cand("YOLOv4", []string{"Joseph Redmon"}, day(2018, 1, 1)), false},
		{"not vs not not", cand("Attention is not Explanation", []string{"Sarthak Jain"}, day(2019, 1, 1)),
			cand("Attention is not not Explanation", []string{"Sarthak Jain"}, day(2019, 1, 1)), false},
		{"Qwen2 vs Qwen2.5", cand("Qwen2 Technical Report", []string{"An Yang"}, day(2024, 1, 1)),
			cand("Qwen2.5 Technical Report", []string{"An Yang"}, day(2024, 1, 1)), false},

		// Same title, different people.
		{"same title, no shared surname", cand("Deep Learning", []string{"Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"}, day(2015, 5, 27)),
			cand("Deep Learning", []string{"Ian Goodfellow", "Aaron Courville"}, day(2016, 11, 1)), false},
		{"generic title, different authors, same day", cand("Editorial", []string{"Jane Roe"}, day(2025, 3, 1)),
			cand("Editorial", []string{"John Doe"}, day(2025, 3, 1)), false},

		// Journal columns.
		{"editor's note, same editors, different issues", cand("Editor's note", editors, day(2025, 1, 7)),
			cand("Editor’s Note", editors, day(2025, 2, 7)), false},
		{"in this issue, a year apart", cand("In this issue", editors, day(2024, 6, 1)),
			cand("In This Issue", editors, day(2025, 6, 1)), false},
		{"book review, next day", cand("Book review", editors, day(2025, 3, 1)),
			cand("Book Review", editors, day(2025, 3, 2)), false},
		{"correction, unknown date", cand("Correction", nil, time.Time{}),
			cand("Correction", nil, time.Time{}), false},
		{"author correction with subject, different dates", cand("Author Correction: Single-cell atlas of the ageing liver", []string{"Ana Ruiz"}, day(2025, 3, 1)),
			cand("Author Correction: Single-cell atlas of the ageing liver", []string{"Ana Ruiz"}, day(2025, 9, 1)), false},
		{"thank you to our reviewers 2024 vs 2025", cand("Thank you to our reviewers", editors, day(2024, 12, 20)),
			cand("Thank You to Our Reviewers", editors, day(2025, 12, 19)), false},
		{"editor's note seen twice the same day", cand("Editor's note", editors, day(2025, 1, 7)),
			cand("Editor's note", editors, day(2025, 1, 7).Add(3*time.Hour)), true},
		{"generic title, same day, two DOIs", withIDs(cand("Correction", nil, day(2025, 1, 7)), "", "10.1038/a"),
			withIDs(cand("Correction", nil, day(2025, 1, 7)), "", "10.1038/b"), false},
		{"one-word title a year apart", cand("Loneliness", editors, day(2024, 1, 1)),
			cand("Loneliness", editors, day(2025, 1, 1)), false},
		{"short real title a year apart still merges", cand("Segment Anything", []string{"Alexander Kirillov"}, day(2023, 4, 5)),
			cand("Segment anything", []string{"A. Kirillov"}, day(2024, 1, 1)), true},

		// Empty keys never merge.
		{"empty titles", cand("", nil, day(2025, 1, 1)), cand("", nil, day(2025, 1, 1)), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Same(c.a, c.b); got != c.want {
				t.Errorf("Same(a, b) = %v, want %v\n a=%+v\n b=%+v", got, c.want, c.a, c.b)
			}
			if got := Same(c.b, c.a); got != c.want {
				t.Errorf("Same(b, a) = %v, want %v", got, c.want)
			}
		})
	}
}

func TestSurnameKeys(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Tom B. Brown", []string{"brown"}},
		{"T. Brown", []string{"brown"}},
		{"T.Brown", []string{"brown"}},
		{"Brown, Tom B.", []string{"brown"}},
		{"Watson JL", []string{"watson", "jl"}},
		{"Joseph L. Watson", []string{"watson"}},
		{"Yann LeCun", []string{"lecun"}},
		{"André F. T. Martins", []string{"martins"}},
		{"De Bortoli, Valentin", []string{"bortoli"}},
		{"Martin Luther King, Jr.", []string{"king"}},
		{"Juergens D", []string{"juergens"}},
		{"Tom B. Brown, Benjamin Mann", []string{"brown", "mann"}},
		{"Ruiz, A.; Wei, L.", []string{"ruiz", "wei"}},
		{"rss-help@arxiv.org", nil},
		{"et al.", nil},
	}
	for _, c := range cases {
		got := surnameKeys([]string{c.in})
		if len(got) != len(c.want) {
			t.Errorf("surnameKeys(%q) = %q, want %q", c.in, got, c.want)
			continue
		}
		for _, w := range c.want {
			if !shareSurname([]string{w}, got) {
				t.Errorf("surnameKeys(%q) = %q, want %q", c.in, got, c.want)
			}
		}
	}
}

func TestFromItemAndPaper(t *testing.T) {
	it := &model.Item{Title: "Attention Is All You Need", Authors: []string{"Ashish Vaswani"}, ArxivID: "1706.03762v7", DOI: "https://doi.org/10.5555/3295222.3295349"}
	c := FromItem(it)
	if c.TitleKey != "attentionisallyouneed" || c.ArxivID != "1706.03762" || c.DOI != "10.5555/3295222.3295349" || c.Title != it.Title {
		t.Errorf("FromItem = %+v", c)
	}
	p := &model.Paper{Title: "Attention is all you need.", ArxivID: "1706.03762"}
	if pc := FromPaper(p); pc.TitleKey != c.TitleKey || !Same(c, pc) {
		t.Errorf("FromPaper = %+v, not Same as %+v", pc, c)
	}
}
