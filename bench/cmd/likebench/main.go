// Command likebench measures a like-topic on a seeded store (bench/cmd/seed):
// the corpus build (one read of every paper), the selection of 100,000
// candidates, the first ranking of them (train, read, score), a cached
// request, a retrain on changed exemplars, the refresh after collects of 1,
// 100 and 2,000 papers (the cost per arriving paper), and the peak heap.
//
//	go run ./bench/cmd/likebench -db /tmp/paperfeed-bench/store-1m.db
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/recommend"
	"github.com/paperfeed/paperfeed/bench/internal/gen"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

func main() {
	path := flag.String("db", "", "a store seeded by bench/cmd/seed")
	cands := flag.Int("candidates", 100_000, "candidates to score")
	flag.Parse()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, *path, sqlite.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	st, err := store.Stats(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("store: %d papers, GOMAXPROCS %d\n", st.Papers, runtime.GOMAXPROCS(0))
	eng := recommend.NewEngine(store, recommend.DefaultOptions())
	var peak atomic.Uint64
	go samplePeak(&peak)

	t := time.Now()
	c, err := eng.Corpus(ctx)
	if err != nil {
		log.Fatal(err)
	}
	build := time.Since(t)
	fmt.Printf("corpus build (read and count every paper): %v, %.1f µs/paper, heap %s\n", build, float64(build.Microseconds())/float64(c.N), heap())

	t = time.Now()
	ps, err := store.Topic(ctx, db.TopicQuery{Limit: *cands, Cap: *cands})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("select %d candidates: %v\n", len(ps), time.Since(t))

	likes := []*model.Paper{ps[10], ps[1000], ps[5000], ps[20000], ps[40000]}
	var before recommend.Counts
	step := func(what string, likes []*model.Paper, cands []*model.Paper) time.Duration {
		before = eng.Counts()
		t := time.Now()
		if _, _, err := eng.Scores(ctx, "bench", likes, nil, cands); err != nil {
			log.Fatal(err)
		}
		d := time.Since(t)
		n := eng.Counts()
		fmt.Printf("%s: %v (trained %d, read %d texts, scored %d), heap %s\n", what, d,
			n.Trainings-before.Trainings, n.Tokenised-before.Tokenised, n.Scored-before.Scored, heap())
		return d
	}
	step(fmt.Sprintf("first ranking of %d candidates (train + read + score)", len(ps)), likes, ps)
	step("the same request again (scores cached)", likes, ps)
	step("exemplars changed (train + score from cached terms)", []*model.Paper{ps[11], ps[1001], ps[5001], ps[20001], ps[40001]}, ps)

	// Arrivals: a collect brings new papers; the refresh scores the window
	// with them, as serve's Watch does.
	next := int(st.Papers) + 1_000_000
	arrive := func(n int) []*model.Paper {
		out := make([]*model.Paper, n)
		for i := range out {
			g := gen.Make(next)
			out[i] = &model.Paper{ID: int64(-next), Title: g.Title, Abstract: g.Abstract, Authors: g.Authors, Updated: time.Unix(1, 0)}
			next++
		}
		return out
	}
	likes = []*model.Paper{ps[11], ps[1001], ps[5001], ps[20001], ps[40001]}
	for _, n := range []int{1, 100, 2000} {
		window := append(arrive(n), ps[:len(ps)-n]...)
		d := step(fmt.Sprintf("a collect of %d papers (refresh of the window)", n), likes, window)
		fmt.Printf("  per arriving paper: %.1f µs\n", float64(d.Microseconds())/float64(n))
	}
	texts := make([]db.Text, 2000)
	for i, p := range arrive(len(texts)) {
		texts[i] = recommend.TextOf(p)
	}
	m, _, _ := eng.Scores(ctx, "bench", likes, nil, nil)
	t = time.Now()
	for _, x := range texts {
		m.ScoreTexts([]db.Text{x})
	}
	fmt.Printf("one paper's vector + score alone (one like-topic): %.1f µs\n", float64(time.Since(t).Microseconds())/float64(len(texts)))
	fmt.Printf("peak heap (sampled every 10 ms): %.0f MB; peak RSS: %s\n", float64(peak.Load())/(1<<20), peakRSS())
}

// samplePeak records the largest heap in use it sees, every 10 ms.
func samplePeak(peak *atomic.Uint64) {
	for {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapAlloc > peak.Load() {
			peak.Store(ms.HeapAlloc)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func heap() string {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return fmt.Sprintf("%.0f MB", float64(ms.HeapAlloc)/(1<<20))
}

func peakRSS() string {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return "unknown"
}
