package dedup

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/ident"
	"github.com/paperfeed/paperfeed/aggregator/sharedtest"
)

type pairRecord struct {
	Title   string   `json:"title"`
	Authors []string `json:"authors"`
	Year    int      `json:"year"`
}

type labelledPair struct {
	Kind string     `json:"kind"`
	Same bool       `json:"same"`
	A    pairRecord `json:"a"`
	B    pairRecord `json:"b"`
	Note string     `json:"note"`
}

// candidateOf builds a Candidate the way the end-to-end evaluation does: a
// record's year becomes a 1 June publication date, else one fixed date.
func (r pairRecord) candidate() Candidate {
	pub := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	if r.Year > 1900 && r.Year < 2100 {
		pub = time.Date(r.Year, 6, 1, 12, 0, 0, 0, time.UTC)
	}
	return Candidate{Title: r.Title, TitleKey: ident.TitleKey(r.Title), Authors: r.Authors, Published: pub}
}

func TestLabelledPairs(t *testing.T) {
	// The shared labelled development set.
	runPairs(t, sharedtest.Path(t, "dedup/pairs.jsonl"), true)
}

// TestOwnPairs runs this package's own examples of each tolerant-matching
// kind (testdata/own_pairs.jsonl, made up, not from a benchmark).
func TestOwnPairs(t *testing.T) {
	runPairs(t, "testdata/own_pairs.jsonl", false)
}

// runPairs checks Same on every labelled pair of a jsonl file, both ways;
// exactKeys also asserts that the pairs labelled same have equal title keys.
func runPairs(t *testing.T, path string, exactKeys bool) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var p labelledPair
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		n++
		t.Run(fmt.Sprintf("%02d-%s", n, p.Kind), func(t *testing.T) {
			a, b := p.A.candidate(), p.B.candidate()
			if exactKeys && p.Same && a.TitleKey != b.TitleKey {
				t.Errorf("TitleKey differs:\n %q -> %q\n %q -> %q", p.A.Title, a.TitleKey, p.B.Title, b.TitleKey)
			}
			if got := Same(a, b); got != p.Same {
				t.Errorf("Same(%q, %q) = %v, want %v", p.A.Title, p.B.Title, got, p.Same)
			}
			if got := Same(b, a); got != p.Same {
				t.Errorf("Same(b, a) = %v, want %v (not symmetric)", got, p.Same)
			}
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no pairs read")
	}
}
