package recommend

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db"
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
		o := DefaultOptions()
		c := newCorpus()
		var counts []counts
		for _, t := range benchTexts {
			tc := c.add(t)
			if len(counts) < o.Sample {
				counts = append(counts, tc)
			}
		}
		c.seal(o)
		for i, tc := range counts {
			c.sample = append(c.sample, Doc{ID: benchTexts[i].ID, Vec: c.weigh(tc)})
		}
		benchCorpus = c
	})
	return benchTexts, benchCorpus
}

func likesOf(c *Corpus, ts []db.Text) []Doc {
	var out []Doc
	for _, t := range ts {
		out = append(out, Doc{ID: t.ID, Vec: c.Vectorize(t)})
	}
	return out
}

// BenchmarkTrainScore100k is a like-topic's retrain: train on 5 exemplars
// against the 10,000-paper sample, then vectorise and score 100,000
// candidates.
func BenchmarkTrainScore100k(b *testing.B) {
	texts, c := benchSetup(b)
	likes := likesOf(c, texts[50_000:50_005])
	b.ResetTimer()
	defer reportCPU(b)()
	for b.Loop() {
		Train(c, likes, nil, DefaultOptions()).ScoreTexts(c, texts)
	}
}

// BenchmarkTrain is the training alone.
func BenchmarkTrain(b *testing.B) {
	texts, c := benchSetup(b)
	likes := likesOf(c, texts[50_000:50_005])
	b.ResetTimer()
	for b.Loop() {
		Train(c, likes, nil, DefaultOptions())
	}
}

// BenchmarkScoreArrival is a like-topic's cost per arriving paper: its
// vector and its score, on one processor.
func BenchmarkScoreArrival(b *testing.B) {
	texts, c := benchSetup(b)
	m := Train(c, likesOf(c, texts[50_000:50_005]), nil, DefaultOptions())
	b.ResetTimer()
	i := 0
	for b.Loop() {
		m.Score(c.Vectorize(texts[i%len(texts)]))
		i++
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
		c.add(texts[i%len(texts)])
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
	o := DefaultOptions()
	c := newCorpus()
	var cs []counts
	for _, x := range texts {
		tc := c.add(x)
		if len(cs) < o.Sample {
			cs = append(cs, tc)
		}
	}
	c.seal(o)
	for i, tc := range cs {
		c.sample = append(c.sample, Doc{ID: texts[i].ID, Vec: c.weigh(tc)})
	}
	cs = nil
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

// BenchmarkScoreTexts100k is the scoring of 100,000 candidates alone.
func BenchmarkScoreTexts100k(b *testing.B) {
	texts, c := benchSetup(b)
	m := Train(c, likesOf(c, texts[50_000:50_005]), nil, DefaultOptions())
	b.ResetTimer()
	defer reportCPU(b)()
	for b.Loop() {
		m.ScoreTexts(c, texts)
	}
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
