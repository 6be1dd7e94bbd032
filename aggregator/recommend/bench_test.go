package recommend

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// synthetic is n generated papers: a 10-word title, a 150-word abstract and
// four authors, words drawn Zipf-like from 30,000, so that the vocabulary
// and the vectors' sizes are those of real abstracts.
func synthetic(n int) []db.Text {
	r := rand.New(rand.NewPCG(7, 8))
	z := rand.NewZipf(r, 1.1, 2, 29999)
	word := func() string { return fmt.Sprintf("w%d", z.Uint64()) }
	out := make([]db.Text, n)
	for i := range out {
		var t, a strings.Builder
		for range 10 {
			t.WriteString(word() + " ")
		}
		for range 150 {
			a.WriteString(word() + " ")
		}
		out[i] = db.Text{ID: int64(i + 1), Title: t.String(), Abstract: a.String(),
			Authors: []string{fmt.Sprintf("Ada%d Lovelace%d", r.IntN(500), r.IntN(5000)), fmt.Sprintf("Alan%d Turing%d", r.IntN(500), r.IntN(5000))}}
	}
	return out
}

var (
	benchOnce   sync.Once
	benchTexts  []db.Text
	benchCorpus *Corpus
)

// benchSetup is a corpus of 100,000 synthetic papers with the default options.
func benchSetup(b *testing.B) ([]db.Text, *Corpus) {
	b.Helper()
	benchOnce.Do(func() {
		benchTexts = synthetic(100_000)
		benchCorpus = corpusOf(benchTexts, DefaultOptions())
	})
	return benchTexts, benchCorpus
}

// corpusOf is the corpus of texts, its first o.Sample the sample.
func corpusOf(texts []db.Text, o Options) *Corpus {
	c := newCorpus()
	var ids []int64
	var cs []counts
	for _, t := range texts {
		keep := len(cs) < o.Sample
		tc := c.add(t, keep)
		if keep {
			ids, cs = append(ids, t.ID), append(cs, tc)
		}
	}
	c.seal(o)
	c.setSample(ids, cs)
	return c
}

func likesOf(c *Corpus, ts []db.Text) []Doc {
	var out []Doc
	for _, t := range ts {
		out = append(out, Doc{ID: t.ID, Vec: c.Vectorize(t)})
	}
	return out
}

// storeOf is a store of n papers as far as Engine.Corpus asks (the stats);
// the engine's corpus is set beforehand.
type storeOf struct {
	db.Reader
	n int64
}

func (s storeOf) Stats(context.Context) (db.Stats, error) { return db.Stats{Papers: s.n}, nil }

// benchEngine is an engine on the benchmark corpus, nothing cached, and the
// 100,000 papers as candidates, 5 of them the exemplars.
func benchEngine(b *testing.B) (*Engine, []*model.Paper, []*model.Paper) {
	texts, c := benchSetup(b)
	e := NewEngine(storeOf{n: int64(c.N)}, DefaultOptions())
	e.corpus, e.version = c, 1
	cands := make([]*model.Paper, len(texts))
	for i, t := range texts {
		cands[i] = &model.Paper{ID: t.ID, Title: t.Title, Abstract: t.Abstract, Authors: t.Authors}
	}
	return e, cands, cands[50_000:50_005]
}

// BenchmarkTrainScore100k is a like-topic's first ranking, as after a
// start or a rebuilt corpus: train on 5 exemplars against the 10,000-paper
// sample while the 100,000 candidates' texts are read, then score them.
// It reports the term cache's size as cache-MB.
func BenchmarkTrainScore100k(b *testing.B) {
	e, cands, likes := benchEngine(b)
	ctx := context.Background()
	b.ResetTimer()
	defer reportCPU(b)()
	for b.Loop() {
		e.terms, e.topics = termCache{}, map[string]*topicModel{}
		if _, _, err := e.Scores(ctx, "bench", likes, nil, cands); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(4*len(e.terms.terms)+40*len(e.terms.at))/(1<<20), "cache-MB")
}

// BenchmarkRetrain100k is a like-topic's retrain when its exemplars
// changed: the candidates' terms are cached (read as they arrived), so it
// trains, then scores 100,000 candidates from their terms.
func BenchmarkRetrain100k(b *testing.B) {
	e, cands, likes := benchEngine(b)
	ctx := context.Background()
	if _, _, err := e.Scores(ctx, "bench", likes, nil, cands); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	defer reportCPU(b)()
	for b.Loop() {
		e.topics = map[string]*topicModel{}
		if _, _, err := e.Scores(ctx, "bench", likes, nil, cands); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScoreTexts100k is scoring 100,000 candidates from their texts,
// nothing cached (tokenise, weigh, score; no training).
func BenchmarkScoreTexts100k(b *testing.B) {
	texts, c := benchSetup(b)
	m := Train(c, likesOf(c, texts[50_000:50_005]), nil, DefaultOptions())
	b.ResetTimer()
	defer reportCPU(b)()
	for b.Loop() {
		m.ScoreTexts(texts)
	}
}

// BenchmarkTrain is the training alone.
func BenchmarkTrain(b *testing.B) {
	texts, c := benchSetup(b)
	likes := likesOf(c, texts[50_000:50_005])
	b.ResetTimer()
	defer reportCPU(b)()
	for b.Loop() {
		Train(c, likes, nil, DefaultOptions())
	}
}

// BenchmarkScoreArrival is a like-topic's cost per arriving paper: its
// terms read into the cache and its score, on one processor.
func BenchmarkScoreArrival(b *testing.B) {
	texts, c := benchSetup(b)
	m := Train(c, likesOf(c, texts[50_000:50_005]), nil, DefaultOptions())
	var tc termCache
	tc.reset()
	updated := []int64{0}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		t := texts[i%len(texts)]
		tc.read([]db.Text{t}, updated)
		m.scoreRefs(&tc, []termRef{tc.at[t.ID]})
		if i++; i%len(texts) == 0 {
			tc.reset()
		}
	}
}

// BenchmarkCorpusAdd is the corpus build's cost per stored paper (reading
// the store aside): the rebuild a grown store triggers is N of these.
func BenchmarkCorpusAdd(b *testing.B) {
	texts, _ := benchSetup(b)
	c := newCorpus()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		c.add(texts[i%len(texts)], false)
		i++
	}
}

// TestCorpusMemory reports the resident size of a 100,000-paper corpus
// (df, bucket names, the 10,000-vector sample); it asserts the bound the
// design promises: under 128 MB.
func TestCorpusMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds 100,000 papers")
	}
	texts := synthetic(100_000)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	c := corpusOf(texts, DefaultOptions())
	runtime.GC()
	runtime.ReadMemStats(&after)
	mb := float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
	t.Logf("corpus of %d papers: %.1f MB live heap", c.N, mb)
	if mb > 128 {
		t.Errorf("corpus holds %.1f MB", mb)
	}
	runtime.KeepAlive(c)
	runtime.KeepAlive(texts)
}

// reportCPU reports the process's CPU time (user + system) per iteration as
// cpu-ms/op, from its call to the returned function's: on a machine shared
// with other work the wall-clock ns/op measures the load as much as the
// code, the CPU time much less so.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() { b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op") }
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
