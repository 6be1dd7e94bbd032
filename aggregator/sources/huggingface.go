package sources

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/aggregator/ident"
	"github.com/paperfeed/paperfeed/aggregator/plaintext"
	"github.com/paperfeed/paperfeed/db/model"
)

const hfEndpoint = "https://huggingface.co/api/daily_papers"

// huggingFace reads Hugging Face Daily Papers, one request per day for the last
// days days (UTC), today first.
type huggingFace struct {
	base
	endpoint string
	days     int
	opts     Options
}

func newHuggingFace(c config.Source, o Options) (Source, error) {
	ep, err := endpoint(c, hfEndpoint)
	if err != nil {
		return nil, err
	}
	return &huggingFace{base: base{c.Name, c.Type}, endpoint: ep, days: c.Days, opts: o}, nil
}

func (s *huggingFace) dayURL(day time.Time) string {
	u, _ := url.Parse(s.endpoint)
	q := u.Query()
	q.Set("date", day.Format("2006-01-02"))
	u.RawQuery = q.Encode()
	return u.String()
}

func (s *huggingFace) Collect(ctx context.Context, f Fetcher, st *State) (*Result, error) {
	p := newPass(ctx, f, st)
	today := s.opts.now()
	seen := map[string]bool{}
	for i := 0; i < s.days; i++ {
		day := today.AddDate(0, 0, -i)
		u := s.dayURL(day)
		resp, err := p.get(fetch.Request{URL: u, Accept: "application/json"}, true)
		var items []model.Item
		var skipped int
		if err == nil && !resp.NotModified {
			items, skipped, err = parseHFDay(resp.Body)
			if err != nil {
				err = fmt.Errorf("Hugging Face daily papers of %s: %w", day.Format("2006-01-02"), err)
			}
		}
		if err != nil {
			// Early in a UTC day HF does not know the date yet and answers
			// "not found": today's list is simply not out. The pass goes on with
			// the older days, and fails if they fail too.
			if i == 0 && s.days > 1 && isHFNotFound(err) {
				p.note("%s: not published yet (%v)", day.Format("2006-01-02"), err)
				continue
			}
			return nil, err
		}
		if resp.NotModified {
			continue
		}
		if skipped > 0 {
			p.note("%s: skipped %d entries without a paper id or title", day.Format("2006-01-02"), skipped)
		}
		for _, it := range items {
			// Today's listing comes first and has the freshest upvotes.
			if !seen[it.GUID] {
				seen[it.GUID] = true
				p.res.Items = append(p.res.Items, it)
			}
		}
	}
	return p.finish(), nil
}

type hfEntry struct {
	Paper       *hfPaper `json:"paper"`
	PublishedAt string   `json:"publishedAt"`
	Title       string   `json:"title"`
	Summary     string   `json:"summary"`
}

type hfPaper struct {
	ID      string `json:"id"`
	Authors []struct {
		Name   string `json:"name"`
		Hidden bool   `json:"hidden"`
	} `json:"authors"`
	PublishedAt string `json:"publishedAt"`
	Title       string `json:"title"`
	Summary     string `json:"summary"`
	Upvotes     int    `json:"upvotes"`
	GithubRepo  string `json:"githubRepo"`
	ProjectPage string `json:"projectPage"`
}

// parseHFDay reads one day's answer: a JSON array (possibly empty). The
// {"error": "..."} object HF answers for unknown dates, even with status 200,
// is an error, and so is anything that is not an array of papers.
func parseHFDay(body []byte) (items []model.Item, skipped int, err error) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return nil, 0, errors.New("empty body")
	}
	switch b[0] {
	case '[':
	case '{':
		var e struct {
			Error json.RawMessage `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil && len(e.Error) > 0 {
			var msg string
			if json.Unmarshal(e.Error, &msg) != nil {
				msg = string(e.Error)
			}
			return nil, 0, &hfError{msg}
		}
		return nil, 0, notDocument("unexpected JSON object, want an array of papers", b)
	default:
		return nil, 0, notDocument("not JSON", b)
	}
	var entries []hfEntry
	if err := json.Unmarshal(b, &entries); err != nil {
		return nil, 0, fmt.Errorf("unexpected JSON: %w", err)
	}
	for i := range entries {
		it, ok := hfItem(&entries[i])
		if !ok {
			skipped++
			continue
		}
		items = append(items, it)
	}
	if len(entries) > 0 && len(items) == 0 {
		return nil, 0, fmt.Errorf("none of the %d entries has a paper id: unexpected JSON shape", len(entries))
	}
	return items, skipped, nil
}

// hfItem converts one Daily Papers entry. Entries without paper.id are skipped.
func hfItem(e *hfEntry) (model.Item, bool) {
	if e.Paper == nil || strings.TrimSpace(e.Paper.ID) == "" {
		return model.Item{}, false
	}
	pp := e.Paper
	id := strings.TrimSpace(pp.ID)
	page := "https://huggingface.co/papers/" + url.PathEscape(id)
	it := model.Item{
		GUID:     page,
		Link:     page,
		Title:    plaintext.Collapse(firstNonEmpty(pp.Title, e.Title)),
		Abstract: plaintext.Collapse(firstNonEmpty(pp.Summary, e.Summary)),
		Upvotes:  pp.Upvotes,
		ArxivID:  ident.NormalizeArxivID(id),
	}
	if it.Title == "" {
		return it, false
	}
	for _, a := range pp.Authors {
		if n := plaintext.Collapse(a.Name); n != "" {
			it.Authors = append(it.Authors, n)
		}
	}
	for _, ts := range []string{pp.PublishedAt, e.PublishedAt} {
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(ts)); err == nil {
			it.Published = t.UTC()
			break
		}
	}
	it.Links = []model.Link{{Kind: model.LinkHuggingFace, URL: page}}
	if it.ArxivID != "" {
		it.Links = append(it.Links, arxivLinks(it.ArxivID, "")...)
	}
	if u := strings.TrimSpace(pp.GithubRepo); u != "" {
		it.Links = append(it.Links, model.Link{Kind: model.LinkCode, URL: u})
	}
	if u := strings.TrimSpace(pp.ProjectPage); u != "" {
		it.Links = append(it.Links, model.Link{Kind: model.LinkProject, URL: u})
	}
	return it, true
}

// hfError is the {"error": "..."} object Hugging Face answers for a date it
// does not know.
type hfError struct{ msg string }

func (e *hfError) Error() string { return "upstream error: " + e.msg }

// isHFNotFound reports whether err is Hugging Face's answer for an unknown
// date: its error object, or a 404.
func isHFNotFound(err error) bool {
	var he *hfError
	var fe *fetch.HTTPError
	return errors.As(err, &he) || (errors.As(err, &fe) && fe.Status == 404)
}
