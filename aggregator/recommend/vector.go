package recommend

import (
	"math"
	"slices"
	"sync"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// Features are hashed into Buckets slots: the vocabulary's cap. Unigrams and
// bigrams of a million abstracts fill most of them; a collision merges two
// rare terms, which a linear model barely notices.
const Buckets = 1 << 20

// Vector is a sparse vector over the buckets: indices ascending, no zeros.
type Vector struct {
	Idx []uint32
	Val []float32
}

// Dot is the inner product of two vectors.
func (v Vector) Dot(o Vector) float64 {
	var s float64
	i, j := 0, 0
	for i < len(v.Idx) && j < len(o.Idx) {
		switch {
		case v.Idx[i] < o.Idx[j]:
			i++
		case v.Idx[i] > o.Idx[j]:
			j++
		default:
			s += float64(v.Val[i]) * float64(o.Val[j])
			i++
			j++
		}
	}
	return s
}

// counts is a text's term frequencies by bucket.
type counts struct {
	idx []uint32
	tf  []uint16
}

// FNV-1a, 64 bits: the same buckets in every process, so rankings repeat.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvAdd(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func fnvBytes(h uint64, s []byte) uint64 {
	for _, c := range s {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

func bucket(term string) uint32 { return uint32(fnvAdd(fnvOffset, term) % Buckets) }

// bigram is the bucket of the term "a b".
func bigram(a, b string) uint32 {
	return uint32(fnvAdd(fnvAdd(fnvAdd(fnvOffset, a), " "), b) % Buckets)
}

// TextOf is the model's text of a stored paper.
func TextOf(p *model.Paper) db.Text {
	return db.Text{ID: p.ID, Title: p.Title, Abstract: p.Abstract, Authors: p.Authors, Updated: p.Updated}
}

// termCounts counts the unigrams and bigrams of a text, indices ascending.
func termCounts(t db.Text) counts {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	sc.count(t)
	return sc.sorted()
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// scratch is the reusable memory of counting one text's terms: the scanner,
// and a small open-addressing table of bucket -> slot in c, sized to the
// text, so counting touches cache-resident memory only and needs no sort.
type scratch struct {
	sc    scanner
	table []int32 // slot+1 in c, 0 empty; len a power of two
	c     counts
	// first[k] is the word that first gave term c.idx[k]: its index in
	// sc.ws, shifted left once, the low bit set for the bigram it ends.
	first []uint32
	order []uint64 // sorted's buffer
}

// count fills sc.c with t's term counts, in first-seen order (valid until
// the next count): what the paper's title, abstract and authors' names say,
// read as one text.
func (sc *scratch) count(t db.Text) {
	sc.sc.reset()
	sc.sc.scan(t.Title)
	sc.sc.scan(t.Abstract)
	for _, a := range t.Authors {
		sc.sc.scan(a)
	}
	ws := sc.sc.ws
	size := 64
	for size < 4*len(ws) {
		size *= 2
	}
	if cap(sc.table) < size {
		sc.table = make([]int32, size)
	}
	sc.table = sc.table[:size]
	clear(sc.table)
	sc.c.idx, sc.c.tf, sc.first = sc.c.idx[:0], sc.c.tf[:0], sc.first[:0]
	for i, w := range ws {
		sc.add(uint32(w.h%Buckets), uint32(i)<<1)
		if i > 0 {
			h := fnvBytes(fnvAdd(ws[i-1].h, " "), sc.sc.buf[w.start:w.end])
			sc.add(uint32(h%Buckets), uint32(i)<<1|1)
		}
	}
}

// add counts one occurrence of bucket b, first given by word w.
func (sc *scratch) add(b, w uint32) {
	mask := uint32(len(sc.table) - 1)
	for h := (b * 2654435761) & mask; ; h = (h + 1) & mask {
		switch k := sc.table[h]; {
		case k == 0:
			sc.c.idx = append(sc.c.idx, b)
			sc.c.tf = append(sc.c.tf, 1)
			sc.first = append(sc.first, w)
			sc.table[h] = int32(len(sc.c.idx))
			return
		case sc.c.idx[k-1] == b:
			if sc.c.tf[k-1] < math.MaxUint16 {
				sc.c.tf[k-1]++
			}
			return
		}
	}
}

// name is the term that first gave sc.c.idx[k]: a word, or two.
func (sc *scratch) name(k int) string {
	f := sc.first[k]
	w := sc.sc.ws[f>>1]
	if f&1 == 0 {
		return sc.sc.text(w)
	}
	return sc.sc.text(sc.sc.ws[f>>1-1]) + " " + sc.sc.text(w)
}

// sorted returns a copy of the counts with indices ascending, as a Vector
// needs: each (bucket, count) packed in one integer and sorted as such.
func (sc *scratch) sorted() counts {
	sc.order = sc.order[:0]
	for i, b := range sc.c.idx {
		sc.order = append(sc.order, uint64(b)<<16|uint64(sc.c.tf[i]))
	}
	slices.Sort(sc.order)
	out := counts{idx: make([]uint32, len(sc.order)), tf: make([]uint16, len(sc.order))}
	for k, x := range sc.order {
		out.idx[k], out.tf[k] = uint32(x>>16), uint16(x)
	}
	return out
}
