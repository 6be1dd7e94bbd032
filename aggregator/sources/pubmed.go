package sources

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/net/html/charset"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/aggregator/ident"
	"github.com/paperfeed/paperfeed/aggregator/plaintext"
	"github.com/paperfeed/paperfeed/db/model"
)

const (
	pubmedAPI = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
	// pubmedBatch is the most articles one efetch asks for.
	pubmedBatch = 200
	// pubmedMaxBatches bounds a normal pass (2000 articles).
	pubmedMaxBatches = 10
	// PubmedKeyEnv is the environment variable that holds the NCBI API key
	// when the config has none.
	PubmedKeyEnv = "PAPERFEED_NCBI_API_KEY"
)

// pubmed runs a PubMed search with esearch (usehistory=y) and fetches the
// articles with efetch in batches through the WebEnv/query_key it got.
type pubmed struct {
	base
	api        string
	term       string
	days       int
	apiKey     string
	email      string
	tool       string
	backfill   int
	batch      int
	maxBatches int
	opts       Options
}

func newPubmed(c config.Source, o Options) (Source, error) {
	api, err := endpoint(c, pubmedAPI)
	if err != nil {
		return nil, err
	}
	key := strings.TrimSpace(c.APIKey)
	if key == "" {
		key = strings.TrimSpace(os.Getenv(PubmedKeyEnv))
	}
	return &pubmed{
		base: base{c.Name, c.Type}, api: strings.TrimRight(api, "/"), term: strings.TrimSpace(c.Term), days: c.Days,
		apiKey: key, email: contact(c.Email, o.UserAgent), tool: c.Tool, backfill: c.Backfill,
		batch: pubmedBatch, maxBatches: pubmedMaxBatches, opts: o,
	}, nil
}

// group is the politeness group of the source's requests: NCBI allows 3
// requests a second per address, 10 with an API key.
func (s *pubmed) group() string {
	if s.apiKey != "" {
		return fetch.NCBIKeyGroup
	}
	return fetch.NCBIGroup
}

// common are the parameters of every E-utilities request.
func (s *pubmed) common() url.Values {
	q := url.Values{}
	q.Set("db", "pubmed")
	if s.tool != "" {
		q.Set("tool", s.tool)
	}
	if s.email != "" {
		q.Set("email", s.email)
	}
	if s.apiKey != "" {
		q.Set("api_key", s.apiKey)
	}
	return q
}

// searchURL is the esearch that stores the result set on the history server;
// a backfill has no date bound.
func (s *pubmed) searchURL(backfilling bool) string {
	q := s.common()
	q.Set("term", s.term)
	q.Set("usehistory", "y")
	q.Set("retmax", "0")
	if !backfilling {
		q.Set("datetype", "edat")
		q.Set("reldate", strconv.Itoa(s.days))
	}
	return s.api + "/esearch.fcgi?" + q.Encode()
}

func (s *pubmed) fetchURL(h *pubmedSearch, start, n int) string {
	q := s.common()
	q.Set("query_key", h.QueryKey)
	q.Set("WebEnv", h.WebEnv)
	q.Set("retstart", strconv.Itoa(start))
	q.Set("retmax", strconv.Itoa(n))
	q.Set("rettype", "abstract")
	q.Set("retmode", "xml")
	return s.api + "/efetch.fcgi?" + q.Encode()
}

// Collect searches, then fetches the hits in batches until the count, a batch
// that brings nothing, or the batch bound. A backfill (once, when configured)
// drops the date bound and fetches up to backfill articles.
func (s *pubmed) Collect(ctx context.Context, f Fetcher, st *State) (*Result, error) {
	p := newPass(ctx, f, st)
	backfilling := s.backfill > 0 && !p.st.BackfillDone
	// The search is never conditional: each answer names a new WebEnv.
	resp, err := p.get(fetch.Request{URL: s.searchURL(backfilling), Accept: "application/xml", Group: s.group()}, false)
	if err != nil {
		return nil, withUpstreamMessage("PubMed esearch", err, resp)
	}
	h, err := parsePubmedSearch(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("PubMed esearch: %w", err)
	}
	for _, w := range h.problems() {
		p.note("PubMed esearch: %s", w)
	}
	target, maxBatches := h.Count, s.maxBatches
	if backfilling {
		target = min(h.Count, s.backfill)
		maxBatches = (target+s.batch-1)/s.batch + 1
	}
	seen := map[string]bool{}
	var items []model.Item
	skipped, books, fetched := 0, 0, 0
	bar := s.opts.backfillProgress(s.name)
	for start, batches := 0, 0; start < target; batches++ {
		if batches == maxBatches {
			p.note("stopped after %d batches (%d of %d articles)", batches, start, h.Count)
			break
		}
		n := min(s.batch, target-start)
		resp, err := p.get(fetch.Request{URL: s.fetchURL(h, start, n), Accept: "application/xml", Group: s.group()}, false)
		if err != nil {
			return nil, withUpstreamMessage("PubMed efetch", err, resp)
		}
		set, err := ParsePubmedArticles(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("PubMed efetch retstart=%d: %w", start, err)
		}
		books += set.Books
		for i := range set.Articles {
			it, ok := PubmedItem(&set.Articles[i])
			if !ok {
				skipped++
				continue
			}
			if !seen[it.GUID] {
				seen[it.GUID] = true
				items = append(items, it)
			}
		}
		if backfilling {
			bar.show(start+n, target)
		}
		fetched = min(start+n, target)
		if len(set.Articles)+set.Books == 0 {
			p.note("efetch at retstart=%d brought nothing (count %d); stopped", start, h.Count)
			break
		}
		// Positions are the history's: a short batch (records withdrawn since
		// the search) does not shift the next one.
		start += n
	}
	if backfilling {
		bar.finish(fetched)
	}
	p.noteCount("skipped %d articles without a PMID or a title", skipped)
	p.noteCount("skipped %d book records (PubmedBookArticle)", books)
	return p.endBackfill(items, backfilling, "articles"), nil
}

// pubmedSearch is an eSearchResult.
type pubmedSearch struct {
	XMLName   xml.Name `xml:"eSearchResult"`
	Count     int      `xml:"Count"`
	QueryKey  string   `xml:"QueryKey"`
	WebEnv    string   `xml:"WebEnv"`
	Errors    []string `xml:"ERROR"`
	ErrorList struct {
		Items []pubmedMessage `xml:",any"`
	} `xml:"ErrorList"`
	WarningList struct {
		Items []pubmedMessage `xml:",any"`
	} `xml:"WarningList"`
}

// pubmedMessage is one entry of an ErrorList or WarningList
// (<PhraseNotFound>abcXYZ</PhraseNotFound>, <OutputMessage>No items found.</OutputMessage>).
type pubmedMessage struct {
	XMLName xml.Name
	Text    string `xml:",chardata"`
}

func (m pubmedMessage) String() string {
	t := plaintext.Collapse(m.Text)
	switch m.XMLName.Local {
	case "PhraseNotFound":
		return "phrase not found: " + t
	case "FieldNotFound":
		return "field not found: " + t
	case "PhraseIgnored":
		return "phrase ignored: " + t
	case "QuotedPhraseNotFound":
		return "quoted phrase not found: " + t
	case "OutputMessage":
		return t
	}
	return m.XMLName.Local + ": " + t
}

// problems are the ErrorList and WarningList entries, for the pass's notes.
func (h *pubmedSearch) problems() []string {
	var out []string
	for _, m := range append(h.ErrorList.Items, h.WarningList.Items...) {
		out = append(out, m.String())
	}
	return out
}

// pubmedErrorDoc is any E-utilities answer that carries <ERROR>s (esearch,
// efetch and epost all use it).
type pubmedErrorDoc struct {
	XMLName xml.Name
	Errors  []string `xml:"ERROR"`
}

// pubmedDecode decodes an E-utilities XML answer into v, after checking that
// it is XML and carries no <ERROR>.
func pubmedDecode(body []byte, v any) error {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return errors.New("empty body")
	}
	if b[0] != '<' {
		return notDocument("not XML", b)
	}
	var ed pubmedErrorDoc
	if err := newPubmedDecoder(b).Decode(&ed); err != nil {
		return notDocument(fmt.Sprintf("not XML: %v", err), b)
	}
	if len(ed.Errors) > 0 {
		msgs := make([]string, len(ed.Errors))
		for i, e := range ed.Errors {
			msgs[i] = plaintext.Collapse(e)
		}
		return fmt.Errorf("NCBI error: %s", strings.Join(msgs, "; "))
	}
	if err := newPubmedDecoder(b).Decode(v); err != nil {
		return notDocument(fmt.Sprintf("unexpected XML (<%s>): %v", ed.XMLName.Local, err), b)
	}
	return nil
}

func newPubmedDecoder(b []byte) *xml.Decoder {
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.CharsetReader = charset.NewReaderLabel
	// NCBI's DTDs declare no entities beyond XML's; the DOCTYPE is not fetched.
	dec.Strict = true
	return dec
}

// parsePubmedSearch reads an esearch answer. Zero hits with an ErrorList (a
// phrase PubMed does not know) is an error: the term is wrong, not quiet.
func parsePubmedSearch(body []byte) (*pubmedSearch, error) {
	var h pubmedSearch
	if err := pubmedDecode(body, &h); err != nil {
		return nil, err
	}
	if h.Count == 0 {
		if len(h.ErrorList.Items) > 0 {
			return nil, fmt.Errorf("no hits: %s", strings.Join(h.problems(), "; "))
		}
		return &h, nil
	}
	if h.WebEnv == "" || h.QueryKey == "" {
		return nil, fmt.Errorf("%d hits but no WebEnv/QueryKey (usehistory=y not honoured)", h.Count)
	}
	return &h, nil
}

// PubmedArticles is an efetch answer.
type PubmedArticles struct {
	Articles []PubmedArticle
	// Books counts the PubmedBookArticle records, which are not papers' listings.
	Books int
}

// ParsePubmedArticles reads an efetch answer (a PubmedArticleSet), or a
// single PubmedArticle element.
func ParsePubmedArticles(body []byte) (*PubmedArticles, error) {
	var set struct {
		XMLName  xml.Name
		Articles []PubmedArticle `xml:"PubmedArticle"`
		Books    []struct{}      `xml:"PubmedBookArticle"`
	}
	if err := pubmedDecode(body, &set); err != nil {
		return nil, err
	}
	switch set.XMLName.Local {
	case "PubmedArticleSet":
		return &PubmedArticles{Articles: set.Articles, Books: len(set.Books)}, nil
	case "PubmedArticle":
		var one PubmedArticle
		if err := newPubmedDecoder(bytes.TrimSpace(body)).Decode(&one); err != nil {
			return nil, fmt.Errorf("unexpected XML: %w", err)
		}
		return &PubmedArticles{Articles: []PubmedArticle{one}}, nil
	}
	return nil, notDocument(fmt.Sprintf("<%s>, want a PubmedArticleSet", set.XMLName.Local), body)
}

// PubmedArticle is the part of a PubmedArticle record paperfeed reads.
// Marked-up fields keep their inner XML (<i>, <sub>, MathML).
type PubmedArticle struct {
	PMID    string `xml:"MedlineCitation>PMID"`
	Article struct {
		Journal struct {
			Title        string `xml:"Title"`
			JournalIssue struct {
				Volume  string     `xml:"Volume"`
				Issue   string     `xml:"Issue"`
				PubDate pubmedDate `xml:"PubDate"`
			} `xml:"JournalIssue"`
		} `xml:"Journal"`
		Title struct {
			Inner string `xml:",innerxml"`
		} `xml:"ArticleTitle"`
		Pages       string `xml:"Pagination>MedlinePgn"`
		ELocationID []struct {
			Type  string `xml:"EIdType,attr"`
			Value string `xml:",chardata"`
		} `xml:"ELocationID"`
		Abstract []struct {
			Label       string `xml:"Label,attr"`
			NlmCategory string `xml:"NlmCategory,attr"`
			Inner       string `xml:",innerxml"`
		} `xml:"Abstract>AbstractText"`
		Authors []struct {
			LastName       string `xml:"LastName"`
			ForeName       string `xml:"ForeName"`
			Initials       string `xml:"Initials"`
			CollectiveName struct {
				Inner string `xml:",innerxml"`
			} `xml:"CollectiveName"`
		} `xml:"AuthorList>Author"`
		ArticleDate []pubmedDate `xml:"ArticleDate"`
	} `xml:"MedlineCitation>Article"`
	MeSH     []string `xml:"MedlineCitation>MeshHeadingList>MeshHeading>DescriptorName"`
	Keywords []string `xml:"MedlineCitation>KeywordList>Keyword"`
	IDs      []struct {
		Type  string `xml:"IdType,attr"`
		Value string `xml:",chardata"`
	} `xml:"PubmedData>ArticleIdList>ArticleId"`
}

// pubmedDate is an ArticleDate or a PubDate: Year/Month/Day, Year/Season, or
// a free MedlineDate ("2019 May/Jun", "1998 Dec-1999 Jan").
type pubmedDate struct {
	Year        string `xml:"Year"`
	Month       string `xml:"Month"`
	Day         string `xml:"Day"`
	Season      string `xml:"Season"`
	MedlineDate string `xml:"MedlineDate"`
}

var (
	medlineDateRE = regexp.MustCompile(`^\s*(\d{4})(?:\s+([A-Za-z]{3,}|\d{1,2}))?(?:\s+(\d{1,2})\b)?`)
	seasonMonth   = map[string]int{"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}
)

// Time is the date at UTC midnight; a missing month or day is the 1st, a
// season its first month; ok is false without a year.
func (d pubmedDate) Time() (time.Time, bool) {
	year, month, day := strings.TrimSpace(d.Year), strings.TrimSpace(d.Month), strings.TrimSpace(d.Day)
	if year == "" {
		m := medlineDateRE.FindStringSubmatch(d.MedlineDate)
		if m == nil {
			return time.Time{}, false
		}
		year, month, day = m[1], m[2], m[3]
	}
	y, err := strconv.Atoi(year)
	if err != nil || y < 1000 || y > 9999 {
		return time.Time{}, false
	}
	mo := pubmedMonth(month)
	if mo == 0 {
		mo = seasonMonth[strings.ToLower(strings.TrimSpace(d.Season))]
	}
	dd, _ := strconv.Atoi(day)
	if mo == 0 {
		mo, dd = 1, 1
	}
	if dd < 1 || dd > 31 {
		dd = 1
	}
	return time.Date(y, time.Month(mo), dd, 0, 0, 0, 0, time.UTC), true
}

// pubmedMonth reads "06", "6", "Jun" or "June"; 0 when it is none of them.
func pubmedMonth(s string) int {
	if n, err := strconv.Atoi(s); err == nil {
		if n >= 1 && n <= 12 {
			return n
		}
		return 0
	}
	if len(s) >= 3 {
		if t, err := time.Parse("Jan", strings.ToUpper(s[:1])+strings.ToLower(s[1:3])); err == nil {
			return int(t.Month())
		}
	}
	return 0
}

// PubmedItem converts one article; ok is false without a PMID or a title. The
// guid is pmid:<PMID>, the link the PubMed page.
func PubmedItem(a *PubmedArticle) (model.Item, bool) {
	pmid := strings.TrimSpace(a.PMID)
	title := markupText(a.Article.Title.Inner)
	if pmid == "" || strings.Trim(pmid, "0123456789") != "" || title == "" {
		return model.Item{}, false
	}
	page := "https://pubmed.ncbi.nlm.nih.gov/" + pmid + "/"
	it := model.Item{GUID: "pmid:" + pmid, Link: page, Title: title}
	var parts []string
	for _, t := range a.Article.Abstract {
		text := markupText(t.Inner)
		if text == "" {
			continue
		}
		if l := pubmedLabel(firstNonEmpty(t.Label, t.NlmCategory)); l != "" {
			text = l + ": " + text
		}
		parts = append(parts, text)
	}
	it.Abstract = strings.Join(parts, " ")
	for _, au := range a.Article.Authors {
		name := markupText(au.CollectiveName.Inner)
		if last := plaintext.Collapse(au.LastName); last != "" {
			name = strings.TrimSpace(plaintext.Collapse(firstNonEmpty(au.ForeName, au.Initials)) + " " + last)
		}
		if name != "" {
			it.Authors = append(it.Authors, name)
		}
	}
	for _, d := range append(append([]pubmedDate(nil), a.Article.ArticleDate...), a.Article.Journal.JournalIssue.PubDate) {
		if t, ok := d.Time(); ok {
			it.Published = t
			break
		}
	}
	var pmc string
	for _, id := range a.IDs {
		switch strings.ToLower(id.Type) {
		case "doi":
			if it.DOI == "" {
				it.DOI = ident.NormalizeDOI(id.Value)
			}
		case "pmc":
			if v := strings.ToUpper(strings.TrimSpace(id.Value)); pmc == "" && strings.HasPrefix(v, "PMC") {
				pmc = v
			}
		}
	}
	for _, e := range a.Article.ELocationID {
		if it.DOI == "" && strings.EqualFold(e.Type, "doi") {
			it.DOI = ident.NormalizeDOI(e.Value)
		}
	}
	cats := a.MeSH
	if len(cats) == 0 {
		cats = a.Keywords
	}
	seen := map[string]bool{}
	for _, c := range cats {
		if c = markupText(c); c != "" && !seen[strings.ToLower(c)] {
			seen[strings.ToLower(c)] = true
			it.Categories = append(it.Categories, c)
		}
	}
	j := a.Article.Journal
	it.JournalRef = journalRef(plaintext.Collapse(j.Title), j.JournalIssue.Volume, j.JournalIssue.Issue, a.Article.Pages)
	it.Links = []model.Link{{Kind: model.LinkAbstract, URL: page}}
	if it.DOI != "" {
		it.Links = append(it.Links, model.Link{Kind: model.LinkDOI, URL: "https://doi.org/" + it.DOI})
	}
	if pmc != "" {
		it.Links = append(it.Links, model.Link{Kind: model.LinkFullText, URL: "https://pmc.ncbi.nlm.nih.gov/articles/" + pmc + "/"})
	}
	return it, true
}

// pubmedLabel is a structured abstract's label as a heading: "BACKGROUND" is
// "Background"; "UNLABELLED" (NLM's placeholder) is none.
func pubmedLabel(l string) string {
	l = plaintext.Collapse(l)
	if l == "" || strings.EqualFold(l, "UNLABELLED") || strings.EqualFold(l, "UNASSIGNED") {
		return ""
	}
	if strings.IndexFunc(l, unicode.IsLower) < 0 {
		r := []rune(strings.ToLower(l))
		r[0] = unicode.ToUpper(r[0])
		l = string(r)
	}
	return strings.TrimRight(l, ":")
}
