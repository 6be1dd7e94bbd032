package sources

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html/charset"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/aggregator/ident"
	"github.com/paperfeed/paperfeed/aggregator/plaintext"
	"github.com/paperfeed/paperfeed/db/model"
)

const (
	arxivAPIEndpoint = "https://export.arxiv.org/api/query"
	// arxivAPIPageSize is the page size of a normal pass; arxivAPIBackfillPage that
	// of a backfill (fewer, larger pages: each costs a 3 s turn).
	arxivAPIPageSize     = 100
	arxivAPIBackfillPage = 500
)

// arxivAPI runs a search on the arXiv query API, newest submissions first.
type arxivAPI struct {
	base
	endpoint   string
	query      string
	maxResults int
	backfill   int
	page       int // page size of a normal pass
	bfPage     int // page size of a backfill pass
	opts       Options
}

func newArxivAPI(c config.Source, o Options) (Source, error) {
	if strings.TrimSpace(c.Query) == "" && c.URL == "" {
		return nil, fmt.Errorf("source %q: query is required", c.Name)
	}
	ep, err := endpoint(c, arxivAPIEndpoint)
	if err != nil {
		return nil, err
	}
	return &arxivAPI{
		base: base{c.Name, c.Type}, endpoint: ep, query: strings.TrimSpace(c.Query),
		maxResults: c.MaxResults, backfill: c.Backfill,
		page: arxivAPIPageSize, bfPage: arxivAPIBackfillPage, opts: o,
	}, nil
}

// pageURL is the URL of the page starting at start.
func (s *arxivAPI) pageURL(start, size int) string {
	u, _ := url.Parse(s.endpoint)
	q := u.Query()
	if s.query != "" {
		q.Set("search_query", s.query)
	}
	if q.Get("sortBy") == "" {
		q.Set("sortBy", "submittedDate")
	}
	if q.Get("sortOrder") == "" {
		q.Set("sortOrder", "descending")
	}
	q.Set("start", strconv.Itoa(start))
	q.Set("max_results", strconv.Itoa(size))
	u.RawQuery = q.Encode()
	return u.String()
}

// Collect pages through the results until it has maxResults of them (backfill
// once, when configured and not yet done), a page is empty, a page brings no
// id not seen earlier in this pass, or totalResults is reached.
func (s *arxivAPI) Collect(ctx context.Context, f Fetcher, st *State) (*Result, error) {
	p := newPass(ctx, f, st)
	target, size := s.maxResults, min(s.page, s.maxResults)
	backfilling := s.backfill > 0 && !p.st.BackfillDone
	if backfilling {
		target = max(s.backfill, s.maxResults)
		size = min(s.bfPage, target)
	}
	maxPages := (target+size-1)/size + 2 // slack for short pages
	seen := map[string]bool{}
	var items []model.Item
	start, pages, total := 0, 0, -1
	for len(items) < target {
		if pages == maxPages {
			p.note("stopped after %d pages", pages)
			break
		}
		u := s.pageURL(start, size)
		// Only the first page of a normal pass is asked conditionally: newest
		// first, it is unchanged when nothing was submitted.
		cond := start == 0 && !backfilling
		resp, err := p.get(fetch.Request{URL: u, Accept: "application/atom+xml"}, cond)
		if err != nil {
			return nil, arxivAPIError(err, resp)
		}
		pages++
		if resp.NotModified {
			return p.finish(), nil
		}
		page, err := parseArxivAPI(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("arXiv API page start=%d: %w", start, err)
		}
		if page.Total >= 0 {
			total = page.Total
		}
		if len(page.Entries) == 0 {
			if start == 0 && total > 0 {
				return nil, fmt.Errorf("arXiv API answered an empty first page although totalResults is %d (throttled?)", total)
			}
			if start > 0 && start < total {
				p.note("page at start=%d was empty (totalResults %d); stopped", start, total)
			}
			break
		}
		fresh := 0
		for i := range page.Entries {
			it, ok := arxivAPIItem(&page.Entries[i])
			if !ok {
				p.note("skipped an entry without an arXiv id (%q)", page.Entries[i].ID)
				continue
			}
			if seen[it.ArxivID] {
				continue
			}
			seen[it.ArxivID] = true
			fresh++
			items = append(items, it)
		}
		if backfilling && s.opts.Progress != nil {
			want := target
			if total >= 0 {
				want = min(target, total)
			}
			s.opts.Progress(s.name, min(len(items), want), want)
		}
		if fresh == 0 {
			p.note("page at start=%d brought nothing new; stopped", start)
			break
		}
		start += len(page.Entries)
		if total >= 0 && start >= total {
			break
		}
	}
	if len(items) > target {
		items = items[:target]
	}
	if backfilling {
		p.st.BackfillDone = true
		p.note("backfill done: %d results", len(items))
	}
	p.res.Items = items
	return p.finish(), nil
}

// arxivAPIError turns a failed request into an error, reading the Atom "Error"
// entry arXiv sends with its 400 answers when the body is there.
func arxivAPIError(err error, resp *fetch.Response) error {
	var he *fetch.HTTPError
	if !errors.As(err, &he) || resp == nil || len(resp.Body) == 0 {
		return err
	}
	if _, perr := parseArxivAPI(resp.Body); perr != nil {
		var ae *arxivAPIErr
		if errors.As(perr, &ae) {
			return fmt.Errorf("%w (HTTP %d)", ae, he.Status)
		}
	}
	// The client keeps only the start of an error body: the entry may be cut.
	if m := arxivErrIDRE.FindSubmatch(resp.Body); m != nil {
		return fmt.Errorf("%w: arXiv API error %q", err, strings.ReplaceAll(string(m[1]), "_", " "))
	}
	return err
}

var arxivErrIDRE = regexp.MustCompile(`/api/errors#([A-Za-z0-9_.-]+)`)

// arxivAPIErr is the Atom "Error" entry of the arXiv API.
type arxivAPIErr struct{ msg string }

func (e *arxivAPIErr) Error() string { return "arXiv API error: " + e.msg }

// Atom as the arXiv API writes it. Elements are matched by local name, so old
// (per-element xmlns) and new answers read the same.
type arxivAPIFeed struct {
	XMLName xml.Name        `xml:"feed"`
	Total   string          `xml:"totalResults"`
	Entries []arxivAPIEntry `xml:"entry"`
}

type arxivAPIEntry struct {
	ID        string `xml:"id"`
	Title     string `xml:"title"`
	Summary   string `xml:"summary"`
	Published string `xml:"published"`
	Updated   string `xml:"updated"`
	Authors   []struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Links []struct {
		Href  string `xml:"href,attr"`
		Rel   string `xml:"rel,attr"`
		Title string `xml:"title,attr"`
		Type  string `xml:"type,attr"`
	} `xml:"link"`
	Categories []struct {
		Term string `xml:"term,attr"`
	} `xml:"category"`
	Primary struct {
		Term string `xml:"term,attr"`
	} `xml:"primary_category"`
	Comment    string `xml:"comment"`
	JournalRef string `xml:"journal_ref"`
	DOI        string `xml:"doi"`
}

type arxivAPIPage struct {
	Total   int // -1 when absent
	Entries []arxivAPIEntry
}

// parseArxivAPI reads one answer of the query API. An answer whose entry is
// the API's "Error" entry is an *arxivAPIErr.
func parseArxivAPI(body []byte) (*arxivAPIPage, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("empty body")
	}
	var f arxivAPIFeed
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.CharsetReader = charset.NewReaderLabel
	if err := dec.Decode(&f); err != nil {
		return nil, notDocument(fmt.Sprintf("not an Atom feed: %v", err), body)
	}
	for _, e := range f.Entries {
		if strings.TrimSpace(e.Title) == "Error" && (strings.Contains(e.ID, "/api/errors") || len(f.Entries) == 1) {
			return nil, &arxivAPIErr{msg: plaintext.Collapse(firstNonEmpty(e.Summary, e.ID))}
		}
	}
	page := &arxivAPIPage{Total: -1, Entries: f.Entries}
	if t := strings.TrimSpace(f.Total); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil {
			return nil, fmt.Errorf("bad totalResults %q", t)
		}
		page.Total = n
	}
	return page, nil
}

// arxivAPIItem converts one API entry. Entries without an arXiv id are skipped.
func arxivAPIItem(e *arxivAPIEntry) (model.Item, bool) {
	id := ident.NormalizeArxivID(e.ID)
	if id == "" {
		return model.Item{}, false
	}
	it := model.Item{
		GUID:       "oai:arXiv.org:" + id,
		Link:       "https://arxiv.org/abs/" + id,
		Title:      plaintext.Collapse(e.Title),
		Abstract:   plaintext.Collapse(e.Summary),
		ArxivID:    id,
		Comment:    plaintext.Collapse(e.Comment),
		JournalRef: plaintext.Collapse(e.JournalRef),
		DOI:        ident.NormalizeDOI(e.DOI),
	}
	if it.Title == "" {
		return it, false
	}
	for _, a := range e.Authors {
		if n := plaintext.Collapse(a.Name); n != "" {
			it.Authors = append(it.Authors, n)
		}
	}
	if t, err := time.Parse(time.RFC3339, strings.TrimSpace(e.Published)); err == nil {
		it.Published = t.UTC()
	}
	if t, err := time.Parse(time.RFC3339, strings.TrimSpace(e.Updated)); err == nil {
		it.Updated = t.UTC()
	}
	seen := map[string]bool{}
	for _, c := range append([]string{e.Primary.Term}, categoryTerms(e)...) {
		if c = strings.TrimSpace(c); c != "" && !seen[c] {
			seen[c] = true
			it.Categories = append(it.Categories, c)
		}
	}
	if it.DOI == "" {
		for _, l := range e.Links {
			if l.Title == "doi" {
				it.DOI = ident.NormalizeDOI(l.Href)
			}
		}
	}
	it.Links = arxivLinks(id, it.DOI)
	return it, true
}

func categoryTerms(e *arxivAPIEntry) []string {
	out := make([]string, 0, len(e.Categories))
	for _, c := range e.Categories {
		out = append(out, c.Term)
	}
	return out
}
