package feeds

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/digest"
)

// A digest feed has one item per completed period (day or week in [server]
// timezone) in which the topic's filters let through papers paperfeed first
// saw then; the item lists that period's best papers. Completed periods only:
// an item never changes once published unless its papers do.
const (
	digestDays        = 30 // periods of a daily feed
	digestWeeks       = 12 // periods of a weekly feed
	digestItemPapers  = 20 // papers listed per item
	digestSummaryRune = 500
)

// digestKinds are the digest feeds of every topic, as named in their path.
var digestKinds = []string{digest.Daily, digest.Weekly}

// DigestEntryID is the id of topic's digest item for the period: a UUID v5
// of the topic, the period's kind and its first date (in the configured
// zone), so it is the same on every render.
func DigestEntryID(topic string, p digest.Period) string {
	return uuid.NewSHA1(uidNamespace, []byte("digest:"+topic+":"+p.Key())).URN()
}

func docDigest(t config.Topic, kind, format string) doc {
	return doc{
		key:    "digest\x00" + t.Name + "\x00" + kind + "\x00" + format,
		format: format,
		path:   "topics/" + t.Name + "/" + kind + "." + format,
		pinned: true,
		hub:    true,
		build: func(ctx context.Context, s *Server, now time.Time) ([]byte, time.Time, error) {
			return s.buildDigest(ctx, t, kind, format, now)
		},
	}
}

func (s *Server) digestURL(name, kind, ext string) string {
	return s.base + "/topics/" + name + "/" + kind + "." + ext
}

func (s *Server) buildDigest(ctx context.Context, t config.Topic, kind, format string, now time.Time) ([]byte, time.Time, error) {
	n := digestDays
	if kind == digest.Weekly {
		n = digestWeeks
	}
	periods := digest.Completed(kind, now, s.cfg.Server.Zone(), n)
	pageURL := s.topicURL(t.Name, FormatHTML)
	var es []entry
	var contentT time.Time
	for _, p := range periods {
		ps, err := digest.Papers(ctx, s.store, s.likes(), t, p.Start, p.End, digestItemPapers)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("topic %q: %w", t.Name, err)
		}
		if len(ps) == 0 {
			continue
		}
		views := make([]digest.Paper, len(ps))
		for i, p := range ps {
			views[i] = digest.View(p)
			for _, at := range []time.Time{p.Updated, p.FirstSeen} {
				if at.After(contentT) {
					contentT = at
				}
			}
		}
		html, err := digestHTML(views)
		if err != nil {
			return nil, time.Time{}, err
		}
		end := p.End.UTC()
		es = append(es, entry{
			ID:        DigestEntryID(t.Name, p),
			Anchor:    "d-" + p.Start.Format("2006-01-02"),
			Title:     cleanLine(t.Title, maxTitleRunes) + ": " + p.Label() + " · " + plural(len(ps), "paper"),
			Abstract:  digestSummary(views),
			Link:      pageURL,
			LinkLabel: "Topic",
			Published: end,
			Updated:   end,
			Content:   html,
		})
	}
	updated := time.Time{}
	if len(es) > 0 {
		updated = es[0].Updated
	} else if len(periods) > 0 {
		updated = periods[0].End.UTC() // an empty feed changes with the periods, not with each render
	}
	label, unit := "Daily digest", "day"
	if kind == digest.Weekly {
		label, unit = "Weekly digest", "week"
	}
	m := &feedMeta{
		ID:          feedID(s.base, "topics/"+t.Name+"/"+kind),
		Title:       cleanLine(t.Title, maxTitleRunes) + " · " + label,
		Description: label + " of " + cleanLine(t.Title, maxTitleRunes) + ": one item per " + unit + " with the best papers first seen in it.",
		SiteTitle:   cleanLine(s.cfg.Server.Title, 200),
		SelfURL:     s.digestURL(t.Name, kind, format),
		HTMLURL:     pageURL,
		Updated:     updated,
		TTL:         int(s.maxAge.Minutes()),
		Hubs:        s.cfg.Server.WebSubHubs,
	}
	b, err := renderFeed(format, m, es)
	return b, contentT, err
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// digestSummary is the item's plain-text summary: the titles, cut.
func digestSummary(ps []digest.Paper) string {
	titles := make([]string, len(ps))
	for i, p := range ps {
		titles[i] = p.Title
	}
	return cleanLine(strings.Join(titles, " · "), digestSummaryRune)
}

var digestTmpl = template.Must(template.New("digest").Parse(
	`<ol>{{range .}}<li><p><a href="{{.URL}}"><b>{{.Title}}</b></a>` +
		`{{if .Authors}}<br>{{.Authors}}{{end}}</p>` +
		`{{if .Sentence}}<p>{{.Sentence}}</p>{{end}}` +
		`<p>{{if .ArXiv}}<a href="{{.ArXiv}}">arXiv</a> {{end}}{{if .PDF}}<a href="{{.PDF}}">PDF</a> {{end}}` +
		`{{range .Code}}<a href="{{.}}">Code</a> {{end}}` +
		`{{if .Upvotes}}▲ {{.Upvotes}} {{end}}{{if .Sources}}· via {{range $i, $s := .Sources}}{{if $i}}, {{end}}{{$s}}{{end}}{{end}}</p></li>{{end}}</ol>`))

// digestHTML is an item's content: the papers as an HTML list, every string
// escaped by html/template.
func digestHTML(ps []digest.Paper) (string, error) {
	var b bytes.Buffer
	if err := digestTmpl.Execute(&b, ps); err != nil {
		return "", err
	}
	return b.String(), nil
}
