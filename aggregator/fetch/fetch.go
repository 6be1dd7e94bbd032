// Package fetch is paperfeed's polite HTTP client: one shared http.Client with
// timeouts, a body cap, conditional GET, per-host serialisation, a minimum
// interval between requests to rate-limited hosts (arXiv), and typed errors that
// carry Retry-After.
//
// Every error names the URL redacted (see package redact): source URLs may
// carry credentials, and these errors reach /status and the logs.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/redact"
)

// Options configure a Client.
type Options struct {
	UserAgent string
	Timeout   time.Duration // whole request, headers and body
	MaxBody   int64         // body cap in bytes
	// GroupInterval is the minimum time between the starts of two requests of a
	// politeness group (see Request.Group). arXiv asks for 3 seconds.
	GroupInterval map[string]time.Duration
	// Transport replaces the default transport (tests).
	Transport http.RoundTripper
	// GroupOf names the politeness group of a host (see Request.Group); nil
	// means DefaultGroupOf. Tests map a loopback host to ArxivGroup with it.
	GroupOf func(host string) string
	// Now is the clock of the client: the spacing of a group's requests, and
	// Retry-After, max-age and Expires, are read against it; nil means
	// time.Now. The program passes its one clock (see cmd/paperfeed). The
	// wait before a request is slept in real time; a clock that steps back
	// makes it wait at most the group's interval.
	Now func() time.Time
}

// ArxivGroup is the politeness group shared by every arXiv request of the process.
const ArxivGroup = "arxiv"

// DefaultGroupOf puts every arXiv host (arxiv.org, export.arxiv.org,
// rss.arxiv.org) in ArxivGroup: arXiv's 3 s rule counts across all of them.
// Any other host is its own group.
func DefaultGroupOf(host string) string {
	h := strings.ToLower(host)
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		h = h[:i]
	}
	if h == "arxiv.org" || strings.HasSuffix(h, ".arxiv.org") {
		return ArxivGroup
	}
	return "host:" + h
}

// NCBIGroup and NCBIKeyGroup are the politeness groups of NCBI E-utilities
// requests (PubMed) without and with an API key: NCBI allows 3 requests a
// second per address, 10 with a key. The source names the group in
// Request.Group.
const (
	NCBIGroup    = "ncbi"
	NCBIKeyGroup = "ncbi-key"
)

// DefaultGroupIntervals are the intervals upstreams ask for.
func DefaultGroupIntervals() map[string]time.Duration {
	return map[string]time.Duration{
		ArxivGroup:   3 * time.Second,
		NCBIGroup:    time.Second/3 + time.Millisecond,
		NCBIKeyGroup: time.Second/10 + time.Millisecond,
	}
}

// Client fetches upstream documents. It is safe for concurrent use.
type Client struct {
	http      *http.Client
	userAgent string
	maxBody   int64
	timeout   time.Duration
	intervals map[string]time.Duration
	groupOf   func(host string) string
	now       func() time.Time

	mu    sync.Mutex
	gates map[string]*gate
}

// gate serialises the requests of one host or group and spaces them out.
type gate struct {
	sem  chan struct{}
	last time.Time // start of the previous request, by the client's clock
}

// New returns a Client.
func New(o Options) *Client {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 20 << 20
	}
	if o.UserAgent == "" {
		o.UserAgent = "paperfeed"
	}
	tr := o.Transport
	if tr == nil {
		tr = &http.Transport{
			Proxy: http.ProxyFromEnvironment,
			DialContext: (&net.Dialer{
				Timeout:   10 * time.Second,
				KeepAlive: 30 * time.Second,
			}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: o.Timeout,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   2,
			MaxConnsPerHost:       2,
		}
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	groupOf := o.GroupOf
	if groupOf == nil {
		groupOf = DefaultGroupOf
	}
	iv := o.GroupInterval
	if iv == nil {
		iv = DefaultGroupIntervals()
	}
	return &Client{
		http: &http.Client{
			Transport:     tr,
			Timeout:       o.Timeout,
			CheckRedirect: checkRedirect,
		},
		userAgent: o.UserAgent,
		maxBody:   o.MaxBody,
		timeout:   o.Timeout,
		intervals: iv,
		groupOf:   groupOf,
		now:       now,
		gates:     map[string]*gate{},
	}
}

// maxRedirects is how many redirects one request follows.
const maxRedirects = 5

// checkRedirect follows redirects to http and https only (a redirect to
// file:// must never read a local file), at most maxRedirects of them. Its
// error names the target it refused.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if s := req.URL.Scheme; s != "http" && s != "https" {
		return fmt.Errorf("redirect to %s refused: scheme %q not allowed", redact.URL(req.URL.String()), s)
	}
	if len(via) >= maxRedirects {
		return fmt.Errorf("redirect to %s refused: stopped after %d redirects", redact.URL(req.URL.String()), len(via))
	}
	return nil
}

// Request is one GET.
type Request struct {
	URL string
	// Group names the politeness group explicitly; empty means the client's
	// GroupOf(host) decides (arXiv hosts share ArxivGroup).
	Group string
	// Validators from the previous answer, for a conditional GET.
	ETag         string
	LastModified string
	Accept       string
}

// Response is a successful answer: 200 with its body, or 304 (NotModified, no body).
type Response struct {
	URL          string // final URL after redirects
	Status       int
	NotModified  bool // this answer was 304 Not Modified
	Body         []byte
	ETag         string
	LastModified string
	ContentType  string
	// NotBefore is when the upstream says it is worth asking again
	// (Cache-Control max-age or Expires); zero when it says nothing.
	NotBefore time.Time
}

// HTTPError is a non-2xx, non-304 answer.
type HTTPError struct {
	URL        string // the requested URL, redacted
	Status     int
	RetryAfter time.Time // zero unless the answer had a Retry-After header
	// Snippet is the start of the body, for the operator's log only (see
	// Detail): an error page may echo the request, secrets included.
	Snippet string
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("GET %s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
	if !e.RetryAfter.IsZero() {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter.UTC().Format(time.RFC3339))
	}
	return msg
}

// RetryAt is when the upstream asked to be asked again (zero if it did not).
func (e *HTTPError) RetryAt() time.Time { return e.RetryAfter }

// Detail is the start of the error body, for the operator's log; Error()
// leaves it out, so that /status never shows it.
func (e *HTTPError) Detail() string { return e.Snippet }

// withoutURL returns the cause of a *url.Error, which repeats the operation
// and the full URL that the caller names (redacted) itself.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// ErrTooLarge is returned (wrapped) when a body exceeds the cap.
var ErrTooLarge = errors.New("response body exceeds the size cap")

// Get performs the request politely: it waits its turn for the host or group,
// sends validators, caps and reads the body.
func (c *Client) Get(ctx context.Context, r Request) (*Response, error) {
	u, err := url.Parse(r.URL)
	if err != nil {
		return nil, fmt.Errorf("bad URL %q: %w", redact.URL(r.URL), redact.Error(withoutURL(err)))
	}
	if u.Scheme == "file" {
		return c.readFile(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("bad URL %q: unsupported scheme", redact.URL(r.URL))
	}
	key := r.Group
	if key == "" {
		key = c.groupOf(u.Host)
	}
	release, err := c.acquire(ctx, key)
	if err != nil {
		return nil, err
	}
	defer release()

	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	shown := redact.URL(r.URL)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", shown, redact.Error(withoutURL(err)))
	}
	req.Header.Set("User-Agent", c.userAgent)
	if r.Accept != "" {
		req.Header.Set("Accept", r.Accept)
	}
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", shown, redact.Error(withoutURL(err)))
	}
	defer resp.Body.Close()
	now := c.now()
	out := &Response{
		URL:          resp.Request.URL.String(),
		Status:       resp.StatusCode,
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		ContentType:  resp.Header.Get("Content-Type"),
		NotBefore:    freshUntil(resp.Header, now),
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		out.NotModified = true
		// Keep the validators we sent when a 304 omits them.
		if out.ETag == "" {
			out.ETag = r.ETag
		}
		if out.LastModified == "" {
			out.LastModified = r.LastModified
		}
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		he := &HTTPError{URL: shown, Status: resp.StatusCode, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), now)}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<10))
		he.Snippet = strings.TrimSpace(string(b[:min(len(b), 300)]))
		// Some upstreams (arXiv API) answer 400 with a meaningful document: keep it.
		out.Body = b
		return out, he
	}
	// A declared length over the cap fails before reading anything. (A body the
	// transport decompresses has no declared length: readCapped caps the
	// decompressed bytes, so a gzip bomb stops at the cap too.)
	if resp.ContentLength > c.maxBody {
		return nil, fmt.Errorf("GET %s: %w (Content-Length %d > %d bytes)", shown, ErrTooLarge, resp.ContentLength, c.maxBody)
	}
	body, err := readCapped(resp.Body, c.maxBody)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", shown, err)
	}
	out.Body = body
	return out, nil
}

// readCapped reads at most max bytes and fails when the body is longer.
func readCapped(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w of %d bytes", ErrTooLarge, max)
	}
	return b, nil
}

func (c *Client) readFile(u *url.URL) (*Response, error) {
	path := u.Path
	if u.Host != "" && u.Host != "localhost" {
		return nil, fmt.Errorf("bad URL %q: file URLs must be local", redact.URL(u.String()))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	body, err := readCapped(f, c.maxBody)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return &Response{URL: u.String(), Status: 200, Body: body}, nil
}

// acquire waits until this key may send a request: one at a time, and no sooner
// than the group's interval after the previous one started.
func (c *Client) acquire(ctx context.Context, key string) (func(), error) {
	c.mu.Lock()
	g, ok := c.gates[key]
	if !ok {
		g = &gate{sem: make(chan struct{}, 1)}
		c.gates[key] = g
	}
	interval := c.intervals[key]
	c.mu.Unlock()

	select {
	case g.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for a turn on %s: %w", key, ctx.Err())
	}
	if wait := min(g.last.Add(interval).Sub(c.now()), interval); interval > 0 && wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			<-g.sem
			return nil, fmt.Errorf("waiting for a turn on %s: %w", key, ctx.Err())
		}
	}
	g.last = c.now()
	return func() { <-g.sem }, nil
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return now.Add(time.Duration(secs) * time.Second)
	}
	if t, err := http.ParseTime(v); err == nil {
		return t
	}
	return time.Time{}
}

// freshUntil reads Cache-Control max-age, then Expires.
func freshUntil(h http.Header, now time.Time) time.Time {
	for _, part := range strings.Split(h.Get("Cache-Control"), ",") {
		part = strings.TrimSpace(part)
		if v, ok := strings.CutPrefix(part, "max-age="); ok {
			if secs, err := strconv.Atoi(v); err == nil && secs > 0 {
				return now.Add(time.Duration(secs) * time.Second)
			}
		}
	}
	if t, err := http.ParseTime(h.Get("Expires")); err == nil && t.After(now) {
		return t
	}
	return time.Time{}
}
