// Command barehandler is the Go serving floor: a bare net/http handler that
// writes the same gzip bytes paperfeed serves, from memory, with the same
// headers, and nothing else (no routing, cache lookup, validators or metrics).
//
//	barehandler -listen 127.0.0.1:18081 -body /tmp/paperfeed-bench/www/topics/llm.atom.gz
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"strconv"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:18081", "address")
	path := flag.String("body", "", "gzip body to serve")
	flag.Parse()
	body, err := os.ReadFile(*path)
	if err != nil {
		log.Fatal(err)
	}
	n := strconv.Itoa(len(body))
	log.Fatal(http.ListenAndServe(*listen, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/atom+xml; charset=utf-8")
		h.Set("Content-Encoding", "gzip")
		h.Set("Content-Length", n)
		w.Write(body)
	})))
}
