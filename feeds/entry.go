package feeds

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/paperfeed/paperfeed/db/model"
)

// entry is one paper as every renderer sees it: sanitized strings, UTC times,
// absolute http(s) links only.
type entry struct {
	ID         string // urn:uuid: derived from Paper.UID; never changes
	Anchor     string // HTML fragment id on the topic page
	Title      string
	Abstract   string
	Authors    []string
	Categories []string
	Link       string // rel=alternate: the paper's primary link
	LinkLabel  string // what Link is: "arXiv", "DOI", "Link" (see linkLabel)
	Related    []relLink
	External   string // JSON Feed external_url: DOI, else PDF
	PDF        string // the full text, published as the enclosure
	Published  time.Time
	Updated    time.Time
	Sources    []string
	Upvotes    int
	Comment    string
	JournalRef string
	// Page is the paper's page relative to the site root (HTML pages only).
	Page string
	// Score is a like-topic's model score, formatted; "" elsewhere (HTML pages only).
	Score string
	// Content, when set, is the item's HTML content in place of the paper's
	// (a digest item's list of papers).
	Content string
}

type relLink struct {
	Kind, Label, URL string
}

var linkLabels = []struct{ kind, label string }{
	{model.LinkAbstract, "Paper page"}, // see linkLabel
	{model.LinkPDF, "PDF"},
	{model.LinkFullText, "Full text"},
	{model.LinkDOI, "DOI"},
	{model.LinkHuggingFace, "Hugging Face"},
	{model.LinkCode, "Code"},
	{model.LinkProject, "Project page"},
}

// abstractSites name an abstract page by the site it is on: the HTML pages
// already have an "Abstract" toggle, and a merged paper has one abstract page
// per preprint server.
var abstractSites = map[string]string{
	"arxiv.org":      "arXiv",
	"biorxiv.org":    "bioRxiv",
	"medrxiv.org":    "medRxiv",
	"huggingface.co": "Hugging Face",
}

// linkLabel names a link by what it is: an abstract page by its site
// ("arXiv", else the host name), any other kind by the kind's label.
func linkLabel(kind, label, u string) string {
	if kind != model.LinkAbstract {
		return label
	}
	pu, err := url.Parse(u)
	if err != nil || pu.Hostname() == "" {
		return "Paper page"
	}
	host := strings.TrimPrefix(strings.ToLower(pu.Hostname()), "www.")
	if name, ok := abstractSites[host]; ok {
		return name
	}
	return host
}

// uidNamespace is the UUID v5 namespace of paperfeed entry ids, a fixed UUID
// chosen once. Never change it: every published entry id depends on it.
var uidNamespace = uuid.MustParse("2e3b5c4a-58b6-5c07-9d0c-6a1f4f3f2b11")

// EntryID returns the Atom/RSS/JSON Feed id of the paper with this UID:
// urn:uuid:<UUID v5 (RFC 9562 section 5.5) of the UID>. It depends on nothing
// but the UID, so it survives renders, store generations, link changes and
// base_url changes.
func EntryID(uid string) string {
	return uuid.NewSHA1(uidNamespace, []byte("paper:"+uid)).URN()
}

// anchorFor is the HTML id of a paper on a topic page: "p-" and a short hash of the UID.
func anchorFor(uid string) string {
	s := sha1.Sum([]byte(uid))
	return "p-" + hex.EncodeToString(s[:6])
}

// newEntry converts a stored paper. pageURL is the absolute address of the HTML
// page listing it, used as the link of a paper that has none of its own.
func newEntry(p *model.Paper, pageURL string) entry {
	e := entry{
		ID:         EntryID(p.UID),
		Page:       paperPath(p.UID),
		Anchor:     anchorFor(p.UID),
		Title:      cleanLine(p.Title, maxTitleRunes),
		Abstract:   strings.TrimSpace(cleanText(p.Abstract, maxAbstractRunes)),
		Upvotes:    p.Upvotes,
		Comment:    cleanLine(p.Comment, maxTitleRunes),
		JournalRef: cleanLine(p.JournalRef, maxTitleRunes),
	}
	if e.Title == "" {
		e.Title = "(untitled)"
	}
	for _, a := range p.Authors {
		if a = cleanLine(a, maxAuthorRunes); a != "" {
			e.Authors = append(e.Authors, a)
		}
	}
	seenCat := map[string]bool{}
	for _, c := range p.Categories {
		if c = cleanLine(c, maxCategoryRunes); c != "" && !seenCat[c] {
			seenCat[c] = true
			e.Categories = append(e.Categories, c)
		}
	}
	seenSrc := map[string]bool{}
	for _, s := range p.Sources() {
		if s = cleanLine(s, maxCategoryRunes); s != "" && !seenSrc[s] {
			seenSrc[s] = true
			e.Sources = append(e.Sources, s)
		}
	}
	e.Link = cleanURL(p.PrimaryLink())
	e.LinkLabel = "Link"
	for _, kl := range linkLabels {
		if e.Link != "" && cleanURL(p.Link(kl.kind)) == e.Link {
			e.LinkLabel = linkLabel(kl.kind, kl.label, e.Link)
			break
		}
	}
	seen := map[string]bool{e.Link: true}
	for _, kl := range linkLabels {
		for _, l := range p.Links {
			u := cleanURL(l.URL)
			if l.Kind != kl.kind || u == "" || seen[u] {
				continue
			}
			seen[u] = true
			e.Related = append(e.Related, relLink{Kind: kl.kind, Label: linkLabel(kl.kind, kl.label, u), URL: u})
		}
	}
	if e.Link == "" && len(e.Related) > 0 {
		e.Link, e.LinkLabel, e.Related = e.Related[0].URL, e.Related[0].Label, e.Related[1:]
	}
	if e.Link == "" {
		e.Link, e.LinkLabel = pageURL+"#"+e.Anchor, "Listing"
	}
	e.PDF = cleanURL(p.Link(model.LinkPDF))
	// external_url: the DOI, or the PDF when the DOI is already the main link.
	for _, k := range []string{model.LinkDOI, model.LinkPDF} {
		if u := cleanURL(p.Link(k)); u != "" && u != e.Link {
			e.External = u
			break
		}
	}

	e.Published = p.Published.UTC().Truncate(time.Second)
	if p.Published.IsZero() {
		e.Published = p.FirstSeen.UTC().Truncate(time.Second)
	}
	e.Updated = p.Updated.UTC().Truncate(time.Second)
	if p.Updated.IsZero() {
		e.Updated = e.Published
	}
	if e.Published.IsZero() {
		e.Published = e.Updated
	}
	return e
}

// AllLinks returns every link of the entry, the primary one first.
func (e *entry) AllLinks() []relLink {
	out := []relLink{{Kind: "primary", Label: e.LinkLabel, URL: e.Link}}
	return append(out, e.Related...)
}

// CodeLinks returns the code repositories, each labelled with its address
// without the scheme ("github.com/org/repo"): a reader sees where the code is.
func (e *entry) CodeLinks() []relLink {
	var out []relLink
	for _, l := range e.Related {
		if l.Kind == model.LinkCode {
			label := strings.TrimSuffix(l.URL[strings.Index(l.URL, "://")+3:], "/")
			out = append(out, relLink{Kind: l.Kind, Label: label, URL: l.URL})
		}
	}
	return out
}

var contentTmpl = template.Must(template.New("content").Parse(
	`{{if .Abstract}}<p>{{.Abstract}}</p>{{end}}` +
		`{{if .Authors}}<p><b>Authors:</b> {{range $i, $a := .Authors}}{{if $i}}, {{end}}{{$a}}{{end}}</p>{{end}}` +
		`{{if .Categories}}<p><b>Categories:</b> {{range $i, $c := .Categories}}{{if $i}}, {{end}}{{$c}}{{end}}</p>{{end}}` +
		`{{if .JournalRef}}<p><b>Journal:</b> {{.JournalRef}}</p>{{end}}` +
		`{{if .Comment}}<p><b>Comment:</b> {{.Comment}}</p>{{end}}` +
		`{{if .Upvotes}}<p><b>Upvotes:</b> {{.Upvotes}}</p>{{end}}` +
		`{{with .CodeLinks}}<p><b>Code:</b> {{range $i, $l := .}}{{if $i}}, {{end}}<a href="{{$l.URL}}">{{$l.Label}}</a>{{end}}</p>{{end}}` +
		`{{if .Sources}}<p><b>Sources:</b> {{range $i, $s := .Sources}}{{if $i}}, {{end}}{{$s}}{{end}}</p>{{end}}` +
		`<ul>{{range .AllLinks}}<li><a href="{{.URL}}">{{.Label}}</a></li>{{end}}</ul>`))

// contentHTML is the entry as an HTML fragment (abstract, authors, upvotes,
// code, sources, links), every upstream string escaped. It is every format's
// item content, so a change of any of these reaches readers.
func (e *entry) contentHTML() string {
	if e.Content != "" {
		return e.Content
	}
	var b bytes.Buffer
	err := contentTmpl.Execute(&b, e)
	if err != nil {
		return template.HTMLEscapeString(e.Abstract)
	}
	return b.String()
}

// feedID is the stable Atom id of a feed: a tag URI (RFC 4151) from base_url's
// host and the feed's name, e.g. tag:papers.example.org,2025:paperfeed/topics/ml.
// It depends on neither the feed's link nor its format's path.
func feedID(baseURL, name string) string {
	host := "localhost"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return fmt.Sprintf("tag:%s,2025:paperfeed/%s", host, name)
}
