package feeds

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var testHubs = []string{"https://pubsubhubbub.appspot.com/", "https://hub.example.org/websub?a=1&b=2"}

// hubFeedPaths are the feeds that name the hubs: each topic's and its digests'.
func hubFeedPaths(f *fixture) []string {
	var out []string
	for _, tp := range f.cfg.Topics {
		for _, name := range []string{tp.Name, tp.Name + "/daily", tp.Name + "/weekly"} {
			for _, ext := range []string{"atom", "rss", "json"} {
				out = append(out, "/topics/"+name+"."+ext)
			}
		}
	}
	return out
}

// withoutHubs removes from a feed what naming the hubs adds: the Atom and
// RSS links with rel="hub", the JSON Feed "hubs" array.
func withoutHubs(b []byte) []byte {
	var out []string
	inHubs := false
	for _, l := range strings.SplitAfter(string(b), "\n") {
		switch {
		case strings.Contains(l, `rel="hub"`):
		case strings.HasPrefix(l, `  "hubs": [`):
			inHubs = true
		case inHubs:
			inHubs = !strings.HasPrefix(l, "  ],")
		default:
			out = append(out, l)
		}
	}
	return []byte(strings.Join(out, ""))
}

func namesHub(b []byte) bool {
	return bytes.Contains(b, []byte(`rel="hub"`)) || bytes.Contains(b, []byte(`"hubs"`)) || bytes.Contains(b, []byte("WebSub"))
}

// TestHubLinks: with hubs, every topic and digest feed names each hub and
// itself, in the document and the Link header, and differs from the feed
// without hubs by exactly those links; without hubs nothing names a hub.
// Ad-hoc feeds (searches, ?limit=, similar papers), which the publisher does
// not announce, name no hub.
func TestHubLinks(t *testing.T) {
	plain := newFixture(t, likeConfig(t), likeItems()...)
	cfg := likeConfig(t)
	cfg.Server.WebSubHubs = testHubs
	hubbed := newFixture(t, cfg, likeItems()...)
	for _, f := range []*fixture{plain, hubbed} {
		f.clock.Set(t0.Add(7 * 24 * time.Hour)) // the digests have items
	}
	for _, p := range hubFeedPaths(hubbed) {
		t.Run(strings.TrimPrefix(p, "/"), func(t *testing.T) {
			res, want := plain.do(t, "GET", p, nil)
			if res.StatusCode != 200 {
				t.Fatalf("%d", res.StatusCode)
			}
			if l := res.Header.Values("Link"); l != nil || namesHub(want) {
				t.Errorf("without hubs: Link %q, body names a hub:\n%s", l, want)
			}
			res, got := hubbed.do(t, "GET", p, nil)
			self := cfg.Server.BaseURL + p
			wantLink := fmt.Sprintf(`<%s>; rel="hub", <%s>; rel="hub", <%s>; rel="self"`, testHubs[0], testHubs[1], self)
			if l := res.Header.Values("Link"); len(l) != 1 || l[0] != wantLink {
				t.Errorf("Link %q, want %q", l, wantLink)
			}
			var links []string
			switch feedFormat(p) {
			case FormatAtom:
				links = []string{
					`<link href="` + self + `" rel="self" type="application/atom+xml"></link>`,
					`<link href="https://pubsubhubbub.appspot.com/" rel="hub"></link>`,
					`<link href="https://hub.example.org/websub?a=1&amp;b=2" rel="hub"></link>`,
				}
			case FormatRSS:
				links = []string{
					`<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"`,
					`<atom:link href="` + self + `" rel="self" type="application/rss+xml"></atom:link>`,
					`<atom:link href="https://pubsubhubbub.appspot.com/" rel="hub"></atom:link>`,
					`<atom:link href="https://hub.example.org/websub?a=1&amp;b=2" rel="hub"></atom:link>`,
				}
			case FormatJSON:
				links = []string{
					`"feed_url": "` + self + `"`,
					`"hubs": [
    {
      "type": "WebSub",
      "url": "https://pubsubhubbub.appspot.com/"
    },
    {
      "type": "WebSub",
      "url": "https://hub.example.org/websub?a=1\u0026b=2"
    }
  ],`,
				}
			}
			for _, l := range links {
				if !bytes.Contains(got, []byte(l)) {
					t.Errorf("feed lacks %s:\n%s", l, got)
				}
			}
			if stripped := withoutHubs(got); !bytes.Equal(stripped, want) {
				t.Errorf("with hubs, less the hub links:\n%s\nwithout hubs:\n%s", stripped, want)
			}
			// A 304 names them too: a subscriber may revalidate only.
			res, _ = hubbed.do(t, "GET", p, map[string]string{"If-None-Match": res.Header.Get("ETag")})
			if res.StatusCode != 304 || res.Header.Get("Link") != wantLink {
				t.Errorf("revalidation: %d, Link %q", res.StatusCode, res.Header.Get("Link"))
			}
		})
	}
	for _, p := range []string{"/search.atom?q=learning", "/search.json?q=learning", "/topics/ml.rss?limit=2", "/papers/arxiv:2503.01234/similar.atom"} {
		t.Run(strings.TrimPrefix(p, "/"), func(t *testing.T) {
			res, body := hubbed.do(t, "GET", p, nil)
			if res.StatusCode != 200 || res.Header.Get("Link") != "" || namesHub(body) {
				t.Errorf("%d, Link %q; an ad-hoc feed names no hub:\n%s", res.StatusCode, res.Header.Get("Link"), body)
			}
		})
	}
}

// TestExportHubLinks: exported feeds are the served bytes, hub links and all.
func TestExportHubLinks(t *testing.T) {
	cfg := testConfig(t)
	cfg.Server.WebSubHubs = testHubs[:1]
	f := newFixture(t, cfg)
	dir := t.TempDir()
	if err := f.srv.Export(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	for _, p := range hubFeedPaths(f) {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, f.get(t, p)) || !bytes.Contains(got, []byte(testHubs[0])) {
			t.Errorf("%s: exported file is not the served feed naming the hub:\n%s", p, got)
		}
	}
}

// TestHubFeeds: the publisher's list holds every hub feed's three URLs; a
// fingerprint moves when the feed's entries do, not when only time passes.
func TestHubFeeds(t *testing.T) {
	cfg := testConfig(t)
	cfg.Server.WebSubHubs = testHubs[:1]
	f := newFixture(t, cfg)
	ctx := context.Background()
	before, err := f.srv.HubFeeds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, hf := range before {
		if len(hf.URLs) != 3 || hf.Fingerprint == "" {
			t.Errorf("%+v", hf)
		}
		urls = append(urls, hf.URLs...)
	}
	var want []string
	for _, p := range hubFeedPaths(f) {
		want = append(want, cfg.Server.BaseURL+p)
	}
	if fmt.Sprint(urls) != fmt.Sprint(want) {
		t.Errorf("URLs %q, want %q", urls, want)
	}
	// A render later within the day (the cache expired): nothing moved.
	f.clock.Set(t0.Add(time.Hour))
	again, err := f.srv.HubFeeds(ctx)
	if err != nil || fmt.Sprint(again) != fmt.Sprint(before) {
		t.Errorf("re-render moved fingerprints: %v\n%v\n%v", err, before, again)
	}
	// A paper's record changes: its entry's date moves in every topic it is in.
	it := testItems()[0]
	it.Upvotes = 50
	mergeInto(t, f.store, t0.Add(time.Hour), it)
	after, err := f.srv.HubFeeds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var moved []string
	for i := range after {
		if after[i].Fingerprint != before[i].Fingerprint {
			moved = append(moved, after[i].URLs[0])
		}
	}
	wantMoved := []string{cfg.Server.BaseURL + "/topics/ml.atom", cfg.Server.BaseURL + "/topics/all.atom"}
	if fmt.Sprint(moved) != fmt.Sprint(wantMoved) {
		t.Errorf("moved %q, want %q", moved, wantMoved)
	}
}

// BenchmarkHubFeeds is the publisher's look at the feeds: cached, as in a
// round after a change no feed shows or a recheck with the cache still
// fresh; rendered, as in a round after a collect (every document expired).
func BenchmarkHubFeeds(b *testing.B) {
	cfg := testConfig(b)
	cfg.Server.WebSubHubs = testHubs
	f := newFixture(b, cfg)
	ctx := context.Background()
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.srv.HubFeeds(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rendered", func(b *testing.B) {
		at := t0
		for b.Loop() {
			at = at.Add(f.srv.maxAge) // every cached document expires
			f.clock.Set(at)
			if _, err := f.srv.HubFeeds(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCachedHubFeed is BenchmarkCachedFeed for a feed that names hubs
// (its Link header is built once per render).
func BenchmarkCachedHubFeed(b *testing.B) {
	cfg := testConfig(b)
	cfg.Server.WebSubHubs = testHubs
	f := newFixture(b, cfg)
	req := httptest.NewRequest("GET", "/topics/all.atom", nil)
	for b.Loop() {
		f.srv.ServeHTTP(httptest.NewRecorder(), req)
	}
}
