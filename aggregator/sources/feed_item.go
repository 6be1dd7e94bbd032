package sources

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/paperfeed/paperfeed/aggregator/ident"
	"github.com/paperfeed/paperfeed/aggregator/plaintext"
	"github.com/paperfeed/paperfeed/db/model"
)

// itemOrigin is what the document says of one item beyond gofeed's
// translation of it: how its text fields are written, and the fields gofeed
// drops or blends.
type itemOrigin struct {
	// title, description and content are the kinds of gofeed's Title,
	// Description and Content.
	title, description, content textKind
	// permalink is an RSS guid that is the item's URL (isPermaLink true, or
	// absent: RSS 2.0 makes true the default).
	permalink string
	// published is the item's own publication date: gofeed's Atom translation
	// falls back to the update time, which ranks below created here.
	published *time.Time
	// created is the Atom 0.3 created date, which gofeed skips.
	created string
}

// feedNamespaces holds the extension keys of the namespaces items read.
type feedNamespaces struct{ prism, dcterms nsKeySet }

// decodeText turns a field gofeed returned into plain text by its kind. The
// XML parser already decoded the document's own escaping: plain text is not
// decoded again, so that "P&lt;NP" stays "P<NP".
func decodeText(s string, k textKind) string {
	switch k {
	case kindText:
		return plaintext.Collapse(s)
	case kindHTML:
		return plaintext.FromHTML(s)
	case kindEscapedText:
		return plaintext.Unescape(html.UnescapeString(s))
	}
	return plaintext.FromTextOrHTML(s)
}

func isWebURL(s string) bool {
	u, err := url.Parse(strings.TrimSpace(s))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// feedItem converts one generic feed entry into a paper item. Entries without
// a title are not papers and are skipped.
func feedItem(gi *gofeed.Item, o itemOrigin, ns feedNamespaces) (model.Item, bool) {
	it := model.Item{
		GUID:  strings.TrimSpace(gi.GUID),
		Link:  strings.TrimSpace(gi.Link),
		Title: decodeText(gi.Title, o.title),
	}
	if it.Title == "" {
		return it, false
	}
	if strings.TrimSpace(gi.Description) != "" {
		it.Abstract = decodeText(gi.Description, o.description)
	} else {
		it.Abstract = decodeText(gi.Content, o.content)
	}
	if it.Link == "" {
		it.Link = o.permalink
	}
	it.Authors = feedAuthors(gi)
	it.Published, it.Updated = feedDates(gi, o, ns)
	for _, c := range gi.Categories {
		if c = plaintext.FromTextOrHTML(c); c != "" {
			it.Categories = append(it.Categories, c)
		}
	}
	// Identifiers: prism:doi, dc:identifier, then the link and guid.
	var idFields []string
	idFields = append(idFields, extValues(gi.Extensions, ns.prism, "doi")...)
	if gi.DublinCoreExt != nil {
		idFields = append(idFields, gi.DublinCoreExt.Identifier...)
	}
	idFields = append(idFields, it.Link, it.GUID)
	idFields = append(idFields, gi.Links...)
	for _, v := range idFields {
		if it.ArxivID == "" {
			it.ArxivID = ident.FindArxivID(v)
		}
		if it.DOI == "" {
			it.DOI = ident.FindDOI(v)
		}
	}
	if it.Link != "" {
		it.Links = append(it.Links, model.Link{Kind: model.LinkAbstract, URL: it.Link})
	}
	if it.DOI != "" {
		it.Links = append(it.Links, model.Link{Kind: model.LinkDOI, URL: "https://doi.org/" + it.DOI})
	}
	if it.GUID == "" {
		it.GUID = it.Link
	}
	if it.GUID == "" {
		sum := sha256.Sum256([]byte(it.Title))
		it.GUID = "title:" + hex.EncodeToString(sum[:8])
	}
	return it, true
}

// feedAuthors returns every author's name. gofeed keeps only the first
// dc:creator in Authors, so those are read from the Dublin Core extension.
func feedAuthors(gi *gofeed.Item) []string {
	var raw []string
	if gi.DublinCoreExt != nil && len(gi.DublinCoreExt.Creator) > 0 {
		raw = gi.DublinCoreExt.Creator
	} else {
		for _, a := range gi.Authors {
			// gofeed files an author string it cannot split ("Jane Doe
			// <jane@example.org>") whole as the address: personName finds
			// the name in it, or nothing.
			if a != nil {
				raw = append(raw, firstNonEmpty(a.Name, a.Email))
			}
		}
	}
	var out []string
	for _, r := range raw {
		if a := personName(plaintext.FromTextOrHTML(r)); a != "" {
			out = append(out, a)
		}
	}
	return out
}

var (
	nameAngleAddr = regexp.MustCompile(`^(.*?)\s*<[^<>\s@]+@[^<>\s]+>$`)
	addrParenName = regexp.MustCompile(`^[^\s()<>@]+@[^\s()<>]+\s*\((.*)\)$`)
	bareAddr      = regexp.MustCompile(`^<?[^\s()<>@]+@[^\s()<>@]+>?$`)
	dropQuotes    = strings.NewReplacer(`"`, "")
)

// personName returns the name in an author string, never an e-mail address:
// "Jane Doe <jane@example.org>" and "jane@example.org (Jane Doe)" (the RSS
// author form) give "Jane Doe"; a bare address gives "".
func personName(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "@") {
		return s
	}
	if m := nameAngleAddr.FindStringSubmatch(s); m != nil {
		return strings.TrimSpace(dropQuotes.Replace(m[1]))
	}
	if m := addrParenName.FindStringSubmatch(s); m != nil {
		return strings.TrimSpace(m[1])
	}
	if bareAddr.MatchString(s) {
		return ""
	}
	return s
}

// feedDates returns the publication and update dates of an item. Publication:
// the item's own (RSS pubDate or dc:date, Atom published or 0.3 issued, JSON
// date_published), then dcterms:issued, dcterms:created, prism:publicationDate,
// Atom 0.3 created, and last the update time. Update: gofeed's (dc:date,
// Atom updated or 0.3 modified, date_modified), then dcterms:modified.
func feedDates(gi *gofeed.Item, o itemOrigin, ns feedNamespaces) (published, updated time.Time) {
	if gi.UpdatedParsed != nil {
		updated = gi.UpdatedParsed.UTC()
	} else {
		updated = firstDate(extValues(gi.Extensions, ns.dcterms, "modified"))
	}
	if o.published != nil {
		return o.published.UTC(), updated
	}
	var candidates []string
	if gi.DublinCoreExt != nil {
		candidates = append(candidates, gi.DublinCoreExt.Date...)
	}
	candidates = append(candidates, extValues(gi.Extensions, ns.dcterms, "issued")...)
	candidates = append(candidates, extValues(gi.Extensions, ns.dcterms, "created")...)
	candidates = append(candidates, extValues(gi.Extensions, ns.prism, "publicationDate")...)
	candidates = append(candidates, o.created)
	if published = firstDate(candidates); published.IsZero() {
		published = updated
	}
	return published, updated
}

// firstDate is the first of values that parses as a date, or the zero time.
func firstDate(values []string) time.Time {
	for _, v := range values {
		if t, err := parseLooseDate(v); err == nil {
			return t
		}
	}
	return time.Time{}
}

// looseDateLayouts are the date forms seen in feed extensions: W3C-DTF (ISO
// 8601 profiles: dcterms, prism), and the RFC 822 forms of RSS.
var looseDateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02",
	"2006-01",
	"2006",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05 -0700",
}

func parseLooseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range looseDateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised date %q", s)
}
