package recommend

import (
	"cmp"
	"math"
	"slices"
	"strings"
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

// counts is a text's term frequencies by bucket, indices ascending.
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

func bucket(term string) uint32 { return uint32(fnvAdd(fnvOffset, term) % Buckets) }

// bigram buckets "a b" without building the string.
func bigram(a, b string) uint32 {
	h := fnvAdd(fnvOffset, a)
	h = fnvAdd(h, " ")
	return uint32(fnvAdd(h, b) % Buckets)
}

// paperText is what a model reads of a paper: title, abstract, author names.
func paperText(title, abstract string, authors []string) string {
	return title + "\n" + abstract + "\n" + strings.Join(authors, ", ")
}

// TextOf is the model's text of a stored paper.
func TextOf(p *model.Paper) db.Text {
	return db.Text{ID: p.ID, Title: p.Title, Abstract: p.Abstract, Authors: p.Authors}
}

// termCounts counts the unigrams and bigrams of a text. names, when not nil,
// is called with each term's bucket and its one or two words.
func termCounts(t db.Text, names func(b uint32, a, w string)) counts {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	sc.count(t, names)
	return sc.c.sorted()
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// scratch is the reusable memory of counting one text's terms: a small
// open-addressing table of bucket -> slot in c, sized to the text, so
// counting touches cache-resident memory only and needs no sort.
type scratch struct {
	ws    []string
	table []int32 // slot+1 in c, 0 empty; len a power of two
	c     counts
}

// count fills sc.c with t's term counts, in first-seen order (valid until
// the next count).
func (sc *scratch) count(t db.Text, names func(b uint32, a, w string)) {
	sc.ws = words(sc.ws[:0], paperText(t.Title, t.Abstract, t.Authors))
	size := 64
	for size < 4*len(sc.ws) {
		size *= 2
	}
	if cap(sc.table) < size {
		sc.table = make([]int32, size)
	}
	sc.table = sc.table[:size]
	clear(sc.table)
	mask := uint32(size - 1)
	sc.c.idx, sc.c.tf = sc.c.idx[:0], sc.c.tf[:0]
	add := func(b uint32) {
		for h := (b * 2654435761) & mask; ; h = (h + 1) & mask {
			switch k := sc.table[h]; {
			case k == 0:
				sc.c.idx = append(sc.c.idx, b)
				sc.c.tf = append(sc.c.tf, 1)
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
	for i, w := range sc.ws {
		b := bucket(w)
		add(b)
		if names != nil {
			names(b, "", w)
		}
		if i > 0 {
			b := bigram(sc.ws[i-1], w)
			add(b)
			if names != nil {
				names(b, sc.ws[i-1], w)
			}
		}
	}
}

// sorted returns the counts with indices ascending, as a Vector needs.
func (c counts) sorted() counts {
	order := make([]int, len(c.idx))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(c.idx[a], c.idx[b]) })
	out := counts{idx: make([]uint32, len(order)), tf: make([]uint16, len(order))}
	for k, i := range order {
		out.idx[k], out.tf[k] = c.idx[i], c.tf[i]
	}
	return out
}
