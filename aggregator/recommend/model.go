package recommend

import (
	"cmp"
	"slices"
	"sort"
	"sync"
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
	w    Vector // sparse weights, indices ascending
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
	for b, v := range w {
		if v != 0 {
			m.w.Idx = append(m.w.Idx, uint32(b))
			m.w.Val = append(m.w.Val, float32(v))
		}
	}
	m.Positive, m.Negative = strongest(c, m.w)
	return m
}

// strongest are the heaviest named terms each side.
func strongest(c *Corpus, w Vector) (pos, neg []Word) {
	all := make([]Word, 0, len(w.Idx))
	for i, b := range w.Idx {
		if name := c.Name(b); name != "" {
			all = append(all, Word{Term: name, Weight: float64(w.Val[i])})
		}
	}
	slices.SortFunc(all, func(a, b Word) int {
		return cmp.Or(cmp.Compare(b.Weight, a.Weight), cmp.Compare(a.Term, b.Term))
	})
	for _, x := range all[:min(shownWords, len(all))] {
		if x.Weight > 0 {
			pos = append(pos, x)
		}
	}
	for i := len(all) - 1; i >= max(0, len(all)-shownWords); i-- {
		if all[i].Weight < 0 {
			neg = append(neg, all[i])
		}
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
	s := m.bias
	for k, b := range v.Idx {
		i := sort.Search(len(m.w.Idx), func(i int) bool { return m.w.Idx[i] >= b })
		if i < len(m.w.Idx) && m.w.Idx[i] == b {
			s += float64(m.w.Val[i]) * float64(v.Val[k])
		}
	}
	return s
}

// ScoreAll scores many vectors, with the weights spread out once.
func (m *Model) ScoreAll(vs []Vector) []float64 {
	out := make([]float64, len(vs))
	if len(vs) < 64 {
		for i, v := range vs {
			out[i] = m.Score(v)
		}
		return out
	}
	w := densePool.Get().([]float64)
	defer densePool.Put(w)
	for i, b := range m.w.Idx {
		w[b] = float64(m.w.Val[i])
	}
	for i, v := range vs {
		out[i] = denseScore(w, m.bias, v)
	}
	for _, b := range m.w.Idx {
		w[b] = 0
	}
	return out
}
