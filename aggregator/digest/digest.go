// Package digest is what a digest is, apart from how it is delivered: the
// periods a digest covers (days and weeks in a time zone), the best papers a
// topic first saw in a period, and each paper as a digest lists it (title,
// shortened authors, one sentence of abstract, links, upvotes, sources). The
// digest feeds (feeds) and the digest email (feeds/mail) both build on it.
package digest

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/topic"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// Period kinds.
const (
	Daily  = "daily"
	Weekly = "weekly"
)

// Period is the half-open interval [Start, End) of one day or week in a
// time zone.
type Period struct {
	Kind       string
	Start, End time.Time
}

// Key names the period in ids: its kind and the date it starts on, in its zone.
func (p Period) Key() string { return p.Kind + ":" + p.Start.Format("2006-01-02") }

// Label is how a reader sees the period: "2026-11-20", "week of 2026-11-16".
func (p Period) Label() string {
	if p.Kind == Weekly {
		return "week of " + p.Start.Format("2006-01-02")
	}
	return p.Start.Format("2006-01-02")
}

// DayOf is the day holding t in loc. Days are built from dates, so one that
// a daylight-saving change shortens or lengthens is 23 or 25 hours long.
func DayOf(t time.Time, loc *time.Location) Period {
	t = t.In(loc)
	start := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	return Period{Kind: Daily, Start: start, End: time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc)}
}

// WeekOf is the week holding t in loc, Monday to Monday (ISO 8601).
func WeekOf(t time.Time, loc *time.Location) Period {
	t = t.In(loc)
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	start := time.Date(t.Year(), t.Month(), t.Day()-back, 0, 0, 0, 0, loc)
	return Period{Kind: Weekly, Start: start, End: time.Date(start.Year(), start.Month(), start.Day()+7, 0, 0, 0, 0, loc)}
}

// Of is the period of the kind holding t.
func Of(kind string, t time.Time, loc *time.Location) Period {
	if kind == Weekly {
		return WeekOf(t, loc)
	}
	return DayOf(t, loc)
}

// Completed returns the n periods of the kind that ended at or before now,
// newest first. The period in progress is not among them: its item would
// change until it ends.
func Completed(kind string, now time.Time, loc *time.Location, n int) []Period {
	out := make([]Period, 0, n)
	p := Of(kind, now, loc)
	for range n {
		p = Of(kind, p.Start.Add(-time.Nanosecond), loc)
		out = append(out, p)
	}
	return out
}

// MaxCandidates bounds the papers of one period read from the store before
// ranking, unless the caller asks for more.
const MaxCandidates = 500

// Papers returns topic t's papers first seen in [from, until), within the
// topic's filters, best first by the topic's sort (ranked at until; a
// like-topic by lk's model), at most n (0: MaxCandidates). At least
// MaxCandidates are read and ranked, so that fewer are the best of as many.
func Papers(ctx context.Context, r db.Reader, lk topic.Likes, t config.Topic, from, until time.Time, n int) ([]*model.Paper, error) {
	limit := MaxCandidates
	switch {
	case n > MaxCandidates:
		limit = n
	case n > 0 && t.IsLike():
		limit = n
	}
	rk, err := topic.RankSeen(ctx, r, lk, t, limit, until, topic.Seen{From: from, Until: until})
	if err != nil {
		return nil, err
	}
	ps := rk.Papers
	if n > 0 && len(ps) > n {
		ps = ps[:n]
	}
	return ps, nil
}

// Paper is one paper as a digest lists it: clean plain text and absolute
// http(s) links only; the renderers escape it.
type Paper struct {
	UID      string
	Title    string
	URL      string // the paper's page
	Authors  string // ShortAuthors
	Sentence string // FirstSentence of the abstract
	ArXiv    string // arXiv abstract page
	PDF      string
	Code     []string
	Upvotes  int
	Sources  []string
}

// View converts a stored paper.
func View(p *model.Paper) Paper {
	v := Paper{
		UID:      p.UID,
		Title:    clean(p.Title, 500),
		URL:      httpURL(p.PrimaryLink()),
		Authors:  ShortAuthors(p.Authors),
		Sentence: FirstSentence(clean(p.Abstract, 5000)),
		PDF:      httpURL(p.Link(model.LinkPDF)),
		Upvotes:  p.Upvotes,
	}
	if v.Title == "" {
		v.Title = "(untitled)"
	}
	if p.ArxivID != "" {
		v.ArXiv = httpURL("https://arxiv.org/abs/" + p.ArxivID)
	}
	if v.URL == "" {
		v.URL = v.ArXiv
	}
	for _, l := range p.Links {
		if u := httpURL(l.URL); l.Kind == model.LinkCode && u != "" {
			v.Code = append(v.Code, u)
		}
	}
	seen := map[string]bool{}
	for _, s := range p.Sources() {
		if s = clean(s, 100); s != "" && !seen[s] {
			seen[s] = true
			v.Sources = append(v.Sources, s)
		}
	}
	return v
}

// MaxAuthors is how many authors a digest names before "et al.".
const MaxAuthors = 5

// ShortAuthors joins the authors, naming the first MaxAuthors of a longer
// list and then "et al. (N authors)".
func ShortAuthors(authors []string) string {
	var names []string
	for _, a := range authors {
		if a = clean(a, 200); a != "" {
			names = append(names, a)
		}
	}
	if len(names) > MaxAuthors {
		return strings.Join(names[:MaxAuthors], ", ") + fmt.Sprintf(" et al. (%d authors)", len(names))
	}
	return strings.Join(names, ", ")
}

// maxSentenceRunes bounds FirstSentence.
const maxSentenceRunes = 300

// FirstSentence is the abstract's first sentence: up to the first '.', '?'
// or '!' followed by a space and an upper-case letter or a digit (so "e.g. a"
// and "Fig. 3b" do not end it early, and "et al. The" does), at most 300
// runes (cut at a word, with an ellipsis).
func FirstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	rs := []rune(s)
	for i := 0; i < len(rs) && i < maxSentenceRunes; i++ {
		if (rs[i] == '.' || rs[i] == '?' || rs[i] == '!') && i+2 < len(rs) && rs[i+1] == ' ' &&
			(unicode.IsUpper(rs[i+2]) || unicode.IsDigit(rs[i+2])) && i >= 20 {
			return string(rs[:i+1])
		}
	}
	if len(rs) <= maxSentenceRunes {
		return s
	}
	cut := string(rs[:maxSentenceRunes])
	if sp := strings.LastIndexByte(cut, ' '); sp > maxSentenceRunes/2 {
		cut = cut[:sp]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}

// clean is s as one line of valid UTF-8 without control characters, at most
// max runes.
func clean(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max]) + "…"
	}
	return s
}

// httpURL is u when it is an absolute http(s) URL, else "".
func httpURL(u string) string {
	u = strings.TrimSpace(u)
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") || strings.ContainsAny(u, " \t\r\n<>\"") {
		return ""
	}
	return u
}
