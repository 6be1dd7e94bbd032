// Package model defines the records that flow through paperfeed: an Item is
// one source's listing of a paper, a Paper is the merged record kept in the
// store and published in feeds. It holds types only and imports nothing of the
// project, so every step of a paper's path can use it.
//
// A paper's path: a source (aggregator/sources) converts its upstream record
// into an Item; the collector (aggregator) finds the stored Paper it matches
// (aggregator/dedup) or starts a new one, folds the Item into it
// (aggregator/merge) and stores it (db); a topic selects its candidates from
// the store (aggregator/topic), ranks them (aggregator/rank), and the
// renderers (feeds) turn them into feed entries.
package model

import (
	"strings"
	"time"
)

// Link kinds kept on items and papers.
const (
	LinkAbstract    = "abstract"    // the paper's landing page (arXiv abs page, journal page)
	LinkPDF         = "pdf"         // full text PDF
	LinkDOI         = "doi"         // https://doi.org/...
	LinkHuggingFace = "huggingface" // Hugging Face paper/discussion page
	LinkCode        = "code"        // code repository
	LinkProject     = "project"     // project page
	LinkFullText    = "fulltext"    // full text on the web (PubMed Central)
)

// Link is a typed URL.
type Link struct {
	Kind string `json:"kind"`
	URL  string `json:"url"`
}

// Item is one source's listing of one paper, as the source converted it.
// Strings are plain text (no markup), times are UTC, identifiers normalised
// (arXiv id without version, DOI lower-case without resolver prefix).
type Item struct {
	Source     string    // source name from the config; set by the collector
	GUID       string    // the upstream's stable id of this item (guid, entry id, DOI+version); never empty
	Link       string    // the item's own link on that source
	Title      string    // plain text, whitespace collapsed
	Abstract   string    // plain text
	Authors    []string  // every author, in order
	Published  time.Time // UTC; zero when the upstream gives none
	Updated    time.Time // UTC; zero when the upstream gives none
	Categories []string  // e.g. "cs.CL", "cancer biology"
	ArxivID    string    // e.g. "2410.17243" or "hep-th/9901001"
	DOI        string    // e.g. "10.1101/2024.01.01.123456"
	Links      []Link
	Upvotes    int    // Hugging Face upvotes
	Comment    string // arXiv comment
	JournalRef string // journal reference
	// VersionDOIs are the DOIs of other versions of the same work the upstream
	// names: the preprint of a journal article (Crossref's has-preprint), the
	// journal version of a preprint (bioRxiv's published, Crossref's
	// is-preprint-of). An item nothing else matches merges with a stored paper
	// of one of them, whichever version came first. Not stored.
	VersionDOIs []string
	// AnnounceType is arXiv RSS's announce_type (new, cross, replace, replace-cross);
	// empty elsewhere. A "replace" item updates a stored paper but never creates one.
	AnnounceType string
}

// Sighting records that a source listed a paper, and how the listing joined it.
type Sighting struct {
	Source    string    `json:"source"`
	GUID      string    `json:"guid"`
	Link      string    `json:"link"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	// Rule is how the listing joined its paper (one of the Rule constants),
	// set when the sighting is first stored: a listing seen again under its
	// (source, guid) keeps the rule it joined by. Empty for sightings stored
	// before rules were recorded.
	Rule string `json:"rule,omitempty"`
	// Reason says what agreed, in words ("title differs by one word;
	// authors agree: Smith, Lee; years 2019/2020"); may be empty.
	Reason string `json:"reason,omitempty"`
}

// Rules a listing can join a paper by (Sighting.Rule).
const (
	RuleStarted    = "started"      // the paper's first listing: it started the record
	RuleIdentifier = "identifier"   // the same arXiv id or DOI
	RuleExactKey   = "exact key"    // the same title key (ident.TitleKey), authors agreeing
	RuleTolerant   = "tolerant key" // nearly the same title, authors and year agreeing
	RuleVersionDOI = "version DOI"  // the listing names the DOI of another version of the paper
)

// Paper is the merged record of one work, however many sources listed it.
type Paper struct {
	ID  int64  // store row id; 0 before it is stored
	UID string // public, stable id assigned when first stored; feeds derive entry ids from it
	// TitleKey is ident.TitleKey(Title), kept so the store can look papers up by it.
	TitleKey string
	// BlockKeys are the paper's blocking keys for tolerant title matching
	// (dedup.BlockKeys), stored in an index so candidates are found without a
	// scan. Saving adds them to the keys stored before (never removes).
	BlockKeys []string

	Title      string
	Abstract   string
	Authors    []string
	Published  time.Time // earliest published date any sighting gave (UTC)
	Updated    time.Time // last time the stored record changed, a sighting's LastSeen aside (UTC); drives feed <updated>
	FirstSeen  time.Time // when the store first saw it
	Categories []string
	ArxivID    string
	DOI        string
	Links      []Link
	Upvotes    int
	Comment    string
	JournalRef string

	Sightings []Sighting
}

// Link returns the first URL of the given kind, or "".
func (p *Paper) Link(kind string) string {
	for _, l := range p.Links {
		if l.Kind == kind {
			return l.URL
		}
	}
	return ""
}

// Sources returns the names of the sources that listed the paper.
func (p *Paper) Sources() []string {
	out := make([]string, 0, len(p.Sightings))
	for _, s := range p.Sightings {
		out = append(out, s.Source)
	}
	return out
}

// PrimaryLink is the paper's canonical link: its abstract page, else DOI, else the first sighting's link.
func (p *Paper) PrimaryLink() string {
	for _, k := range []string{LinkAbstract, LinkDOI} {
		if u := p.Link(k); u != "" {
			return u
		}
	}
	for _, s := range p.Sightings {
		if strings.HasPrefix(s.Link, "http") {
			return s.Link
		}
	}
	return ""
}
