package feeds

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"time"

	gfeeds "github.com/gorilla/feeds"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/db/model"
)

// Feed formats, also the file extensions.
const (
	FormatAtom = "atom"
	FormatRSS  = "rss"
	FormatJSON = "json"
	FormatHTML = "html"
	FormatOPML = "opml"
)

var contentTypes = map[string]string{
	FormatAtom: "application/atom+xml; charset=utf-8",
	FormatRSS:  "application/rss+xml; charset=utf-8",
	FormatJSON: "application/feed+json; charset=utf-8",
	FormatHTML: "text/html; charset=utf-8",
	FormatOPML: "text/x-opml; charset=utf-8",
}

const generatorURI = "https://github.com/paperfeed/paperfeed"

// feedMeta describes one rendered feed.
type feedMeta struct {
	ID          string    // stable Atom feed id (tag URI)
	Title       string    // sanitized
	Description string    // sanitized
	SiteTitle   string    // author of the Atom source of entries that list no authors
	SelfURL     string    // absolute address of this very document
	HTMLURL     string    // absolute address of the HTML page
	Updated     time.Time // newest entry Updated (UTC)
	TTL         int       // RSS <ttl>, minutes
	// Hubs are the WebSub hubs the feed names (rel="hub"): set only on the
	// feeds the publisher announces (see Server.HubFeeds).
	Hubs []string
}

// gorillaFeed builds the generic gorilla/feeds value the format writers start from.
// It has no feed-level author: Miniflux credits a feed's author to every entry
// that lists none (Atom) or to every entry (JSON Feed), and the site did not
// write the papers.
func gorillaFeed(m *feedMeta, es []entry) *gfeeds.Feed {
	f := &gfeeds.Feed{
		Title:       m.Title,
		Link:        &gfeeds.Link{Href: m.HTMLURL},
		Description: m.Description,
		Id:          m.ID,
		Updated:     m.Updated,
		Created:     m.Updated,
	}
	for i := range es {
		e := &es[i]
		it := &gfeeds.Item{
			Title:       e.Title,
			Link:        &gfeeds.Link{Href: e.Link},
			Description: e.Abstract,
			Id:          e.ID,
			IsPermaLink: "false",
			Updated:     e.Updated,
			Created:     e.Published,
			Content:     e.contentHTML(),
		}
		if len(e.Authors) > 0 {
			it.Author = &gfeeds.Author{Name: e.Authors[0]}
		}
		f.Items = append(f.Items, it)
	}
	return f
}

// ---- Atom 1.0 (RFC 4287) ----

type atomFeed struct {
	XMLName   xml.Name          `xml:"feed"`
	Xmlns     string            `xml:"xmlns,attr"`
	ID        string            `xml:"id"`
	Title     string            `xml:"title"`
	Subtitle  string            `xml:"subtitle,omitempty"`
	Updated   string            `xml:"updated"`
	Links     []gfeeds.AtomLink `xml:"link"`
	Generator atomGenerator     `xml:"generator"`
	Entries   []*atomEntry      `xml:"entry"`
}

type atomGenerator struct {
	URI     string `xml:"uri,attr"`
	Version string `xml:"version,attr"`
	Name    string `xml:",chardata"`
}

type atomEntry struct {
	XMLName    xml.Name            `xml:"entry"`
	ID         string              `xml:"id"`
	Title      string              `xml:"title"`
	Updated    string              `xml:"updated"`
	Published  string              `xml:"published"`
	Authors    []gfeeds.AtomAuthor `xml:"author"`
	Categories []atomCategory      `xml:"category"`
	Links      []gfeeds.AtomLink   `xml:"link"`
	Summary    *gfeeds.AtomSummary `xml:"summary"`
	Content    *gfeeds.AtomContent `xml:"content"`
	Source     *atomSource         `xml:"source,omitempty"`
}

// atomSource names the feed an entry comes from. An entry that lists no
// authors carries the site as its source's author: RFC 4287 4.1.2 wants an
// atom:author in the entry, its atom:source or the atom:feed, and readers
// (Miniflux, feedparser, newsboat, gofeed) credit the feed's author to the
// entry but never the source's.
type atomSource struct {
	ID     string             `xml:"id"`
	Title  string             `xml:"title"`
	Author *gfeeds.AtomAuthor `xml:"author"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

// FeedXml lets gfeeds.WriteXML write it.
func (a *atomFeed) FeedXml() interface{} { return a }

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func renderAtom(m *feedMeta, es []entry) ([]byte, error) {
	g := (&gfeeds.Atom{Feed: gorillaFeed(m, es)}).AtomFeed()
	out := &atomFeed{
		Xmlns:    g.Xmlns,
		ID:       m.ID, // gorilla would use the link
		Title:    g.Title,
		Subtitle: g.Subtitle,
		Updated:  rfc3339(m.Updated),
		Links: []gfeeds.AtomLink{
			{Href: m.SelfURL, Rel: "self", Type: "application/atom+xml"},
			{Href: m.HTMLURL, Rel: "alternate", Type: "text/html"},
		},
		Generator: atomGenerator{URI: generatorURI, Version: config.Version, Name: "paperfeed"},
	}
	for _, h := range m.Hubs {
		out.Links = append(out.Links, gfeeds.AtomLink{Href: h, Rel: "hub"})
	}
	for i, ge := range g.Entries {
		e := &es[i]
		ae := &atomEntry{
			ID:        ge.Id,
			Title:     ge.Title,
			Updated:   rfc3339(e.Updated),
			Published: rfc3339(e.Published),
			Links:     ge.Links, // rel=alternate to the primary link
			Content:   ge.Content,
		}
		for _, a := range e.Authors {
			ae.Authors = append(ae.Authors, gfeeds.AtomAuthor{AtomPerson: gfeeds.AtomPerson{Name: a}})
		}
		if len(ae.Authors) == 0 {
			ae.Source = &atomSource{ID: m.ID, Title: m.Title, Author: &gfeeds.AtomAuthor{AtomPerson: gfeeds.AtomPerson{Name: m.SiteTitle}}}
		}
		for _, c := range e.Categories {
			ae.Categories = append(ae.Categories, atomCategory{Term: c})
		}
		if e.PDF != "" {
			ae.Links = append(ae.Links, gfeeds.AtomLink{Href: e.PDF, Rel: "enclosure", Type: pdfType})
		}
		for _, l := range e.Related {
			if l.URL != e.PDF {
				ae.Links = append(ae.Links, gfeeds.AtomLink{Href: l.URL, Rel: "related", Type: linkType(l.Kind)})
			}
		}
		if ge.Summary != nil {
			ae.Summary = &gfeeds.AtomSummary{Content: ge.Summary.Content, Type: "text"} // plain text, not html
		}
		out.Entries = append(out.Entries, ae)
	}
	return writeXML(out)
}

const pdfType = "application/pdf"

func linkType(kind string) string {
	if kind == model.LinkPDF {
		return pdfType
	}
	return ""
}

// ---- RSS 2.0 ----

type rssRoot struct {
	XMLName   xml.Name    `xml:"rss"`
	Version   string      `xml:"version,attr"`
	XmlnsAtom string      `xml:"xmlns:atom,attr"`
	XmlnsDC   string      `xml:"xmlns:dc,attr"`
	Channel   *rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string        `xml:"title"`
	Link          string        `xml:"link"`
	Description   string        `xml:"description"`
	AtomLinks     []rssAtomLink `xml:"atom:link"` // rel="self", then the WebSub hubs
	LastBuildDate string        `xml:"lastBuildDate,omitempty"`
	Generator     string        `xml:"generator"`
	Docs          string        `xml:"docs"`
	TTL           int           `xml:"ttl,omitempty"`
	Items         []*rssItem    `xml:"item"`
}

type rssAtomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type rssItem struct {
	Title       string          `xml:"title"`
	Link        string          `xml:"link"`
	Description string          `xml:"description"`
	Guid        *gfeeds.RssGuid `xml:"guid"`
	PubDate     string          `xml:"pubDate"`
	Creator     string          `xml:"dc:creator,omitempty"` // every author, in order, comma-separated
	Categories  []string        `xml:"category"`
	Enclosure   *rssEnclosure   `xml:"enclosure"`
}

// rssEnclosure is RSS 2.0's <enclosure>: url, length and type are all
// required; length is 0 when the size is unknown (RSS Best Practices Profile).
type rssEnclosure struct {
	URL    string `xml:"url,attr"`
	Length int64  `xml:"length,attr"`
	Type   string `xml:"type,attr"`
}

// FeedXml lets gfeeds.WriteXML write it.
func (r *rssRoot) FeedXml() interface{} { return r }

func renderRSS(m *feedMeta, es []entry) ([]byte, error) {
	g := (&gfeeds.Rss{Feed: gorillaFeed(m, es)}).RssFeed()
	desc := g.Description
	if desc == "" {
		desc = g.Title
	}
	ch := &rssChannel{
		Title:         g.Title,
		Link:          g.Link,
		Description:   desc,
		AtomLinks:     []rssAtomLink{{Href: m.SelfURL, Rel: "self", Type: "application/rss+xml"}},
		LastBuildDate: m.Updated.UTC().Format(time.RFC1123Z),
		Generator:     "paperfeed " + config.Version,
		Docs:          "https://www.rssboard.org/rss-specification",
		TTL:           m.TTL,
		Items:         []*rssItem{},
	}
	for _, h := range m.Hubs {
		ch.AtomLinks = append(ch.AtomLinks, rssAtomLink{Href: h, Rel: "hub"})
	}
	for i, gi := range g.Items {
		e := &es[i]
		ri := &rssItem{
			Title:       gi.Title,
			Link:        gi.Link,
			Description: e.contentHTML(), // RSS descriptions are HTML
			Guid:        gi.Guid,         // the urn:uuid id, isPermaLink="false"
			PubDate:     e.Published.UTC().Format(time.RFC1123Z),
			Creator:     strings.Join(e.Authors, ", "), // readers keep one dc:creator (Miniflux the last, gofeed the first)
			Categories:  e.Categories,
		}
		if e.PDF != "" {
			ri.Enclosure = &rssEnclosure{URL: e.PDF, Type: pdfType}
		}
		ch.Items = append(ch.Items, ri)
	}
	return writeXML(&rssRoot{
		Version:   "2.0",
		XmlnsAtom: "http://www.w3.org/2005/Atom",
		XmlnsDC:   "http://purl.org/dc/elements/1.1/",
		Channel:   ch,
	})
}

func writeXML(v gfeeds.XmlFeed) ([]byte, error) {
	var b bytes.Buffer
	if err := gfeeds.WriteXML(v, &b); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// ---- JSON Feed 1.1 ----

type jsonFeed struct {
	*gfeeds.JSONFeed
	Items []*jsonItem `json:"items"` // shadows the embedded omitempty field: always present
}

type jsonItem struct {
	*gfeeds.JSONItem
	Paperfeed *jsonExt `json:"_paperfeed,omitempty"`
}

// jsonExt is a JSON Feed extension object with what scripts want beyond the spec.
type jsonExt struct {
	Sources []string `json:"sources,omitempty"`
	Upvotes int      `json:"upvotes,omitempty"`
}

func renderJSON(m *feedMeta, es []entry) ([]byte, error) {
	g := (&gfeeds.JSON{Feed: gorillaFeed(m, es)}).JSONFeed()
	g.FeedUrl = m.SelfURL
	g.HomePageUrl = m.HTMLURL
	g.Author, g.Authors = nil, nil // a feed's authors are every item's in Miniflux
	for _, h := range m.Hubs {
		g.Hubs = append(g.Hubs, &gfeeds.JSONHub{Type: "WebSub", Url: h})
	}
	out := &jsonFeed{JSONFeed: g, Items: []*jsonItem{}}
	for i, gi := range g.Items {
		e := &es[i]
		pub, mod := e.Published, e.Updated
		gi.PublishedDate, gi.ModifiedDate = &pub, &mod
		gi.Author = nil
		gi.Authors = nil
		for _, a := range e.Authors {
			gi.Authors = append(gi.Authors, &gfeeds.JSONAuthor{Name: a})
		}
		gi.Tags = e.Categories
		gi.ExternalUrl = e.External
		if e.PDF != "" {
			// Size stays unset: gorilla writes it as "size", not the spec's size_in_bytes.
			gi.Attachments = []gfeeds.JSONAttachment{{Url: e.PDF, MIMEType: pdfType}}
		}
		it := &jsonItem{JSONItem: gi}
		if len(e.Sources) > 0 || e.Upvotes > 0 {
			it.Paperfeed = &jsonExt{Sources: e.Sources, Upvotes: e.Upvotes}
		}
		out.Items = append(out.Items, it)
	}
	g.Items = nil
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
