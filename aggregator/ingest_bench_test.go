package aggregator

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/dedup"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/aggregator/ident"
	"github.com/paperfeed/paperfeed/aggregator/merge"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

// benchItem is an arXiv-like listing: several authors, a 200-word abstract, categories.
func benchItem(source string, i int) model.Item {
	abstract := ""
	for w := range 200 {
		abstract += fmt.Sprintf("word%d ", (i+w)%997)
	}
	return model.Item{
		Source: source, GUID: fmt.Sprintf("oai:arXiv.org:2611.%05d", i%100000) + fmt.Sprint(i/100000),
		Link:     fmt.Sprintf("https://arxiv.org/abs/2611.%05d", i),
		Title:    fmt.Sprintf("Scaling Study %d of Sparse Mixture Models for Retrieval Number %d", i, i*7),
		Abstract: abstract, Authors: []string{fmt.Sprintf("Ada Lovelace%d", i%500), "Alan Turing", fmt.Sprintf("Grace Hopper%d", i%300)},
		Published:  time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
		Categories: []string{"cs.CL", "cs.LG"}, ArxivID: fmt.Sprintf("%04d.%05d", 1000+i/100000, i%100000),
		Links: []model.Link{{Kind: model.LinkAbstract, URL: fmt.Sprintf("https://arxiv.org/abs/2611.%05d", i)}},
	}
}

// benchSeeds holds, per store size, a closed SQLite file already holding that
// many papers: seeding 100,000 papers with their blocking keys takes minutes,
// so each sub-benchmark (and each of its b.N rounds) starts from a copy.
type benchSeeds struct {
	dir   string
	files map[int]string
}

// benchStore returns a collector over a store already holding n papers, a
// copy of the seeded file for n.
func benchStore(b *testing.B, seeds *benchSeeds, n int) (*Collector, db.Store) {
	b.Helper()
	cfg := config.Default()
	cfg.Sources = []config.Source{{Name: "bench", Type: "feed", URL: "file:///dev/null"}}
	if err := cfg.Validate(); err != nil {
		b.Fatal(err)
	}
	src, ok := seeds.files[n]
	if !ok {
		src = filepath.Join(seeds.dir, fmt.Sprintf("seed-%d.db", n))
		seedStore(b, src, n)
		seeds.files[n] = src
	}
	path := filepath.Join(b.TempDir(), "bench.db")
	data, err := os.ReadFile(src)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	store, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	c, err := New(cfg, store, fetch.New(fetch.Options{}), Options{})
	if err != nil {
		b.Fatal(err)
	}
	return c, store
}

// seedStore writes n seed papers, 10,000 to a transaction, into a new store
// at path and closes it, leaving one self-contained file.
func seedStore(b *testing.B, path string, n int) {
	b.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for start := 0; start < n; start += 10000 {
		err := store.Update(ctx, func(tx db.Tx) error {
			for i := start; i < min(start+10000, n); i++ {
				it := benchItem("seed", i)
				p := merge.New(&it, it.Published)
				p.TitleKey = ident.TitleKey(p.Title)
				p.BlockKeys = dedup.BlockKeys(dedup.FromPaper(p))
				if err := tx.Save(ctx, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			store.Close()
			b.Fatal(err)
		}
	}
	if err := store.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkIngest measures the cost of matching and storing one incoming item
// against stores of growing size. Index lookups keep it flat: compare ns/op
// across the sizes of one run. "near" is the same paper under a misspelt
// title with no identifier: it reaches the tolerant rule through the blocking
// keys, every one of which the seed papers share with thousands of others
// (db.MaxPerBlock caps what each key returns, the newest papers first). At
// 100,000 papers the oldest papers "near" misspells are behind the cap of
// every key they share, so it is not found and is stored as a new paper;
// "near-recent" misspells one of the newest papers, which the keys return,
// and measures the tolerant merge itself at both sizes.
func BenchmarkIngest(b *testing.B) {
	seeds := &benchSeeds{dir: b.TempDir(), files: map[int]string{}}
	for _, size := range []int{1000, 100000} {
		for _, kind := range []string{"new", "duplicate", "near", "near-recent"} {
			b.Run(fmt.Sprintf("store=%d/%s", size, kind), func(b *testing.B) {
				c, store := benchStore(b, seeds, size)
				ctx := context.Background()
				sc := c.sources[0].cfg
				now := time.Now()
				b.ResetTimer()
				cpu0 := processCPU(b)
				err := store.Update(ctx, func(tx db.Tx) error {
					for i := 0; i < b.N; i++ {
						var it model.Item
						switch kind {
						case "new":
							it = benchItem("bench", size+i) // an unseen paper
						case "near":
							it = benchItem("bench", i%size)
							it.ArxivID = ""
							it.Title = strings.Replace(it.Title, "Sparse", "Sparce", 1)
						case "near-recent":
							it = benchItem("bench", size-1-i%200) // the newest paper of its first author's surname
							it.GUID += fmt.Sprint("-", i)         // a new listing each round
							it.ArxivID = ""
							it.Title = strings.Replace(it.Title, "Sparse", "Sparce", 1)
						default:
							it = benchItem("bench", i%size) // the same paper from another source
							it.ArxivID = ""                 // make it meet by title
						}
						out, err := c.ingest(ctx, tx, sc, &it, now)
						if err != nil {
							return err
						}
						if (kind == "duplicate" || kind == "near-recent") && out != outcomeMerged {
							return fmt.Errorf("%s item %d: outcome %d, not merged", kind, i, out)
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// processCPU is the CPU time (user and system) the process has used, in
// nanoseconds: on a machine other work shares, CPU time per item varies far
// less than wall time per item, which includes waiting for a core.
func processCPU(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
