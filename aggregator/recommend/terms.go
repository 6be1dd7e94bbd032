package recommend

import (
	"math"
	"slices"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// A packed term is one bucket and its count in a uint32: the bucket in the
// low tfShift bits, the count (capped at maxPackedTF) above them.
const (
	tfShift     = 20
	maxPackedTF = 1<<(32-tfShift) - 1
)

// Buckets must fit the low tfShift bits of a packed term.
var _ [1<<tfShift - Buckets]struct{}

// termCache holds candidates' term counts, so a model trained again (new
// exemplars, or a rebuilt corpus) rescores the window without reading a
// text: a paper is tokenised once (again only when its record changes). The
// counts are the text's, not weighed by a corpus (the weights are read with
// the model's, from the same cache line), so they outlive a rebuilt corpus.
// The terms of every paper sit in one slice (no pointer per paper for the
// collector to scan). Bounded by maxCachedPapers and maxCachedTerms: past
// either it starts again.
type termCache struct {
	at    map[int64]termRef
	terms []uint32 // packed
	// order is the papers added by a corpus build, in the order of their
	// terms (see addBuilt); nil once the build is done.
	order []int64
}

// termRef is one paper's terms in termCache.terms.
type termRef struct {
	updated int64 // the stored record's Updated (Unix seconds) when read
	off, n  uint32
}

// Term cache bounds: 2^18 papers (2.6 windows of 100,000 candidates), 2^26
// terms (256 MB: at 150-350 terms a paper, 190,000-450,000 papers).
const (
	maxCachedPapers = 1 << 18
	maxCachedTerms  = 1 << 26
)

// reset empties the cache.
func (tc *termCache) reset() {
	tc.at, tc.terms, tc.order = make(map[int64]termRef), tc.terms[:0], nil
}

// keep drops every paper but those of ps (as cached, whatever their record
// now), copying their terms into a slice of their own size.
func (tc *termCache) keep(ps []*model.Paper) {
	at := make(map[int64]termRef, len(ps))
	n := 0
	for _, p := range ps {
		if r, ok := tc.at[p.ID]; ok {
			at[p.ID] = r
			n += int(r.n)
		}
	}
	terms := make([]uint32, 0, n)
	for id, r := range at {
		old := tc.packed(r)
		r.off = uint32(len(terms))
		terms = append(terms, old...)
		at[id] = r
	}
	tc.at, tc.terms = at, terms
}

// newBuildCache is an empty cache sized for a corpus build of n papers
// (within the bounds), so that filling it copies no terms.
func newBuildCache(n int) *termCache {
	n = min(n, maxCachedPapers)
	return &termCache{
		at:    make(map[int64]termRef, n),
		terms: make([]uint32, 0, min(n*buildTerms, maxCachedTerms)),
		order: make([]int64, 0, n),
	}
}

// buildTerms is a generous estimate of a paper's terms (300-word
// abstracts), to size a build's cache.
const buildTerms = 2 * avgTerms

// addBuilt adds the terms of t, the next paper of a store read in ID order
// (the corpus build), to the cache. Full, it drops the older half of the
// papers so added: a topic's window is the newest papers.
func (tc *termCache) addBuilt(t db.Text, c counts) {
	if len(tc.at) >= maxCachedPapers || len(tc.terms)+len(c.idx) > maxCachedTerms {
		tc.dropOlder()
	}
	off := len(tc.terms)
	tc.terms = pack(tc.terms, c)
	tc.at[t.ID] = termRef{updated: t.Updated.Unix(), off: uint32(off), n: uint32(len(tc.terms) - off)}
	tc.order = append(tc.order, t.ID)
}

// dropOlder keeps the newer half of the papers of tc.order (the order their
// terms sit in tc.terms), moving their terms to the front.
func (tc *termCache) dropOlder() {
	half := len(tc.order) / 2
	for _, id := range tc.order[:half] {
		delete(tc.at, id)
	}
	tc.order = append(tc.order[:0], tc.order[half:]...)
	if len(tc.order) == 0 {
		tc.terms = tc.terms[:0]
		return
	}
	cut := tc.at[tc.order[0]].off
	n := copy(tc.terms, tc.terms[cut:])
	tc.terms = tc.terms[:n]
	for _, id := range tc.order {
		r := tc.at[id]
		r.off -= cut
		tc.at[id] = r
	}
}

// packed is a paper's terms as stored in the cache.
func (tc *termCache) packed(r termRef) []uint32 { return tc.terms[r.off : r.off+r.n] }

// pack appends tc's terms to dst, packed.
func pack(dst []uint32, tc counts) []uint32 {
	for i, b := range tc.idx {
		dst = append(dst, b|uint32(min(tc.tf[i], maxPackedTF))<<tfShift)
	}
	return dst
}

// sublinear is 1 + ln tf, the tf weighting.
func sublinear(tf uint32) float64 {
	if tf <= 1 {
		return 1
	}
	return 1 + math.Log(float64(tf))
}

// sublinearPacked is sublinear of every packed count (32 KB): scoring
// looks a paper's weights up rather than taking a logarithm per term.
var sublinearPacked = func() (t [maxPackedTF + 1]float64) {
	for tf := range t {
		t[tf] = sublinear(uint32(tf))
	}
	return t
}()

// read tokenises texts on every processor and adds their terms to the
// cache, each under the Updated time given. Each processor
// writes its papers' terms into chunks of its own (no doubling copies of a
// growing slice), copied into the cache's one slice when all are read.
func (tc *termCache) read(ts []db.Text, updated []int64) {
	type part struct {
		chunks [][]uint32
		refs   []termRef
	}
	parts := make([]part, workers(len(ts)))
	parallel(len(ts), func(k, lo, hi int) {
		sc := scratchPool.Get().(*scratch)
		defer scratchPool.Put(sc)
		p := &parts[k]
		p.refs = make([]termRef, 0, hi-lo)
		var chunk []uint32
		off := 0 // terms in the part's earlier chunks
		for i := lo; i < hi; i++ {
			if cap(chunk)-len(chunk) < 2*len(ts[i].Abstract)/3+1024 { // room for a paper's terms, generously
				if chunk != nil {
					p.chunks = append(p.chunks, chunk)
					off += len(chunk)
				}
				chunk = make([]uint32, 0, min(termChunk, (hi-i)*avgTerms))
			}
			sc.count(ts[i])
			start := len(chunk)
			chunk = pack(chunk, sc.c)
			p.refs = append(p.refs, termRef{updated: updated[i], off: uint32(off + start), n: uint32(len(chunk) - start)})
		}
		if chunk != nil {
			p.chunks = append(p.chunks, chunk)
		}
	})
	total := 0
	for _, p := range parts {
		for _, ch := range p.chunks {
			total += len(ch)
		}
	}
	tc.terms = slices.Grow(tc.terms, total)
	i := 0
	for k := range parts {
		p := &parts[k]
		base := uint32(len(tc.terms))
		for j, ch := range p.chunks {
			tc.terms = append(tc.terms, ch...)
			p.chunks[j] = nil // collectable once copied
		}
		for _, r := range p.refs {
			r.off += base
			tc.at[ts[i].ID] = r
			i++
		}
	}
}

// termChunk is the size of read's chunks: 1 MB.
const termChunk = 1 << 18

// scoreRefs scores the papers of refs, on every processor.
func (m *Model) scoreRefs(tc *termCache, refs []termRef) []float64 {
	out := make([]float64, len(refs))
	if m.wi == nil {
		return out
	}
	parallel(len(refs), func(_, lo, hi int) {
		for k := lo; k < hi; k++ {
			out[k] = m.scorePacked(tc.packed(refs[k]))
		}
	})
	return out
}

// scorePacked is the model's decision value for a paper's packed terms,
// weighed (tf-idf, L2-normalised) by the idf of the corpus m was trained on.
func (m *Model) scorePacked(terms []uint32) float64 {
	var dot, norm float64
	for _, t := range terms {
		b := t & (Buckets - 1)
		w, x := float64(m.wi[2*b]), float64(m.wi[2*b+1])
		if tf := t >> tfShift; tf > 1 {
			x *= sublinearPacked[tf]
		}
		dot += w * x
		norm += x * x
	}
	if norm == 0 {
		return m.bias
	}
	return m.bias + dot/math.Sqrt(norm)
}
