// Command parsefloor is the ingest floor: it reads a feed file and parses it
// with gofeed (the parser `paperfeed collect` uses), and does nothing else.
//
//	parsefloor /tmp/paperfeed-bench/feed-20000.xml
package main

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/mmcdole/gofeed"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: parsefloor FILE")
	}
	start := time.Now()
	body, err := os.ReadFile(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	d := time.Since(start)
	fmt.Printf("%d items parsed in %s (%.0f items/s)\n", len(feed.Items), d.Round(time.Millisecond), float64(len(feed.Items))/d.Seconds())
}
