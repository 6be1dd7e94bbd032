package sources

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/aggregator/ident"
	"github.com/paperfeed/paperfeed/aggregator/plaintext"
	"github.com/paperfeed/paperfeed/db/model"
)

const (
	crossrefAPI = "https://api.crossref.org"
	// crossrefRows is the page size of a normal pass; crossrefBackfillRows that
	// of a backfill (the API serves 1000 rows a page at most).
	crossrefRows         = 100
	crossrefBackfillRows = 1000
	// crossrefMaxPages bounds the pages of one journal (or of /works) in a
	// normal pass.
	crossrefMaxPages = 10
)

// crossref lists the works of journals (/journals/{issn}/works) or of a filter
// (/works) on the Crossref REST API, newest published first, by cursor.
type crossref struct {
	base
	api      string
	issns    []string
	filter   string // the user's filter, added to the pass's own
	workType string
	mailto   string
	days     int
	backfill int
	rows     int
	bfRows   int
	maxPages int
	opts     Options
}

func newCrossref(c config.Source, o Options) (Source, error) {
	api, err := endpoint(c, crossrefAPI)
	if err != nil {
		return nil, err
	}
	return &crossref{
		base: base{c.Name, c.Type}, api: strings.TrimRight(api, "/"), issns: c.ISSN,
		filter: strings.TrimSpace(c.Filter), workType: c.WorkType, mailto: contact(c.Mailto, o.UserAgent), days: c.Days,
		backfill: c.Backfill, rows: crossrefRows, bfRows: crossrefBackfillRows, maxPages: crossrefMaxPages, opts: o,
	}, nil
}

// listURL is the first page of one list: path is "/works" or
// "/journals/{issn}/works"; from, when not zero, bounds the publication date.
func (s *crossref) listURL(path string, from time.Time, rows int, cursor string) string {
	var filters []string
	if !from.IsZero() {
		filters = append(filters, "from-pub-date:"+from.Format("2006-01-02"))
	}
	if s.workType != "" {
		filters = append(filters, "type:"+s.workType)
	}
	if s.filter != "" {
		filters = append(filters, s.filter)
	}
	q := url.Values{}
	if len(filters) > 0 {
		q.Set("filter", strings.Join(filters, ","))
	}
	q.Set("sort", "published")
	q.Set("order", "desc")
	q.Set("rows", strconv.Itoa(rows))
	q.Set("cursor", cursor)
	if s.mailto != "" {
		q.Set("mailto", s.mailto)
	}
	return s.api + path + "?" + q.Encode()
}

// lists are the paths the pass reads: one per journal, or /works.
func (s *crossref) lists() []string {
	if len(s.issns) == 0 {
		return []string{"/works"}
	}
	out := make([]string, len(s.issns))
	for i, issn := range s.issns {
		out[i] = "/journals/" + url.PathEscape(strings.ToUpper(issn)) + "/works"
	}
	return out
}

// Collect reads each list by cursor until an empty page, total-results, or
// the page bound. A backfill (once, when configured) drops the date bound and
// reads up to backfill works of each list.
func (s *crossref) Collect(ctx context.Context, f Fetcher, st *State) (*Result, error) {
	p := newPass(ctx, f, st)
	backfilling := s.backfill > 0 && !p.st.BackfillDone
	from := s.opts.now().AddDate(0, 0, -(s.days - 1))
	rows, maxPages, target := s.rows, s.maxPages, 0
	if backfilling {
		from = time.Time{}
		rows = min(s.bfRows, s.backfill)
		target = s.backfill
		maxPages = (target+rows-1)/rows + 1
	}
	lists := s.lists()
	seen := map[string]bool{}
	var items []model.Item
	skipped, finished := 0, 0 // finished: records of the lists read to the end
	bar := s.opts.backfillProgress(s.name)
	for li, path := range lists {
		cursor, got, total := "*", 0, -1
		for pages := 0; ; pages++ {
			if pages == maxPages {
				p.note("%s: stopped after %d pages (%d of %d works)", path, pages, got, total)
				break
			}
			u := s.listURL(path, from, rows, cursor)
			// Newest first: the first page is unchanged when nothing was published.
			resp, err := p.get(fetch.Request{URL: u, Accept: "application/json"}, pages == 0 && !backfilling)
			if err != nil {
				return nil, withUpstreamMessage("Crossref", err, resp)
			}
			if resp.NotModified {
				break
			}
			page, err := ParseCrossrefList(resp.Body)
			if err != nil {
				return nil, fmt.Errorf("Crossref %s page %d: %w", path, pages+1, err)
			}
			total = page.Total
			for i := range page.Items {
				it, ok := CrossrefItem(&page.Items[i])
				if !ok {
					skipped++
					continue
				}
				if !seen[it.DOI] {
					seen[it.DOI] = true
					items = append(items, it)
				}
			}
			got += len(page.Items)
			if backfilling {
				want := target
				if total >= 0 {
					want = min(target, total)
				}
				// The lists not read yet count target each, an estimate.
				bar.show(finished+min(got, want), finished+want+(len(lists)-li-1)*target)
			}
			// Crossref's cursor may repeat itself: the count ends the list.
			if len(page.Items) == 0 || page.NextCursor == "" || (total >= 0 && got >= total) || (backfilling && got >= target) {
				break
			}
			cursor = page.NextCursor
		}
		finished += min(got, max(target, 0))
	}
	if backfilling {
		bar.finish(finished)
	}
	p.noteCount("skipped %d works without a DOI or a title", skipped)
	return p.endBackfill(items, backfilling, "works"), nil
}

// CrossrefPage is one page of a Crossref work list.
type CrossrefPage struct {
	Total      int // total-results; -1 when absent
	NextCursor string
	Items      []CrossrefWork
}

// crossrefEnvelope is every Crossref answer: a status, a message type and the message.
type crossrefEnvelope struct {
	Status      string          `json:"status"`
	MessageType string          `json:"message-type"`
	Message     json.RawMessage `json:"message"`
}

func parseCrossrefEnvelope(body []byte, want string) (json.RawMessage, error) {
	b, err := jsonObject(body)
	if err != nil {
		return nil, err
	}
	var env crossrefEnvelope
	if err := json.Unmarshal(b, &env); err != nil {
		return nil, fmt.Errorf("unexpected JSON: %w", err)
	}
	if env.Status != "ok" {
		if m := jsonMessage(env.Message); m != "" {
			return nil, fmt.Errorf("Crossref status %q: %s", env.Status, m)
		}
		return nil, fmt.Errorf("Crossref status %q", env.Status)
	}
	if env.MessageType != want {
		return nil, notDocument(fmt.Sprintf("Crossref message-type %q, want %q", env.MessageType, want), b)
	}
	return env.Message, nil
}

// ParseCrossrefList reads one answer of a work list (/works, /journals/{issn}/works).
func ParseCrossrefList(body []byte) (*CrossrefPage, error) {
	raw, err := parseCrossrefEnvelope(body, "work-list")
	if err != nil {
		return nil, err
	}
	var m struct {
		Total      *int           `json:"total-results"`
		NextCursor string         `json:"next-cursor"`
		Items      []CrossrefWork `json:"items"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("unexpected work-list JSON: %w", err)
	}
	page := &CrossrefPage{Total: -1, NextCursor: m.NextCursor, Items: m.Items}
	if m.Total != nil {
		page.Total = *m.Total
	}
	return page, nil
}

// ParseCrossrefWork reads the answer of a single-work lookup (/works/{doi}).
func ParseCrossrefWork(body []byte) (*CrossrefWork, error) {
	raw, err := parseCrossrefEnvelope(body, "work")
	if err != nil {
		return nil, err
	}
	var w CrossrefWork
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("unexpected work JSON: %w", err)
	}
	return &w, nil
}

// CrossrefWork is the part of a Crossref work record paperfeed reads.
type CrossrefWork struct {
	DOI            string           `json:"DOI"`
	Type           string           `json:"type"`
	Title          []string         `json:"title"`
	Subtitle       []string         `json:"subtitle"`
	ContainerTitle []string         `json:"container-title"`
	Abstract       string           `json:"abstract"`
	Author         []CrossrefAuthor `json:"author"`
	Subject        []string         `json:"subject"`
	Volume         string           `json:"volume"`
	Issue          string           `json:"issue"`
	Page           string           `json:"page"`
	// Dates, in the order the published date is taken from them.
	PublishedOnline *CrossrefDate `json:"published-online"`
	PublishedPrint  *CrossrefDate `json:"published-print"`
	Issued          *CrossrefDate `json:"issued"`
	Posted          *CrossrefDate `json:"posted"`
	Resource        struct {
		Primary struct {
			URL string `json:"URL"`
		} `json:"primary"`
	} `json:"resource"`
	// Relation by type ("has-preprint", "is-preprint-of", ...).
	Relation map[string][]CrossrefRelation `json:"relation"`
}

// CrossrefAuthor is one contributor. ORCID is a URL (https://orcid.org/...).
type CrossrefAuthor struct {
	Given  string `json:"given"`
	Family string `json:"family"`
	Name   string `json:"name"` // organisations
	ORCID  string `json:"ORCID"`
}

// CrossrefRelation is one related identifier.
type CrossrefRelation struct {
	IDType string `json:"id-type"`
	ID     string `json:"id"`
}

// CrossrefDate is a partial date: date-parts [[year, month, day]], any of
// which may be missing or null.
type CrossrefDate struct {
	DateParts [][]*int `json:"date-parts"`
}

// Time is the date at UTC midnight, January or the 1st standing in for a
// missing month or day; ok is false without a year.
func (d *CrossrefDate) Time() (time.Time, bool) {
	if d == nil || len(d.DateParts) == 0 || len(d.DateParts[0]) == 0 || d.DateParts[0][0] == nil {
		return time.Time{}, false
	}
	parts := d.DateParts[0]
	y, m, day := *parts[0], 1, 1
	if len(parts) > 1 && parts[1] != nil && *parts[1] >= 1 && *parts[1] <= 12 {
		m = *parts[1]
		if len(parts) > 2 && parts[2] != nil && *parts[2] >= 1 && *parts[2] <= 31 {
			day = *parts[2]
		}
	}
	if y < 1000 || y > 9999 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC), true
}

// CrossrefItem converts one Crossref work; ok is false without a DOI or a
// title. The guid is doi:<DOI>. A "has-preprint" relation to an arXiv DOI sets
// the arXiv id, one to another DOI (bioRxiv, medRxiv, ...) is a version DOI, so
// that the journal version merges with its preprint; "is-preprint-of" (the
// work is the preprint) is a version DOI too, and names the journal version in
// the journal reference, as biorxiv does.
func CrossrefItem(w *CrossrefWork) (model.Item, bool) {
	doi := ident.NormalizeDOI(w.DOI)
	title := ""
	if len(w.Title) > 0 {
		title = markupText(w.Title[0])
	}
	if doi == "" || title == "" {
		return model.Item{}, false
	}
	if len(w.Subtitle) > 0 {
		if sub := markupText(w.Subtitle[0]); sub != "" && !strings.Contains(strings.ToLower(title), strings.ToLower(sub)) {
			title = strings.TrimRight(title, ":") + ": " + sub
		}
	}
	doiURL := "https://doi.org/" + doi
	it := model.Item{
		GUID:     "doi:" + doi,
		Link:     doiURL,
		Title:    title,
		Abstract: markupText(w.Abstract),
		DOI:      doi,
	}
	for _, a := range w.Author {
		if n := crossrefAuthorName(a); n != "" {
			it.Authors = append(it.Authors, n)
		}
	}
	for _, d := range []*CrossrefDate{w.PublishedOnline, w.PublishedPrint, w.Issued, w.Posted} {
		if t, ok := d.Time(); ok {
			it.Published = t
			break
		}
	}
	for _, c := range w.Subject {
		if c = plaintext.Collapse(c); c != "" {
			it.Categories = append(it.Categories, c)
		}
	}
	if len(w.ContainerTitle) > 0 {
		it.JournalRef = journalRef(markupText(w.ContainerTitle[0]), w.Volume, w.Issue, w.Page)
	}
	if land := strings.TrimSpace(w.Resource.Primary.URL); strings.HasPrefix(land, "http") && ident.NormalizeDOI(land) != doi {
		it.Links = append(it.Links, model.Link{Kind: model.LinkAbstract, URL: land})
	}
	it.Links = append(it.Links, model.Link{Kind: model.LinkDOI, URL: doiURL})
	for _, r := range w.Relation["has-preprint"] {
		crossrefPreprint(&it, r)
	}
	for _, r := range w.Relation["is-preprint-of"] {
		if j := ident.NormalizeDOI(r.ID); j != "" && j != doi && strings.EqualFold(r.IDType, "doi") {
			it.VersionDOIs = appendNew(it.VersionDOIs, j)
			if it.JournalRef == "" {
				it.JournalRef = "doi:" + j
			}
		}
	}
	return it, true
}

// crossrefPreprint records a has-preprint relation on it.
func crossrefPreprint(it *model.Item, r CrossrefRelation) {
	switch strings.ToLower(r.IDType) {
	case "arxiv":
		if id := ident.NormalizeArxivID(r.ID); id != "" && it.ArxivID == "" {
			it.ArxivID = id
		}
	case "doi":
		d := ident.NormalizeDOI(r.ID)
		if d == "" || d == it.DOI {
			return
		}
		if strings.HasPrefix(d, "10.48550/arxiv.") {
			if id := ident.NormalizeArxivID(d[len("10.48550/arxiv."):]); id != "" && it.ArxivID == "" {
				it.ArxivID = id
			}
			return
		}
		it.VersionDOIs = appendNew(it.VersionDOIs, d)
	}
}

// crossrefAuthorName is "Given Family", or the organisation's name.
func crossrefAuthorName(a CrossrefAuthor) string {
	given, family := plaintext.Unescape(a.Given), plaintext.Unescape(a.Family)
	switch {
	case family != "" && given != "":
		return given + " " + family
	case family != "":
		return family
	case given != "":
		return given
	}
	return plaintext.Unescape(a.Name)
}
