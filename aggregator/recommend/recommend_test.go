package recommend

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/dbtest"
	"github.com/paperfeed/paperfeed/db/model"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

func TestWords(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Self-Supervised Learning of Visual Features", "self supervised learning visual features"},
		{"The 3D U-Net: a model", "net model"},
		{"Schrödinger bridges à la Léon", "schrodinger bridges la leon"},
		{"GPT4 and x_1 beat b2", "gpt4 x_1 beat b2"},
		{"ﬁne-tuning ＢＥＲＴ", "fine tuning bert"},
		{"Γράφοι και δίκτυα", "γραφοι και δικτυα"},
		{"", ""},
		{"a I 7 of", ""},
	} {
		t.Run(tt.in, func(t *testing.T) {
			if got := strings.Join(words(tt.in), " "); got != tt.want {
				t.Errorf("words(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzWords(f *testing.F) {
	for _, s := range []string{"Self-Supervised Learning", "3d x_1 é", "\xff\xfe bad utf8", "ǅemal ǈ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, w := range words(s) {
			if len(w) < 2 || isStopWord(fnvAdd(fnvOffset, w), []byte(w)) || strings.ContainsAny(w, " \t\n") {
				t.Fatalf("words(%q) has %q", s, w)
			}
		}
	})
}

func TestTermCountsBigrams(t *testing.T) {
	c := termCounts(db.Text{Title: "graph neural networks", Abstract: "graph neural"})
	want := map[uint32]uint16{bucket("graph"): 2, bucket("neural"): 2, bucket("networks"): 1,
		bigram("graph", "neural"): 2, bigram("neural", "networks"): 1, bigram("networks", "graph"): 1}
	if len(c.idx) != len(want) {
		t.Fatalf("%d buckets, want %d", len(c.idx), len(want))
	}
	for i, b := range c.idx {
		if want[b] != c.tf[i] {
			t.Errorf("bucket %d: tf %d, want %d", b, c.tf[i], want[b])
		}
	}
	if !slices.IsSorted(c.idx) {
		t.Error("indices not ascending")
	}
}

// TestSVMSeparates: on a separable problem the solver puts every example on
// its side, and the weights favour the words of the positive class.
func TestSVMSeparates(t *testing.T) {
	v := func(idx []uint32, val []float32) Vector { return Vector{Idx: idx, Val: val} }
	xs := []example{
		{x: v([]uint32{1, 2}, []float32{0.8, 0.6}), y: 1, c: 10},
		{x: v([]uint32{1, 3}, []float32{0.6, 0.8}), y: 1, c: 10},
		{x: v([]uint32{4, 5}, []float32{0.8, 0.6}), y: -1, c: 10},
		{x: v([]uint32{4, 3}, []float32{0.9, 0.43}), y: -1, c: 10},
		{x: v([]uint32{5}, []float32{1}), y: -1, c: 10},
	}
	w := make([]float64, 8)
	bias := trainSVM(xs, w)
	for i, e := range xs {
		if s := denseScore(w, bias, e.x); s*e.y <= 0 {
			t.Errorf("example %d (y=%v) scores %v", i, e.y, s)
		}
	}
	if w[1] <= 0 || w[4] >= 0 {
		t.Errorf("weights %v: want word 1 for, word 4 against", w)
	}
	if bias := trainSVM(nil, w); bias != 0 {
		t.Errorf("no examples: bias %v", bias)
	}
}

// The small corpus: three fields, ten papers each, in words of their own and
// words all share.
var fields = map[string][]string{
	"vision":  {"image", "pixels", "convolutional", "segmentation", "detection", "camera", "visual", "object"},
	"biology": {"protein", "gene", "cell", "sequencing", "enzyme", "tissue", "genome", "folding"},
	"finance": {"market", "stock", "portfolio", "pricing", "volatility", "trading", "risk", "asset"},
}

func corpusStore(t testing.TB) (db.Store, map[string][]*model.Paper) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	by := map[string][]*model.Paper{}
	n := 0
	for _, f := range []string{"vision", "biology", "finance"} {
		ws := fields[f]
		for i := range 10 {
			n++
			p := dbtest.Paper(n, fmt.Sprintf("A %s %s method", ws[i%8], ws[(i+3)%8]))
			p.Abstract = fmt.Sprintf("We propose a new %s approach with %s and %s, evaluated with a study of %s results.",
				ws[(i+1)%8], ws[(i+2)%8], ws[(i+5)%8], ws[(i+6)%8])
			p.Authors = []string{fmt.Sprintf("Author%d Field%s", i%3, f)}
			dbtest.Save(t, st, p)
			by[f] = append(by[f], p)
		}
	}
	return st, by
}

// allOf is every paper of the small corpus, field by field.
func allOf(by map[string][]*model.Paper) []*model.Paper {
	var all []*model.Paper
	for _, f := range []string{"vision", "biology", "finance"} {
		all = append(all, by[f]...)
	}
	return all
}

func TestRankingSmallCorpus(t *testing.T) {
	st, by := corpusStore(t)
	ctx := context.Background()
	e := NewEngine(st, DefaultOptions())
	all := allOf(by)
	for _, f := range []string{"vision", "biology", "finance"} {
		t.Run(f, func(t *testing.T) {
			likes := by[f][:3]
			m, scores, err := e.Scores(ctx, f, likes, nil, all)
			if err != nil {
				t.Fatal(err)
			}
			// Every other paper of the field outscores every paper of the others.
			minIn, maxOut := math.Inf(1), math.Inf(-1)
			for i, p := range all {
				if slices.Contains(by[f], p) {
					minIn = min(minIn, scores[i])
				} else {
					maxOut = max(maxOut, scores[i])
				}
			}
			if minIn <= maxOut {
				t.Errorf("lowest %s paper scores %.3f, highest other %.3f", f, minIn, maxOut)
			}
			if len(m.Positive) == 0 || len(m.Negative) == 0 {
				t.Fatalf("words: %v / %v", m.Positive, m.Negative)
			}
			own := strings.Join(fields[f], " ")
			if w := strings.Fields(m.Positive[0].Term)[0]; !strings.Contains(own, w) && !strings.Contains(strings.ToLower(m.Positive[0].Term), strings.ToLower(f)) {
				t.Errorf("strongest positive word %q is not of %s", m.Positive[0].Term, f)
			}
			if m.DefaultMin >= minIn {
				t.Errorf("default min score %.3f drops papers of the field (lowest %.3f)", m.DefaultMin, minIn)
			}
		})
	}
	// An unlike paper pushes its own field down.
	_, before, _ := e.Scores(ctx, "mixed", by["vision"][:2], nil, all)
	_, after, _ := e.Scores(ctx, "mixed", by["vision"][:2], by["finance"][:2], all)
	for i, p := range all {
		if slices.Contains(by["finance"], p) && after[i] >= before[i] {
			t.Errorf("finance paper %d: %.3f with finance unliked, %.3f without", p.ID, after[i], before[i])
		}
	}
}

// TestScoresCached: a second call scores from the cache, a changed record is
// scored again, and a grown store rebuilds the corpus.
func TestScoresCached(t *testing.T) {
	st, by := corpusStore(t)
	ctx := context.Background()
	e := NewEngine(st, DefaultOptions())
	likes := by["biology"][:2]
	m1, s1, err := e.Scores(ctx, "bio", likes, nil, by["biology"])
	if err != nil {
		t.Fatal(err)
	}
	e.topics["bio"].scores[by["biology"][5].ID] = scoreAt{updated: by["biology"][5].Updated.Unix(), score: 42}
	before := e.Counts()
	m2, s2, _ := e.Scores(ctx, "bio", likes, nil, by["biology"])
	if m1 != m2 || s2[5] != 42 {
		t.Errorf("second call: model reused %v, cached score %v (want 42)", m1 == m2, s2[5])
	}
	if after := e.Counts(); after != before {
		t.Errorf("second call did work: %+v, then %+v", before, after)
	}
	changed := *by["biology"][5]
	changed.Updated = changed.Updated.Add(time.Hour)
	cands := slices.Clone(by["biology"])
	cands[5] = &changed
	_, s3, _ := e.Scores(ctx, "bio", likes, nil, cands)
	if s3[5] != s1[5] {
		t.Errorf("changed record scores %v, want it rescored to %v", s3[5], s1[5])
	}
	c1, _ := e.Corpus(ctx)
	dbtest.Save(t, st, dbtest.Paper(100, "A protein gene study"))
	c2, _ := e.Corpus(ctx)
	if c1 == c2 || c2.N != c1.N+1 {
		t.Errorf("corpus after a paper arrived in a small store: rebuilt %v, N %d -> %d", c1 != c2, c1.N, c2.N)
	}
	if m4, _, _ := e.Scores(ctx, "bio", likes, nil, cands); m4 == m1 {
		t.Error("model not retrained on the rebuilt corpus")
	}
}

func TestNoLikes(t *testing.T) {
	st, by := corpusStore(t)
	m, scores, err := NewEngine(st, DefaultOptions()).Scores(context.Background(), "none", nil, nil, by["vision"])
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range scores {
		if s != 0 {
			t.Fatalf("scores without exemplars: %v", scores)
		}
	}
	if m.Positive != nil {
		t.Errorf("words without exemplars: %v", m.Positive)
	}
}

func TestSimilar(t *testing.T) {
	st, by := corpusStore(t)
	ctx := context.Background()
	e := NewEngine(st, DefaultOptions())
	for _, f := range []string{"vision", "biology", "finance"} {
		p := by[f][4]
		sim, err := e.Similar(ctx, p, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(sim) != 5 {
			t.Fatalf("%s: %d similar, want 5", f, len(sim))
		}
		for i, s := range sim {
			if s.Paper.ID == p.ID || !slices.ContainsFunc(by[f], func(q *model.Paper) bool { return q.ID == s.Paper.ID }) {
				t.Errorf("%s: similar %d is paper %d %q", f, i, s.Paper.ID, s.Paper.Title)
			}
			if i > 0 && s.Cosine > sim[i-1].Cosine || s.Cosine <= 0 || s.Cosine > 1.0001 {
				t.Errorf("%s: cosines %v", f, s.Cosine)
			}
		}
	}
	lone := &model.Paper{ID: -1, Title: "zzz qqq"}
	if sim, err := e.Similar(ctx, lone, 5); err != nil || len(sim) != 0 {
		t.Errorf("a paper of unknown words: %d similar, %v", len(sim), err)
	}
}

// TestBackgroundRebuild: past the size of a synchronous rebuild, the old
// corpus serves while a new one is built, then the new one does.
func TestBackgroundRebuild(t *testing.T) {
	st, _ := corpusStore(t)
	ctx := context.Background()
	e := NewEngine(st, DefaultOptions())
	e.syncRebuild = 10
	c1, err := e.Corpus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Save(t, st, dbtest.Paper(100, "A protein gene study"))
	if c2, _ := e.Corpus(ctx); c2 != c1 {
		t.Fatal("the corpus was rebuilt in the call")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, _ := e.Corpus(ctx)
		if c != c1 {
			if c.N != c1.N+1 {
				t.Errorf("rebuilt corpus has %d papers, want %d", c.N, c1.N+1)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no rebuilt corpus after 30 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestStopWords: every listed word is found, words that merely share a
// prefix or a hash slot are not, and maxStopLen bounds the list.
func TestStopWords(t *testing.T) {
	for _, w := range strings.Fields(stopList) {
		if len(w) > maxStopLen {
			t.Errorf("stop word %q is longer than maxStopLen %d", w, maxStopLen)
		}
		if !isStopWord(fnvAdd(fnvOffset, w), []byte(w)) {
			t.Errorf("%q not found", w)
		}
	}
	for _, w := range []string{"learning", "thes", "whereafterx", "ab", "neverthelessly"} {
		if isStopWord(fnvAdd(fnvOffset, w), []byte(w)) {
			t.Errorf("%q taken for a stop word", w)
		}
	}
}

// TestRetrainFromCachedTerms: a model trained again (other exemplars, or a
// rebuilt corpus) scores the candidates from the terms read once, with the
// scores a model computes from their texts.
func TestRetrainFromCachedTerms(t *testing.T) {
	st, by := corpusStore(t)
	ctx := context.Background()
	e := NewEngine(st, DefaultOptions())
	all := allOf(by)
	texts := make([]db.Text, len(all))
	for i, p := range all {
		texts[i] = TextOf(p)
	}
	check := func(name string, likes []*model.Paper) {
		t.Helper()
		m, scores, err := e.Scores(ctx, "t", likes, nil, all)
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range m.ScoreTexts(texts) {
			if math.Abs(scores[i]-want) > 1e-9 {
				t.Errorf("%s: paper %d scores %v from cached terms, %v from its text", name, all[i].ID, scores[i], want)
			}
		}
	}
	check("first", by["vision"][:3])
	n := e.Counts()
	if n.Tokenised != 0 || n.BuildCached != len(all) || n.Scored != len(all) || n.Trainings != 1 {
		t.Fatalf("first ranking: %+v, want %d cached by the corpus build, none read again, %d scored, 1 training", n, len(all), len(all))
	}
	check("new exemplars", by["finance"][:3])
	dbtest.Save(t, st, dbtest.Paper(100, "A market stock study"))
	check("rebuilt corpus", by["finance"][:3])
	got := e.Counts()
	if got.Tokenised != n.Tokenised || got.Trainings != 3 || got.Scored != 3*len(all) || got.CorpusBuilds != 2 {
		t.Errorf("after two retrains: %+v; want no text read again, 3 trainings, %d scores, 2 corpora", got, 3*len(all))
	}
}

// TestTermCacheKeep: a full cache keeps the candidates asked for, their
// terms intact, and drops the others.
func TestTermCacheKeep(t *testing.T) {
	var tc termCache
	tc.reset()
	ts := []db.Text{{ID: 1, Title: "graph neural networks"}, {ID: 2, Title: "protein folding"}, {ID: 3, Title: "market risk pricing"}}
	tc.read(ts, []int64{10, 20, 30})
	want := map[int64][]uint32{}
	for _, x := range ts {
		want[x.ID] = slices.Clone(tc.packed(tc.at[x.ID]))
	}
	tc.keep([]*model.Paper{{ID: 3}, {ID: 1}, {ID: 99}})
	if len(tc.at) != 2 || len(tc.terms) != len(want[1])+len(want[3]) {
		t.Fatalf("kept %d papers, %d terms", len(tc.at), len(tc.terms))
	}
	for _, id := range []int64{1, 3} {
		r, ok := tc.at[id]
		if !ok || r.updated != id*10 || !slices.Equal(tc.packed(r), want[id]) {
			t.Errorf("paper %d: %+v %v, want %v", id, r, tc.packed(r), want[id])
		}
	}
}

// TestFirstRankingFromBuildTerms: the first ranking after a start scores
// from the terms the corpus build counted, exactly (bit for bit) as from the
// candidates' texts read again, and reads again only a record stored since.
func TestFirstRankingFromBuildTerms(t *testing.T) {
	st, by := corpusStore(t)
	ctx := context.Background()
	all := allOf(by)
	changed := *all[4]
	changed.Abstract = "A different abstract about protein markets."
	changed.Updated = changed.Updated.Add(time.Hour)
	cands := slices.Clone(all)
	cands[4] = &changed
	likes := by["vision"][:3]

	built := NewEngine(st, DefaultOptions())
	_, fromBuild, err := built.Scores(ctx, "t", likes, nil, cands)
	if err != nil {
		t.Fatal(err)
	}
	read := NewEngine(st, DefaultOptions())
	if _, err := read.Corpus(ctx); err != nil { // a build for similar papers keeps no terms
		t.Fatal(err)
	}
	_, fromText, err := read.Scores(ctx, "t", likes, nil, cands)
	if err != nil {
		t.Fatal(err)
	}
	for i := range cands {
		if fromBuild[i] != fromText[i] {
			t.Errorf("paper %d scores %v from the build's terms, %v from its text", cands[i].ID, fromBuild[i], fromText[i])
		}
	}
	if n := built.Counts(); n.BuildCached != len(all) || n.Tokenised != 1 {
		t.Errorf("from the build: %+v, want %d cached by the build and only the changed record read", n, len(all))
	}
	if n := read.Counts(); n.BuildCached != 0 || n.Tokenised != len(all) {
		t.Errorf("after a build for similar papers: %+v, want no terms cached by it and %d read", n, len(all))
	}
}

// TestTermCacheDropOlder: a corpus build's cache, full, keeps the newer
// half of the papers it added, their terms intact.
func TestTermCacheDropOlder(t *testing.T) {
	var tc termCache
	tc.reset()
	ts := []db.Text{{ID: 1, Title: "graph neural networks"}, {ID: 2, Title: "protein folding"}, {ID: 3, Title: "market risk pricing"},
		{ID: 4, Title: "stellar spectra"}, {ID: 5, Title: "sparse linear models for text"}}
	want := map[int64][]uint32{}
	for _, x := range ts {
		x.Updated = time.Unix(x.ID*10, 0)
		c := termCounts(x)
		var sc scratch
		sc.count(x)
		tc.addBuilt(x, sc.c)
		want[x.ID] = pack(nil, sc.c)
		if len(c.idx) != len(want[x.ID]) {
			t.Fatalf("paper %d: %d terms packed, %d counted", x.ID, len(want[x.ID]), len(c.idx))
		}
	}
	tc.dropOlder()
	if len(tc.at) != 3 || len(tc.terms) != len(want[3])+len(want[4])+len(want[5]) {
		t.Fatalf("kept %d papers, %d terms; want papers 3-5", len(tc.at), len(tc.terms))
	}
	for _, id := range []int64{3, 4, 5} {
		r, ok := tc.at[id]
		if !ok || r.updated != id*10 || !slices.Equal(tc.packed(r), want[id]) {
			t.Errorf("paper %d: %+v %v, want %v", id, r, tc.packed(r), want[id])
		}
	}
}
