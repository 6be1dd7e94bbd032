// Command seed builds a store holding N generated papers quickly, through the
// db package API (Store.Update + Tx.Save, 20,000 papers per transaction), as if
// an arXiv source had collected them, into a new SQLite file or an empty
// PostgreSQL schema.
//
//	go run ./bench/cmd/seed -n 1000000 -db /tmp/paperfeed-bench/store-1m.db
//	go run ./bench/cmd/seed -n 100000 -db "postgres://...&search_path=bench100k"
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/merge"
	"github.com/paperfeed/paperfeed/bench/internal/benchstore"
	"github.com/paperfeed/paperfeed/bench/internal/gen"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

func main() {
	n := flag.Int("n", 10000, "papers")
	path := flag.String("db", "", "SQLite store to create (must not exist), or a postgres:// URL of an empty schema")
	batch := flag.Int("batch", 20000, "papers per transaction")
	flag.Parse()
	if _, err := os.Stat(*path); err == nil && !benchstore.IsURL(*path) {
		log.Fatalf("%s exists", *path)
	}
	ctx := context.Background()
	store, err := benchstore.Open(ctx, *path)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	start := time.Now()
	for lo := 0; lo < *n; lo += *batch {
		err := store.Update(ctx, func(tx db.Tx) error {
			for i := lo; i < min(lo+*batch, *n); i++ {
				g := gen.Make(i)
				it := model.Item{
					Source: "seed", GUID: "oai:arXiv.org:" + g.ArxivID, Link: "https://arxiv.org/abs/" + g.ArxivID,
					Title: g.Title, Abstract: g.Abstract, Authors: g.Authors, Published: g.Published,
					Categories: g.Categories, ArxivID: g.ArxivID, AnnounceType: "new",
					Links: []model.Link{{Kind: model.LinkAbstract, URL: "https://arxiv.org/abs/" + g.ArxivID}, {Kind: model.LinkPDF, URL: "https://arxiv.org/pdf/" + g.ArxivID}},
				}
				p := merge.New(&it, g.Published)
				if err := tx.Save(ctx, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			log.Fatal(err)
		}
		if lo%100000 == 0 {
			fmt.Fprintf(os.Stderr, "%d papers, %s\n", lo+*batch, time.Since(start).Round(time.Second))
		}
	}
	fmt.Fprintf(os.Stderr, "seeded %d papers in %s\n", *n, time.Since(start).Round(time.Millisecond))
}
