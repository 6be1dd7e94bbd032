package feeds

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/digest"
	"github.com/paperfeed/paperfeed/aggregator/topic"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// doc is one addressable document: its cache key, format and how to build it.
type doc struct {
	key    string
	format string
	path   string // export path, relative to the site root
	pinned bool   // a configured document (see renderGate), cached apart
	build  func(ctx context.Context, s *Server, now time.Time) ([]byte, time.Time, error)
}

func docIndex() doc {
	return doc{key: "index", format: FormatHTML, path: "index.html", pinned: true, build: func(ctx context.Context, s *Server, now time.Time) ([]byte, time.Time, error) {
		return s.buildIndex(ctx, now)
	}}
}

func docOPML() doc {
	return doc{key: "opml", format: FormatOPML, path: "topics.opml", pinned: true, build: func(_ context.Context, s *Server, now time.Time) ([]byte, time.Time, error) {
		b, err := s.buildOPML()
		return b, time.Time{}, err
	}}
}

func docTopic(t config.Topic, format string, limit int) doc {
	return doc{
		key:    "topic\x00" + t.Name + "\x00" + format + "\x00" + strconv.Itoa(limit),
		format: format,
		path:   "topics/" + t.Name + "." + format,
		pinned: limit == 0,
		build: func(ctx context.Context, s *Server, now time.Time) ([]byte, time.Time, error) {
			return s.buildTopic(ctx, t, format, limit, now)
		},
	}
}

func docSearch(q, format string, limit int) doc {
	return doc{
		key:    fmt.Sprintf("search\x00%s\x00%d\x00%s", format, limit, q),
		format: format,
		pinned: q == "" && limit == 0, // the form alone
		build: func(ctx context.Context, s *Server, now time.Time) ([]byte, time.Time, error) {
			return s.buildSearch(ctx, q, format, limit, now)
		},
	}
}

func (s *Server) topicURL(name, ext string) string { return s.base + "/topics/" + name + "." + ext }

func withLimit(u string, limit int) string {
	if limit <= 0 {
		return u
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + "limit=" + strconv.Itoa(limit)
}

// entries converts papers and returns the newest Updated/FirstSeen among them.
func entries(ps []*model.Paper, pageURL string) ([]entry, time.Time, time.Time) {
	es := make([]entry, 0, len(ps))
	var newestUpdated, newestContent time.Time
	for _, p := range ps {
		e := newEntry(p, pageURL)
		es = append(es, e)
		if e.Updated.After(newestUpdated) {
			newestUpdated = e.Updated
		}
		for _, t := range []time.Time{e.Updated, p.FirstSeen} {
			if t.After(newestContent) {
				newestContent = t
			}
		}
	}
	return es, newestUpdated, newestContent
}

func (s *Server) buildTopic(ctx context.Context, t config.Topic, format string, limit int, now time.Time) ([]byte, time.Time, error) {
	ps, err := topic.Papers(ctx, s.store, t, limit, now)
	if err != nil {
		return nil, time.Time{}, err
	}
	pageURL := s.topicURL(t.Name, FormatHTML)
	es, updated, contentT := entries(ps, pageURL)
	if format == FormatHTML {
		tv := s.topicView(t, es, "")
		b, err := renderPage(&pageView{
			SiteTitle: cleanLine(s.cfg.Server.Title, 200),
			Title:     tv.Title + " · " + cleanLine(s.cfg.Server.Title, 200),
			Home:      "../",
			OPML:      "../topics.opml",
			Topic:     &tv,
			Alternate: tv.Feeds,
		})
		return b, contentT, err
	}
	if updated.IsZero() {
		updated = now.UTC().Truncate(time.Second)
	}
	m := &feedMeta{
		ID:          feedID(s.base, "topics/"+t.Name),
		Title:       cleanLine(t.Title, maxTitleRunes),
		Description: cleanLine(t.Description, maxAbstractRunes),
		SiteTitle:   cleanLine(s.cfg.Server.Title, 200),
		SelfURL:     withLimit(s.topicURL(t.Name, format), limit),
		HTMLURL:     pageURL,
		Updated:     updated,
		TTL:         int(s.maxAge.Minutes()),
	}
	b, err := renderFeed(format, m, es)
	return b, contentT, err
}

func renderFeed(format string, m *feedMeta, es []entry) ([]byte, error) {
	switch format {
	case FormatAtom:
		return renderAtom(m, es)
	case FormatRSS:
		return renderRSS(m, es)
	case FormatJSON:
		return renderJSON(m, es)
	}
	return nil, fmt.Errorf("unknown feed format %q", format)
}

func (s *Server) buildSearch(ctx context.Context, q, format string, limit int, now time.Time) ([]byte, time.Time, error) {
	if limit <= 0 {
		limit = config.DefaultTopicLimit
	}
	var ps []*model.Paper
	if q != "" {
		err := s.store.CheckQuery(ctx, q) // its error names the query alone
		if err == nil {
			ps, err = topic.Papers(ctx, s.store, topic.Search(q), limit, now)
		}
		if err != nil {
			var qe *db.QueryError
			if errors.As(err, &qe) {
				return nil, time.Time{}, &httpError{code: http.StatusBadRequest, msg: cleanLine(qe.Error(), 2000)}
			}
			return nil, time.Time{}, err
		}
	}
	pageURL := s.base + "/search?q=" + url.QueryEscape(q)
	es, updated, contentT := entries(ps, pageURL)
	if format == FormatHTML {
		return s.searchPage(q, es, contentT)
	}
	if updated.IsZero() {
		updated = now.UTC().Truncate(time.Second)
	}
	self := s.base + "/search." + format + "?q=" + url.QueryEscape(q)
	m := &feedMeta{
		ID:          feedID(s.base, "search?q="+url.QueryEscape(q)),
		Title:       "Search: " + cleanLine(q, 200),
		Description: "Papers matching the full-text query " + cleanLine(q, 1000),
		SiteTitle:   cleanLine(s.cfg.Server.Title, 200),
		SelfURL:     withLimit(self, limit),
		HTMLURL:     pageURL,
		Updated:     updated,
		TTL:         int(s.maxAge.Minutes()),
	}
	b, err := renderFeed(format, m, es)
	return b, contentT, err
}

func (s *Server) buildIndex(ctx context.Context, now time.Time) ([]byte, time.Time, error) {
	site := cleanLine(s.cfg.Server.Title, 200)
	v := &pageView{SiteTitle: site, Title: site, Home: "./", OPML: "topics.opml"}
	var newest time.Time
	for _, t := range s.cfg.Topics {
		ps, err := topic.Papers(ctx, s.store, t, 0, now)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("topic %q: %w", t.Name, err)
		}
		es, _, contentT := entries(ps, s.topicURL(t.Name, FormatHTML))
		if contentT.After(newest) {
			newest = contentT
		}
		tv := s.topicView(t, es[:min(len(es), indexNewest)], "topics/")
		tv.Count = len(es)
		for i := range tv.Feeds {
			tv.Feeds[i].Label = strings.TrimPrefix(tv.Feeds[i].Label, tv.Title+" (")
			tv.Feeds[i].Label = strings.TrimSuffix(tv.Feeds[i].Label, ")")
			v.Alternate = append(v.Alternate, feedLink{
				Label: tv.Title + " (" + tv.Feeds[i].Label + ")", Type: tv.Feeds[i].Type, Abs: tv.Feeds[i].Abs,
			})
		}
		v.Topics = append(v.Topics, tv)
	}
	b, err := renderPage(v)
	return b, newest, err
}

func (s *Server) buildOPML() ([]byte, error) {
	d := &opmlDoc{Version: "2.0", Title: cleanLine(s.cfg.Server.Title, 200)}
	for _, t := range s.cfg.Topics {
		title := cleanLine(t.Title, maxTitleRunes)
		d.Outline = append(d.Outline, opmlEntry{
			Type: "rss", Text: title, Title: title,
			XMLURL:      s.topicURL(t.Name, FormatRSS),
			HTMLURL:     s.topicURL(t.Name, FormatHTML),
			Description: cleanLine(t.Description, maxAbstractRunes),
		})
		for _, k := range digestKinds {
			label := title + " · Daily digest"
			if k == digest.Weekly {
				label = title + " · Weekly digest"
			}
			d.Outline = append(d.Outline, opmlEntry{
				Type: "rss", Text: label, Title: label,
				XMLURL:  s.digestURL(t.Name, k, FormatRSS),
				HTMLURL: s.topicURL(t.Name, FormatHTML),
			})
		}
	}
	return renderOPML(d)
}
