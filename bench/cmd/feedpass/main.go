// Command feedpass runs one pass of a generic `feed` source on a file (fetch
// through the real client with the default 20 MiB body cap, then parse), and
// nothing else: the parse share of `paperfeed collect`'s memory, without the
// store. Run it under /usr/bin/time -v for the peak RSS.
//
//	/usr/bin/time -f '%M KB' feedpass /tmp/paperfeed-bench/hostile/deep.xml
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/aggregator/sources"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: feedpass FILE")
	}
	abs, err := filepath.Abs(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	src, err := sources.New(config.Source{Name: "bench", Type: "feed", URL: "file://" + abs}, sources.Options{})
	if err != nil {
		log.Fatal(err)
	}
	client := fetch.New(fetch.Options{MaxBody: config.DefaultMaxBodyBytes, Timeout: 10 * time.Minute})
	start := time.Now()
	res, err := src.Collect(context.Background(), client, &sources.State{})
	if err != nil {
		fmt.Printf("%s: error after %s: %v\n", filepath.Base(abs), time.Since(start).Round(time.Millisecond), err)
		return
	}
	fmt.Printf("%s: %d items in %s\n", filepath.Base(abs), len(res.Items), time.Since(start).Round(time.Millisecond))
}
