// Command likebench measures a like-topic on a seeded store (bench/cmd/seed):
// the corpus build (one read of every paper), the selection of 100,000
// candidates, training plus scoring them, a cached re-render, and the cost
// per arriving paper.
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
	t = time.Now()
	m, _, err := eng.Scores(ctx, "bench", likes, nil, ps)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("train + score %d candidates: %v (background %d), heap %s\n", len(ps), time.Since(t), m.Background, heap())
	t = time.Now()
	if _, _, err := eng.Scores(ctx, "bench", likes, nil, ps); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("re-render, scores cached: %v\n", time.Since(t))

	// Arrivals: new papers, each scored alone as one pass would bring it.
	const arrivals = 2000
	texts := make([]db.Text, arrivals)
	for i := range texts {
		p := gen.Make(int(st.Papers) + 1_000_000 + i)
		texts[i] = db.Text{ID: int64(-i - 1), Title: p.Title, Abstract: p.Abstract, Authors: p.Authors}
	}
	t = time.Now()
	for _, x := range texts {
		m.ScoreTexts([]db.Text{x})
	}
	fmt.Printf("per arriving paper (vector + score, one like-topic): %.1f µs\n", float64(time.Since(t).Microseconds())/arrivals)
	fmt.Printf("peak RSS: %s\n", peakRSS())
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
