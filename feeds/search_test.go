package feeds

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
	"github.com/paperfeed/paperfeed/feeds/internal/pageshot"
)

func TestSearchPage(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		name, target string
		status       int
		want, absent []string
	}{
		{"form alone", "/search", 200,
			[]string{`<form class="search" action="search"`, `name="q" value=""`, "query syntax"},
			[]string{"No papers yet", "search.atom?q="}},
		{"results with subscribe links", "/search?q=diffusion", 200,
			[]string{"Models Are Trendy", `href="search.atom?q=diffusion"`, `href="search.rss?q=diffusion"`, `href="search.json?q=diffusion"`,
				`<link rel="alternate" type="application/atom&#43;xml" title="Search: diffusion (Atom)" href="https://papers.example.org/search.atom?q=diffusion">`},
			[]string{"Learning to Rank Papers"}},
		{"query escaped in the page", "/search?q=%22%3Cscript%3E%22", 200,
			[]string{`value="&#34;&lt;script&gt;&#34;"`, "0 of 4 stored papers match this query."},
			[]string{"<script>"}},
		{"bad query: the page with the form and the reason", "/search?q=AND+OR", 400,
			[]string{"<!DOCTYPE html>", `<form class="search" action="search"`, `value="AND OR"`, `class="alert"`, "This query cannot run:"},
			[]string{"search.atom?q=", "stored papers match"}},
		{"matched words highlighted", "/search?q=diffusion", 200, []string{"<mark>Diffusion</mark> Models Are Trendy"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := f.do(t, "GET", tt.target, nil)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d: %s", res.StatusCode, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(body), w) {
					t.Errorf("lacks %q", w)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(string(body), a) {
					t.Errorf("has %q", a)
				}
			}
		})
	}
	// A search feed's alternate link is its HTML page.
	atom := string(f.get(t, "/search.atom?q=diffusion"))
	if !strings.Contains(atom, `<link href="https://papers.example.org/search?q=diffusion" rel="alternate"`) &&
		!strings.Contains(atom, `rel="alternate" href="https://papers.example.org/search?q=diffusion"`) {
		t.Errorf("search feed's alternate link: %s", atom[:min(len(atom), 800)])
	}
}

// TestSearchPageCSP: the pages run no script, and the search form may submit
// to this origin only (Chromium enforces form-action on the submission).
func TestMarkHTML(t *testing.T) {
	tests := []struct{ query, text, want string }{
		{"script", `<script>alert("x")</script> & script`, `&lt;<mark>script</mark>&gt;alert(&#34;x&#34;)&lt;/<mark>script</mark>&gt; &amp; <mark>script</mark>`},
		{"b", "a <b> c", "a &lt;<mark>b</mark>&gt; c"},
		{"", "<i>", "&lt;i&gt;"},
	}
	for _, tt := range tests {
		if got := string(markHTML(marksOf(tt.query), "title", tt.text)); got != tt.want {
			t.Errorf("%q in %q: %s, want %s", tt.query, tt.text, got, tt.want)
		}
	}
}

func TestSearchPageCSP(t *testing.T) {
	f := newFixture(t, nil)
	res, _ := f.do(t, "GET", "/search", nil)
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"form-action 'self'", "default-src 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "script-src") {
		t.Errorf("CSP %q allows scripts", csp)
	}
}

// TestSearchFormInChromium types a query into /search in headless Chromium,
// submits the form as a user would (Enter, then the button) and reads the
// page it lands on: the served CSP must let the form submit.
func TestSearchFormInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := pageshot.Chromium()
	if bin == "" {
		t.Skip("chromium absent: apt-get install -y chromium")
	}
	f := newFixture(t, nil)
	srv := httptest.NewServer(f.srv)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	// The browser's log, to tell a refused submission from a slow one.
	var mu sync.Mutex
	var logs []string
	err := chromedp.Listen(bctx, func(ev any) {
		if e, ok := ev.(*cdplog.EventEntryAdded); ok {
			mu.Lock()
			logs = append(logs, string(e.Entry.Source)+": "+e.Entry.Text)
			mu.Unlock()
		}
	})
	if err == nil {
		_, err = chromedp.Call(bctx, cdplog.Enable, cdp.Empty{})
	}
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	input := chromedp.CSS(`input[name=q]`)
	for _, c := range []struct {
		name, query, want string
		submit            chromedp.Action[chromedp.Void]
	}{
		{"enter", "diffusion", "Diffusion Models Are Trendy", chromedp.SendKeys(input, "\r")},
		{"button", `"learning to rank"`, "Learning to Rank Papers", chromedp.Click(chromedp.CSS(`button[type=submit]`))},
	} {
		t.Run(c.name, func(t *testing.T) {
			// A refused submission leaves the form page: wait for the results
			// (an <article>), bounded so that the failure names the cause.
			wctx, cancel := context.WithTimeout(bctx, 30*time.Second)
			defer cancel()
			err := chromedp.Do(wctx,
				chromedp.Navigate(srv.URL+"/search"),
				chromedp.WaitVisible(input),
				chromedp.SendKeys(input, c.query),
				c.submit,
				chromedp.WaitVisible(chromedp.CSS(`main article`)),
			)
			loc, lerr := chromedp.Run(bctx, chromedp.Location())
			if err != nil || lerr != nil {
				mu.Lock()
				defer mu.Unlock()
				t.Fatalf("no results page after submitting (at %s): %v %v\nbrowser log:\n%s", loc, err, lerr, strings.Join(logs, "\n"))
			}
			u, err := url.Parse(loc)
			if err != nil || u.Path != "/search" || u.Query().Get("q") != c.query {
				t.Errorf("landed on %s, want /search?q=%s", loc, c.query)
			}
			if value, err := chromedp.Run(bctx, chromedp.Value(input)); err != nil || value != c.query {
				t.Errorf("form shows %q (%v) after submitting %q", value, err, c.query)
			}
			main, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`main`)))
			if err != nil || !strings.Contains(main, c.want) {
				t.Errorf("results lack %q (%v):\n%s", c.want, err, main)
			}
		})
	}
}
