package recommend

import (
	"math"
	"runtime"
	"sort"
	"sync"

	"github.com/paperfeed/paperfeed/db"
)

// Word is a term and its weight in a model.
type Word struct {
	Term   string
	Weight float64
}

// shownWords is how many of the strongest words each side a model reports.
const shownWords = 12

// Model is one like-topic's linear classifier over tf-idf vectors: a score
// above 0 is on the exemplars' side of the margin.
type Model struct {
	// wi interleaves each bucket's weight and idf (8 MB; nil without
	// exemplars), so that scoring a term reads one cache line.
	wi   []float32
	bias float64
	// DefaultMin is the score of an average background paper: a candidate
	// below it looks less like the exemplars than a random stored paper.
	DefaultMin float64
	// Positive and Negative are the strongest words for and against.
	Positive, Negative []Word
	// Trained counts the examples: exemplars, explicit negatives, background.
	Likes, Unlikes, Background int
}

var densePool = sync.Pool{New: func() any { return make([]float64, Buckets) }}

// Train fits a model with likes as positives, unlikes as explicit negatives
// weighed as much as an exemplar, and the corpus's sample (less likes and
// unlikes) as background negatives, the two classes balanced (scikit-learn's
// class_weight="balanced"). Without likes the model scores every paper 0.
func Train(c *Corpus, likes, unlikes []Doc, o Options) *Model {
	m := &Model{Likes: len(likes), Unlikes: len(unlikes)}
	if len(likes) == 0 {
		return m
	}
	known := map[int64]bool{}
	for _, d := range likes {
		known[d.ID] = true
	}
	for _, d := range unlikes {
		known[d.ID] = true
	}
	var bg []Doc
	for _, d := range c.sample {
		if !known[d.ID] {
			bg = append(bg, d)
		}
	}
	m.Background = len(bg)
	nNeg := len(unlikes) + len(bg)
	n := float64(len(likes) + nNeg)
	cPos := o.C * n / (2 * float64(len(likes)))
	cNeg := cPos
	if nNeg > 0 {
		cNeg = o.C * n / (2 * float64(nNeg))
	}
	xs := make([]example, 0, int(n))
	for _, d := range likes {
		xs = append(xs, example{x: d.Vec, y: 1, c: cPos})
	}
	for _, d := range unlikes {
		xs = append(xs, example{x: d.Vec, y: -1, c: max(cPos, cNeg)})
	}
	for _, d := range bg {
		xs = append(xs, example{x: d.Vec, y: -1, c: cNeg})
	}
	w := densePool.Get().([]float64)
	defer func() { clear(w); densePool.Put(w) }() // the pool holds zeroed buffers
	m.bias = trainSVM(xs, w)

	if len(bg) > 0 {
		var sum float64
		for _, d := range bg {
			sum += denseScore(w, m.bias, d.Vec)
		}
		m.DefaultMin = sum / float64(len(bg))
	}
	m.wi = make([]float32, 2*Buckets)
	for b, v := range w {
		m.wi[2*b], m.wi[2*b+1] = float32(v), c.idfs[b]
	}
	m.Positive, m.Negative = strongest(c, w)
	return m
}

// strongest are the heaviest named terms each side, found in one pass
// that keeps the shownWords best so far.
func strongest(c *Corpus, w []float64) (pos, neg []Word) {
	type bw struct {
		b uint32
		v float64
	}
	var top, bottom []bw // top descending, bottom ascending
	keep := func(list []bw, x bw, better func(a, b float64) bool) []bw {
		if len(list) == shownWords && !better(x.v, list[len(list)-1].v) {
			return list
		}
		i := sort.Search(len(list), func(i int) bool { return better(x.v, list[i].v) })
		if len(list) < shownWords {
			list = append(list, bw{})
		}
		copy(list[i+1:], list[i:])
		list[i] = x
		return list
	}
	for b, v := range w {
		if v == 0 || c.Name(uint32(b)) == "" {
			continue
		}
		if v > 0 {
			top = keep(top, bw{uint32(b), v}, func(a, b float64) bool { return a > b })
		} else {
			bottom = keep(bottom, bw{uint32(b), v}, func(a, b float64) bool { return a < b })
		}
	}
	for _, x := range top {
		pos = append(pos, Word{Term: c.Name(x.b), Weight: x.v})
	}
	for _, x := range bottom {
		neg = append(neg, Word{Term: c.Name(x.b), Weight: x.v})
	}
	return pos, neg
}

func denseScore(w []float64, bias float64, v Vector) float64 {
	s := bias
	for k, b := range v.Idx {
		s += w[b] * float64(v.Val[k])
	}
	return s
}

// Score is the model's decision value for one vector.
func (m *Model) Score(v Vector) float64 {
	if m.wi == nil {
		return 0
	}
	s := m.bias
	for k, b := range v.Idx {
		s += float64(m.wi[2*b]) * float64(v.Val[k])
	}
	return s
}

// ScoreTexts scores papers' texts under corpus c, on every processor: each
// text's tf-idf vector is summed into its score as it is counted, never
// stored.
func (m *Model) ScoreTexts(c *Corpus, ts []db.Text) []float64 {
	out := make([]float64, len(ts))
	if m.wi == nil || len(ts) == 0 {
		return out
	}
	workers := min(runtime.GOMAXPROCS(0), (len(ts)+255)/256)
	var wg sync.WaitGroup
	for k := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := scratchPool.Get().(*scratch)
			defer scratchPool.Put(sc)
			for i := k; i < len(ts); i += workers {
				sc.count(ts[i], nil)
				out[i] = m.scoreCounts(c, sc.c)
			}
		}()
	}
	wg.Wait()
	return out
}

// scoreCounts is Score(c.weigh(tc)) without building the vector (c is the
// corpus m was trained on: wi holds its idf).
func (m *Model) scoreCounts(c *Corpus, tc counts) float64 {
	var dot, norm float64
	for i, b := range tc.idx {
		w, x := float64(m.wi[2*b]), float64(m.wi[2*b+1])
		if x == 0 {
			continue
		}
		if tf := tc.tf[i]; tf > 1 {
			x *= 1 + math.Log(float64(tf))
		}
		dot += w * x
		norm += x * x
	}
	if norm == 0 {
		return m.bias
	}
	return m.bias + dot/math.Sqrt(norm)
}
