package sources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
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
	biorxivAPI = "https://api.biorxiv.org"
	// biorxivMaxPages bounds a pass (the API serves 100 records a page).
	biorxivMaxPages = 50
)

// biorxiv reads the details endpoint of api.biorxiv.org for bioRxiv or medRxiv:
// every version posted in the last days days (UTC, today included), optionally
// of one category.
type biorxiv struct {
	base
	server   string // "biorxiv" or "medrxiv"
	api      string
	days     int
	category string
	maxPages int
	opts     Options
}

func newBiorxiv(c config.Source, o Options) (Source, error) {
	api, err := endpoint(c, biorxivAPI)
	if err != nil {
		return nil, err
	}
	return &biorxiv{
		base: base{c.Name, c.Type}, server: c.Type, api: strings.TrimRight(api, "/"), days: c.Days,
		category: strings.TrimSpace(c.Category), maxPages: biorxivMaxPages, opts: o,
	}, nil
}

// pageURL is https://api.biorxiv.org/details/{server}/{from}/{to}/{cursor}[?category=a%20b].
func (s *biorxiv) pageURL(from, to time.Time, cursor int) string {
	u := fmt.Sprintf("%s/details/%s/%s/%s/%d", s.api, s.server, from.Format("2006-01-02"), to.Format("2006-01-02"), cursor)
	if s.category != "" {
		u += "?category=" + strings.ReplaceAll(url.QueryEscape(s.category), "+", "%20")
	}
	return u
}

func (s *biorxiv) Collect(ctx context.Context, f Fetcher, st *State) (*Result, error) {
	p := newPass(ctx, f, st)
	to := s.opts.now()
	from := to.AddDate(0, 0, -(s.days - 1))
	byDOI := map[string]int{} // index in items
	var items []model.Item
	var versions []int
	cursor, total := 0, -1
	for pages := 0; ; pages++ {
		if pages == s.maxPages {
			p.note("stopped after %d pages (%d of %d records)", pages, cursor, total)
			break
		}
		resp, err := p.get(fetch.Request{URL: s.pageURL(from, to, cursor), Accept: "application/json"}, true)
		if err != nil {
			return nil, err
		}
		if resp.NotModified {
			if cursor == 0 {
				// The first page carries the total: unchanged means nothing new.
				return p.finish(), nil
			}
			p.note("page at cursor %d unchanged; stopped", cursor)
			break
		}
		page, err := parseBiorxiv(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("%s details cursor %d: %w", s.server, cursor, err)
		}
		if page.total >= 0 {
			total = page.total
		}
		for i := range page.records {
			it, ver, ok := biorxivItem(&page.records[i], s.server)
			if !ok {
				continue
			}
			// Several versions in the window: keep the latest.
			if j, dup := byDOI[it.DOI]; dup {
				if ver > versions[j] {
					items[j], versions[j] = it, ver
				}
				continue
			}
			byDOI[it.DOI] = len(items)
			items = append(items, it)
			versions = append(versions, ver)
		}
		cursor += len(page.records)
		if len(page.records) == 0 || total < 0 || cursor >= total {
			break
		}
	}
	p.res.Items = items
	return p.finish(), nil
}

// flexInt reads a JSON number, a numeric string or "" (api.biorxiv.org writes
// "total":"18" next to "count":18).
type flexInt int

func (n *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	if s == "" || s == "null" {
		*n = -1
		return nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("not a number: %s", b)
	}
	*n = flexInt(v)
	return nil
}

type biorxivRecord struct {
	DOI      string `json:"doi"`
	Title    string `json:"title"`
	Authors  string `json:"authors"`
	Date     string `json:"date"`
	Version  string `json:"version"`
	Type     string `json:"type"`
	Category string `json:"category"`
	Abstract string `json:"abstract"`
	// Published is "NA" or the DOI of the journal version.
	Published string `json:"published"`
	Server    string `json:"server"`
	// funder (an array or "NA") and the rest are not read.
}

type biorxivPage struct {
	total   int
	records []biorxivRecord
}

// parseBiorxiv reads one page. "no posts found" is an empty page, not an error.
func parseBiorxiv(body []byte) (*biorxivPage, error) {
	b, err := jsonObject(body)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Messages []struct {
			Status string   `json:"status"`
			Count  *flexInt `json:"count"`
			Total  *flexInt `json:"total"`
		} `json:"messages"`
		Collection *[]biorxivRecord `json:"collection"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("unexpected JSON: %w", err)
	}
	if len(doc.Messages) == 0 {
		return nil, notDocument("unexpected JSON: no messages", b)
	}
	m := doc.Messages[0]
	status := strings.ToLower(strings.TrimSpace(m.Status))
	page := &biorxivPage{total: -1}
	if doc.Collection != nil {
		page.records = *doc.Collection
	}
	switch {
	case status == "ok":
		if doc.Collection == nil {
			return nil, errors.New("unexpected JSON: status ok but no collection")
		}
		switch {
		case m.Total != nil && *m.Total >= 0:
			page.total = int(*m.Total)
		case m.Count != nil && *m.Count >= 0:
			page.total = int(*m.Count)
		}
	case strings.Contains(status, "no posts found"):
		page.total = 0
		page.records = nil
	default:
		return nil, fmt.Errorf("upstream status %q", m.Status)
	}
	return page, nil
}

// biorxivItem converts one record; ok is false without a DOI or a title.
// The GUID is the version-less DOI, so a new version refreshes the same
// sighting; the link is that version's landing page.
func biorxivItem(r *biorxivRecord, server string) (it model.Item, version int, ok bool) {
	doi := ident.NormalizeDOI(r.DOI)
	title := cleanBiorxivText(r.Title)
	if doi == "" || title == "" {
		return it, 0, false
	}
	version, _ = strconv.Atoi(strings.TrimSpace(r.Version))
	host := "www.biorxiv.org"
	if strings.EqualFold(strings.TrimSpace(r.Server), "medrxiv") || (r.Server == "" && server == "medrxiv") {
		host = "www.medrxiv.org"
	}
	link := "https://" + host + "/content/" + doi
	if version > 0 {
		link += "v" + strconv.Itoa(version)
	}
	it = model.Item{
		GUID:     "doi:" + doi,
		Link:     link,
		Title:    title,
		Abstract: cleanBiorxivText(r.Abstract),
		Authors:  splitBiorxivAuthors(r.Authors),
		DOI:      doi,
		Links: []model.Link{
			{Kind: model.LinkAbstract, URL: link},
			{Kind: model.LinkPDF, URL: link + ".full.pdf"},
			{Kind: model.LinkDOI, URL: "https://doi.org/" + doi},
		},
	}
	if t, err := time.Parse("2006-01-02", strings.TrimSpace(r.Date)); err == nil {
		it.Published = t.UTC()
	}
	if c := plaintext.Collapse(r.Category); c != "" {
		it.Categories = []string{strings.ToLower(c)}
	}
	if j := ident.NormalizeDOI(r.Published); j != "" && j != doi {
		it.JournalRef = "doi:" + j
		it.VersionDOIs = []string{j}
	}
	return it, version, true
}

// splitBiorxivAuthors turns "Last, F.; Last, F. G." into ["F. Last", "F. G. Last"];
// a name without a comma (a consortium) is kept as written.
func splitBiorxivAuthors(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ";") {
		part = plaintext.Unescape(part)
		last, given, found := strings.Cut(part, ",")
		last, given = strings.TrimSpace(last), strings.TrimSpace(given)
		name := last
		if found && given != "" {
			name = given + " " + last
		}
		if name = strings.Trim(name, " ,"); name != "" {
			out = append(out, name)
		}
	}
	return out
}

var (
	// JATS conversion markers of bioRxiv/medRxiv abstracts: section titles,
	// list items, figures and tables open (O_) and close (C_) like this.
	jatsBlockRE  = regexp.MustCompile(`[OC]_(?:ST_ABS|LI|FIG|TBL|FLOATNO|LINKGRAPHIC|UL|OL|NL)`)
	jatsInlineRE = regexp.MustCompile(`[OC]_(?:SCPLOW|SCPCAP|SUP|SUB|ITALIC|BOLD)`)
	// Structured-abstract headings glued to their paragraph ("BackgroundThe ...").
	headingRE = regexp.MustCompile(`(^|\n\s*)(Background|Introduction|Objectives?|Aims?|Purpose|Importance|Methods?|Design|Setting|Participants|Findings|Results|Interpretation|Conclusions?|Funding|Highlights)([A-Z][a-z])`)
	greekRE   = regexp.MustCompile(`\{([A-Za-z]+)\}`)
	tagRE     = regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>`)
	greek     = map[string]string{
		"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ",
		"eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ",
		"nu": "ν", "xi": "ξ", "omicron": "ο", "pi": "π", "rho": "ρ", "sigma": "σ",
		"tau": "τ", "upsilon": "υ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
		"Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
		"Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
	}
)

// cleanBiorxivText removes JATS conversion markers, turns {beta}-style
// placeholders into Greek letters, drops markup when there is some, and
// collapses whitespace (paragraph breaks included).
func cleanBiorxivText(s string) string {
	s = headingRE.ReplaceAllString(s, "$1$2: $3")
	s = jatsBlockRE.ReplaceAllString(s, " ")
	s = jatsInlineRE.ReplaceAllString(s, "")
	s = greekRE.ReplaceAllStringFunc(s, func(m string) string {
		if g, ok := greek[m[1:len(m)-1]]; ok {
			return g
		}
		return m
	})
	if tagRE.MatchString(s) {
		return plaintext.FromHTML(s)
	}
	return plaintext.Unescape(s)
}
