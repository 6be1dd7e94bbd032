package main

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/paperfeed/paperfeed/bench/internal/gen"
)

// item is one paper a source lists; items are never taken off a feed, so a
// fetch after a lost pass lists everything the lost one did.
type item struct {
	n     int
	guid  string
	added time.Time
	probe bool // added by /control/add: its title carries the word zzprobe
}

func (it item) title() string {
	t := gen.Make(it.n).Title
	if it.probe {
		t += " zzprobe"
	}
	return t
}

type feedSource struct {
	name  string
	items []item
}

type upstreamServer struct {
	mu       sync.Mutex
	sources  map[string]*feedSource
	order    []string
	next     int // number of the next generated paper
	frozen   bool
	inflight map[*fetch]bool
	served   map[string]time.Time // guid -> first complete response that listed it
	delay    time.Duration
	logw     *bufio.Writer
	logf     *os.File
}

// upstream serves every source at /feed/NAME.xml (RSS 2.0): -initial items
// each at the start, one more every -add-every (sources in turn), until
// /control/freeze. Each response sends its headers, waits -delay, then the
// body, so a pass is in flight long enough to be killed in the middle.
func upstream(args []string) error {
	fs := flag.NewFlagSet("upstream", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:19100", "address (loopback)")
	srcs := fs.String("sources", "", "name=interval,... (intervals are the report's; here only names)")
	initial := fs.Int("initial", 5, "items per source at the start")
	every := fs.Duration("add-every", 2*time.Second, "a new item on one source (in turn) this often")
	delay := fs.Duration("delay", 2*time.Second, "between a response's headers and its body")
	logPath := fs.String("log", "fetches.jsonl", "the fetch log (JSON lines)")
	fs.Parse(args)
	specs, err := parseSources(*srcs)
	if err != nil {
		return err
	}
	f, err := os.Create(*logPath)
	if err != nil {
		return err
	}
	u := &upstreamServer{sources: map[string]*feedSource{}, inflight: map[*fetch]bool{}, served: map[string]time.Time{},
		delay: *delay, logf: f, logw: bufio.NewWriter(f), next: 7_000_000}
	now := time.Now()
	for _, sp := range specs {
		s := &feedSource{name: sp.name}
		u.sources[sp.name] = s
		u.order = append(u.order, sp.name)
		for range *initial {
			u.addLocked(s, now)
		}
	}
	go func() {
		t := time.NewTicker(*every)
		for i := 0; ; i++ {
			<-t.C
			u.mu.Lock()
			if !u.frozen {
				u.addLocked(u.sources[u.order[i%len(u.order)]], time.Now())
			}
			u.mu.Unlock()
		}
	}()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /feed/{file}", u.serveFeed)
	mux.HandleFunc("POST /control/add", u.controlAdd)
	mux.HandleFunc("POST /control/freeze", func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.frozen = true
		u.mu.Unlock()
		fmt.Fprintln(w, "frozen")
	})
	mux.HandleFunc("GET /control/inflight", u.controlInflight)
	mux.HandleFunc("GET /control/served", u.controlServed)
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	log.Printf("upstream on %s: %d sources", ln.Addr(), len(specs))
	return http.Serve(ln, mux)
}

func (u *upstreamServer) addLocked(s *feedSource, at time.Time) item {
	it := item{n: u.next, guid: fmt.Sprintf("chaos-%s-%d", s.name, u.next), added: at}
	u.next++
	s.items = append(s.items, it)
	return it
}

func replicaOf(r *http.Request) string {
	f := strings.Fields(r.UserAgent())
	if len(f) >= 2 && f[0] == "paperfeed-chaos" {
		return f[1]
	}
	return r.UserAgent()
}

func (u *upstreamServer) serveFeed(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSuffix(r.PathValue("file"), ".xml")
	u.mu.Lock()
	s := u.sources[name]
	if s == nil {
		u.mu.Unlock()
		http.NotFound(w, r)
		return
	}
	items := append([]item(nil), s.items...)
	fe := &fetch{Source: name, Replica: replicaOf(r), Start: time.Now()}
	for _, it := range items {
		fe.GUIDs = append(fe.GUIDs, it.guid)
	}
	u.inflight[fe] = true
	u.mu.Unlock()

	body := renderRSS(name, items)
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	http.NewResponseController(w).Flush()
	select {
	case <-time.After(u.delay):
	case <-r.Context().Done():
	}
	_, err := w.Write(body)
	if err == nil {
		err = http.NewResponseController(w).Flush()
	}
	fe.End = time.Now()
	fe.Complete = err == nil && r.Context().Err() == nil

	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.inflight, fe)
	if fe.Complete {
		for _, g := range fe.GUIDs {
			if _, ok := u.served[g]; !ok {
				u.served[g] = fe.End
			}
		}
	}
	b, _ := json.Marshal(fe)
	u.logw.Write(append(b, '\n'))
	u.logw.Flush()
}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func renderRSS(name string, items []item) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>chaos ` + name + `</title><link>https://chaos.example/` + name + `</link><description>loopback source</description>
`)
	for i := len(items) - 1; i >= 0; i-- { // newest first, as feeds list
		it := items[i]
		p := gen.Make(it.n)
		fmt.Fprintf(&b, "<item><title>%s</title><link>https://chaos.example/%s/%d</link><guid isPermaLink=\"false\">%s</guid><pubDate>%s</pubDate><description>%s</description>",
			esc(it.title()), name, it.n, it.guid, it.added.UTC().Format(time.RFC1123Z), esc(p.Abstract))
		for _, a := range p.Authors {
			fmt.Fprintf(&b, "<dc:creator>%s</dc:creator>", esc(a))
		}
		b.WriteString("</item>\n")
	}
	b.WriteString("</channel></rss>\n")
	return []byte(b.String())
}

// controlAdd adds an item to ?source= now and answers its guid and title.
func (u *upstreamServer) controlAdd(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	s := u.sources[r.URL.Query().Get("source")]
	if s == nil {
		u.mu.Unlock()
		http.NotFound(w, r)
		return
	}
	it := u.addLocked(s, time.Now())
	it.probe = true
	s.items[len(s.items)-1] = it
	u.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"guid": it.guid, "title": it.title(), "added": it.added})
}

// controlInflight lists the fetches being answered now.
func (u *upstreamServer) controlInflight(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	var out []fetch
	for fe := range u.inflight {
		out = append(out, fetch{Source: fe.Source, Replica: fe.Replica, Start: fe.Start})
	}
	u.mu.Unlock()
	json.NewEncoder(w).Encode(out)
}

// controlServed answers when ?guid= was first listed in a complete response
// (404 while it never was).
func (u *upstreamServer) controlServed(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	t, ok := u.served[r.URL.Query().Get("guid")]
	u.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"served": t})
}
