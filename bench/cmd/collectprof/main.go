// Command collectprof runs one collect pass of every source, like `paperfeed
// collect`, with a CPU profile: the profile of the ingest hot path.
//
//	collectprof -config collect-20000.toml -cpuprofile collect.pprof
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/paperfeed/paperfeed/aggregator"
	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

func main() {
	cfgPath := flag.String("config", "config.toml", "config file")
	prof := flag.String("cpuprofile", "collect.pprof", "CPU profile output")
	flag.Parse()
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(filepath.Dir(*cfgPath), cfg.Storage.Path), sqlite.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	col, err := aggregator.New(cfg, store, fetch.New(fetch.Options{MaxBody: cfg.Collect.MaxBodyBytes, Timeout: time.Duration(cfg.Collect.Timeout)}), aggregator.Options{})
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.Create(*prof)
	if err != nil {
		log.Fatal(err)
	}
	pprof.StartCPUProfile(f)
	for _, s := range col.CollectAll(ctx) {
		fmt.Println(s.String())
	}
	pprof.StopCPUProfile()
	f.Close()
}
