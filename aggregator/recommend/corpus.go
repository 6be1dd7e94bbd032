package recommend

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paperfeed/paperfeed/db"
)

// Corpus is what the models learn from the store: each term's document
// frequency (the idf), a name for each bucket (to show a model's words), and
// a uniform sample of the stored papers' vectors (the background negatives).
// Its memory is bounded by Buckets and Options.Sample, not by the store.
type Corpus struct {
	N     int       // papers read
	df    []uint32  // papers containing each bucket's terms
	idfs  []float32 // each bucket's idf once sealed; 0 for a dropped term
	names []string  // the first term seen in each bucket
	minDF uint32
	maxDF uint32
	// sample holds the background papers' vectors over local term ids, not
	// buckets: the models' weights during training are then a slice as long
	// as the sample's vocabulary (a few MB, cache-resident), not 2^20 wide.
	// buckets[l] is local id l's bucket, local[b] bucket b's local id + 1
	// (0: not in the sample).
	sample  []Doc
	buckets []uint32
	local   []uint32
	// cache, while the corpus is built, receives each paper's terms.
	cache *termCache
}

// Doc is one paper's vector.
type Doc struct {
	ID  int64
	Vec Vector
}

// Options tune the corpus and the models.
type Options struct {
	// Sample bounds the background papers a model is trained against.
	Sample int
	// MinDF drops terms found in fewer papers (too rare to link papers);
	// stores under 100*MinDF papers use one per 100 papers (at least 1), so
	// a small store keeps its vocabulary. MaxDF drops those in more than this
	// fraction of the papers (they tell no topic apart).
	MinDF int
	MaxDF float64
	// C is the linear SVM's regularisation: smaller is smoother.
	C float64
}

// DefaultOptions are arxiv-sanity-lite's settings (min_df 5, C 0.01) but
// for max_df: 0.5, not 0.1, since in a store of one field the words of its
// larger subfields are in more than a tenth of the papers, and idf already
// weighs common words down. The background sample of 10,000 papers holds
// a topic's neighbourhood at every store size and keeps a retrain within
// the time budget (see BENCHMARKS.md).
func DefaultOptions() Options {
	return Options{Sample: 10000, MinDF: 5, MaxDF: 0.5, C: 0.01}
}

// BuildCorpus reads every stored paper's text once.
func BuildCorpus(ctx context.Context, r db.Reader, o Options) (*Corpus, error) {
	return buildCorpus(ctx, r, o, nil)
}

// buildCorpus is BuildCorpus; with a term cache tc, each paper's terms
// counted for the idf are kept in it as well (the newest papers, within its
// bounds), so the first ranking after a start reads no text a second time.
func buildCorpus(ctx context.Context, r db.Reader, o Options, tc *termCache) (*Corpus, error) {
	c := newCorpus()
	c.cache = tc
	rng := rand.New(rand.NewPCG(1, 2)) // the same sample of the same store every time
	type pending struct {
		id int64
		c  counts
	}
	var res []pending
	err := r.Texts(ctx, func(t db.Text) error {
		// Reservoir sampling: paper n is kept with probability Sample/n.
		switch n := c.N + 1; {
		case len(res) < o.Sample:
			res = append(res, pending{t.ID, c.add(t, true)})
		default:
			if k := rng.IntN(n); k < o.Sample {
				res[k] = pending{t.ID, c.add(t, true)}
			} else {
				c.add(t, false)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("recommend: read the store: %w", err)
	}
	c.cache = nil
	if tc != nil {
		tc.order = nil
	}
	c.seal(o)
	ids, cs := make([]int64, len(res)), make([]counts, len(res))
	for i, p := range res {
		ids[i], cs[i] = p.id, p.c
	}
	c.setSample(ids, cs)
	return c, nil
}

func newCorpus() *Corpus {
	return &Corpus{df: make([]uint32, Buckets), names: make([]string, Buckets)}
}

// add counts one paper's terms; keep returns them, sorted.
func (c *Corpus) add(t db.Text, keep bool) counts {
	c.N++
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	sc.count(t)
	for k, b := range sc.c.idx {
		if c.df[b] == 0 {
			c.names[b] = sc.name(k)
		}
		c.df[b]++
	}
	if c.cache != nil {
		c.cache.addBuilt(t, sc.c)
	}
	if !keep {
		return counts{}
	}
	return sc.sorted()
}

// seal fixes the document-frequency bounds once every paper is counted.
func (c *Corpus) seal(o Options) {
	c.minDF = uint32(max(1, min(o.MinDF, c.N/100)))
	c.maxDF = uint32(math.Ceil(o.MaxDF * float64(c.N)))
	if o.MaxDF <= 0 || o.MaxDF >= 1 || c.maxDF < c.minDF {
		c.maxDF = math.MaxUint32
	}
	c.idfs = make([]float32, Buckets)
	for b := range c.idfs {
		c.idfs[b] = float32(c.idf(uint32(b)))
	}
}

// idf computes a bucket's smoothed inverse document frequency, 0 for a term the
// bounds drop: ln((1+N)/(1+df)) + 1, as scikit-learn's.
func (c *Corpus) idf(b uint32) float64 {
	df := c.df[b]
	if df < c.minDF || df > c.maxDF {
		return 0
	}
	return math.Log(float64(1+c.N)/float64(1+df)) + 1
}

// setSample weighs the counts of the sample's papers (ids) and numbers
// their terms.
func (c *Corpus) setSample(ids []int64, cs []counts) {
	c.local = make([]uint32, Buckets)
	c.buckets = c.buckets[:0]
	c.sample = make([]Doc, len(cs))
	for i, tc := range cs {
		v := c.weigh(tc)
		for k, b := range v.Idx {
			if c.local[b] == 0 {
				c.buckets = append(c.buckets, b)
				c.local[b] = uint32(len(c.buckets))
			}
			v.Idx[k] = c.local[b] - 1
		}
		c.sample[i] = Doc{ID: ids[i], Vec: v}
	}
}

// weigh turns term counts into an L2-normalised tf-idf vector with sublinear
// tf (1 + ln tf).
func (c *Corpus) weigh(tc counts) Vector {
	v := Vector{Idx: make([]uint32, 0, len(tc.idx)), Val: make([]float32, 0, len(tc.idx))}
	var norm float64
	for i, b := range tc.idx {
		w := float64(c.idfs[b])
		if w == 0 {
			continue
		}
		if tf := tc.tf[i]; tf > 1 {
			w *= 1 + math.Log(float64(tf))
		}
		v.Idx = append(v.Idx, b)
		v.Val = append(v.Val, float32(w))
		norm += w * w
	}
	if norm > 0 {
		inv := float32(1 / math.Sqrt(norm))
		for i := range v.Val {
			v.Val[i] *= inv
		}
	}
	return v
}

// Vectorize is a text's tf-idf vector under this corpus's idf.
func (c *Corpus) Vectorize(t db.Text) Vector { return c.weigh(termCounts(t)) }

// Name is the term shown for a bucket.
func (c *Corpus) Name(b uint32) string { return c.names[b] }
