package recommend

import (
	"math"
	"slices"
	"strings"

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
// is called with each term and its bucket.
func termCounts(t db.Text, names func(uint32, string)) counts {
	ws := words(nil, paperText(t.Title, t.Abstract, t.Authors))
	bs := make([]uint32, 0, 2*len(ws))
	for i, w := range ws {
		b := bucket(w)
		bs = append(bs, b)
		if names != nil {
			names(b, w)
		}
		if i > 0 {
			b := bigram(ws[i-1], w)
			bs = append(bs, b)
			if names != nil {
				names(b, ws[i-1]+" "+w)
			}
		}
	}
	slices.Sort(bs)
	var c counts
	for i := 0; i < len(bs); {
		j := i
		for j < len(bs) && bs[j] == bs[i] {
			j++
		}
		c.idx = append(c.idx, bs[i])
		c.tf = append(c.tf, uint16(min(j-i, math.MaxUint16)))
		i = j
	}
	return c
}
