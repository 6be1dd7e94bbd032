package config

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/paperfeed/paperfeed/aggregator/redact"
)

// Source is one [[source]] entry. Type-specific options live beside the common ones;
// which type takes which option, its default and its range are declared once, in
// sourceTypes below: Check applies them for the config check, and package sources
// builds each source from the entry Check filled in.
type Source struct {
	Name     string   `toml:"name"`
	Type     string   `toml:"type"`
	URL      string   `toml:"url"`
	Interval Duration `toml:"interval"`

	// arxiv (RSS): categories joined with "+"; announce types kept.
	Categories []string `toml:"categories"`
	Announce   []string `toml:"announce"`
	// arxiv-api
	Query      string `toml:"query"`
	MaxResults int    `toml:"max_results"`
	Backfill   int    `toml:"backfill"`
	// huggingface, biorxiv, medrxiv
	Days int `toml:"days"`
	// biorxiv, medrxiv
	Category string `toml:"category"`
	// crossref: journals by ISSN, and the Crossref work type (not "type",
	// which names the source type).
	ISSN     []string `toml:"issn"`
	WorkType string   `toml:"work_type"`
	// crossref, openalex: the upstream's filter syntax and the polite-pool address.
	Filter string `toml:"filter"`
	Mailto string `toml:"mailto"`
	// openalex
	Search  string `toml:"search"`
	PerPage int    `toml:"per_page"`
	// pubmed. APIKey is a secret: never printed (URLs carrying it are redacted).
	Term   string `toml:"term"`
	APIKey string `toml:"api_key"`
	Email  string `toml:"email"`
	Tool   string `toml:"tool"`
}

// SourceType is what one source type takes: its type-specific options and what
// an entry of the type must have.
type SourceType struct {
	Name    string
	Options []SourceOption
	// missing names what an entry lacks to be built ("" when nothing).
	missing func(*Source) string
}

// Option returns the type's option named key.
func (t SourceType) Option(key string) (SourceOption, bool) {
	for _, o := range t.Options {
		if o.Key() == key {
			return o, true
		}
	}
	return nil, false
}

// SourceOption is a type-specific [[source]] option.
type SourceOption interface {
	Key() string
	// Doc is the default (and range) as the README's Sources tables show it;
	// "" when the option has no default.
	Doc() string
	set(*Source) bool
	// fill sets the default of an unset option.
	fill(*Source)
	// problems are the option's invalid values, each naming the option and the value.
	problems(*Source) []string
}

// IntOption is an integer option: zero means unset and takes Default, any other
// value must lie in Min..Max.
type IntOption struct {
	Name              string
	Default, Min, Max int
	field             func(*Source) *int
}

func (o IntOption) Key() string        { return o.Name }
func (o IntOption) Doc() string        { return fmt.Sprintf("%d (%d..%d)", o.Default, o.Min, o.Max) }
func (o IntOption) set(s *Source) bool { return *o.field(s) != 0 }

func (o IntOption) fill(s *Source) {
	if v := o.field(s); *v == 0 {
		*v = o.Default
	}
}

func (o IntOption) problems(s *Source) []string {
	if v := *o.field(s); v < o.Min || v > o.Max {
		return []string{fmt.Sprintf("%s = %d: want %d..%d", o.Name, v, o.Min, o.Max)}
	}
	return nil
}

// ListOption is a list of words: empty means unset and takes Default; when
// Values is set, every word must be one of them.
type ListOption struct {
	Name    string
	Default []string
	Values  []string
	// Word, when set, checks each word: it returns what is wrong ("" when nothing).
	Word  func(string) string
	field func(*Source) *[]string
}

func (o ListOption) Key() string        { return o.Name }
func (o ListOption) set(s *Source) bool { return len(*o.field(s)) > 0 }

func (o ListOption) Doc() string {
	if o.Default == nil {
		return ""
	}
	quoted := make([]string, len(o.Default))
	for i, v := range o.Default {
		quoted[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

func (o ListOption) fill(s *Source) {
	if v := o.field(s); len(*v) == 0 && o.Default != nil {
		*v = slices.Clone(o.Default)
	}
}

func (o ListOption) problems(s *Source) []string {
	var probs []string
	for _, v := range *o.field(s) {
		if o.Values != nil && !slices.Contains(o.Values, v) {
			probs = append(probs, fmt.Sprintf("%s: %q is not one of %s", o.Name, v, strings.Join(o.Values, ", ")))
		}
		if o.Word != nil {
			if p := o.Word(v); p != "" {
				probs = append(probs, fmt.Sprintf("%s: %q %s", o.Name, v, p))
			}
		}
	}
	return probs
}

// TextOption is a string: empty means unset and takes Default; when Check is
// set, a set value must pass it.
type TextOption struct {
	Name    string
	Default string
	// Check returns what is wrong with a set value ("" when nothing).
	Check func(string) string
	// Secret values (API keys) are never repeated in a problem.
	Secret bool
	field  func(*Source) *string
}

func (o TextOption) Key() string        { return o.Name }
func (o TextOption) set(s *Source) bool { return *o.field(s) != "" }

func (o TextOption) Doc() string {
	if o.Default == "" {
		return ""
	}
	return fmt.Sprintf("%q", o.Default)
}

func (o TextOption) fill(s *Source) {
	if v := o.field(s); *v == "" {
		*v = o.Default
	}
}

func (o TextOption) problems(s *Source) []string {
	if v := *o.field(s); v != "" && o.Check != nil {
		if p := o.Check(v); p != "" {
			if o.Secret {
				return []string{fmt.Sprintf("%s (not shown): %s", o.Name, p)}
			}
			return []string{fmt.Sprintf("%s = %q: %s", o.Name, v, p)}
		}
	}
	return nil
}

// The type-specific options, in the order Check reports them.
var (
	categoriesOption = ListOption{Name: "categories", field: func(s *Source) *[]string { return &s.Categories }}
	announceOption   = ListOption{Name: "announce", Default: []string{"new", "cross"},
		Values: []string{"new", "cross", "replace", "replace-cross"}, field: func(s *Source) *[]string { return &s.Announce }}
	queryOption      = TextOption{Name: "query", field: func(s *Source) *string { return &s.Query }}
	maxResultsOption = IntOption{Name: "max_results", Default: 200, Min: 1, Max: 2000, field: func(s *Source) *int { return &s.MaxResults }}
	// 30000 is what the arXiv API serves for one query at most.
	backfillOption = IntOption{Name: "backfill", Default: 0, Min: 0, Max: 30000, field: func(s *Source) *int { return &s.Backfill }}
	// Two days: today and yesterday, in UTC.
	daysOption     = IntOption{Name: "days", Default: 2, Min: 1, Max: 31, field: func(s *Source) *int { return &s.Days }}
	categoryOption = TextOption{Name: "category", field: func(s *Source) *string { return &s.Category }}
	// Journals publish weekly or monthly: a week back by default, a year at most.
	// Declared apart from daysOption (same key, other default): sourceOptions
	// lists the key once.
	journalDaysOption = IntOption{Name: "days", Default: 7, Min: 1, Max: 366, field: func(s *Source) *int { return &s.Days }}
	issnOption        = ListOption{Name: "issn", Word: checkISSN, field: func(s *Source) *[]string { return &s.ISSN }}
	workTypeOption    = TextOption{Name: "work_type", Default: "journal-article", Check: checkWorkType, field: func(s *Source) *string { return &s.WorkType }}
	filterOption      = TextOption{Name: "filter", field: func(s *Source) *string { return &s.Filter }}
	mailtoOption      = TextOption{Name: "mailto", Check: checkEmail, field: func(s *Source) *string { return &s.Mailto }}
	searchOption      = TextOption{Name: "search", field: func(s *Source) *string { return &s.Search }}
	// 200 is the most OpenAlex serves a page.
	perPageOption = IntOption{Name: "per_page", Default: 100, Min: 1, Max: 200, field: func(s *Source) *int { return &s.PerPage }}
	termOption    = TextOption{Name: "term", field: func(s *Source) *string { return &s.Term }}
	apiKeyOption  = TextOption{Name: "api_key", Check: checkAPIKey, Secret: true, field: func(s *Source) *string { return &s.APIKey }}
	emailOption   = TextOption{Name: "email", Check: checkEmail, field: func(s *Source) *string { return &s.Email }}
	toolOption    = TextOption{Name: "tool", Default: "paperfeed", Check: checkTool, field: func(s *Source) *string { return &s.Tool }}

	sourceOptions = []SourceOption{categoriesOption, announceOption, queryOption, maxResultsOption, backfillOption, daysOption, categoryOption,
		issnOption, workTypeOption, filterOption, mailtoOption, searchOption, perPageOption,
		termOption, apiKeyOption, emailOption, toolOption}
)

// sourceTypes are the source types, in the order error messages list them.
// A new type is one entry here and one file in package sources.
var sourceTypes = []SourceType{
	{Name: "feed", missing: func(s *Source) string {
		if s.URL == "" {
			return `url is required for type "feed"`
		}
		return ""
	}},
	{Name: "arxiv", Options: []SourceOption{categoriesOption, announceOption}, missing: func(s *Source) string {
		if len(s.Categories) == 0 && s.URL == "" {
			return `categories (e.g. ["cs.CL"]) or url is required for type "arxiv"`
		}
		return ""
	}},
	{Name: "arxiv-api", Options: []SourceOption{queryOption, maxResultsOption, backfillOption}, missing: func(s *Source) string {
		if s.Query == "" && s.URL == "" {
			return `query is required for type "arxiv-api"`
		}
		return ""
	}},
	{Name: "huggingface", Options: []SourceOption{daysOption}},
	{Name: "biorxiv", Options: []SourceOption{daysOption, categoryOption}},
	{Name: "medrxiv", Options: []SourceOption{daysOption, categoryOption}},
	{Name: "crossref", Options: []SourceOption{issnOption, filterOption, journalDaysOption, mailtoOption, workTypeOption, backfillOption}, missing: func(s *Source) string {
		if len(s.ISSN) == 0 && s.Filter == "" && s.URL == "" {
			return `issn (e.g. ["0028-0836"]) or filter is required for type "crossref"`
		}
		return ""
	}},
	{Name: "openalex", Options: []SourceOption{filterOption, searchOption, journalDaysOption, mailtoOption, perPageOption, backfillOption}, missing: func(s *Source) string {
		if s.Filter == "" && s.Search == "" && s.URL == "" {
			return `filter (e.g. "primary_topic.id:T10028") or search is required for type "openalex"`
		}
		return ""
	}},
	{Name: "pubmed", Options: []SourceOption{termOption, journalDaysOption, apiKeyOption, emailOption, toolOption, backfillOption}, missing: func(s *Source) string {
		if s.Term == "" && s.URL == "" {
			return `term (PubMed query syntax, e.g. "crispr[tiab]") is required for type "pubmed"`
		}
		return ""
	}},
}

// SourceTypes returns every source type.
func SourceTypes() []SourceType { return slices.Clone(sourceTypes) }

// LookupSourceType returns the source type named name.
func LookupSourceType(name string) (SourceType, bool) {
	for _, t := range sourceTypes {
		if t.Name == name {
			return t, true
		}
	}
	return SourceType{}, false
}

// Check fills the defaults of the options the entry's type takes and returns the
// entry's problems, each naming the option and the offending value. It does not
// check the name, the interval or uniqueness: those belong to the whole file.
func (s *Source) Check() []string {
	t, ok := LookupSourceType(s.Type)
	if !ok {
		names := make([]string, len(sourceTypes))
		for i, t := range sourceTypes {
			names[i] = t.Name
		}
		return []string{fmt.Sprintf("type = %q: unknown source type (want one of %s)", s.Type, strings.Join(names, ", "))}
	}
	var probs []string
	if s.URL != "" {
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file") || (u.Scheme != "file" && u.Host == "") {
			probs = append(probs, fmt.Sprintf("url = %q: want an http://, https:// or file:// URL", redact.URL(s.URL)))
		}
	}
	for _, o := range sourceOptions {
		if _, takes := t.Option(o.Key()); o.set(s) && !takes {
			probs = append(probs, fmt.Sprintf("option %q does not apply to type %q (only %s)", o.Key(), s.Type, strings.Join(typesTaking(o.Key()), ", ")))
		}
	}
	if t.missing != nil {
		if p := t.missing(s); p != "" {
			probs = append(probs, p)
		}
	}
	for _, o := range t.Options {
		o.fill(s)
		probs = append(probs, o.problems(s)...)
	}
	return probs
}

// typesTaking names the source types that take the option key.
func typesTaking(key string) []string {
	var out []string
	for _, t := range sourceTypes {
		if _, ok := t.Option(key); ok {
			out = append(out, t.Name)
		}
	}
	return out
}
