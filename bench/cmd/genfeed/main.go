// Command genfeed writes an arXiv announcement RSS feed (the format of
// rss.arxiv.org) of generated papers, for `paperfeed collect` benchmarks, or,
// with -shape, a document of a hostile or extreme shape for the resource
// bounds of the feed source (see shapes.go).
//
//	go run ./bench/cmd/genfeed -from 2000000 -n 20000 -out /tmp/paperfeed-bench/feed-20k.xml
//	go run ./bench/cmd/genfeed -shape deep -n 700000 -out /tmp/paperfeed-bench/deep.xml
package main

import (
	"bufio"
	"encoding/xml"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/paperfeed/paperfeed/bench/internal/gen"
)

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func main() {
	from := flag.Int("from", 2_000_000, "number of the first paper (the seeder uses 0..N-1)")
	n := flag.Int("n", 5000, "papers in the feed")
	out := flag.String("out", "", "output file (default stdout)")
	shape := flag.String("shape", "arxiv", "arxiv, or a hostile shape: "+shapeNames())
	size := flag.Int64("bytes", 20_900_000, "size of a hostile document, just under the default 20 MiB body cap (shapes wide, small-items, json-items)")
	flag.Parse()
	f := os.Stdout
	if *out != "" {
		var err error
		if f, err = os.Create(*out); err != nil {
			log.Fatal(err)
		}
	}
	sink.w = f
	w := bufio.NewWriterSize(&sink, 1<<20)
	if *shape != "arxiv" {
		gen, ok := shapes[*shape]
		if !ok {
			log.Fatalf("unknown shape %q (arxiv, %s)", *shape, shapeNames())
		}
		gen(w, *n, *size)
	} else {
		arxivFeed(w, *from, *n)
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

// arxivFeed writes n generated papers from number from in the format of rss.arxiv.org.
func arxivFeed(w *bufio.Writer, from, n int) {
	fmt.Fprint(w, `<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">
  <channel>
    <title>cs updates on arXiv.org</title>
    <link>http://rss.arxiv.org/rss/cs</link>
    <description>cs updates on the arXiv.org e-print archive.</description>
    <atom:link href="https://rss.arxiv.org/rss/cs" rel="self" type="application/rss+xml"/>
    <docs>http://www.rssboard.org/rss-specification</docs>
    <language>en-us</language>
`)
	for i := from; i < from+n; i++ {
		p := gen.Make(i)
		fmt.Fprintf(w, "    <item>\n      <title>%s</title>\n      <link>https://arxiv.org/abs/%s</link>\n", esc(p.Title), p.ArxivID)
		fmt.Fprintf(w, "      <description>arXiv:%sv1 Announce Type: new \nAbstract: %s</description>\n", p.ArxivID, esc(p.Abstract))
		fmt.Fprintf(w, "      <guid isPermaLink=\"false\">oai:arXiv.org:%sv1</guid>\n", p.ArxivID)
		for _, c := range p.Categories {
			fmt.Fprintf(w, "      <category>%s</category>\n", c)
		}
		fmt.Fprintf(w, "      <pubDate>%s</pubDate>\n      <arxiv:announce_type>new</arxiv:announce_type>\n", p.Published.Format("Mon, 02 Jan 2006 15:04:05 -0700"))
		fmt.Fprintf(w, "      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>\n      <dc:creator>%s</dc:creator>\n    </item>\n", esc(strings.Join(p.Authors, ", ")))
	}
	fmt.Fprint(w, "  </channel>\n</rss>\n")
}
