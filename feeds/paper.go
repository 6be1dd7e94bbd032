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

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// similarShown is how many similar papers a paper page and its feeds list.
const similarShown = 20

// paperPath is a paper's page relative to the site root: "papers/" and its
// UID as one path segment (a DOI's slashes escaped).
func paperPath(uid string) string { return "papers/" + url.PathEscape(uid) }

// paperView is a paper page: the paper, where it was seen, its similar papers.
type paperView struct {
	Entry     entry
	Sightings []sightingView
	Similar   []similarView
	Feeds     []feedLink
}

type sightingView struct {
	Source, GUID, Link  string
	Joined              string // how the listing joined the paper (joinedText)
	FirstSeen, LastSeen time.Time
	Again               bool // the same listing (source, guid) was seen again after it joined
}

// maxReasonRunes bounds the shown reason of a merge (it names a few authors).
const maxReasonRunes = 400

// joinedText says how a sighting's listing joined its paper: it started it,
// or the rule and what agreed.
func joinedText(sg model.Sighting) string {
	switch sg.Rule {
	case "":
		return "joined before merge rules were recorded"
	case model.RuleStarted:
		return "started this paper"
	}
	text := "joined by " + sg.Rule
	if sg.Reason != "" {
		text += ": " + sg.Reason
	}
	return cleanLine(text, maxReasonRunes)
}

type similarView struct {
	Entry  entry
	Cosine string
}

func docPaper(uid, format string) doc {
	return doc{
		key:    "paper\x00" + format + "\x00" + uid,
		format: format,
		build: func(ctx context.Context, s *Server, now time.Time) ([]byte, time.Time, error) {
			return s.buildPaper(ctx, uid, format, now)
		},
	}
}

func (s *Server) handlePaper(w http.ResponseWriter, r *http.Request) {
	s.respond(w, r, "_paper", FormatHTML, func() (*rendered, error) {
		return s.get(r.Context(), docPaper(r.PathValue("id"), FormatHTML))
	})
}

func (s *Server) handleSimilar(w http.ResponseWriter, r *http.Request) {
	format, _ := strings.CutPrefix(r.PathValue("file"), "similar.")
	s.respond(w, r, "_similar", format, func() (*rendered, error) {
		switch format {
		case FormatAtom, FormatRSS, FormatJSON:
		default:
			return nil, &httpError{code: http.StatusNotFound, msg: "no such document: a paper's similar papers are similar.atom, similar.rss and similar.json"}
		}
		return s.get(r.Context(), docPaper(r.PathValue("id"), format))
	})
}

func (s *Server) buildPaper(ctx context.Context, uid, format string, now time.Time) ([]byte, time.Time, error) {
	p, err := s.store.Paper(ctx, uid)
	if errors.Is(err, db.ErrNotFound) {
		return nil, time.Time{}, &httpError{code: http.StatusNotFound, msg: fmt.Sprintf("no paper %q is stored", cleanLine(uid, 200))}
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	sim, err := s.models.Similar(ctx, p, similarShown)
	if err != nil {
		return nil, time.Time{}, err
	}
	pageURL := s.base + "/" + paperPath(p.UID)
	ps := make([]*model.Paper, len(sim))
	for i, x := range sim {
		ps[i] = x.Paper
	}
	es, updated, contentT := entries(ps, pageURL)
	self := newEntry(p, pageURL)
	for _, t := range []time.Time{self.Updated, p.FirstSeen} {
		if t.After(contentT) {
			contentT = t
		}
	}
	title := cleanLine(p.Title, maxTitleRunes)
	if format != FormatHTML {
		if updated.IsZero() {
			updated = now.UTC().Truncate(time.Second)
		}
		m := &feedMeta{
			ID:          feedID(s.base, paperPath(p.UID)+"/similar"),
			Title:       "Similar to: " + title,
			Description: "Stored papers most similar to " + title + " (tf-idf cosine of title, abstract and authors).",
			SiteTitle:   cleanLine(s.cfg.Server.Title, 200),
			SelfURL:     pageURL + "/similar." + format,
			HTMLURL:     pageURL,
			Updated:     updated,
			TTL:         int(s.maxAge.Minutes()),
		}
		b, err := renderFeed(format, m, es)
		return b, contentT, err
	}
	pv := &paperView{Entry: self}
	for _, sg := range p.Sightings {
		pv.Sightings = append(pv.Sightings, sightingView{
			Source: cleanLine(sg.Source, maxCategoryRunes), GUID: cleanLine(sg.GUID, maxTitleRunes),
			Link: cleanURL(sg.Link), Joined: joinedText(sg), FirstSeen: sg.FirstSeen, LastSeen: sg.LastSeen,
			Again: sg.LastSeen.After(sg.FirstSeen),
		})
	}
	for i, e := range es {
		pv.Similar = append(pv.Similar, similarView{Entry: e, Cosine: strconv.FormatFloat(sim[i].Cosine, 'f', 3, 64)})
	}
	// The page's own name is its last path segment: links to its feeds
	// start with it.
	name := url.PathEscape(p.UID)
	pv.Feeds = feedLinks("Similar papers", func(ext string) string { return "./" + name + "/similar." + ext },
		func(ext string) string { return pageURL + "/similar." + ext })
	site := cleanLine(s.cfg.Server.Title, 200)
	b, err := renderPage(&pageView{
		SiteTitle: site,
		Title:     title + " · " + site,
		Home:      "../",
		OPML:      "../topics.opml",
		Paper:     pv,
		Alternate: pv.Feeds,
	})
	return b, contentT, err
}
