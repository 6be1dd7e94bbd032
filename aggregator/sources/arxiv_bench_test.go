package sources

import (
	"os"
	"testing"

	"github.com/paperfeed/paperfeed/aggregator/config"
)

// BenchmarkArxivRSSParse measures the announcement source's parse of a
// generated feed and, apart, the shape pre-scan that parse runs first:
//
//	go run ./bench/cmd/genfeed -n 20000 -out /tmp/paperfeed-bench/feed-20k.xml
//	PAPERFEED_ARXIV_FEED=/tmp/paperfeed-bench/feed-20k.xml go test -run XXX -bench ArxivRSSParse -count 5 ./aggregator/sources
func BenchmarkArxivRSSParse(b *testing.B) {
	path := os.Getenv("PAPERFEED_ARXIV_FEED")
	if path == "" {
		b.Skip("set PAPERFEED_ARXIV_FEED to a feed written by bench/cmd/genfeed")
	}
	body, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	src, err := New(config.Source{Name: "bench", Type: "arxiv", Categories: []string{"cs.CL"}}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	s := src.(*arxivRSS)
	b.Run("scan", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := scanDocument(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, _, err := s.parse(body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
