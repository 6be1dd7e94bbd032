package feeds

import (
	"bytes"
	"encoding/xml"
	"html/template"

	"net/url"
	"strings"
	"time"

	"github.com/paperfeed/paperfeed/db/query"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/digest"
)

// The HTML pages use html/template, so every upstream string is escaped (and
// hrefs are filtered to safe schemes); there is no JavaScript. Links between
// pages are relative so that an exported copy works under any path prefix;
// autodiscovery <link>s are absolute (base_url).

type feedLink struct {
	Label, Type string
	Href        string // relative to the page
	Abs         string // absolute, for autodiscovery
}

type topicView struct {
	Name, Title, Description string
	Page                     string // relative link to the topic page
	Count                    int
	Entries                  []entry
	Feeds                    []feedLink
	// Model is a like-topic's: why its papers rank as they do.
	Model   *modelView
	Digests []feedLink // the daily and weekly digest feeds
}

// modelView is what a like-topic page says of its model.
type modelView struct {
	Positive, Negative []wordView
	Trained            string   // what it was trained on
	MinScore           string   // the threshold applied; "" when none
	Missing            []string // like/unlike entries no stored paper answers
	Warnings           []string // like_file entries without an id, a like_file that does not read
	Problem            string   // why the topic is empty
}

type wordView struct{ Term, Weight string }

type pageView struct {
	SiteTitle string
	Title     string
	Home      string // relative link to the index
	OPML      string
	Topics    []topicView // index: every topic; topic page: the one
	Topic     *topicView  // topic page only
	Alternate []feedLink  // autodiscovery
	// Search marks the search page (/search?q=): a form, and Query's results.
	Search bool
	Query  string
	// Paper is a paper page's (/papers/{id}).
	Paper *paperView
	// Marks is the query whose matched words the entries highlight (nil: none).
	Marks *query.Node
	// Error is why Query cannot run (the search page answers 400 with it).
	Error string
	// Stored is how many papers the store holds: an empty topic or search
	// says "0 of Stored papers match".
	Stored int64
	// Failing names the sources whose last pass failed (index only).
	Failing []string
	// Live marks the served index, which links to search and status (an
	// exported one has neither).
	Live bool
}

// marksOf is the tree of a topic or search query, for highlighting (nil
// when it does not parse: the page then shows the error, not entries).
func marksOf(q string) *query.Node {
	parsed, err := query.Parse(q)
	if err != nil {
		return nil
	}
	return parsed.Root
}

// markHTML escapes text and wraps the words root matches in field in <mark>.
func markHTML(root *query.Node, field, text string) template.HTML {
	f := map[string]query.Field{"title": query.Title, "abstract": query.Abstract}[field]
	var b strings.Builder
	at := 0
	for _, sp := range query.Marks(root, f, text) {
		b.WriteString(template.HTMLEscapeString(text[at:sp.Start]))
		b.WriteString("<mark>" + template.HTMLEscapeString(text[sp.Start:sp.End]) + "</mark>")
		at = sp.End
	}
	b.WriteString(template.HTMLEscapeString(text[at:]))
	return template.HTML(b.String())
}

const maxShownAuthors = 12

var pageFuncs = template.FuncMap{
	"mark": markHTML,
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02")
	},
	"shownAuthors": func(a []string) string {
		if len(a) > maxShownAuthors {
			return strings.Join(a[:maxShownAuthors], ", ")
		}
		return strings.Join(a, ", ")
	},
	"moreAuthors": func(a []string) int { return max(0, len(a)-maxShownAuthors) },
	"join":        func(a []string) string { return strings.Join(a, ", ") },
}

const pageCSS = `
:root{color-scheme:light dark;--fg:#1b1b1f;--bg:#fdfdfd;--muted:#5b5b66;--line:#dedee3;--accent:#0b57d0;--chip:#eef1f6}
@media (prefers-color-scheme:dark){:root{--fg:#e6e6ea;--bg:#15161a;--muted:#a4a4ae;--line:#33343b;--accent:#8ab4f8;--chip:#262830}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;overflow-wrap:anywhere}
header,main,footer{max-width:48rem;margin:0 auto;padding:0 1rem}
header{padding-top:1rem;border-bottom:1px solid var(--line)}
header p{margin:.25rem 0 .75rem;color:var(--muted)}
h1{font-size:1.5rem;margin:.25rem 0}
h2{font-size:1.15rem;margin:0 0 .25rem}
a{color:var(--accent)}
.home{font-size:.9rem}
section,article{padding:1rem 0;border-bottom:1px solid var(--line)}
.meta{color:var(--muted);font-size:.9rem;margin:.2rem 0}
.subscribe{display:flex;flex-wrap:wrap;gap:.4rem;margin:.5rem 0;padding:0;list-style:none}
.subscribe a,.links a{display:inline-block;padding:.2rem .6rem;border:1px solid var(--line);border-radius:1rem;text-decoration:none;font-size:.85rem;background:var(--chip)}
.links{display:flex;flex-wrap:wrap;gap:.4rem;margin:.5rem 0;padding:0;list-style:none}
ol.newest{margin:.5rem 0;padding-left:1.25rem}
ol.newest li{margin:.2rem 0}
details summary{cursor:pointer;color:var(--muted)}
details p,p.abstract{white-space:pre-line;margin:.5rem 0}
ul.sightings{padding-left:1.25rem}
.model .word{white-space:nowrap}
footer{color:var(--muted);font-size:.85rem;padding:1rem}
form.search{display:flex;gap:.4rem;margin:.5rem 0}
form.search input{flex:1;min-width:0;font:inherit;padding:.35rem .5rem;border:1px solid var(--line);border-radius:.4rem;background:var(--bg);color:var(--fg)}
form.search button{font:inherit;padding:.35rem .8rem;border:1px solid var(--line);border-radius:.4rem;background:var(--chip);color:var(--fg)}
.site{display:flex;flex-wrap:wrap;gap:.4rem 1rem;margin:.25rem 0 .75rem;padding:0;list-style:none;font-size:.95rem}
.alert{border:1px solid #c5221f;border-left-width:.3rem;border-radius:.3rem;padding:.5rem .75rem;margin:.75rem 0;background:color-mix(in srgb,#c5221f 8%,var(--bg))}
.alert strong{color:#c5221f}
@media (prefers-color-scheme:dark){.alert strong{color:#f28b82}}
`

var pageTmpl = template.Must(template.New("page").Funcs(pageFuncs).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="icon" href="{{.Home}}favicon.ico" type="image/x-icon">
{{range .Alternate}}<link rel="alternate" type="{{.Type}}" title="{{.Label}}" href="{{.Abs}}">
{{end}}<style>{{.CSS}}</style>
</head>
<body>
<header>
{{if .Paper}}<a class="home" href="{{.Home}}">← {{.SiteTitle}}</a>
<h1 dir="auto">{{.Paper.Entry.Title}}</h1>
{{with .Paper.Entry}}{{if .Authors}}<p dir="auto">{{join .Authors}}</p>{{end}}
<p class="meta">{{date .Published}}{{if .Categories}} · {{join .Categories}}{{end}}{{if .Upvotes}} · ▲ {{.Upvotes}}{{end}}</p>{{end}}
{{else if .Topic}}<a class="home" href="{{.Home}}">← {{.SiteTitle}}</a>
<h1 dir="auto">{{.Topic.Title}}</h1>
{{if .Search}}<form class="search" action="search" method="get" role="search"><input type="search" name="q" value="{{.Query}}" placeholder='diffusion protein, "language model", interpretab*' aria-label="Full-text query" maxlength="1000"> <button type="submit">Search</button></form>
{{if .Error}}<p class="alert" role="alert"><strong>This query cannot run:</strong> {{.Error}}</p>{{end}}
<p>Full-text search of titles, abstracts and authors (query syntax: every word is required and matches its forms; "exact phrase"; prefix*; OR; -word or NOT word; parentheses; title:, abstract:, authors:). Every search is also a feed to subscribe to.</p>{{end}}
{{if .Topic.Description}}<p dir="auto">{{.Topic.Description}}</p>{{end}}
<ul class="subscribe">{{range .Topic.Feeds}}<li><a href="{{.Href}}" type="{{.Type}}">{{.Label}}</a></li>{{end}}</ul>
{{with .Topic.Digests}}<ul class="subscribe">{{range .}}<li><a href="{{.Href}}" type="{{.Type}}">{{.Label}}</a></li>{{end}}</ul>
{{end}}{{else}}<h1>{{.SiteTitle}}</h1>
<p>Paper feeds by topic. Subscribe in any feed reader, or import <a href="{{.OPML}}">all topics (OPML)</a>.</p>
{{if .Live}}<ul class="site"><li><a href="search">Search all papers</a></li><li><a href="status">Source status</a></li></ul>{{end}}
{{if .Failing}}<p class="alert" role="status"><strong>{{len .Failing}} source{{if ne (len .Failing) 1}}s{{end}} failing:</strong> {{join .Failing}}. Their newest papers may be missing; see <a href="status">status</a>.</p>{{end}}
{{end}}</header>
<main>
{{if .Paper}}{{with .Paper}}<article>
{{with .Entry}}{{if .JournalRef}}<p class="meta" dir="auto">{{.JournalRef}}</p>{{end}}
{{if .Comment}}<p class="meta" dir="auto">{{.Comment}}</p>{{end}}
{{if .Abstract}}<h2>Abstract</h2>
<p class="abstract" dir="auto">{{.Abstract}}</p>{{end}}
<h2>Links</h2>
<ul class="links">{{range .AllLinks}}<li><a href="{{.URL}}">{{.Label}}</a></li>{{end}}</ul>{{end}}
<h2>Sightings</h2>
<ul class="sightings">{{range .Sightings}}<li><b>{{.Source}}</b>{{if .Link}} · <a href="{{.Link}}">{{.Link}}</a>{{end}} · {{.Joined}} · first seen {{date .FirstSeen}}{{if .Again}}, seen again as the same listing (source and guid) until {{date .LastSeen}}{{end}} <span class="meta">({{.GUID}})</span></li>{{end}}</ul>
</article>
<section>
<h2>Similar papers</h2>
<ul class="subscribe">{{range .Feeds}}<li><a href="{{.Href}}" type="{{.Type}}">{{.Label}}</a></li>{{end}}</ul>
{{if .Similar}}<ol class="newest">{{range .Similar}}<li dir="auto"><a href="{{$.Home}}{{.Entry.Page}}">{{.Entry.Title}}</a> <span class="meta">{{date .Entry.Published}} · similarity {{.Cosine}}</span></li>{{end}}</ol>{{else}}<p>No similar paper is stored yet.</p>{{end}}
</section>{{end}}
{{else if and .Search (or (not .Query) .Error)}}{{else if .Topic}}{{with .Topic}}{{with .Model}}<section class="model">
{{if .Problem}}<p><b>{{.Problem}}</b></p>{{end}}
{{if .Missing}}<p class="meta">Not in the store: {{join .Missing}}</p>{{end}}
{{range .Warnings}}<p class="meta">Warning: {{.}}</p>{{end}}
{{if .Trained}}<p class="meta">Ranked by a linear model trained on {{.Trained}}{{if .MinScore}}; papers scoring under {{.MinScore}} are left out{{end}}.</p>{{end}}
{{if .Positive}}<p>Words for: {{range $i, $w := .Positive}}{{if $i}}, {{end}}<span class="word">{{$w.Term}} <span class="meta">{{$w.Weight}}</span></span>{{end}}</p>{{end}}
{{if .Negative}}<p>Words against: {{range $i, $w := .Negative}}{{if $i}}, {{end}}<span class="word">{{$w.Term}} <span class="meta">{{$w.Weight}}</span></span>{{end}}</p>{{end}}
</section>{{end}}{{if not .Entries}}<p>0 of {{$.Stored}} stored paper{{if ne $.Stored 1}}s{{end}} match{{if eq $.Stored 1}}es{{end}} this {{if $.Search}}query{{else}}topic{{end}}.</p>{{end}}
{{range .Entries}}<article id="{{.Anchor}}">
<h2 dir="auto"><a href="{{.Link}}">{{mark $.Marks "title" .Title}}</a></h2>
{{if .Authors}}<p class="meta" dir="auto">{{shownAuthors .Authors}}{{with moreAuthors .Authors}} and {{.}} more{{end}}</p>{{end}}
<p class="meta">{{date .Published}}{{if .Categories}} · {{join .Categories}}{{end}}{{if .Sources}} · via {{join .Sources}}{{end}}{{if .Upvotes}} · ▲ {{.Upvotes}}{{end}}{{if .Score}} · score {{.Score}}{{end}} · <a href="{{$.Home}}{{.Page}}">paper page</a></p>
{{if .JournalRef}}<p class="meta" dir="auto">{{.JournalRef}}</p>{{end}}
{{if .Abstract}}<details><summary>Abstract</summary><p dir="auto">{{mark $.Marks "abstract" .Abstract}}</p></details>{{end}}
<ul class="links">{{range .AllLinks}}<li><a href="{{.URL}}">{{.Label}}</a></li>{{end}}</ul>
</article>
{{end}}{{end}}{{else}}{{range .Topics}}<section>
<h2 dir="auto"><a href="{{.Page}}">{{.Title}}</a></h2>
{{if .Description}}<p class="meta" dir="auto">{{.Description}}</p>{{end}}
<p class="meta">{{if .Count}}{{.Count}} paper{{if ne .Count 1}}s{{end}}{{else}}0 of {{$.Stored}} stored paper{{if ne $.Stored 1}}s{{end}} match{{if eq $.Stored 1}}es{{end}}{{end}}</p>
{{if .Entries}}<ol class="newest">{{range .Entries}}<li dir="auto"><a href="{{.Link}}">{{.Title}}</a> <span class="meta">{{date .Published}} · <a href="{{$.Home}}{{.Page}}">paper page</a></span></li>{{end}}</ol>{{end}}
<ul class="subscribe">{{range .Feeds}}<li><a href="{{.Href}}" type="{{.Type}}">{{.Label}}</a></li>{{end}}</ul>
{{with .Digests}}<ul class="subscribe">{{range .}}<li><a href="{{.Href}}" type="{{.Type}}">{{.Label}}</a></li>{{end}}</ul>
{{end}}</section>
{{end}}{{end}}</main>
<footer>Generated by paperfeed.</footer>
</body>
</html>
`))

func renderPage(v *pageView) ([]byte, error) {
	var b bytes.Buffer
	err := pageTmpl.Execute(&b, struct {
		*pageView
		CSS template.CSS
	}{v, template.CSS(pageCSS)})
	return b.Bytes(), err
}

// topicView is a topic as the HTML pages show it; prefix is the relative path
// from the page to the topics/ folder ("" on a topic page, "topics/" on the index).
func (s *Server) topicView(t config.Topic, es []entry, prefix string) topicView {
	tv := topicView{
		Name:        t.Name,
		Title:       cleanLine(t.Title, maxTitleRunes),
		Description: cleanLine(t.Description, maxAbstractRunes),
		Page:        prefix + t.Name + ".html",
		Count:       len(es),
		Entries:     es,
	}
	tv.Feeds = feedLinks(tv.Title,
		func(ext string) string { return prefix + t.Name + "." + ext },
		func(ext string) string { return s.topicURL(t.Name, ext) })
	for _, k := range digestKinds {
		label := "Daily"
		if k == digest.Weekly {
			label = "Weekly"
		}
		for _, l := range feedLinks(label+" digest",
			func(ext string) string { return prefix + t.Name + "/" + k + "." + ext },
			func(ext string) string { return s.digestURL(t.Name, k, ext) }) {
			tv.Digests = append(tv.Digests, l)
		}
	}
	return tv
}

// feedLinks are the subscribe links of one document in each feed format: href
// relative to the page, abs for autodiscovery.
func feedLinks(title string, href, abs func(ext string) string) []feedLink {
	var out []feedLink
	for _, f := range []struct{ ext, label string }{{FormatAtom, "Atom"}, {FormatRSS, "RSS"}, {FormatJSON, "JSON Feed"}} {
		out = append(out, feedLink{
			Label: title + " (" + f.label + ")",
			Type:  strings.TrimSuffix(contentTypes[f.ext], "; charset=utf-8"),
			Href:  href(f.ext),
			Abs:   abs(f.ext),
		})
	}
	return out
}

// searchPage is the HTML search page: a form, and the results of q with
// subscribe links to the same search as feeds.
func (s *Server) searchPage(q, qerr string, stored int64, es []entry, contentT time.Time) ([]byte, time.Time, error) {
	title := "Search"
	if q != "" {
		title = "Search: " + cleanLine(q, 200)
	}
	tv := topicView{Title: title, Count: len(es), Entries: es}
	if q != "" && qerr == "" {
		href := func(ext string) string { return "search." + ext + "?q=" + url.QueryEscape(q) }
		tv.Feeds = feedLinks(title, href, func(ext string) string { return s.base + "/" + href(ext) })
	}
	site := cleanLine(s.cfg.Server.Title, 200)
	b, err := renderPage(&pageView{
		SiteTitle: site,
		Title:     title + " · " + site,
		Home:      "./",
		OPML:      "topics.opml",
		Topic:     &tv,
		Alternate: tv.Feeds,
		Search:    true,
		Query:     cleanLine(q, 1000),
		Marks:     marksOf(q),
		Error:     qerr,
		Stored:    stored,
	})
	return b, contentT, err
}

// ---- OPML 2.0 ----

type opmlDoc struct {
	XMLName xml.Name    `xml:"opml"`
	Version string      `xml:"version,attr"`
	Title   string      `xml:"head>title"`
	Outline []opmlEntry `xml:"body>outline"`
}

type opmlEntry struct {
	Type        string `xml:"type,attr"`
	Text        string `xml:"text,attr"`
	Title       string `xml:"title,attr"`
	XMLURL      string `xml:"xmlUrl,attr"`
	HTMLURL     string `xml:"htmlUrl,attr"`
	Description string `xml:"description,attr,omitempty"`
}

func renderOPML(doc *opmlDoc) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}
