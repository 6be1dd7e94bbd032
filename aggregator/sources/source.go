// Package sources turns upstream documents into model.Items. Each source type has
// one file and one function that converts one upstream record into a model.Item.
// A type's options, their defaults and ranges are its row in config's source type
// table; a new type is that row, its file here and its case in New.
package sources

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/aggregator/redact"
	"github.com/paperfeed/paperfeed/db/model"
)

// Fetcher is what sources need from the HTTP client (fetch.Client implements it).
type Fetcher interface {
	Get(ctx context.Context, r fetch.Request) (*fetch.Response, error)
}

// Validators are one URL's HTTP cache validators.
type Validators struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// State is what a source keeps between passes. The collector loads it before a
// pass and stores it, in the same transaction as the items, after a successful one.
type State struct {
	// Validators by request URL, for conditional GETs.
	Validators map[string]Validators `json:"validators,omitempty"`
	// BackfillDone records that a one-off backfill (arxiv-api) completed.
	BackfillDone bool `json:"backfill_done,omitempty"`
}

// Validator returns the stored validators of url.
func (s *State) Validator(url string) Validators {
	if s == nil || s.Validators == nil {
		return Validators{}
	}
	return s.Validators[url]
}

// Remember stores the validators of a successful answer.
func (s *State) Remember(r *fetch.Response, url string) {
	if s == nil || r == nil {
		return
	}
	if s.Validators == nil {
		s.Validators = map[string]Validators{}
	}
	if r.ETag == "" && r.LastModified == "" {
		delete(s.Validators, url)
		return
	}
	s.Validators[url] = Validators{ETag: r.ETag, LastModified: r.LastModified}
}

// Result is what one pass of a source brought.
type Result struct {
	Items []model.Item
	// AllNotModified is true when every request of the pass was answered 304
	// Not Modified (fetch.Response.NotModified).
	AllNotModified bool
	Requests       int
	Bytes          int64
	// NotBefore is the earliest time the upstream says is worth asking again.
	NotBefore time.Time
	// Notes are human-readable remarks for the summary (e.g. "stopped after 5 pages").
	Notes []string
}

func (r *Result) account(resp *fetch.Response) {
	r.Requests++
	r.Bytes += int64(len(resp.Body))
	if resp.NotBefore.After(r.NotBefore) {
		r.NotBefore = resp.NotBefore
	}
}

// Source is one configured upstream.
type Source interface {
	Name() string
	Type() string
	// Collect runs one pass. It returns an error, and no items, when the upstream
	// answer cannot be trusted: a pass is all or nothing.
	Collect(ctx context.Context, f Fetcher, st *State) (*Result, error)
}

// Options are process-wide settings sources need.
type Options struct {
	// Now is the program's clock (tests pin it); New makes nil time.Now.
	Now func() time.Time
	// Progress, when set, receives backfill progress (done, total) for a terminal bar.
	Progress func(source string, done, total int)
	// Gate, when set, bounds the bodies every source of the process parses
	// at once (see ParseGate); nil parses without waiting.
	Gate *ParseGate
	// UserAgent is the process's [collect] user_agent: its e-mail address, if
	// any, is the default contact of the APIs with a polite pool (mailto).
	UserAgent string
}

func (o Options) now() time.Time { return o.Now().UTC() }

// backfillProgress reports one backfill's progress to Options.Progress.
type backfillProgress struct {
	report      func(source string, done, total int) // nil: nobody listens
	source      string
	done, total int // the last report
}

func (o Options) backfillProgress(source string) *backfillProgress {
	return &backfillProgress{report: o.Progress, source: source}
}

func (b *backfillProgress) show(done, total int) {
	if b.report != nil {
		b.done, b.total = done, total
		b.report(b.source, done, total)
	}
}

// finish reports done records as complete when the last report fell short
// (a list ended before the estimate), so that a bar drawn against it ends.
func (b *backfillProgress) finish(done int) {
	if b.report != nil && done > 0 && (b.done != done || b.total != done) {
		b.show(done, done)
	}
}

// New builds the source a config entry describes. The entry's type-specific
// options take their defaults, and are checked, by config.Source.Check, the same
// code the config check runs; the constructors read the options as filled in.
// With o.Gate, its passes parse under the gate.
func New(c config.Source, o Options) (Source, error) {
	if probs := c.Check(); len(probs) > 0 {
		return nil, fmt.Errorf("source %q: %s", c.Name, strings.Join(probs, "; "))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s, err := newSource(c, o)
	if err != nil || o.Gate == nil {
		return s, err
	}
	return gatedSource{Source: s, gate: o.Gate}, nil
}

func newSource(c config.Source, o Options) (Source, error) {
	switch c.Type {
	case "feed":
		return newFeed(c, o)
	case "arxiv":
		return newArxivRSS(c, o)
	case "arxiv-api":
		return newArxivAPI(c, o)
	case "huggingface":
		return newHuggingFace(c, o)
	case "biorxiv", "medrxiv":
		return newBiorxiv(c, o)
	case "crossref":
		return newCrossref(c, o)
	case "openalex":
		return newOpenAlex(c, o)
	case "pubmed":
		return newPubmed(c, o)
	default:
		return nil, fmt.Errorf("source %q: unknown type %q", c.Name, c.Type)
	}
}

// base carries what every source has.
type base struct {
	name, typ string
}

func (b base) Name() string { return b.name }
func (b base) Type() string { return b.typ }

// keepValidators drops the validators of every URL not in used, so that the
// state of sources whose URLs move (dates, cursors) does not grow forever.
func (s *State) keepValidators(used map[string]bool) {
	if s == nil {
		return
	}
	for u := range s.Validators {
		if !used[u] {
			delete(s.Validators, u)
		}
	}
}

// pass tracks the requests of one Collect call.
type pass struct {
	ctx   context.Context
	f     Fetcher
	st    *State
	res   *Result
	used  map[string]bool
	not   int // answers 304
	total int // answers of any kind
}

func newPass(ctx context.Context, f Fetcher, st *State) *pass {
	if st == nil {
		st = &State{}
	}
	return &pass{ctx: ctx, f: f, st: st, res: &Result{}, used: map[string]bool{}}
}

// get sends req, conditionally when conditional is set (with the validators the
// state holds for req.URL), accounts the answer and remembers its validators.
// The fetcher spaces requests to arXiv hosts. On an HTTP error the
// response (with the start of the error body) is returned next to the error.
func (p *pass) get(req fetch.Request, conditional bool) (*fetch.Response, error) {
	if conditional {
		v := p.st.Validator(req.URL)
		req.ETag, req.LastModified = v.ETag, v.LastModified
		p.used[req.URL] = true
	}
	resp, err := p.f.Get(p.ctx, req)
	if resp != nil {
		p.res.account(resp)
		p.total++
	}
	if err != nil {
		return resp, err
	}
	if resp.NotModified {
		p.not++
	}
	if conditional {
		p.st.Remember(resp, req.URL)
	}
	return resp, nil
}

// finish marks the result AllNotModified when every request was answered 304
// and drops validators of URLs this pass did not use.
func (p *pass) finish() *Result {
	p.res.AllNotModified = p.total > 0 && p.not == p.total
	p.st.keepValidators(p.used)
	return p.res
}

// noteCount notes a count (format has one %d) when it is not zero.
func (p *pass) noteCount(format string, n int) {
	if n > 0 {
		p.note(format, n)
	}
}

// endBackfill finishes a pass of items; after a backfill pass, it records the
// backfill done and notes how many items (what: "works") it brought.
func (p *pass) endBackfill(items []model.Item, backfilled bool, what string) *Result {
	if backfilled {
		p.st.BackfillDone = true
		p.note("backfill done: %d %s", len(items), what)
	}
	p.res.Items = items
	return p.finish()
}

func (p *pass) note(format string, args ...any) {
	p.res.Notes = append(p.res.Notes, fmt.Sprintf(format, args...))
}

// endpoint is the source's url option, or def when it has none; either must parse.
func endpoint(c config.Source, def string) (string, error) {
	ep := c.URL
	if ep == "" {
		ep = def
	}
	if _, err := url.Parse(ep); err != nil {
		return "", fmt.Errorf("source %q: bad url %q: %w", c.Name, redact.URL(ep), redact.Error(err))
	}
	return ep, nil
}

// documentError is an answer that is not a document of the source's kind.
// Its message is fit for /status, which is public; the start of the body is
// its Detail, for the operator's log only: a file:// source may point at any
// local file, an error page may echo credentials.
type documentError struct {
	problem string
	start   string
}

// notDocument is the error for a body that is not a document: problem says
// what it is not ("not a feed").
func notDocument(problem string, body []byte) error {
	return &documentError{problem: problem, start: snippet(body)}
}

func (e *documentError) Error() string { return e.problem + " (the log has the start of the body)" }

// Detail is the start of the body.
func (e *documentError) Detail() string { return fmt.Sprintf("body starts %q", e.start) }

// jsonObject is body without surrounding space when it is a JSON object; an
// empty body, or one that is not an object (an HTML page, a text message),
// is an error.
func jsonObject(body []byte) ([]byte, error) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return nil, errors.New("empty body")
	}
	if b[0] != '{' {
		return nil, notDocument("not a JSON object", b)
	}
	return b, nil
}
