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
	openAlexAPI = "https://api.openalex.org"
	// openAlexBackfillPage is the page size of a backfill (the most OpenAlex serves).
	openAlexBackfillPage = 200
	// openAlexMaxPages bounds a normal pass.
	openAlexMaxPages = 10
	// openAlexMaxWords bounds the abstract rebuilt from an inverted index: a
	// position past it is not an abstract's.
	openAlexMaxWords = 20000
	// openAlexMinConceptScore is the score from which a concept is a category
	// (a work lists dozens, most barely related).
	openAlexMinConceptScore = 0.5
)

// openAlex lists the works of a filter or a search on the OpenAlex API,
// newest publication date first, by cursor.
type openAlex struct {
	base
	api      string
	filter   string
	search   string
	mailto   string
	days     int
	perPage  int
	backfill int
	bfPage   int
	maxPages int
	opts     Options
}

func newOpenAlex(c config.Source, o Options) (Source, error) {
	api, err := endpoint(c, openAlexAPI)
	if err != nil {
		return nil, err
	}
	return &openAlex{
		base: base{c.Name, c.Type}, api: strings.TrimRight(api, "/"), filter: strings.TrimSpace(c.Filter),
		search: strings.TrimSpace(c.Search), mailto: contact(c.Mailto, o.UserAgent), days: c.Days, perPage: c.PerPage,
		backfill: c.Backfill, bfPage: openAlexBackfillPage, maxPages: openAlexMaxPages, opts: o,
	}, nil
}

// pageURL is one page of the list; from, when not zero, bounds the publication date.
func (s *openAlex) pageURL(from time.Time, perPage int, cursor string) string {
	var filters []string
	if !from.IsZero() {
		filters = append(filters, "from_publication_date:"+from.Format("2006-01-02"))
	}
	if s.filter != "" {
		filters = append(filters, s.filter)
	}
	q := url.Values{}
	if len(filters) > 0 {
		q.Set("filter", strings.Join(filters, ","))
	}
	if s.search != "" {
		q.Set("search", s.search)
	}
	q.Set("sort", "publication_date:desc")
	q.Set("per_page", strconv.Itoa(perPage))
	q.Set("cursor", cursor)
	if s.mailto != "" {
		q.Set("mailto", s.mailto)
	}
	return s.api + "/works?" + q.Encode()
}

// Collect pages by cursor until next_cursor is null, a page is empty, the
// count is reached or the page bound. A backfill (once, when configured) drops
// the date bound and reads up to backfill works.
func (s *openAlex) Collect(ctx context.Context, f Fetcher, st *State) (*Result, error) {
	p := newPass(ctx, f, st)
	backfilling := s.backfill > 0 && !p.st.BackfillDone
	from := s.opts.now().AddDate(0, 0, -(s.days - 1))
	perPage, maxPages := s.perPage, s.maxPages
	if backfilling {
		from = time.Time{}
		perPage = min(s.bfPage, s.backfill)
		maxPages = (s.backfill+perPage-1)/perPage + 1
	}
	seen := map[string]bool{}
	var items []model.Item
	untitled, noID := 0, 0
	cursor, got, count := "*", 0, -1
	bar := s.opts.backfillProgress(s.name)
	for pages := 0; ; pages++ {
		if pages == maxPages {
			p.note("stopped after %d pages (%d of %d works)", pages, got, count)
			break
		}
		resp, err := p.get(fetch.Request{URL: s.pageURL(from, perPage, cursor), Accept: "application/json"}, pages == 0 && !backfilling)
		if err != nil {
			return nil, withUpstreamMessage("OpenAlex", err, resp)
		}
		if resp.NotModified {
			break
		}
		page, err := ParseOpenAlexList(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("OpenAlex works page %d: %w", pages+1, err)
		}
		count = page.Count
		for i := range page.Results {
			w := &page.Results[i]
			it, ok := OpenAlexItem(w)
			switch {
			case !ok && openAlexID(w.ID) == "":
				noID++
				continue
			case !ok:
				untitled++
				continue
			}
			if !seen[it.GUID] {
				seen[it.GUID] = true
				items = append(items, it)
			}
		}
		got += len(page.Results)
		if backfilling {
			want := s.backfill
			if count >= 0 {
				want = min(want, count)
			}
			bar.show(min(got, want), want)
		}
		if len(page.Results) == 0 || page.NextCursor == "" || (count >= 0 && got >= count) || (backfilling && got >= s.backfill) {
			break
		}
		cursor = page.NextCursor
	}
	if backfilling {
		bar.finish(min(got, s.backfill))
	}
	p.noteCount("skipped %d works without a title", untitled)
	p.noteCount("skipped %d results without an OpenAlex id (a select= without id?)", noID)
	return p.endBackfill(items, backfilling, "works"), nil
}

// OpenAlexPage is one page of an OpenAlex work list.
type OpenAlexPage struct {
	Count      int // meta.count; -1 when absent
	NextCursor string
	Results    []OpenAlexWork
}

// ParseOpenAlexList reads one answer of /works. A group_by answer, a single
// work or an error document is not a list.
func ParseOpenAlexList(body []byte) (*OpenAlexPage, error) {
	b, err := jsonObject(body)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Meta *struct {
			Count      *int    `json:"count"`
			NextCursor *string `json:"next_cursor"`
		} `json:"meta"`
		Results *[]OpenAlexWork `json:"results"`
		Error   string          `json:"error"`
		Message string          `json:"message"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("unexpected JSON: %w", err)
	}
	if doc.Error != "" {
		return nil, fmt.Errorf("OpenAlex error %q: %s", doc.Error, upstreamMessage(b))
	}
	if doc.Meta == nil || doc.Results == nil {
		return nil, notDocument("not an OpenAlex work list (no meta or no results)", b)
	}
	page := &OpenAlexPage{Count: -1, Results: *doc.Results}
	if doc.Meta.Count != nil {
		page.Count = *doc.Meta.Count
	}
	if doc.Meta.NextCursor != nil {
		page.NextCursor = *doc.Meta.NextCursor
	}
	return page, nil
}

// OpenAlexWork is the part of an OpenAlex work paperfeed reads.
type OpenAlexWork struct {
	ID              string             `json:"id"`
	DOI             string             `json:"doi"`
	Title           *string            `json:"title"`
	DisplayName     *string            `json:"display_name"`
	PublicationDate string             `json:"publication_date"`
	Type            string             `json:"type"`
	PrimaryLocation *OpenAlexLocation  `json:"primary_location"`
	Locations       []OpenAlexLocation `json:"locations"`
	Authorships     []struct {
		Author struct {
			DisplayName string `json:"display_name"`
			ORCID       string `json:"orcid"`
		} `json:"author"`
		RawAuthorName string `json:"raw_author_name"`
	} `json:"authorships"`
	Biblio struct {
		Volume    *string `json:"volume"`
		Issue     *string `json:"issue"`
		FirstPage *string `json:"first_page"`
		LastPage  *string `json:"last_page"`
	} `json:"biblio"`
	Topics []struct {
		DisplayName string `json:"display_name"`
	} `json:"topics"`
	Concepts []struct {
		DisplayName string  `json:"display_name"`
		Score       float64 `json:"score"`
	} `json:"concepts"`
	// AbstractInvertedIndex maps each word to its positions; null for many works.
	AbstractInvertedIndex map[string][]int `json:"abstract_inverted_index"`
}

// OpenAlexLocation is where a work is hosted.
type OpenAlexLocation struct {
	LandingPageURL string `json:"landing_page_url"`
	PDFURL         string `json:"pdf_url"`
	RawSourceName  string `json:"raw_source_name"`
	Source         *struct {
		DisplayName string `json:"display_name"`
		Type        string `json:"type"` // journal, repository, conference, ...
	} `json:"source"`
}

// openAlexID is "W3046863325" of "https://openalex.org/W3046863325", or "".
func openAlexID(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://openalex.org/"), "http://openalex.org/")
	if len(s) < 2 || s[0] != 'W' || strings.Trim(s[1:], "0123456789") != "" {
		return ""
	}
	return s
}

// OpenAlexItem converts one work; ok is false without an OpenAlex id or a
// title (OpenAlex writes "" or null for some). The guid is openalex:<W id>,
// the item's link its OpenAlex page. The arXiv id comes from an arxiv.org
// location or a 10.48550 DOI: OpenAlex has no arXiv field.
func OpenAlexItem(w *OpenAlexWork) (model.Item, bool) {
	id := openAlexID(w.ID)
	title := ""
	for _, t := range []*string{w.Title, w.DisplayName} {
		if t != nil && title == "" {
			title = markupText(*t)
		}
	}
	if id == "" || title == "" {
		return model.Item{}, false
	}
	it := model.Item{
		GUID:     "openalex:" + id,
		Link:     "https://openalex.org/" + id,
		Title:    title,
		Abstract: trimAbstractLabel(markupText(invertedAbstract(w.AbstractInvertedIndex))),
		DOI:      ident.NormalizeDOI(w.DOI),
	}
	for _, a := range w.Authorships {
		if n := plaintext.Unescape(firstNonEmpty(a.Author.DisplayName, a.RawAuthorName)); n != "" {
			it.Authors = append(it.Authors, n)
		}
	}
	if t, err := time.Parse("2006-01-02", strings.TrimSpace(w.PublicationDate)); err == nil {
		it.Published = t.UTC()
	}
	seen := map[string]bool{}
	addCat := func(c string) {
		if c = plaintext.Collapse(c); c != "" && !seen[strings.ToLower(c)] {
			seen[strings.ToLower(c)] = true
			it.Categories = append(it.Categories, c)
		}
	}
	for _, t := range w.Topics {
		addCat(t.DisplayName)
	}
	for _, c := range w.Concepts {
		if c.Score >= openAlexMinConceptScore {
			addCat(c.DisplayName)
		}
	}
	if strings.HasPrefix(it.DOI, "10.48550/arxiv.") {
		it.ArxivID = ident.NormalizeArxivID(it.DOI[len("10.48550/arxiv."):])
	}
	for _, l := range w.Locations {
		if it.ArxivID != "" {
			break
		}
		for _, u := range []string{l.LandingPageURL, l.PDFURL} {
			if isArxivURL(u) {
				if a := ident.FindArxivID(u); a != "" {
					it.ArxivID = a
					break
				}
			}
		}
	}
	if pl := w.PrimaryLocation; pl != nil {
		if pl.Source != nil && pl.Source.Type != "repository" {
			it.JournalRef = journalRef(plaintext.Collapse(pl.Source.DisplayName), deref(w.Biblio.Volume), deref(w.Biblio.Issue), pages(deref(w.Biblio.FirstPage), deref(w.Biblio.LastPage)))
		}
		if land := strings.TrimSpace(pl.LandingPageURL); strings.HasPrefix(land, "http") && ident.NormalizeDOI(land) != it.DOI {
			it.Links = append(it.Links, model.Link{Kind: model.LinkAbstract, URL: land})
		}
		if pdf := strings.TrimSpace(pl.PDFURL); strings.HasPrefix(pdf, "http") {
			it.Links = append(it.Links, model.Link{Kind: model.LinkPDF, URL: pdf})
		}
	}
	if it.DOI != "" {
		it.Links = append(it.Links, model.Link{Kind: model.LinkDOI, URL: "https://doi.org/" + it.DOI})
	}
	return it, true
}

// invertedAbstract rebuilds the text of an abstract_inverted_index (word ->
// positions). Gaps stay gaps; an index with a position past openAlexMaxWords
// is not trusted and gives "".
func invertedAbstract(idx map[string][]int) string {
	if len(idx) == 0 {
		return ""
	}
	n := 0
	for _, ps := range idx {
		for _, p := range ps {
			if p < 0 || p >= openAlexMaxWords {
				return ""
			}
			n = max(n, p+1)
		}
	}
	words := make([]string, n)
	for w, ps := range idx {
		for _, p := range ps {
			words[p] = w
		}
	}
	return strings.Join(words, " ")
}

// trimAbstractLabel drops the word "Abstract" that opens many rebuilt
// abstracts (the heading of the publisher's page, indexed as a word).
func trimAbstractLabel(s string) string {
	rest, ok := strings.CutPrefix(s, "Abstract ")
	if ok && rest != "" && strings.ToUpper(rest[:1]) == rest[:1] {
		return rest
	}
	return s
}

func isArxivURL(u string) bool {
	h, err := url.Parse(strings.TrimSpace(u))
	if err != nil {
		return false
	}
	host := strings.ToLower(h.Hostname())
	return host == "arxiv.org" || strings.HasSuffix(host, ".arxiv.org")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// pages is "first-last", "first", or "".
func pages(first, last string) string {
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if first != "" && last != "" && last != first {
		return first + "-" + last
	}
	return first
}
