// Package aggregator collects papers from the configured sources, deduplicates
// them into the store, and schedules passes.
//
// One pass of one source: load the source's state (HTTP validators) → the source
// fetches and converts upstream records into model.Items → in ONE write
// transaction each item is matched against stored papers (dedup) and merged into
// the match or stored as a new paper, and the new source state is saved. A pass
// that fails changes nothing stored except the source's error record.
package aggregator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/dedup"
	"github.com/paperfeed/paperfeed/aggregator/likefile"
	"github.com/paperfeed/paperfeed/aggregator/merge"
	"github.com/paperfeed/paperfeed/aggregator/redact"
	"github.com/paperfeed/paperfeed/aggregator/sources"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// MaxBackoff caps the wait after consecutive failures.
const MaxBackoff = 24 * time.Hour

// Collector runs source passes.
type Collector struct {
	cfg     *config.Config
	store   db.Store
	fetcher sources.Fetcher
	log     *slog.Logger
	now     func() time.Time
	metrics *Metrics

	sources []configured

	replica string // the holder name of this process's leases
	// crossrefAPI is where exemplar DOIs are looked up.
	crossrefAPI string
	// likeFiles are the like-topics' like_files as last read (re-read
	// when changed), whose exemplars each collect fetches.
	likeFiles *likefile.Cache

	mu      sync.Mutex
	running map[string]bool
	// heldElsewhere: when a due source whose lease another process holds
	// is looked at again (Run), by name.
	heldElsewhere map[string]time.Time

	// lookup completes papers from the arXiv API (nil: completion is off);
	// completing runs one round at a time.
	lookup     *sources.ArxivLookup
	completing sync.Mutex
}

type configured struct {
	cfg config.Source
	src sources.Source
}

// Options configure a Collector.
type Options struct {
	Logger *slog.Logger
	// Now is the program's clock, passed on to the sources; nil means time.Now.
	// Pass dates and the schedule are read on it; the waits between passes
	// are slept in real time.
	Now     func() time.Time
	Metrics *Metrics // may be nil
	// Progress receives backfill progress (see sources.Options).
	Progress func(source string, done, total int)
	// Replica names this process in the store's leases; "" means the host
	// name and the process id.
	Replica string
	// ArxivLookup, when set, completes papers listed without categories from
	// the arXiv API after passes (see Complete); nil leaves them as listed.
	ArxivLookup *sources.ArxivLookup
	// CrossrefAPI is where exemplar DOIs are looked up; "" means
	// sources.CrossrefAPI.
	CrossrefAPI string
}

// New builds a collector for every source in cfg.
func New(cfg *config.Config, store db.Store, f sources.Fetcher, o Options) (*Collector, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.CrossrefAPI == "" {
		o.CrossrefAPI = sources.CrossrefAPI
	}
	if o.Replica == "" {
		host, _ := os.Hostname()
		o.Replica = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	c := &Collector{cfg: cfg, store: store, fetcher: f, log: o.Logger, now: o.Now, metrics: o.Metrics, replica: o.Replica, running: map[string]bool{}, heldElsewhere: map[string]time.Time{}, lookup: o.ArxivLookup, likeFiles: likefile.NewCache(),
		crossrefAPI: o.CrossrefAPI}
	// One gate for every source: the bodies parsed at once weigh at most one
	// body cap, however many workers fetch.
	gate := sources.NewParseGate(cfg.Collect.MaxBodyBytes)
	for _, sc := range cfg.Sources {
		src, err := sources.New(sc, sources.Options{Now: o.Now, Progress: o.Progress, Gate: gate, UserAgent: cfg.Collect.UserAgent})
		if err != nil {
			return nil, err
		}
		c.sources = append(c.sources, configured{cfg: sc, src: src})
	}
	return c, nil
}

// Summary is the outcome of one pass of one source. The printed line, the log
// and the metrics call Known items "unchanged" and an AllNotModified pass "not
// modified" (not_modified): scripts read those words.
type Summary struct {
	Source   string
	Type     string
	New      int // papers first seen in this pass
	Merged   int // items that joined a paper already stored from another listing
	Known    int // items this source had listed before (maybe updated)
	Skipped  int // items not stored (e.g. replacements of unknown papers)
	Requests int
	Bytes    int64
	// AllNotModified: every request of the pass was answered 304 Not Modified.
	AllNotModified bool
	Duration       time.Duration
	Notes          []string
	Err            error // a *PassError when the pass failed
	NextCheck      time.Time
	// NotRun says why the pass did not run (another process held the
	// source's lease, or collected it meanwhile); "" when it ran.
	NotRun string
}

// String is the one-line summary `collect` prints.
func (s Summary) String() string {
	return fmt.Sprintf("%-20s %s", s.Source, s.Outcome())
}

// Outcome is the summary without the source name. It is stored as the
// source's last pass and shown on /status: URLs in it are redacted.
func (s Summary) Outcome() string {
	if s.NotRun != "" {
		return "skipped: " + s.NotRun
	}
	if s.Err != nil {
		return "error: " + redact.Text(causeOf(s.Err).Error())
	}
	line := fmt.Sprintf("%d new, %d merged, %d unchanged", s.New, s.Merged, s.Known)
	if s.Skipped > 0 {
		line += fmt.Sprintf(", %d skipped", s.Skipped)
	}
	line += fmt.Sprintf(" (%d requests, %s, %s", s.Requests, humanBytes(s.Bytes), s.Duration.Round(time.Millisecond))
	if s.AllNotModified {
		line += ", not modified"
	}
	line += ")"
	if len(s.Notes) > 0 {
		line += "; " + redact.Text(strings.Join(s.Notes, "; "))
	}
	return line
}

// PassError is a failed pass's error. Error() names the source in front of
// the cause; Outcome (the text /status shows) is the cause alone, and
// Summary.String puts the name in a column of its own.
type PassError struct {
	Source string
	Err    error
}

func (e *PassError) Error() string { return e.Source + ": " + e.Err.Error() }
func (e *PassError) Unwrap() error { return e.Err }

// causeOf is the cause of a *PassError (any other error is its own cause).
func causeOf(err error) error {
	var pe *PassError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// Replica is the holder name this collector claims leases under.
func (c *Collector) Replica() string { return c.replica }

// CollectAll runs one pass of every source, at most cfg.Collect.Workers at once,
// and returns the summaries in config order. Each pass holds the source's
// lease, as a replica's scheduled pass does, whether or not the source is
// due: a source another process is collecting, or has collected since
// CollectAll began, is skipped (Summary.NotRun), so a collect from cron
// beside serve replicas never fetches what they fetch.
func (c *Collector) CollectAll(ctx context.Context) []Summary {
	began := c.now()
	collectedSince := func(st db.SourceState) string {
		if st.LastAttempt.After(began) {
			return "collected by another process at " + st.LastAttempt.UTC().Format(time.RFC3339) + ", after this collect began"
		}
		return ""
	}
	out := make([]Summary, len(c.sources))
	sem := make(chan struct{}, c.cfg.Collect.Workers)
	var wg sync.WaitGroup
	for i := range c.sources {
		wg.Add(1)
		sem <- struct{}{} // passes start in config order
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i], _ = c.leasedPass(ctx, c.sources[i], collectedSince)
		}()
	}
	wg.Wait()
	// After the passes, so an exemplar a source lists is not asked for.
	c.FetchExemplarDOIs(ctx)
	return out
}

// Run schedules passes until ctx is done: each source on its own interval with
// jitter, later when the upstream asked (Cache-Control, Expires, Retry-After),
// backing off after consecutive failures. After passes, a completion round
// (Complete) runs beside them, one at a time, after the topics' missing
// exemplars are fetched (FetchExemplars). It returns when ctx is done and
// every running pass and round has finished (its transaction committed or
// rolled back).
func (c *Collector) Run(ctx context.Context) {
	sem := make(chan struct{}, c.cfg.Collect.Workers)
	passDone := make(chan struct{}, 1) // wakes the loop to reschedule a source whose pass ended
	complete := make(chan struct{}, 1) // asks for a completion round
	var wg sync.WaitGroup
	defer wg.Wait()
	if c.lookup != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.FetchExemplars(ctx)
			for {
				select {
				case <-ctx.Done():
					return
				case <-complete:
					c.FetchExemplars(ctx) // asks only for failures due again
					c.Complete(ctx)
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.FetchExemplarDOIs(ctx)
	}()
	for {
		next := c.now().Add(time.Minute)
		states, err := c.store.SourceStates(ctx)
		if err != nil && ctx.Err() == nil {
			c.log.Error("read source states", "err", err)
		}
		for _, s := range c.sources {
			st := states[s.cfg.Name]
			due := st.NextCheck
			if !due.After(c.now()) {
				if retry, held := c.retryAt(s.cfg.Name); held {
					if retry.Before(next) {
						next = retry
					}
					continue
				}
				if c.claim(s.cfg.Name) {
					select {
					case sem <- struct{}{}:
					case <-ctx.Done():
						c.release(s.cfg.Name)
						return
					}
					wg.Add(1)
					go func() {
						defer wg.Done()
						defer func() { <-sem }()
						defer func() {
							select {
							case passDone <- struct{}{}:
							default:
							}
						}()
						defer c.release(s.cfg.Name)
						// A pass in flight finishes its transaction even when asked to stop.
						// Every successful pass asks for a round: it may have stored papers
						// to complete, and failed ids come due again. A round with nothing
						// due reads two indexes and sends nothing.
						if sum, ran := c.leasedPass(context.WithoutCancel(ctx), s, c.notDue); ran && sum.Err == nil {
							select {
							case complete <- struct{}{}:
							default: // a round is already asked for
							}
						}
					}()
				}
				continue
			}
			if due.Before(next) {
				next = due
			}
		}
		wait := next.Sub(c.now())
		if wait < time.Second {
			wait = time.Second
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-passDone:
			t.Stop()
		}
	}
}

// LeaseTTL is how long a replica's lease on a source outlives its last
// renewal: a replica killed mid-pass holds the source at most this long.
const LeaseTTL = 30 * time.Second

// leasedPass runs a pass of s while holding the source's lease in the
// store, so that of several processes on one store one collects it at a
// time. The source's state is read again under the lease and skip says from
// it whether the pass is still wanted (a reason not to run, or ""): another
// replica may have collected the source since this one looked. The lease is
// renewed every LeaseTTL/3 while the pass runs. It reports the pass's
// summary (Summary.NotRun set when it did not run) and whether it ran.
func (c *Collector) leasedPass(ctx context.Context, s configured, skip func(db.SourceState) string) (Summary, bool) {
	name := db.SourceLease(s.cfg.Name)
	notRun := Summary{Source: s.cfg.Name, Type: s.cfg.Type}
	ok, err := c.store.ClaimLease(ctx, name, c.replica, LeaseTTL)
	if err != nil {
		notRun.Err = &PassError{Source: s.cfg.Name, Err: err}
		c.log.Error("claim source lease", "source", s.cfg.Name, "err", err)
		return notRun, false
	}
	if !ok {
		notRun.NotRun = c.heldBy(ctx, s.cfg.Name)
		c.log.Debug("source pass skipped", "source", s.cfg.Name, "reason", notRun.NotRun)
		return notRun, false
	}
	c.mu.Lock()
	delete(c.heldElsewhere, s.cfg.Name)
	c.mu.Unlock()
	defer func() {
		if err := c.store.ReleaseLease(context.WithoutCancel(ctx), name, c.replica); err != nil {
			c.log.Warn("release source lease", "source", s.cfg.Name, "err", err)
		}
	}()
	st, err := c.store.SourceState(ctx, s.cfg.Name)
	if err != nil {
		notRun.Err = &PassError{Source: s.cfg.Name, Err: err}
		c.finish(&notRun, c.now())
		return notRun, false
	}
	if why := skip(st); why != "" {
		notRun.NotRun = why
		c.log.Debug("source pass skipped", "source", s.cfg.Name, "reason", why)
		return notRun, false
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(LeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if ok, err := c.store.RenewLease(ctx, name, c.replica, LeaseTTL); err != nil || !ok {
					c.log.Warn("source lease not renewed", "source", s.cfg.Name, "held", ok, "err", err)
				}
			}
		}
	}()
	return c.pass(ctx, s), true
}

// notDue is Run's reason to skip a pass under the lease: another replica
// collected the source (or started to) since this one read it due.
func (c *Collector) notDue(st db.SourceState) string {
	if st.NextCheck.After(c.now()) {
		return "not due: another replica collected it at " + st.LastAttempt.UTC().Format(time.RFC3339)
	}
	return ""
}

// heldBy says which process holds the source's lease (it was just refused
// to this one), and makes Run look at the source again after LeaseTTL/3
// rather than at once: the holder moves its next check when its pass
// starts, or dies and lets the lease expire.
func (c *Collector) heldBy(ctx context.Context, source string) string {
	name := db.SourceLease(source)
	c.mu.Lock()
	c.heldElsewhere[source] = c.now().Add(LeaseTTL / 3)
	c.mu.Unlock()
	ls, err := c.store.Leases(ctx)
	if err == nil {
		for _, l := range ls {
			if l.Name == name {
				return fmt.Sprintf("%s is held by %s until %s (a pass runs there; if that process died, the lease expires then)", name, l.Holder, l.Expires.UTC().Format(time.RFC3339))
			}
		}
	}
	return name + " is held by another process"
}

// retryAt is when Run looks again at a due source another process held.
func (c *Collector) retryAt(name string) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.heldElsewhere[name]
	if ok && !t.After(c.now()) {
		delete(c.heldElsewhere, name)
		return time.Time{}, false
	}
	return t, ok
}

func (c *Collector) claim(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running[name] {
		return false
	}
	c.running[name] = true
	return true
}

func (c *Collector) release(name string) {
	c.mu.Lock()
	delete(c.running, name)
	c.mu.Unlock()
}

// pass runs one source once and records the outcome.
func (c *Collector) pass(ctx context.Context, s configured) Summary {
	start := c.now()
	sum := Summary{Source: s.cfg.Name, Type: s.cfg.Type}
	prev, err := c.store.SourceState(ctx, s.cfg.Name)
	if err != nil {
		sum.Err = &PassError{Source: s.cfg.Name, Err: err}
		c.finish(&sum, start)
		return sum
	}
	if err := c.recordAttempt(ctx, &prev, s.cfg, start); err != nil {
		sum.Err = &PassError{Source: s.cfg.Name, Err: err}
		c.finish(&sum, start)
		return sum
	}
	var st sources.State
	if len(prev.State) > 0 {
		if err := json.Unmarshal(prev.State, &st); err != nil {
			c.log.Warn("discarding unreadable source state", "source", s.cfg.Name, "err", err)
			st = sources.State{}
		}
	}
	timeout := time.Duration(c.cfg.Collect.Timeout)
	if s.cfg.Type == "arxiv-api" && s.cfg.Backfill > 0 && !st.BackfillDone {
		timeout = 0 // a backfill is paced by arXiv's 3 s rule; it ends when done or cancelled
	}
	pctx, cancel := ctx, context.CancelFunc(func() {})
	if timeout > 0 {
		// Each request is bounded by the fetcher's timeout; the pass as a whole by
		// a few of them (paging sources make several requests).
		pctx, cancel = context.WithTimeout(ctx, 10*timeout)
	}
	res, err := s.src.Collect(pctx, c.fetcher, &st)
	cancel()
	now := c.now()
	if err != nil {
		c.recordFailure(ctx, prev, s.cfg, now, err, &sum)
		c.finish(&sum, start)
		return sum
	}
	next := now.Add(jitter(c.cfg.Interval(s.cfg)))
	newState := prev
	newState.Type = s.cfg.Type
	newState.LastAttempt = now
	sum.Requests, sum.Bytes, sum.AllNotModified, sum.Notes = res.Requests, res.Bytes, res.AllNotModified, res.Notes
	if res.NotBefore.After(next) {
		next = res.NotBefore
	}
	newState.Failures = 0
	newState.LastSuccess = now
	newState.NextCheck = next
	sum.NextCheck = next
	stateJSON, _ := json.Marshal(st)
	newState.State = stateJSON

	err = c.store.Update(ctx, func(tx db.Tx) error {
		sum.New, sum.Merged, sum.Known, sum.Skipped = 0, 0, 0, 0
		for i := range res.Items {
			it := &res.Items[i]
			it.Source = s.cfg.Name
			outcome, err := c.ingest(ctx, tx, s.cfg, it, now)
			if err != nil {
				return err
			}
			switch outcome {
			case outcomeNew:
				sum.New++
			case outcomeMerged:
				sum.Merged++
			case outcomeKnown:
				sum.Known++
			case outcomeSkipped:
				sum.Skipped++
			}
		}
		newState.LastSummary = sum.Outcome()
		return tx.SaveSourceState(ctx, newState)
	})
	if err != nil {
		c.recordFailure(ctx, prev, s.cfg, now, fmt.Errorf("store: %w", err), &sum)
	}
	c.finish(&sum, start)
	return sum
}

// recordAttempt writes the attempt into the source's state before anything
// is fetched: its time, and a next check one interval later (for a failing
// source, its next backoff). A process killed in the middle of the pass, after
// the upstream answered and before the pass committed, leaves that behind,
// so another replica collects the source at its next due time rather than as
// soon as the lease expires. prev becomes the recorded state.
func (c *Collector) recordAttempt(ctx context.Context, prev *db.SourceState, sc config.Source, now time.Time) error {
	st := *prev
	st.Name = sc.Name
	st.Type = sc.Type
	st.LastAttempt = now
	st.NextCheck = now.Add(jitter(c.cfg.Interval(sc)))
	if st.Failures > 0 {
		st.NextCheck = now.Add(backoff(c.cfg.Interval(sc), st.Failures+1))
	}
	if err := c.store.SaveSourceState(ctx, st); err != nil {
		return fmt.Errorf("record the attempt: %w", err)
	}
	*prev = st
	return nil
}

// recordFailure keeps a failed pass in the source's state, and nothing else of
// it: one more consecutive failure, the error, and the next check after the
// backoff or the upstream's Retry-After, whichever is later. The error is
// stored as /status shows it: its message redacted, without its Detail.
func (c *Collector) recordFailure(ctx context.Context, prev db.SourceState, sc config.Source, now time.Time, cause error, sum *Summary) {
	sum.Err = &PassError{Source: sc.Name, Err: cause}
	st := prev
	st.Type = sc.Type
	st.LastAttempt = now
	st.Failures++
	st.LastError = redact.Text(cause.Error())
	st.LastErrorAt = now
	st.NextCheck = now.Add(backoff(c.cfg.Interval(sc), st.Failures))
	if ra := retryAfterOf(cause); ra.After(st.NextCheck) {
		st.NextCheck = ra
	}
	sum.NextCheck = st.NextCheck
	st.LastSummary = sum.Outcome()
	// Recorded even when the pass was cancelled: the operator must see why it stopped.
	if err := c.store.SaveSourceState(context.WithoutCancel(ctx), st); err != nil {
		c.log.Error("save source state", "source", sc.Name, "err", err)
	}
}

func (c *Collector) finish(sum *Summary, start time.Time) {
	sum.Duration = c.now().Sub(start)
	c.metrics.observePass(sum)
	attrs := []any{"source", sum.Source, "type", sum.Type, "new", sum.New, "merged", sum.Merged, "unchanged", sum.Known,
		"requests", sum.Requests, "bytes", sum.Bytes, "duration", sum.Duration.Round(time.Millisecond), "next_check", sum.NextCheck.UTC().Format(time.RFC3339)}
	if sum.Err != nil {
		attrs = append(attrs, "err", redact.Text(sum.Err.Error()))
		if d := detailOf(sum.Err); d != "" {
			attrs = append(attrs, "detail", redact.Text(d))
		}
		c.log.Warn("source pass failed", attrs...)
		return
	}
	c.log.Info("source pass", attrs...)
}

type outcome int

const (
	outcomeNew outcome = iota
	outcomeMerged
	outcomeKnown // a listing stored before, maybe updated
	outcomeSkipped
)

// ingest matches one item against the store and stores it. The rules run on
// the candidates' matching fields (db.Candidate); only the paper the item
// joins is loaded in full.
func (c *Collector) ingest(ctx context.Context, tx db.Tx, sc config.Source, it *model.Item, now time.Time) (outcome, error) {
	in := dedup.FromItem(it)
	in.Seen = now
	blocks := dedup.BlockKeys(in)
	cands, err := tx.Candidates(ctx, it.Source, it.GUID, it.ArxivID, it.DOI, in.TitleKey, blocks)
	if err != nil {
		return 0, err
	}
	stored := make([]dedup.Candidate, len(cands))
	for i := range cands {
		stored[i] = dedup.FromStored(cands[i])
	}
	in.Recurring = dedup.Recurring(in.TitleKey, stored)
	var j joining
	known := false // this very listing (source, guid) was stored before
	for i, cand := range cands {
		if cand.Listed {
			j, known = joining{id: cand.ID}, true
			break
		}
		if j.id == 0 {
			if rule, reason, ok := dedup.Explain(in, stored[i]); ok {
				j = joining{id: cand.ID, rule: rule, reason: reason}
			}
		}
	}
	for _, doi := range it.VersionDOIs {
		if j.id != 0 {
			break
		}
		id, err := paperOfDOI(ctx, tx, doi)
		if err != nil {
			return 0, err
		}
		if id != 0 {
			j = joining{id: id, rule: model.RuleVersionDOI, reason: "names " + doi + ", the DOI of another version of the paper"}
		}
	}
	if j.id == 0 {
		if isReplacement(it) && !announces(sc, it.AnnounceType) {
			return outcomeSkipped, nil // a new version of a paper we never stored is not news
		}
		p := merge.New(it, now)
		p.BlockKeys = blocks
		if p.Published.IsZero() {
			p.Published = now // a paper without a date is dated when first seen, never "now" at every render
		}
		if err := tx.Save(ctx, p); err != nil {
			return 0, err
		}
		return outcomeNew, nil
	}
	match, err := tx.Paper(ctx, j.id)
	if err != nil {
		return 0, err
	}
	before := snapshot(match)
	merge.Into(match, it, now)
	if !known {
		merge.Joined(match, it, j.rule, j.reason)
	}
	match.BlockKeys = blocks // the paper is found under every listing's keys
	if reflect.DeepEqual(before, snapshot(match)) {
		// Only last-seen moved: record it without invalidating rendered feeds.
		if err := tx.Touch(ctx, it.Source, it.GUID, now); err != nil {
			return 0, err
		}
	} else if err := tx.Save(ctx, match); err != nil {
		return 0, err
	}
	if known {
		return outcomeKnown, nil
	}
	c.metrics.observeMerge(it.Source)
	return outcomeMerged, nil
}

// joining is the stored paper an item joins (id 0: none) and by which rule.
type joining struct {
	id           int64
	rule, reason string
}

// paperOfDOI is the id of the stored paper whose DOI is doi (another version
// an item names), or 0.
func paperOfDOI(ctx context.Context, tx db.Tx, doi string) (int64, error) {
	cands, err := tx.Candidates(ctx, "", "", "", doi, "", nil)
	if err != nil {
		return 0, err
	}
	for _, c := range cands {
		if strings.EqualFold(c.DOI, doi) {
			return c.ID, nil
		}
	}
	return 0, nil
}

// snapshot is the part of a paper whose change must reach the feeds.
func snapshot(p *model.Paper) model.Paper {
	s := *p
	s.Authors = append([]string(nil), p.Authors...)
	s.Categories = append([]string(nil), p.Categories...)
	s.Links = append([]model.Link(nil), p.Links...)
	s.Sightings = nil
	for _, sg := range p.Sightings {
		sg.LastSeen = time.Time{}
		s.Sightings = append(s.Sightings, sg)
	}
	return s
}

func isReplacement(it *model.Item) bool { return strings.HasPrefix(it.AnnounceType, "replace") }

func announces(sc config.Source, typ string) bool {
	for _, a := range sc.Announce {
		if a == typ {
			return true
		}
	}
	return false
}

// jitter spreads passes by ±10% so sources configured alike do not fire together.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	return d + time.Duration((rand.Float64()*0.2-0.1)*float64(d))
}

// backoff is the wait after n consecutive failures: from the interval (at most
// 15 minutes, so a transient fault heals soon) doubled per failure beyond the
// first, capped at MaxBackoff.
func backoff(interval time.Duration, n int) time.Duration {
	d := min(interval, 15*time.Minute)
	for i := 1; i < n && d < MaxBackoff; i++ {
		d *= 2
	}
	return min(d, MaxBackoff)
}

// detailer is an error with details for the operator's log that its message
// leaves out (the start of a body that was not a feed): /status shows the
// message only.
type detailer interface{ Detail() string }

func detailOf(err error) string {
	var d detailer
	if errors.As(err, &d) {
		return d.Detail()
	}
	return ""
}

type retryAfterer interface{ RetryAt() time.Time }

func retryAfterOf(err error) time.Time {
	var ra retryAfterer
	if errors.As(err, &ra) {
		return ra.RetryAt()
	}
	return time.Time{}
}
