// Package websub announces paperfeed's feeds to WebSub hubs (W3C WebSub,
// section 7: content distribution). Every feed that names the hubs
// (feeds.Server.HubFeeds) is announced to each hub when its content changed
// since the hub last accepted an announcement of it, with the request the
// public hubs accept (pubsubhubbub.appspot.com, Superfeedr, WebSubHub):
//
//	POST <hub>
//	Content-Type: application/x-www-form-urlencoded
//
//	hub.mode=publish&hub.url=<feed URL>
//
// The hub then fetches the feed and delivers the new entries to its
// subscribers. The publisher runs beside the collector and the server and
// never blocks either: it reads the store's generation to learn that a
// collect changed papers, renders through the server's cache, and on several
// replicas only the holder of the "websub" lease announces. What each hub
// accepted is kept in the store (db.WebSubStore), so a restart or another
// replica announces only what changed since.
package websub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/feeds"
)

// Feeds lists the feeds to announce (feeds.Server).
type Feeds interface {
	HubFeeds(ctx context.Context) ([]feeds.HubFeed, error)
}

// Store is what the publisher reads and records.
type Store interface {
	Generation(ctx context.Context) (int64, error)
	db.WebSubStore
	db.Leaser
}

// Options are the Publisher's optional settings; zero values take the defaults.
type Options struct {
	// Client sends the announcements (default: a client with a 30 s timeout
	// that follows only redirects that keep the POST, 307 and 308).
	Client *http.Client
	Now    func() time.Time // default time.Now
	// Sleep waits d or until ctx ends (default: a timer); tests make it instant.
	Sleep      func(ctx context.Context, d time.Duration) error
	Logger     *slog.Logger
	Registerer prometheus.Registerer // nil: no metrics
	// Replica is the holder name the publisher claims the lease under.
	Replica   string
	UserAgent string
	// Poll is how often the store's generation is read (default 10 s); a
	// change is announced once the generation has held still for one poll,
	// so that a collect committing source after source is announced once.
	Poll time.Duration
	// Recheck is how often the feeds are compared even when the store did
	// not change (default 10 min): a digest feed gains the past day's item
	// when the day ends, and a failed announcement is tried again.
	Recheck time.Duration
	// Attempts bounds the tries of one announcement (default 5); Workers
	// the announcements in flight at once (default 4).
	Attempts, Workers int
}

// Retry timing: exponential backoff from backoffBase, at most backoffMax;
// a Retry-After longer than maxRetryAfter ends the round's tries (the next
// round tries again).
const (
	backoffBase   = time.Second
	backoffMax    = time.Minute
	maxRetryAfter = 5 * time.Minute
	leaseTTL      = 10 * time.Minute
	roundTimeout  = 8 * time.Minute // under leaseTTL: a round ends before its lease could
	bodyShown     = 512             // bytes of a hub's answer in the log
	maxSettle     = 6               // polls a still-changing generation is waited for
)

// Outcomes of one announcement (paperfeed_websub_publish_total's label).
const (
	OutcomeOK       = "ok"       // the hub answered 2xx
	OutcomeRejected = "rejected" // the hub answered a 4xx (or 3xx): not retried
	OutcomeFailed   = "failed"   // network errors or 5xx/429 until the tries ran out
)

// Publisher announces changed feeds to the hubs.
type Publisher struct {
	hubs  []string
	feeds Feeds
	store Store
	opt   Options
	log   *slog.Logger

	published   *prometheus.CounterVec
	retries     *prometheus.CounterVec
	lastSuccess *prometheus.GaugeVec
	pending     *prometheus.GaugeVec
}

// New returns a publisher of feeds to hubs; Run starts it.
func New(hubs []string, fs Feeds, store Store, opt Options) *Publisher {
	if opt.Client == nil {
		opt.Client = &http.Client{Timeout: 30 * time.Second, CheckRedirect: keepPost}
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Sleep == nil {
		opt.Sleep = sleep
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Poll <= 0 {
		opt.Poll = 10 * time.Second
	}
	if opt.Recheck <= 0 {
		opt.Recheck = 10 * time.Minute
	}
	if opt.Attempts <= 0 {
		opt.Attempts = 5
	}
	if opt.Workers <= 0 {
		opt.Workers = 4
	}
	p := &Publisher{hubs: hubs, feeds: fs, store: store, opt: opt, log: opt.Logger.With("job", "websub")}
	p.published = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "paperfeed_websub_publish_total",
		Help: "Announcements of a changed feed URL to a WebSub hub, by hub and outcome (ok, rejected: 4xx, failed: retries exhausted).",
	}, []string{"hub", "outcome"})
	p.retries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "paperfeed_websub_publish_retries_total",
		Help: "Announcements to a WebSub hub sent again after a network error, 5xx or 429.",
	}, []string{"hub"})
	p.lastSuccess = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "paperfeed_websub_last_success_timestamp_seconds",
		Help: "When a WebSub hub last accepted an announcement from this replica (Unix time).",
	}, []string{"hub"})
	p.pending = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "paperfeed_websub_pending_feeds",
		Help: "Feed URLs whose current content a WebSub hub has not accepted, after this replica's last round.",
	}, []string{"hub"})
	if r := opt.Registerer; r != nil {
		r.MustRegister(p.published, p.retries, p.lastSuccess, p.pending)
	}
	for _, h := range hubs {
		p.published.WithLabelValues(h, OutcomeOK)
		p.published.WithLabelValues(h, OutcomeRejected)
		p.published.WithLabelValues(h, OutcomeFailed)
		p.retries.WithLabelValues(h)
	}
	return p
}

// keepPost follows a redirect only when it keeps the method and body (307,
// 308): Go turns a POST redirected by 301, 302 or 303 into a GET, which
// announces nothing.
func keepPost(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	if req.Method != http.MethodPost {
		return http.ErrUseLastResponse
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run announces until ctx ends: a round at start, after every change of the
// store's generation, and every Recheck. A round's failure is logged; the
// next one tries again.
func (p *Publisher) Run(ctx context.Context) {
	if len(p.hubs) == 0 {
		return
	}
	defer p.Release(ctx)
	var done int64 = -1 // the generation the last round saw
	var lastRound time.Time
	seen, settle := int64(-1), 0
	for {
		gen, err := p.store.Generation(ctx)
		if err != nil && ctx.Err() == nil {
			p.log.Warn("read store generation", "err", err)
		}
		due := p.opt.Now().Sub(lastRound) >= p.opt.Recheck
		if err == nil && gen != done {
			// Wait for the generation to hold still: a collect commits
			// source by source.
			if gen != seen && done >= 0 && settle < maxSettle {
				seen, settle = gen, settle+1
				due = false
			} else {
				due = true
			}
		}
		if due {
			if _, err := p.Round(ctx); err != nil && ctx.Err() == nil {
				p.log.Warn("websub round", "err", err)
			}
			lastRound, settle = p.opt.Now(), 0
			if err == nil { // gen was read: the round saw it or a newer one
				done, seen = gen, gen
			}
		}
		if p.opt.Sleep(ctx, p.opt.Poll) != nil {
			return
		}
	}
}

// Release gives up the websub lease, so that another replica may take over
// at once rather than when it expires (nothing when this one holds none).
func (p *Publisher) Release(ctx context.Context) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := p.store.ReleaseLease(rctx, db.WebSubLease, p.opt.Replica); err != nil {
		p.log.Warn("release websub lease", "err", err)
	}
}

// Result is what one round did.
type Result struct {
	// Holder is who holds the websub lease when this replica did not get
	// it ("" when it did): that replica announces, this one did nothing.
	Holder string
	Hubs   map[string]Counts // by hub URL
}

// Counts are one hub's announcements of a round.
type Counts struct {
	OK, Rejected, Failed int // by outcome
	Unchanged            int // feed URLs the hub has the current content of
}

// Round announces, to every hub, each feed URL whose content the hub has not
// accepted yet, when this replica holds the websub lease (else it does
// nothing: another replica announces).
func (p *Publisher) Round(ctx context.Context) (Result, error) {
	res := Result{Hubs: map[string]Counts{}}
	held, err := p.store.ClaimLease(ctx, db.WebSubLease, p.opt.Replica, leaseTTL)
	if err != nil {
		return res, fmt.Errorf("claim lease: %w", err)
	}
	if !held {
		res.Holder = "another replica"
		if ls, err := p.store.Leases(ctx); err == nil {
			for _, l := range ls {
				if l.Name == db.WebSubLease {
					res.Holder = l.Holder
				}
			}
		}
		return res, nil
	}
	ctx, cancel := context.WithTimeout(ctx, roundTimeout)
	defer cancel()
	states, err := p.store.WebSubStates(ctx)
	if err != nil {
		return res, err
	}
	known := map[[2]string]db.WebSubState{}
	for _, st := range states {
		known[[2]string{st.Hub, st.URL}] = st
	}
	fs, ferr := p.feeds.HubFeeds(ctx) // a feed that failed to render is left out, and named in ferr
	if ferr != nil {
		p.log.Warn("render feeds to announce", "err", ferr)
	}
	var jobs []db.WebSubState
	for _, h := range p.hubs {
		c := Counts{}
		for _, f := range fs {
			for _, u := range f.URLs {
				st, ok := known[[2]string{h, u}]
				if !ok {
					st = db.WebSubState{Hub: h, URL: u}
				}
				if st.Fingerprint == f.Fingerprint {
					c.Unchanged++
					continue
				}
				st.Fingerprint = f.Fingerprint // what a success records
				jobs = append(jobs, st)
			}
		}
		res.Hubs[h] = c
	}
	var mu sync.Mutex
	var saveErr error
	work := make(chan db.WebSubState)
	var wg sync.WaitGroup
	for range min(p.opt.Workers, len(jobs)) {
		wg.Go(func() {
			for st := range work {
				st, outcome := p.announce(ctx, st, known[[2]string{st.Hub, st.URL}].Fingerprint)
				var err error
				if outcome != OutcomeFailed || ctx.Err() == nil {
					// A success is recorded even when the round is ending:
					// the hub accepted it. A try cut short by the end of
					// the round is no failure of the hub.
					err = p.store.SaveWebSubState(context.WithoutCancel(ctx), st)
				}
				mu.Lock()
				c := res.Hubs[st.Hub]
				switch outcome {
				case OutcomeOK:
					c.OK++
				case OutcomeRejected:
					c.Rejected++
				default:
					c.Failed++ // a later round tries again
				}
				res.Hubs[st.Hub] = c
				if err != nil && saveErr == nil {
					saveErr = err
				}
				mu.Unlock()
			}
		})
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()
	for h, c := range res.Hubs {
		p.pending.WithLabelValues(h).Set(float64(c.Failed))
	}
	return res, errors.Join(ferr, saveErr)
}

// announce tells st.Hub that st.URL changed and returns the record to keep
// and the outcome: on success (OutcomeOK) st with its new fingerprint; on a
// refusal (OutcomeRejected, a 4xx) the same, with the error, as it is not to
// be sent again; when the tries ran out (OutcomeFailed), st with the old
// fingerprint (prev), to be tried by a later round, and the error. Network
// errors, 5xx and 429 are tried again, up to Attempts, after exponential
// backoff or the hub's Retry-After.
func (p *Publisher) announce(ctx context.Context, st db.WebSubState, prev string) (db.WebSubState, string) {
	log := p.log.With("hub", st.Hub, "url", st.URL)
	var msg string
	for attempt := 1; ; attempt++ {
		code, retryAfter, body, err := p.post(ctx, st.Hub, st.URL)
		switch {
		case err == nil && code/100 == 2:
			st.LastSuccess = p.opt.Now().UTC()
			p.published.WithLabelValues(st.Hub, OutcomeOK).Inc()
			p.lastSuccess.WithLabelValues(st.Hub).Set(float64(st.LastSuccess.Unix()))
			log.Debug("announced", "status", code, "attempt", attempt)
			return st, OutcomeOK
		case err == nil && code != http.StatusTooManyRequests && code/100 != 5:
			// The hub will not take this announcement however often it
			// is sent: it is done with, and the feed's next change is
			// announced again (the operator may have fixed the hub's side).
			msg = fmt.Sprintf("hub answered %d %s", code, http.StatusText(code))
			log.Warn("hub refused the announcement, not retried", "status", code, "answer", body)
			p.published.WithLabelValues(st.Hub, OutcomeRejected).Inc()
			return p.failed(st, st.Fingerprint, msg), OutcomeRejected
		case err != nil:
			msg = err.Error()
			log.Warn("announce", "attempt", attempt, "err", err)
		default:
			msg = fmt.Sprintf("hub answered %d %s", code, http.StatusText(code))
			log.Warn("announce", "attempt", attempt, "status", code, "answer", body)
		}
		wait := min(backoffBase<<(attempt-1), backoffMax)
		if retryAfter > 0 {
			wait = retryAfter
		}
		switch {
		case attempt >= p.opt.Attempts:
			msg += fmt.Sprintf(" (after %d tries)", attempt)
		case wait > maxRetryAfter:
			msg += fmt.Sprintf(" (asked to retry after %s: left to a later round)", wait)
		case ctx.Err() != nil:
		default:
			if p.opt.Sleep(ctx, wait) == nil {
				p.retries.WithLabelValues(st.Hub).Inc()
				continue
			}
		}
		p.published.WithLabelValues(st.Hub, OutcomeFailed).Inc()
		return p.failed(st, prev, msg), OutcomeFailed
	}
}

func (p *Publisher) failed(st db.WebSubState, prev, msg string) db.WebSubState {
	st.Fingerprint, st.LastError, st.LastErrorAt = prev, msg, p.opt.Now().UTC()
	return st
}

// post sends one announcement: the status, the Retry-After it asks for
// (0: none), and the start of its body, for the log.
func (p *Publisher) post(ctx context.Context, hub, feedURL string) (int, time.Duration, string, error) {
	form := url.Values{"hub.mode": {"publish"}, "hub.url": {feedURL}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hub, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if p.opt.UserAgent != "" {
		req.Header.Set("User-Agent", p.opt.UserAgent)
	}
	resp, err := p.opt.Client.Do(req)
	if err != nil {
		return 0, 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	return resp.StatusCode, retryAfter(resp.Header.Get("Retry-After"), p.opt.Now()), shown(b), nil
}

// retryAfter reads a Retry-After value (RFC 9110 10.2.3): seconds or an
// HTTP date; 0 when absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
		// Capped so that the product cannot overflow: any wait past
		// maxRetryAfter leaves the feed to a later round anyway.
		return time.Duration(min(n, int64(24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// shown is a hub's answer as the log shows it: bodyShown bytes at most, on
// one line, without control characters.
func shown(b []byte) string {
	s := strings.ToValidUTF8(string(b), "�")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > bodyShown {
		s = strings.ToValidUTF8(s[:bodyShown], "") + "…"
	}
	return s
}
