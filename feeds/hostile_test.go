package feeds

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"

	"github.com/paperfeed/paperfeed/db/model"
)

func hostileItems() []model.Item {
	long := strings.Repeat("Very long title ", 700) // ~11 kB
	return []model.Item{{
		Source: "arxiv", GUID: "evil-1", Link: "javascript:alert(1)",
		Title:      `<script>alert("x")</script> & Co. ]]> <!-- ` + "\x00\x01\x08\x0b\x0c\x1b\u0085\ufffe\uffff" + "\xff\xfe bad utf8",
		Abstract:   "Abstract with <b>markup</b>, &amp; entities, \x00NUL, \u202eRTL override\u202c, and Arabic: مرحبا بالعالم. ]]>",
		Authors:    []string{`<img src=x onerror=alert(1)>`, "عبد الله", "Nul\x00Byte", "  "},
		Categories: []string{"cs.LG", `"><script>`},
		Published:  t0.Add(-time.Hour),
		Links: []model.Link{
			{Kind: model.LinkAbstract, URL: `javascript:alert(1)`},
			{Kind: model.LinkPDF, URL: "https://example.org/a.pdf?x=1&y=<2>"},
			{Kind: model.LinkCode, URL: "https://example.org/\x00code"},
			{Kind: model.LinkProject, URL: "data:text/html,<script>alert(1)</script>"},
		},
	}, {
		Source: "arxiv", GUID: "long-1", Title: long, Abstract: strings.Repeat("ab ", 5000),
		Authors: []string{strings.Repeat("N", 5000)}, Published: t0.Add(-2 * time.Hour),
	}}
}

func TestHostileStrings(t *testing.T) {
	f := newFixture(t, nil, hostileItems()...)
	for _, format := range []string{"atom", "rss", "json"} {
		t.Run(format, func(t *testing.T) {
			body := f.get(t, "/topics/all."+format)
			if !utf8.Valid(body) {
				t.Fatal("invalid UTF-8")
			}
			if format != "json" {
				// Well-formed XML: the strict decoder reads every token.
				d := xml.NewDecoder(bytes.NewReader(body))
				for {
					_, err := d.Token()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatalf("not well-formed: %v", err)
					}
				}
				for _, c := range body {
					if c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
						t.Fatalf("control byte %#x", c)
					}
				}
			} else if !json.Valid(body) {
				t.Fatal("invalid JSON")
			}
			if bytes.Contains(body, []byte("javascript:")) || bytes.Contains(body, []byte("data:text")) {
				t.Error("unsafe link kept")
			}
			feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("gofeed: %v", err)
			}
			if len(feed.Items) != 2 {
				t.Fatalf("gofeed read %d items", len(feed.Items))
			}
			it := feed.Items[0]
			if !strings.HasPrefix(it.Title, `<script>alert("x")</script> & Co. ]]>`) || !strings.Contains(it.Title, "bad utf8") {
				t.Errorf("title %q", it.Title)
			}
			if strings.ContainsAny(it.Title, "\x00\x01\x1b\u0085\ufffe") {
				t.Errorf("control characters kept: %q", it.Title)
			}
			if it.Link != "https://example.org/a.pdf?x=1&y=%3C2%3E" {
				t.Errorf("link %q", it.Link)
			}
			if n := utf8.RuneCountInString(feed.Items[1].Title); n > maxTitleRunes+1 {
				t.Errorf("long title kept %d runes", n)
			}
		})
	}
	t.Run("html", func(t *testing.T) {
		for _, p := range []string{"/topics/all.html", "/"} {
			body := string(f.get(t, p))
			if !strings.Contains(body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co.") {
				t.Errorf("%s: title not escaped", p)
			}
			for _, bad := range []string{"<script", "<img", "javascript:", "onerror=alert(1)>", "\x00"} {
				if strings.Contains(body, bad) {
					t.Errorf("%s contains %q", p, bad)
				}
			}
		}
	})
}

func TestCleanText(t *testing.T) {
	cases := []struct {
		in, want string
		max      int
	}{
		{"plain", "plain", 0},
		{"a\x00b\x1fc\td\ne", "abc\td\ne", 0},
		{"\xff\xfeok", "\ufffdok", 0},
		{"x\u0085y\ufffez", "xyz", 0},
		{"abcdef", "abc…", 3},
		{"عربي", "عربي", 0},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			if got := cleanText(c.in, c.max); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
