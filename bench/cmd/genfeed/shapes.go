package main

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
)

// shapes write documents that stress a feed parser's memory rather than its
// speed: each is a valid feed of a shape no publisher writes, except
// small-items, the largest legitimate shape (many tiny items).
var shapes = map[string]func(w *bufio.Writer, n int, size int64){
	// deep: one item holding n nested extension elements (n = 700,000 gives
	// the 18.9 MB document of issue 10).
	"deep": func(w *bufio.Writer, n int, _ int64) {
		rssHead(w)
		fmt.Fprint(w, "<item><title>Deep</title><guid>deep</guid>\n")
		for range n {
			w.WriteString(`<x:node at="1234">`)
		}
		for range n {
			w.WriteString(`</x:node>`)
		}
		fmt.Fprint(w, "\n</item>\n")
		rssTail(w)
	},
	// wide: items of 100 empty extension elements with one attribute, up to size bytes.
	"wide": func(w *bufio.Writer, _ int, size int64) {
		rssHead(w)
		for i := 0; written(w) < size; i++ {
			fmt.Fprintf(w, "<item><title>Wide %d</title><guid>w%d</guid>", i, i)
			for range 100 {
				w.WriteString(`<x:e a="1"/>`)
			}
			w.WriteString("</item>\n")
		}
		rssTail(w)
	},
	// small-items: minimal real items (title, link, guid) up to size bytes:
	// 20 MiB holds about 200,000.
	"small-items": func(w *bufio.Writer, _ int, size int64) {
		rssHead(w)
		for i := 0; written(w) < size; i++ {
			fmt.Fprintf(w, "<item><title>Paper %d</title><link>https://example.org/p/%d</link><guid>p%d</guid></item>\n", i, i, i)
		}
		rssTail(w)
	},
	// json-items: a JSON Feed of minimal items up to size bytes.
	"json-items": func(w *bufio.Writer, _ int, size int64) {
		w.WriteString(`{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[`)
		for i := 0; written(w) < size; i++ {
			if i > 0 {
				w.WriteByte(',')
			}
			fmt.Fprintf(w, `{"id":"%d","title":"P %d"}`, i, i)
		}
		w.WriteString("]}\n")
	},
}

// sink counts the bytes that left the buffered writer of main.
var sink countWriter

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// written is the size of the document so far.
func written(w *bufio.Writer) int64 { return sink.n + int64(w.Buffered()) }

func rssHead(w *bufio.Writer) {
	w.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<rss version="2.0" xmlns:x="http://example.org/x"><channel><title>Hostile</title><link>https://example.org/</link><description>d</description>` + "\n")
}

func rssTail(w *bufio.Writer) { w.WriteString("</channel></rss>\n") }

func shapeNames() string {
	var names []string
	for n := range shapes {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
