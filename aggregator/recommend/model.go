package recommend

import (
	"math"
	"sort"

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
	// Exemplar terms outside the sample's vocabulary get local ids after it.
	buckets := c.buckets[:len(c.buckets):len(c.buckets)]
	extra := map[uint32]uint32{}
	localise := func(v Vector) Vector {
		out := Vector{Idx: make([]uint32, len(v.Idx)), Val: v.Val}
		for k, b := range v.Idx {
			l := c.local[b]
			if l == 0 {
				if l = extra[b]; l == 0 {
					buckets = append(buckets, b)
					l = uint32(len(buckets))
					extra[b] = l
				}
			}
			out.Idx[k] = l - 1
		}
		return out
	}
	xs := make([]example, 0, int(n))
	for _, d := range likes {
		xs = append(xs, example{x: localise(d.Vec), y: 1, c: cPos})
	}
	for _, d := range unlikes {
		xs = append(xs, example{x: localise(d.Vec), y: -1, c: max(cPos, cNeg)})
	}
	for _, d := range bg {
		xs = append(xs, example{x: d.Vec, y: -1, c: cNeg})
	}
	w := make([]float64, len(buckets))
	m.bias = trainSVM(xs, w)

	if len(bg) > 0 {
		var sum float64
		for _, d := range bg {
			sum += denseScore(w, m.bias, d.Vec)
		}
		m.DefaultMin = sum / float64(len(bg))
	}
	m.wi = make([]float32, 2*Buckets)
	for b, x := range c.idfs {
		m.wi[2*b+1] = x
	}
	for l, v := range w {
		m.wi[2*buckets[l]] = float32(v)
	}
	m.Positive, m.Negative = strongest(c, buckets, w)
	return m
}

// strongest are the heaviest named terms each side (w over local ids, of
// buckets), found in one pass that keeps the shownWords best so far.
func strongest(c *Corpus, buckets []uint32, w []float64) (pos, neg []Word) {
	type bw struct {
		b uint32
		v float64
	}
	var top, bottom []bw // top descending, bottom ascending; equal weights by bucket
	keep := func(list []bw, x bw, better func(a, b float64) bool) []bw {
		before := func(a, b bw) bool { return better(a.v, b.v) || a.v == b.v && a.b < b.b }
		if len(list) == shownWords && !before(x, list[len(list)-1]) {
			return list
		}
		i := sort.Search(len(list), func(i int) bool { return before(x, list[i]) })
		if len(list) < shownWords {
			list = append(list, bw{})
		}
		copy(list[i+1:], list[i:])
		list[i] = x
		return list
	}
	for l, v := range w {
		b := buckets[l]
		if v == 0 || c.Name(b) == "" {
			continue
		}
		if v > 0 {
			top = keep(top, bw{b, v}, func(a, b float64) bool { return a > b })
		} else {
			bottom = keep(bottom, bw{b, v}, func(a, b float64) bool { return a < b })
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

// ScoreTexts scores papers' texts under the corpus m was trained on, on
// every processor: each text's tf-idf vector is summed into its score as it
// is counted, never stored.
func (m *Model) ScoreTexts(ts []db.Text) []float64 {
	out := make([]float64, len(ts))
	if m.wi == nil || len(ts) == 0 {
		return out
	}
	parallel(len(ts), func(_, lo, hi int) {
		sc := scratchPool.Get().(*scratch)
		defer scratchPool.Put(sc)
		for i := lo; i < hi; i++ {
			sc.count(ts[i])
			out[i] = m.scoreCounts(sc.c)
		}
	})
	return out
}

// scoreCounts is Score(c.weigh(tc)) without building the vector, c being
// the corpus m was trained on (wi holds its idf).
func (m *Model) scoreCounts(tc counts) float64 {
	var dot, norm float64
	for i, b := range tc.idx {
		w, x := float64(m.wi[2*b]), float64(m.wi[2*b+1])
		if x == 0 {
			continue
		}
		x *= sublinear(uint32(tc.tf[i]))
		dot += w * x
		norm += x * x
	}
	if norm == 0 {
		return m.bias
	}
	return m.bias + dot/math.Sqrt(norm)
}
