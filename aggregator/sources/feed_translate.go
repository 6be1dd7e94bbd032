package sources

import (
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	jsonfeed "github.com/mmcdole/gofeed/json"
	"github.com/mmcdole/gofeed/rss"
)

// originals are gofeed translators that keep, for one parse, the little of
// each format's own items that the generic translation drops, and nothing
// else: keeping the whole original feed (gofeed's KeepOriginalFeed) would hold
// a second tree of every item until the conversion ends.
type originals struct {
	rss  rssOriginals
	atom atomOriginals
	json jsonOriginals
}

// newFeedParser returns a parser for one document and the translators that
// record what its items need beyond gofeed's translation.
func newFeedParser() (*gofeed.Parser, *originals) {
	o := &originals{}
	p := gofeed.NewParser()
	p.RSSTranslator, p.AtomTranslator, p.JSONTranslator = &o.rss, &o.atom, &o.json
	return p, o
}

type rssOriginals struct {
	gofeed.DefaultRSSTranslator
	// permalinks are the items' guids that are their URL (isPermaLink true,
	// or absent: RSS 2.0 makes true the default), "" otherwise.
	permalinks []string
}

func (t *rssOriginals) Translate(feed any) (*gofeed.Feed, error) {
	if f, ok := feed.(*rss.Feed); ok {
		t.permalinks = make([]string, len(f.Items))
		for i, it := range f.Items {
			if g := it.GUID; g != nil && !strings.EqualFold(strings.TrimSpace(g.IsPermalink), "false") && isWebURL(g.Value) {
				t.permalinks[i] = strings.TrimSpace(g.Value)
			}
		}
	}
	return t.DefaultRSSTranslator.Translate(feed)
}

type atomOriginals struct {
	gofeed.DefaultAtomTranslator
	// published are the entries' own publication dates: the translation
	// falls back to the update time, which ranks below created here.
	published []*time.Time
}

func (t *atomOriginals) Translate(feed any) (*gofeed.Feed, error) {
	if f, ok := feed.(*atom.Feed); ok {
		t.published = make([]*time.Time, len(f.Entries))
		for i, e := range f.Entries {
			t.published[i] = e.PublishedParsed
		}
	}
	return t.DefaultAtomTranslator.Translate(feed)
}

type jsonOriginals struct {
	gofeed.DefaultJSONTranslator
	// html tells the items whose content is content_html (the translation
	// takes content_text when it is absent).
	html []bool
}

func (t *jsonOriginals) Translate(feed any) (*gofeed.Feed, error) {
	if f, ok := feed.(*jsonfeed.Feed); ok {
		t.html = make([]bool, len(f.Items))
		for i, it := range f.Items {
			t.html[i] = it.ContentHTML != ""
		}
	}
	return t.DefaultJSONTranslator.Translate(feed)
}

// item returns what the document says of item i of feed beyond gofeed's
// translation, from these translators and the pre-scan's shape.
func (o *originals) item(feed *gofeed.Feed, shape docShape, i int) itemOrigin {
	gi := feed.Items[i]
	it := itemOrigin{published: gi.PublishedParsed}
	switch feed.FeedType {
	case "rss":
		it.content = kindHTML // content:encoded is HTML by definition
		if i < len(o.rss.permalinks) {
			it.permalink = o.rss.permalinks[i]
		}
	case "atom":
		it.title, it.description, it.content = kindText, kindText, kindText
		if len(shape.atomEntries) == len(feed.Items) {
			e := shape.atomEntries[i]
			it.title, it.description, it.content, it.created = e.title, e.summary, e.content, e.created
		}
		if i < len(o.atom.published) {
			it.published = o.atom.published[i]
		}
	case "json":
		// title, summary and content_text are plain text by the JSON Feed
		// spec, yet publishers escape them as HTML ("&amp;"): they are told
		// apart by looks, which keeps a literal "<".
		if i < len(o.json.html) && o.json.html[i] {
			it.content = kindHTML
		}
	}
	return it
}
