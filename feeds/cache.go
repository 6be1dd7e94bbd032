package feeds

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
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
}

func (r *rendered) headers() *renderedHeaders { return &r.hdr }

// setLastModified fixes the document's Last-Modified (none when t is zero)
// and builds its headers.
func (r *rendered) setLastModified(t time.Time) {
	r.lastMod = t
	r.hdr = renderedHeaders{
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
func (s *Server) get(ctx context.Context, d doc) (*rendered, error) {
	gen, err := s.store.Generation(ctx)
	if err != nil {
		return nil, err
	}
	cache := s.cache
	if d.pinned {
		cache = s.pinned
	}
	for {
		now := s.now()
		s.mu.Lock()
		old := cache.get(d.key)
		if old != nil && old.gen == gen && !now.Before(old.at) && now.Sub(old.at) < s.maxAge {
			s.mu.Unlock()
			if s.hits != nil {
				s.hits.Inc()
			}
			return old, nil
		}
		if wait, ok := s.inflight[d.key]; ok {
			s.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		done := make(chan struct{})
		s.inflight[d.key] = done
		s.mu.Unlock()

		var r *rendered
		err := s.gate.enter(ctx, d.pinned)
		if err == nil {
			r, err = s.render(ctx, d, gen, now, old)
			s.gate.leave()
		}
		s.mu.Lock()
		delete(s.inflight, d.key)
		if err == nil {
			cache.put(r)
		}
		s.mu.Unlock()
		close(done)
		return r, err
	}
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
