package feeds

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"path/filepath"
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
	// hub: a feed the WebSub publisher announces (Server.HubFeeds); it names
	// the hubs, in the document and in a Link header, and its URL is the
	// site's address and path.
	hub   bool
	build func(ctx context.Context, s *Server, now time.Time) ([]byte, time.Time, error)
}

func docIndex() doc {
	return doc{key: "index", format: FormatHTML, path: "index.html", pinned: true, build: func(ctx context.Context, s *Server, now time.Time) ([]byte, time.Time, error) {
		return s.buildIndex(ctx, now, true)
	}}
}

// docExportIndex is the index of an exported site: a static host has no
// search and no status page to link to, and a source failing at export time
// says nothing about the site later.
func docExportIndex() doc {
	return doc{key: "index-export", format: FormatHTML, path: "index.html", build: func(ctx context.Context, s *Server, now time.Time) ([]byte, time.Time, error) {
		return s.buildIndex(ctx, now, false)
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
		hub:    limit == 0 && format != FormatHTML,
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
	rk, err := topic.Rank(ctx, s.store, s.likes(), t, limit, now)
	if err != nil {
		return nil, time.Time{}, err
	}
	ps := rk.Papers
	pageURL := s.topicURL(t.Name, FormatHTML)
	es, updated, contentT := entries(ps, pageURL)
	if format == FormatHTML {
		for i := range rk.Scores {
			es[i].Score = strconv.FormatFloat(rk.Scores[i], 'f', 3, 64)
		}
		tv := s.topicView(t, es, "")
		tv.Model = likeModelView(t, rk)
		stored, err := s.storedPapers(ctx, len(es))
		if err != nil {
			return nil, time.Time{}, err
		}
		b, err := renderPage(&pageView{
			Stored:    stored,
			SiteTitle: cleanLine(s.cfg.Server.Title, 200),
			Title:     tv.Title + " · " + cleanLine(s.cfg.Server.Title, 200),
			Home:      "../",
			OPML:      "../topics.opml",
			Topic:     &tv,
			Alternate: tv.Feeds,
			Marks:     marksOf(t.Query),
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
	if limit == 0 {
		m.Hubs = s.cfg.Server.WebSubHubs
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
			if !errors.As(err, &qe) {
				return nil, time.Time{}, err
			}
			he := &httpError{code: http.StatusBadRequest, msg: cleanLine(qe.Error(), 2000)}
			if format == FormatHTML {
				// The page with the form and the reason, so the reader can fix the query.
				// The form shows the query; the page says why it cannot run.
				he.page, _, err = s.searchPage(q, cleanLine(qe.Reason, 2000), 0, nil, time.Time{})
				if err != nil {
					return nil, time.Time{}, err
				}
			}
			return nil, time.Time{}, he
		}
	}
	pageURL := s.base + "/search?q=" + url.QueryEscape(q)
	es, updated, contentT := entries(ps, pageURL)
	if format == FormatHTML {
		stored, err := s.storedPapers(ctx, len(es))
		if err != nil {
			return nil, time.Time{}, err
		}
		return s.searchPage(q, "", stored, es, contentT)
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

// buildIndex renders the index; live is the served one, which links to the
// search and status pages and names the failing sources.
func (s *Server) buildIndex(ctx context.Context, now time.Time, live bool) ([]byte, time.Time, error) {
	site := cleanLine(s.cfg.Server.Title, 200)
	v := &pageView{SiteTitle: site, Title: site, Home: "./", OPML: "topics.opml", Live: live}
	stats, err := s.store.Stats(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	v.Stored = stats.Papers
	if live {
		if v.Failing, err = s.failingSources(ctx); err != nil {
			return nil, time.Time{}, err
		}
	}
	var newest time.Time
	for _, t := range s.cfg.Topics {
		rk, err := topic.Rank(ctx, s.store, s.likes(), t, 0, now)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("topic %q: %w", t.Name, err)
		}
		ps := rk.Papers
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

// likeModelView is what a like-topic's page says of its model; nil for other topics.
func likeModelView(t config.Topic, rk topic.Ranked) *modelView {
	if !t.IsLike() {
		return nil
	}
	v := &modelView{Problem: rk.Problem}
	for _, m := range rk.Missing {
		v.Missing = append(v.Missing, cleanLine(m, 200))
	}
	// The page names the like_file, not where the server keeps it.
	for _, w := range rk.Warnings {
		w = strings.ReplaceAll(w, t.LikeFile, filepath.Base(t.LikeFile))
		v.Warnings = append(v.Warnings, cleanLine(w, 300))
	}
	if m := rk.Model; m != nil {
		v.Trained = fmt.Sprintf("%s, %s and %d other stored papers",
			plural(m.Likes, "exemplar"), plural(m.Unlikes, "explicit negative"), m.Background)
		if !math.IsInf(rk.MinScore, -1) {
			v.MinScore = strconv.FormatFloat(rk.MinScore, 'f', 3, 64)
		}
		for _, w := range m.Positive {
			v.Positive = append(v.Positive, wordView{Term: cleanLine(w.Term, 100), Weight: strconv.FormatFloat(w.Weight, 'f', 3, 64)})
		}
		for _, w := range m.Negative {
			v.Negative = append(v.Negative, wordView{Term: cleanLine(w.Term, 100), Weight: strconv.FormatFloat(w.Weight, 'f', 3, 64)})
		}
	}
	return v
}

// storedPapers is how many papers the store holds, asked only when a page
// shows no paper (it says "0 of N papers match").
func (s *Server) storedPapers(ctx context.Context, shown int) (int64, error) {
	if shown > 0 {
		return 0, nil
	}
	st, err := s.store.Stats(ctx)
	return st.Papers, err
}

// failingSources names the configured sources whose last pass failed, when
// the store keeps source state (a read-only Reader may not).
func (s *Server) failingSources(ctx context.Context) ([]string, error) {
	ss, ok := s.store.(db.SourceStore)
	if !ok {
		return nil, nil
	}
	states, err := ss.SourceStates(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, src := range s.cfg.Sources {
		if states[src.Name].Failures > 0 {
			out = append(out, cleanLine(src.Name, 200))
		}
	}
	return out, nil
}
