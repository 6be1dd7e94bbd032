package feeds

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

func TestContentTypes(t *testing.T) {
	f := newFixture(t, nil)
	cases := []struct{ path, ctype string }{
		{"/", "text/html; charset=utf-8"},
		{"/index.html", "text/html; charset=utf-8"},
		{"/topics.opml", "text/x-opml; charset=utf-8"},
		{"/topics/ml", "text/html; charset=utf-8"},
		{"/topics/ml.html", "text/html; charset=utf-8"},
		{"/topics/ml.atom", "application/atom+xml; charset=utf-8"},
		{"/topics/ml.rss", "application/rss+xml; charset=utf-8"},
		{"/topics/ml.json", "application/feed+json; charset=utf-8"},
		{"/search.atom?q=learning", "application/atom+xml; charset=utf-8"},
		{"/search.rss?q=learning", "application/rss+xml; charset=utf-8"},
		{"/search.json?q=learning", "application/feed+json; charset=utf-8"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			res, body := f.do(t, "GET", c.path, nil)
			h := res.Header
			if res.StatusCode != 200 || h.Get("Content-Type") != c.ctype {
				t.Fatalf("%d %q", res.StatusCode, h.Get("Content-Type"))
			}
			if !strings.HasPrefix(h.Get("ETag"), `"`) || h.Get("Last-Modified") == "" || h.Get("Vary") != "Accept-Encoding" {
				t.Errorf("validators: %v", h)
			}
			if h.Get("Cache-Control") != "public, max-age=1800" { // interval 1h / 2
				t.Errorf("Cache-Control %q", h.Get("Cache-Control"))
			}
			hres, hbody := f.do(t, "HEAD", c.path, nil)
			if hres.StatusCode != 200 || len(hbody) != 0 || hres.Header.Get("ETag") != h.Get("ETag") ||
				hres.Header.Get("Content-Length") != h.Get("Content-Length") || h.Get("Content-Length") != itoa(len(body)) {
				t.Errorf("HEAD: %d, %d bytes, %v", hres.StatusCode, len(hbody), hres.Header)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// counterValue reads a counter without prometheus/testutil (not in go.sum).
func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

func TestConditionalGET(t *testing.T) {
	f := newFixture(t, nil)
	res, _ := f.do(t, "GET", "/topics/all.atom", nil)
	etag, lm := res.Header.Get("ETag"), res.Header.Get("Last-Modified")
	if lm != "Mon, 10 Mar 2025 11:00:00 GMT" { // newest FirstSeen (seeded at t0-1h)
		t.Errorf("Last-Modified %q", lm)
	}
	gres, _ := f.do(t, "GET", "/topics/all.atom", map[string]string{"Accept-Encoding": "gzip"})
	gzTag := gres.Header.Get("ETag")
	cases := []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"matching etag", map[string]string{"If-None-Match": etag}, 304},
		{"etag in a list", map[string]string{"If-None-Match": `"x", ` + etag}, 304},
		{"gzip variant's etag", map[string]string{"If-None-Match": gzTag}, 304},
		{"weak form", map[string]string{"If-None-Match": "W/" + etag}, 304},
		{"star", map[string]string{"If-None-Match": "*"}, 304},
		{"other etag", map[string]string{"If-None-Match": `"nope"`}, 200},
		{"other etag wins over IMS", map[string]string{"If-None-Match": `"nope"`, "If-Modified-Since": lm}, 200},
		{"IMS equal", map[string]string{"If-Modified-Since": lm}, 304},
		{"IMS later", map[string]string{"If-Modified-Since": "Tue, 11 Mar 2025 00:00:00 GMT"}, 304},
		{"IMS earlier", map[string]string{"If-Modified-Since": "Sun, 09 Mar 2025 00:00:00 GMT"}, 200},
		{"IMS garbage", map[string]string{"If-Modified-Since": "yesterday"}, 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, body := f.do(t, "GET", "/topics/all.atom", c.hdr)
			if res.StatusCode != c.want {
				t.Fatalf("status %d, want %d", res.StatusCode, c.want)
			}
			if c.want == 304 && (len(body) != 0 || res.Header.Get("ETag") == "") {
				t.Errorf("304 with %d bytes, etag %q", len(body), res.Header.Get("ETag"))
			}
		})
	}
	t.Run("new paper changes etag and Last-Modified", func(t *testing.T) {
		it := testItems()[1]
		it.GUID, it.ArxivID, it.Title, it.Published = "new-1", "2503.09999", "Brand New", t0
		seed(t, f.store, t0.Add(time.Minute), it)
		res, _ := f.do(t, "GET", "/topics/all.atom", map[string]string{"If-None-Match": etag})
		if res.StatusCode != 200 || res.Header.Get("ETag") == etag {
			t.Fatalf("status %d etag %s", res.StatusCode, res.Header.Get("ETag"))
		}
		if got := res.Header.Get("Last-Modified"); got != "Mon, 10 Mar 2025 12:01:00 GMT" {
			t.Errorf("Last-Modified %q", got)
		}
		res, _ = f.do(t, "GET", "/topics/all.atom", map[string]string{"If-Modified-Since": lm})
		if res.StatusCode != 200 {
			t.Errorf("IMS of the old version: %d", res.StatusCode)
		}
	})
}

func TestGzip(t *testing.T) {
	f := newFixture(t, nil)
	plain := f.get(t, "/topics/all.rss")
	cases := []struct {
		ae   string
		gzip bool
	}{
		{"gzip", true},
		{"br, gzip;q=0.5", true},
		{"deflate, gzip; q=0", false},
		{"identity", false},
		{"", false},
		{"*", true},
		{"gzip;q=0, *", false},
	}
	for _, c := range cases {
		t.Run("AE="+c.ae, func(t *testing.T) {
			res, body := f.do(t, "GET", "/topics/all.rss", map[string]string{"Accept-Encoding": c.ae})
			if got := res.Header.Get("Content-Encoding") == "gzip"; got != c.gzip {
				t.Fatalf("gzip %v, want %v", got, c.gzip)
			}
			if res.Header.Get("Vary") != "Accept-Encoding" {
				t.Error("no Vary")
			}
			if c.gzip {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				body, _ = io.ReadAll(zr)
			}
			if !bytes.Equal(body, plain) {
				t.Error("body differs")
			}
		})
	}
}

// TestAcceptsGzip: RFC 9110 section 12.5.3 weights.
func TestAcceptsGzip(t *testing.T) {
	cases := []struct {
		ae   string
		want bool
	}{
		{"gzip", true},
		{"x-gzip", true},
		{"GZIP", true},
		{"deflate, br", false},
		{"", false},
		{"*", true},
		{"*;q=0", false},
		{"gzip;q=0, *", false},              // an explicit refusal wins over *
		{"*, gzip;q=0", false},              // in any order
		{"gzip;q=0.001", true},              // explicit, low but acceptable
		{"gzip;q=0.001, *", false},          // * weighs identity above it
		{"br, *;q=0.1", true},               // * covers gzip, which is not listed
		{"gzip;q=0.5, br", true},            // identity unlisted: acceptable, but not preferred
		{"identity;q=1, gzip;q=0.5", false}, // the client prefers the uncompressed bytes
		{"identity;q=0.5, gzip;q=0.5", true},
		{"identity;q=0, gzip;q=0.2", true},
		{"gzip;q=0.5, *;q=0.8", false}, // * weighs identity above gzip
		{"gzip ; Q=0", false},          // spaces, uppercase name
		{"gzip;q=0.000", false},
		{"gzip;q=1.000", true},
		{"gzip; q = 0.7", true},
		{"gzip;q=abc", false}, // a malformed weight ignores the element
		{"gzip;q=abc, *", true},
		{"gzip;q=1.5", false},
		{"gzip;q=0.1234", false},
		{"gzip;q=-1", false},
		{"gzip;q=", false},
		{"gzip;q=0., *;q=0", false},
		{"gzip;level=9", true}, // a parameter other than q does not change the weight
		{" , gzip", true},
	}
	for _, c := range cases {
		t.Run(c.ae, func(t *testing.T) {
			if got := acceptsGzip(c.ae); got != c.want {
				t.Errorf("acceptsGzip(%q) = %v, want %v", c.ae, got, c.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	f := newFixture(t, nil)
	srv := httptest.NewServer(f.srv)
	defer srv.Close()
	cases := []struct {
		path string
		want int
		msg  string
	}{
		{"/topics/nope.atom", 404, `no topic named "nope"`},
		{"/topics/nope", 404, "no topic"},
		{"/topics/ml.xml", 404, "no topic"},
		{"/topics/ml.atom.atom", 404, "no topic"},
		{"/topics/..%2fetc.atom", 404, "no topic"},
		{"/topics/..%2f..%2fetc%2fpasswd", 404, "no topic"},
		{"/topics/%2e%2e/topics.opml", 404, ""},
		{"/topics/../go.mod", 404, ""},
		{"/topics/ml.atom/x", 404, ""},
		{"/nope", 404, ""},
		{"/topics/ml.atom?limit=0", 400, "bad limit"},
		{"/topics/ml.atom?limit=501", 400, "bad limit"},
		{"/topics/ml.atom?limit=ten", 400, "bad limit"},
		{"/topics/ml.atom?limit=", 400, "bad limit"},
		{"/topics/ml.atom?limit=500", 200, ""},
		{"/topics/ml.atom?limit=007", 200, ""},
		{"/topics/ml.atom?limit=%35", 200, ""},
		{"/topics/ml.atom?limit=+5", 400, `bad limit "+5": want a whole number 1..500`},
		{"/topics/ml.atom?limit=%2B5", 400, `bad limit "%2B5"`},
		{"/topics/ml.atom?limit=%205", 400, `bad limit "%205"`},
		{"/topics/ml.atom?limit=5.0", 400, `bad limit "5.0"`},
		{"/topics/ml.atom?limit=5e1", 400, `bad limit "5e1"`},
		{"/topics/ml.atom?limit=0x10", 400, `bad limit "0x10"`},
		{"/topics/ml.atom?limit=1_0", 400, `bad limit "1_0"`},
		{"/topics/ml.atom?limit=99999999999999999999", 400, `bad limit "99999999999999999999"`},
		{"/topics/ml.atom?limit=%22%3Cb%3E", 400, `bad limit "%22%3Cb%3E"`},
		{"/topics/ml.atom?limit=" + strings.Repeat("9", 60), 400, `bad limit "` + strings.Repeat("9", 40) + `…"`},
		{"/topics/ml.atom?x=1&limit=-3&limit=4", 400, `bad limit "-3"`},
		{"/search?q=learning&limit=+5", 400, `bad limit "+5"`},
		{"/search.atom", 400, "missing query"},
		{"/search.json?q=%22unbalanced", 400, "bad query"},
		{"/search.rss?q=AND+OR", 400, "bad query"},
		{"/search.atom?q=learning&limit=-1", 400, "bad limit"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			res, err := http.Get(srv.URL + c.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != c.want || !strings.Contains(string(body), c.msg) {
				t.Errorf("%d %q, want %d %q", res.StatusCode, body, c.want, c.msg)
			}
			if c.want != 200 && !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
				t.Errorf("content type %q", res.Header.Get("Content-Type"))
			}
		})
	}
	t.Run("method not allowed", func(t *testing.T) {
		res, _ := f.do(t, "POST", "/topics/ml.atom", nil)
		if res.StatusCode != 405 {
			t.Errorf("%d", res.StatusCode)
		}
	})
}

func TestExport(t *testing.T) {
	f := newFixture(t, nil)
	dir := t.TempDir()
	if err := f.srv.Export(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	paths := []string{"index.html", "topics.opml", "favicon.ico"}
	for _, tp := range f.cfg.Topics {
		for _, ext := range []string{"atom", "rss", "json", "html"} {
			paths = append(paths, "topics/"+tp.Name+"."+ext)
		}
	}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			got, err := os.ReadFile(filepath.Join(dir, p))
			if err != nil {
				t.Fatal(err)
			}
			want := f.get(t, "/"+strings.TrimSuffix(p, "index.html"))
			if p == "index.html" {
				// A static host has no search or status page: the exported
				// index is the served one without the links to them.
				links := `<ul class="site"><li><a href="search">Search all papers</a></li><li><a href="status">Source status</a></li></ul>`
				if !bytes.Contains(want, []byte(links)) || bytes.Contains(got, []byte(`href="status"`)) || bytes.Contains(got, []byte(`href="search"`)) {
					t.Errorf("exported index links to server pages:\n%s", got)
				}
				want = bytes.Replace(want, []byte(links), nil, 1)
			}
			if !bytes.Equal(got, want) {
				t.Error("exported bytes differ from served")
			}
		})
	}
}

// TestFavicon: /favicon.ico is a real icon, revalidated by ETag, linked from
// every HTML page.
func TestFavicon(t *testing.T) {
	f := newFixture(t, nil)
	res, body := f.do(t, "GET", "/favicon.ico", nil)
	h := res.Header
	if res.StatusCode != 200 || h.Get("Content-Type") != "image/x-icon" {
		t.Fatalf("%d %q", res.StatusCode, h.Get("Content-Type"))
	}
	if h.Get("Cache-Control") != "public, max-age=604800" || !strings.HasPrefix(h.Get("ETag"), `"`) || h.Get("Content-Length") != itoa(len(body)) {
		t.Errorf("headers %v", h)
	}
	if h.Get("Last-Modified") != "" {
		t.Errorf("Last-Modified %q on an embedded file", h.Get("Last-Modified"))
	}
	t.Run("an ICO of square PNG images", func(t *testing.T) {
		if len(body) < 6 || binary.LittleEndian.Uint16(body[2:]) != 1 {
			t.Fatalf("not an ICO: % x", body[:min(len(body), 8)])
		}
		n := int(binary.LittleEndian.Uint16(body[4:]))
		var sizes []int
		for i := range n {
			e := body[6+16*i:]
			size, off := binary.LittleEndian.Uint32(e[8:]), binary.LittleEndian.Uint32(e[12:])
			img, err := png.Decode(bytes.NewReader(body[off : off+size]))
			if err != nil {
				t.Fatalf("entry %d: %v", i, err)
			}
			b := img.Bounds()
			if b.Dx() != b.Dy() || b.Dx() != int(e[0]) {
				t.Errorf("entry %d: %v, directory says %d", i, b, e[0])
			}
			sizes = append(sizes, b.Dx())
		}
		if !slices.Contains(sizes, 16) || !slices.Contains(sizes, 32) {
			t.Errorf("sizes %v, want 16 and 32", sizes)
		}
	})
	cases := []struct {
		name   string
		method string
		hdr    map[string]string
		status int
		body   bool
	}{
		{"matching etag", "GET", map[string]string{"If-None-Match": h.Get("ETag")}, 304, false},
		{"other etag", "GET", map[string]string{"If-None-Match": `"nope"`}, 200, true},
		{"IMS without Last-Modified", "GET", map[string]string{"If-Modified-Since": "Tue, 11 Mar 2025 00:00:00 GMT"}, 200, true},
		{"HEAD", "HEAD", nil, 200, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, b := f.do(t, c.method, "/favicon.ico", c.hdr)
			if res.StatusCode != c.status || (len(b) > 0) != c.body {
				t.Errorf("%d with %d bytes", res.StatusCode, len(b))
			}
		})
	}
	for _, page := range []string{"/", "/index.html", "/topics/ml", "/topics/ml.html", "/search", "/search?q=learning"} {
		t.Run("linked from "+page, func(t *testing.T) {
			m := regexp.MustCompile(`<link rel="icon" href="([^"]+)" type="image/x-icon">`).FindStringSubmatch(string(f.get(t, page)))
			if m == nil {
				t.Fatal("no icon link")
			}
			base, _ := url.Parse("https://papers.example.org" + page)
			ref, _ := url.Parse(m[1])
			if got := base.ResolveReference(ref).Path; got != "/favicon.ico" {
				t.Errorf("icon href %q resolves to %q", m[1], got)
			}
		})
	}
}

func TestNewServerRejectsBadTopicQuery(t *testing.T) {
	f := newFixture(t, nil)
	cfg := testConfig(t)
	cfg.Topics[0].Query = `"unterminated`
	if _, err := NewServer(cfg, f.store, Options{}); err == nil || !strings.Contains(err.Error(), `topic "ml"`) {
		t.Errorf("err = %v", err)
	}
}

// BenchmarkGeneration is the per-request cost of the cache check.
func BenchmarkGeneration(b *testing.B) {
	f := newFixture(b, nil)
	ctx := context.Background()
	for b.Loop() {
		if _, err := f.store.Generation(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCachedFeed is a whole cache-hit request.
func BenchmarkCachedFeed(b *testing.B) {
	f := newFixture(b, nil)
	req := httptest.NewRequest("GET", "/topics/all.atom", nil)
	for b.Loop() {
		f.srv.ServeHTTP(httptest.NewRecorder(), req)
	}
}

// BenchmarkUncachedFeed renders every time (a query and a render).
func BenchmarkUncachedFeed(b *testing.B) {
	f := newFixture(b, nil)
	ctx := context.Background()
	t := f.cfg.Topics[len(f.cfg.Topics)-1]
	for b.Loop() {
		if _, _, err := f.srv.buildTopic(ctx, t, FormatAtom, 0, t0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefusedSearch is a whole request refused by a full render gate
// (503), without the hold: the server's CPU per refusal.
func BenchmarkRefusedSearch(b *testing.B) {
	f := newFixture(b, nil)
	srv, err := NewServer(f.cfg, f.store, Options{Now: f.clock.Now, RenderSlots: 1, RenderQueue: 1, RefuseHold: -1})
	if err != nil {
		b.Fatal(err)
	}
	srv.gate.slots <- struct{}{} // the slot is taken and one request waits
	srv.gate.waiting.Add(1)
	req := httptest.NewRequest("GET", "/search.atom?q=learning+OR+t1f3", nil)
	for b.Loop() {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != 503 {
			b.Fatal(rec.Code)
		}
	}
}
