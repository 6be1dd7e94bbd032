// Package gen generates deterministic arXiv-like papers for the benchmarks:
// several authors, a 200-word abstract, one to three categories. Paper n is the
// same in every run, so a feed and a seeded store can be built apart.
package gen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Base is the publication date of paper 0; paper n is n*Step later.
var Base = time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)

// Step between consecutive papers' publication dates.
const Step = time.Minute

// Paper is one generated paper.
type Paper struct {
	N          int
	ArxivID    string
	Title      string
	Abstract   string
	Authors    []string
	Categories []string
	Published  time.Time
}

var common = strings.Fields(`model models learning language neural network networks data training method methods
results performance task tasks approach propose proposed show large deep based using new paper framework analysis
problem information study system systems algorithm algorithms time quantum graph image images representation
representations optimization generative diffusion transformer transformers attention reinforcement policy agent
agents reasoning benchmark benchmarks evaluation dataset datasets inference efficient scalable robust adversarial
embedding embeddings retrieval generation text speech vision multimodal protein molecular physics energy dynamics
equation equations stochastic theory theorem bound bounds convergence gradient sparse mixture experts fine tuning
alignment safety privacy federated causal bayesian probabilistic estimation sampling kernel spectral manifold
topology geometry clustering classification regression prediction forecasting signal control robot robotic
planning navigation detection segmentation tracking recognition translation summarization dialogue question answering`)

var first = strings.Fields(`Ada Alan Grace Claude John Mary Wei Li Yuki Amir Fatima Olga Pierre Maria Chen Hiro Priya Lars Sofia Omar
Elena Ivan Noor Kofi Ana Lucas Mei Ravi Sara Tom`)
var last = strings.Fields(`Lovelace Turing Hopper Shannon Neumann Curie Zhang Wang Tanaka Haddad Rahman Petrova Dubois Garcia Liu Sato
Sharma Nilsson Rossi Khan Popescu Smirnov Aziz Mensah Silva Moreau Huang Patel Cohen Berg Novak Kim Okafor Larsen Ito Weber`)
var cats = strings.Fields(`cs.CL cs.LG cs.AI stat.ML cs.CV cs.IR cs.RO quant-ph math.OC q-bio.BM physics.comp-ph eess.AS cs.CR math.PR cs.NE`)

// word draws a word: a common technical word half the time (Zipf-like), else one
// of 20,000 synthetic terms so the FTS vocabulary is realistic in size.
func word(r *rand.Rand) string {
	if r.IntN(2) == 0 {
		// squared uniform: low indexes (frequent words) more often
		f := r.Float64()
		return common[int(f*f*float64(len(common)))]
	}
	return fmt.Sprintf("t%x", r.IntN(20000))
}

// Make returns paper n.
func Make(n int) Paper {
	r := rand.New(rand.NewPCG(uint64(n), 0x9e3779b97f4a7c15))
	p := Paper{N: n}
	// arXiv-like id: one "month" per 90,000 papers.
	p.ArxivID = fmt.Sprintf("%02d%02d.%05d", 30+n/90000/12, 1+(n/90000)%12, n%90000)
	tw := 7 + r.IntN(6)
	var b strings.Builder
	for i := range tw {
		if i > 0 {
			b.WriteByte(' ')
		}
		w := word(r)
		if i == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
	}
	fmt.Fprintf(&b, " (%d)", n) // titles stay distinct, as real ones are
	p.Title = b.String()
	b.Reset()
	for i := range 200 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(word(r))
		if i%20 == 19 {
			b.WriteByte('.')
		}
	}
	p.Abstract = b.String()
	na := 2 + r.IntN(7)
	for range na {
		p.Authors = append(p.Authors, first[r.IntN(len(first))]+" "+last[r.IntN(len(last))])
	}
	nc := 1 + r.IntN(3)
	seen := map[string]bool{}
	for range nc {
		c := cats[r.IntN(len(cats))]
		if !seen[c] {
			seen[c] = true
			p.Categories = append(p.Categories, c)
		}
	}
	p.Published = Base.Add(time.Duration(n) * Step)
	return p
}
