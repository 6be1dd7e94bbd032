package dedup

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// addTitleSeeds seeds a fuzz target with both titles of every pair in
// testdata/own_pairs.jsonl and a few hand-picked shapes (scraped listing,
// markup, mojibake, a numbered part).
func addTitleSeeds(f *testing.F) {
	f.Helper()
	for _, s := range []string{
		"", "a", "Part II", "Abstract: Learning to rank (extended abstract)",
		"A. Ruiz, T. Keller. Robust flow estimation. In Proceedings of CVPR 2019.",
		"Colour â ?? behaviour modelling", "<i>Deep</i> $\\alpha$-nets &amp; more",
		"Optimisation of graphs (Part 2) [panel]", "1st 2nd third ii iv", "....  ..",
	} {
		f.Add(s)
	}
	fh, err := os.Open("testdata/own_pairs.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var p labelledPair
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			f.Fatalf("own_pairs.jsonl: %v", err)
		}
		f.Add(p.A.Title)
		f.Add(p.B.Title)
	}
	if err := sc.Err(); err != nil {
		f.Fatal(err)
	}
}

// swapASCIICase flips the case of ASCII letters only, so that a title and its
// re-cased form differ in nothing but case.
func swapASCIICase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return r
	}, s)
}

// caseBlind reports whether re-casing s should leave its words alone: markup
// (TeX commands, HTML tags and entities) is case-sensitive, plain text is not.
func caseBlind(s string) bool {
	return !strings.ContainsAny(s, `\$&<`)
}

func FuzzCleanWords(f *testing.F) {
	addTitleSeeds(f)
	f.Fuzz(func(t *testing.T, title string) {
		ws := cleanWords(title)
		if !slices.Equal(ws, cleanWords(title)) {
			t.Fatalf("cleanWords(%q) not deterministic", title)
		}
		for _, w := range ws {
			if w == "" || stopWords[w] {
				t.Fatalf("cleanWords(%q) = %q: holds empty or stop word %q", title, ws, w)
			}
		}
		if caseBlind(title) {
			if rc := cleanWords(swapASCIICase(title)); !slices.Equal(ws, rc) {
				t.Fatalf("cleanWords(%q) = %q, re-cased gives %q", title, ws, rc)
			}
		}
	})
}

func FuzzTitleWords(f *testing.F) {
	addTitleSeeds(f)
	f.Fuzz(func(t *testing.T, title string) {
		ws := titleWords(title)
		if !slices.Equal(ws, titleWords(title)) {
			t.Fatalf("titleWords(%q) not deterministic", title)
		}
		cw := cleanWords(title)
		if len(ws) != len(cw) {
			t.Fatalf("titleWords(%q) has %d words, cleanWords %d", title, len(ws), len(cw))
		}
		for i := range ws {
			if ws[i] != normWord(cw[i]) {
				t.Fatalf("titleWords(%q)[%d] = %q, want normWord(%q)", title, i, ws[i], cw[i])
			}
		}
		if caseBlind(title) {
			if rc := titleWords(swapASCIICase(title)); !slices.Equal(ws, rc) {
				t.Fatalf("titleWords(%q) = %q, re-cased gives %q", title, ws, rc)
			}
		}
	})
}

func FuzzSegments(f *testing.F) {
	addTitleSeeds(f)
	f.Fuzz(func(t *testing.T, title string) {
		segs := segments(title, titleWords)
		if !slices.EqualFunc(segs, segments(title, titleWords), slices.Equal[[]string]) {
			t.Fatalf("segments(%q) not deterministic", title)
		}
		if len(segs) == 0 || !slices.Equal(segs[0], titleWords(title)) {
			t.Fatalf("segments(%q) = %q: first is not the whole title's words", title, segs)
		}
		if len(segs) > 7 {
			t.Fatalf("segments(%q) has %d segments, want at most 1+6", title, len(segs))
		}
		for _, s := range segs[1:] {
			if len(s) < 2 {
				t.Fatalf("segments(%q) holds sentence %q of fewer than two words", title, s)
			}
		}
		if caseBlind(title) {
			rc := segments(swapASCIICase(title), titleWords)
			if !slices.EqualFunc(segs, rc, slices.Equal[[]string]) {
				t.Fatalf("segments(%q) = %q, re-cased gives %q", title, segs, rc)
			}
		}
	})
}

func FuzzBlockKeys(f *testing.F) {
	addTitleSeeds(f)
	f.Fuzz(func(t *testing.T, title string) {
		authors := []string{"Ana Ruiz", "T. Keller", "van der Berg, J."}
		c := Candidate{Title: title, Authors: authors}
		keys := BlockKeys(c)
		if !slices.Equal(keys, BlockKeys(c)) {
			t.Fatalf("BlockKeys(%q) not deterministic", title)
		}
		if len(titleWords(title)) < 2 && keys != nil {
			t.Fatalf("BlockKeys(%q) = %q for a title of under two words", title, keys)
		}
		// At most the 6 pairs of four words and 2 surnames x 3 words.
		if len(keys) > 12 {
			t.Fatalf("BlockKeys(%q) has %d keys, want at most 12", title, len(keys))
		}
		if !slices.IsSorted(keys) || len(slices.Compact(slices.Clone(keys))) != len(keys) {
			t.Fatalf("BlockKeys(%q) = %q: not sorted and unique", title, keys)
		}
		for _, k := range keys {
			if !strings.HasPrefix(k, "w:") && !strings.HasPrefix(k, "a:") {
				t.Fatalf("BlockKeys(%q) holds key %q without a w: or a: prefix", title, k)
			}
		}
		if caseBlind(title) {
			rc := Candidate{Title: swapASCIICase(title), Authors: []string{"ANA RUIZ", "t. keller", "VAN DER BERG, J."}}
			if got := BlockKeys(rc); !slices.Equal(keys, got) {
				t.Fatalf("BlockKeys(%q) = %q, re-cased gives %q", title, keys, got)
			}
		}
	})
}
