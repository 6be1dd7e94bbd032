package feeds

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"
)

// rendered is one representation ready to serve: the bytes, their gzip, and the
// validators.
type rendered struct {
	key      string
	body     []byte
	gz       []byte // nil when gzip does not make it smaller
	etag     string // strong, from the body's SHA-256
	gzETag   string // the gzip variant's (a different representation, so another strong tag)
	lastMod  time.Time
	hdr      renderedHeaders // header values, built once by setLastModified
	ctype    string
	gen      int64     // store generation it was rendered from
	at       time.Time // Options.Now at render time
	contentT time.Time // newest Updated/FirstSeen of its papers
	// cacheControl overrides the server's Cache-Control value when non-nil.
	cacheControl []string
}

// renderedHeaders are a document's response header values, built once: a
// cache hit assigns them without formatting or allocating. The slices are
// shared by every response and never modified (len == cap == 1, so even an
// Add elsewhere would copy).
type renderedHeaders struct {
	ctype, etag, gzETag, lastMod, clen, gzClen []string
	link                                       []string // WebSub discovery (nil: none)
}

func (r *rendered) headers() *renderedHeaders { return &r.hdr }

// setLastModified fixes the document's Last-Modified (none when t is zero)
// and builds its headers.
func (r *rendered) setLastModified(t time.Time) {
	r.lastMod = t
	r.hdr = renderedHeaders{
		link:   r.hdr.link,
		ctype:  []string{r.ctype},
		etag:   []string{r.etag},
		gzETag: []string{r.gzETag},
		clen:   []string{strconv.Itoa(len(r.body))},
		gzClen: []string{strconv.Itoa(len(r.gz))},
	}
	if !t.IsZero() {
		r.hdr.lastMod = []string{t.UTC().Format(http.TimeFormat)}
	}
}

func (r *rendered) size() int { return len(r.body) + len(r.gz) + len(r.key) + 256 }

func newRendered(key, ctype string, body []byte) *rendered {
	sum := sha256.Sum256(body)
	tag := base64.RawURLEncoding.EncodeToString(sum[:18])
	r := &rendered{key: key, body: body, ctype: ctype, etag: `"` + tag + `"`, gzETag: `"` + tag + `-gz"`}
	if len(body) >= 256 {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		if b.Len() < len(body) {
			r.gz = b.Bytes()
		}
	}
	return r
}

// lru is a size-bounded least-recently-used cache of rendered representations.
// Not safe for concurrent use: Server.mu guards it.
type lru struct {
	maxEntries, maxBytes, bytes int
	ll                          *list.List
	m                           map[string]*list.Element
}

func newLRU(maxEntries, maxBytes int) *lru {
	return &lru{maxEntries: maxEntries, maxBytes: maxBytes, ll: list.New(), m: map[string]*list.Element{}}
}

func (c *lru) get(key string) *rendered {
	el, ok := c.m[key]
	if !ok {
		return nil
	}
	c.ll.MoveToFront(el)
	return el.Value.(*rendered)
}

func (c *lru) put(r *rendered) {
	if el, ok := c.m[r.key]; ok {
		c.bytes -= el.Value.(*rendered).size()
		el.Value = r
		c.ll.MoveToFront(el)
	} else {
		c.m[r.key] = c.ll.PushFront(r)
	}
	c.bytes += r.size()
	for c.ll.Len() > 1 && (c.ll.Len() > c.maxEntries || c.bytes > c.maxBytes) {
		el := c.ll.Back()
		old := el.Value.(*rendered)
		c.ll.Remove(el)
		delete(c.m, old.key)
		c.bytes -= old.size()
	}
}

func (c *lru) len() int { return c.ll.Len() }

// get returns the document from the cache, or renders and caches it; a
// render waits for the render gate.
//
// Concurrent misses of one key share one render (singleflight). Each caller
// waits for it until its own context ends, but the render runs under the
// flight's context, not the caller's that happened to start it: a reader who
// hangs up does not fail the render for the others who wait for the same
// document. The flight's context ends when its last caller has gone, so a
// render nobody waits for any more stops, and leaves its place in the render
// gate (renderGate counts on it: a flood of searches whose clients gave up
// must not hold the queue).
func (s *Server) get(ctx context.Context, d doc) (*rendered, error) {
	gen, err := s.store.Generation(ctx)
	if err != nil {
		return nil, err
	}
	cache := s.cacheFor(d)
	for {
		s.mu.Lock()
		if old := cache.get(d.key); s.fresh(old, gen, s.now()) {
			s.mu.Unlock()
			s.countHit()
			return old, nil
		}
		f := s.flights[d.key]
		if f == nil {
			fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
			f = &flight{ctx: fctx, cancel: cancel}
			s.flights[d.key] = f
		}
		f.callers++
		s.mu.Unlock()

		ranHere := false // set when this caller's function ran and rendered
		ch := s.group.DoChan(d.key, func() (any, error) {
			r, didRender, err := s.fill(f.ctx, d, cache, gen)
			ranHere = didRender
			return r, err
		})
		select {
		case res := <-ch:
			s.leave(d.key, f)
			if res.Err != nil {
				return nil, res.Err
			}
			r := res.Val.(*rendered)
			if r.gen < gen {
				continue // joined a render of an older generation than this caller saw
			}
			if !ranHere {
				s.countHit() // answered by another caller's render, as from the cache
			}
			return r, nil
		case <-ctx.Done():
			s.leave(d.key, f)
			return nil, ctx.Err()
		}
	}
}

// cacheFor is the cache that holds d: configured documents apart from ad-hoc ones.
func (s *Server) cacheFor(d doc) *lru {
	if d.pinned {
		return s.pinned
	}
	return s.cache
}

// flight is the render of one key that callers are waiting for; Server.mu
// guards callers.
type flight struct {
	ctx     context.Context
	cancel  context.CancelFunc
	callers int
}

// leave ends a caller's wait for f; the last one cancels the render and makes
// the key's next miss start a new one rather than join the cancelled one.
func (s *Server) leave(key string, f *flight) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.callers--; f.callers > 0 {
		return
	}
	f.cancel()
	if s.flights[key] == f {
		delete(s.flights, key)
		s.group.Forget(key)
	}
}

// fresh reports whether a cached representation may answer a request at
// store generation gen and time now.
func (s *Server) fresh(r *rendered, gen int64, now time.Time) bool {
	return r != nil && r.gen == gen && !now.Before(r.at) && now.Sub(r.at) < s.maxAge
}

func (s *Server) countHit() {
	if s.hits != nil {
		s.hits.Inc()
	}
}

// fill renders d through the render gate and caches it, unless a render that
// finished since the caller looked put a fresh one in the cache. A panic in
// the render is an error: singleflight would re-raise it where no handler
// recovers it, and one bad document must not stop the server.
func (s *Server) fill(ctx context.Context, d doc, cache *lru, gen int64) (r *rendered, didRender bool, err error) {
	now := s.now()
	s.mu.Lock()
	old := cache.get(d.key)
	s.mu.Unlock()
	if s.fresh(old, gen, now) {
		return old, false, nil
	}
	if err := s.gate.enter(ctx, d.pinned); err != nil {
		return nil, false, err
	}
	defer s.gate.leave()
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("render panicked", "key", d.key, "panic", p, "stack", string(debug.Stack()))
			r, didRender, err = nil, false, fmt.Errorf("render: panic: %v", p)
		}
	}()
	r, err = s.render(ctx, d, gen, now, old)
	if err != nil {
		return nil, false, err
	}
	s.mu.Lock()
	cache.put(r)
	s.mu.Unlock()
	return r, true, nil
}

func (s *Server) render(ctx context.Context, d doc, gen int64, now time.Time, old *rendered) (*rendered, error) {
	if s.renderHook != nil {
		s.renderHook(d.key)
	}
	body, contentT, err := d.build(ctx, s, now)
	if err != nil {
		return nil, err
	}
	r := newRendered(d.key, contentTypes[d.format], body)
	r.gen, r.at, r.contentT = gen, now, contentT.UTC().Truncate(time.Second)
	if d.hub && len(s.cfg.Server.WebSubHubs) > 0 {
		r.hdr.link = []string{hubLinkHeader(s.cfg.Server.WebSubHubs, s.base+"/"+d.path)}
	}
	switch {
	case old != nil && old.etag == r.etag:
		r.setLastModified(old.lastMod)
	case old != nil && !r.contentT.After(old.lastMod):
		r.setLastModified(now.UTC().Truncate(time.Second)) // changed without a newer paper
	case r.contentT.IsZero():
		r.setLastModified(now.UTC().Truncate(time.Second))
	default:
		r.setLastModified(r.contentT)
	}
	return r, nil
}
