// Command topicq times uncached topic queries (Store.Topic, as a feed render
// runs them) against a store: every query is a new FTS5 topic, so nothing is
// cached above SQLite. It prints p50/p99/max per query class.
//
//	topicq -db /tmp/paperfeed-bench/store-1m.db
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"slices"
	"time"

	"github.com/paperfeed/paperfeed/bench/internal/benchstore"
	"github.com/paperfeed/paperfeed/db"
)

func main() {
	path := flag.String("db", "", "store: a SQLite file or a postgres:// URL")
	rounds := flag.Int("n", 20, "queries per class")
	flag.Parse()
	ctx := context.Background()
	store, err := benchstore.Open(ctx, *path)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	// Query classes: a frequent word (matches ~10% of papers), a rare synthetic
	// term (~0.5%), a phrase, an OR of two words, and a word with an exclusion.
	rare := func(i int) string { return fmt.Sprintf("t%x", 1000+i*37) }
	common := []string{"diffusion", "retrieval", "protein", "robot", "kernel", "privacy", "sampling", "dialogue", "alignment", "tracking",
		"clustering", "forecasting", "segmentation", "manifold", "topology", "spectral", "causal", "federated", "bayesian", "stochastic"}
	classes := []struct {
		name string
		q    func(i int) db.TopicQuery
	}{
		{"frequent word", func(i int) db.TopicQuery { return db.TopicQuery{Match: common[i%len(common)], Limit: 50} }},
		{"rare term", func(i int) db.TopicQuery { return db.TopicQuery{Match: rare(i), Limit: 50} }},
		{"phrase OR word", func(i int) db.TopicQuery {
			return db.TopicQuery{Match: fmt.Sprintf(`"%s %s" OR %s`, common[i%len(common)], "model", rare(i)), Limit: 50}
		}},
		{"word NOT-excluded", func(i int) db.TopicQuery {
			return db.TopicQuery{Match: common[i%len(common)], Exclude: common[(i+1)%len(common)], Limit: 50}
		}},
		{"category, no FTS", func(i int) db.TopicQuery {
			return db.TopicQuery{Categories: []string{[]string{"cs.CL", "quant-ph", "eess.AS"}[i%3]}, Limit: 50}
		}},
	}
	for _, c := range classes {
		var ds []time.Duration
		for i := range *rounds {
			start := time.Now()
			ps, err := store.Topic(ctx, c.q(i))
			if err != nil {
				log.Fatal(err)
			}
			ds = append(ds, time.Since(start))
			if len(ps) == 0 {
				log.Printf("%s: query %d matched nothing", c.name, i)
			}
		}
		slices.Sort(ds)
		p := func(q float64) string { return fmt.Sprintf("%.1f ms", float64(ds[int(q*float64(len(ds)-1))])/1e6) }
		fmt.Printf("%-20s p50 %-9s p99 %-9s max %s\n", c.name, p(0.5), p(0.99), p(1))
	}
}
