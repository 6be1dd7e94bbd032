package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/digest"
	"github.com/paperfeed/paperfeed/aggregator/likefile"
	"github.com/paperfeed/paperfeed/aggregator/recommend"
	"github.com/paperfeed/paperfeed/aggregator/redact"
	"github.com/paperfeed/paperfeed/aggregator/topic"
	"github.com/paperfeed/paperfeed/db"
)

// Transport delivers composed messages (Sender does, over SMTP).
type Transport interface {
	// Send delivers msgs in order, calling sent after each one delivered,
	// and stops at the first failure.
	Send(ctx context.Context, msgs []*Message, sent func(*Message) error) error
}

// Runner sends the configured digests. Each digest's slots begin at its
// send times (digest.Schedule); a slot is a run in the store, claimed by
// one process, so that it is sent once across replicas and restarts. A run
// missed while paperfeed was down is the slot in progress when it starts:
// it goes out then, once, late.
type Runner struct {
	cfg       *config.Config
	store     db.Store
	models    *recommend.Engine
	likeFiles *likefile.Cache // the like-topics' like_files as last read
	transport Transport
	site      Site
	now       func() time.Time
	holder    string
	log       *slog.Logger
	metrics   *Metrics
	retryBase time.Duration
	retryMax  time.Duration
	poll      time.Duration
	oneShot   bool

	mu    sync.Mutex
	retry map[string]retryState // by digest
}

type retryState struct {
	failures int
	next     time.Time // real time: the backoff is slept, whatever the clock says
}

// Options configure a Runner; every field may be left zero.
type Options struct {
	// Now is the program's clock: send times and paper ranges are read on
	// it. The waits (polling, backoff) are slept in real time.
	Now    func() time.Time
	Logger *slog.Logger
	// Holder names this process in the store's digest runs; "" means the
	// host name and the process id.
	Holder string
	// Models ranks like-topics (shared with the feed server); nil: the
	// runner's own.
	Models *recommend.Engine
	// Transport delivers messages; nil: SMTP through [mail].
	Transport Transport
	Metrics   *Metrics
	// RetryBase is the wait after a first failed send, doubled per failure
	// in a row up to RetryMax (defaults 1 minute and 1 hour).
	RetryBase, RetryMax time.Duration
	// Poll bounds the wait between looks at the schedule (default 1 minute).
	Poll time.Duration
	// OneShot is a command's single send, which no retry follows: a failure
	// releases the slot at once instead of holding it for a backoff.
	OneShot bool
}

// SeenGrace is how far before the previous message's end the next one's
// papers begin. A collector stamps a paper's first_seen when its pass's items
// are fetched, before the write transaction that stores them commits; a
// paper stamped just before a send time and committed just after it was not
// in that send and would otherwise be before the next one's start. The grace
// covers the longest stamp-to-commit delay (waiting for the write lock plus
// merging a large pass) with a wide margin; DigestSentPapers keeps a paper
// in the overlap from going twice to a recipient under a topic.
const SeenGrace = 15 * time.Minute

// errLostClaim is a send whose run another process took over (this one's
// claim expired): it stops before sending more, as the other sends them.
var errLostClaim = errors.New("the claim on the run was lost to another process")

// recordAttempts is how many times a delivery the server accepted is
// recorded before the send fails: a run retried without the record would
// send the message again.
const recordAttempts = 4

// ClaimTTL is how long a run's claim outlives its last renewal (one per
// message sent): a process killed mid-send holds the slot at most this long.
const ClaimTTL = 2 * time.Minute

// NewRunner returns a runner for cfg's digests.
func NewRunner(cfg *config.Config, store db.Store, o Options) *Runner {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Holder == "" {
		host, _ := os.Hostname()
		o.Holder = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	if o.Models == nil {
		o.Models = recommend.NewEngine(store, recommend.DefaultOptions())
	}
	if o.Transport == nil && cfg.Mail != nil {
		o.Transport = NewSender(cfg.Mail)
	}
	if o.RetryBase <= 0 {
		o.RetryBase = time.Minute
	}
	if o.RetryMax < o.RetryBase {
		o.RetryMax = max(time.Hour, o.RetryBase)
	}
	if o.Poll <= 0 {
		o.Poll = time.Minute
	}
	return &Runner{cfg: cfg, store: store, models: o.Models, likeFiles: likefile.NewCache(), transport: o.Transport, now: o.Now, holder: o.Holder, log: o.Logger,
		metrics: o.Metrics, retryBase: o.RetryBase, retryMax: o.RetryMax, poll: o.Poll, oneShot: o.OneShot, retry: map[string]retryState{},
		site: Site{BaseURL: cfg.Server.BaseURL, Title: cfg.Server.Title}}
}

// Result is what one send of a digest did.
type Result struct {
	Digest, Slot string
	Sent         int    // messages sent now
	Papers       int    // papers in them
	Skipped      string // why nothing was sent, when nothing was
}

// Reasons a send sends nothing.
const (
	SkipAlreadySent = "already sent in this slot"
	SkipClaimed     = "another process is sending this slot"
	SkipNothingNew  = "no new papers"
	// skipReached is a retried slot whose every message an earlier
	// attempt sent: it is only marked sent.
	skipReached = "every recipient was reached by an earlier attempt"
)

// SlotOf is the key of d's slot in progress at now, and its start. A slot
// is the span from one of the digest's send times to the next: one message
// per recipient (a digest.Period is a feed's calendar day or week instead).
func SlotOf(d config.Digest, now time.Time) (string, time.Time) {
	s := digest.ScheduleOf(d)
	slot := s.Last(now)
	return s.SlotKey(slot), slot
}

// forcedSuffix begins what a forced send adds to its slot's key.
const forcedSuffix = "+forced-"

// InSlot reports whether the run key is of the slot: the slot's own run or
// a forced send in it.
func InSlot(key, slot string) bool {
	return key == slot || strings.HasPrefix(key, slot+forcedSuffix)
}

// Compose builds the messages d would send at now, one per recipient with
// new papers: per topic, its best papers first seen since the digest's
// previous message (the first message: since the send time before the
// current one), that were not sent to the recipient under that topic yet.
// It returns them and where their papers end (now).
func (r *Runner) Compose(ctx context.Context, d config.Digest, slot string, now time.Time) ([]*Message, error) {
	if r.cfg.Mail == nil {
		return nil, errors.New("no [mail] table")
	}
	from, err := r.since(ctx, d, now)
	if err != nil {
		return nil, err
	}
	var topics []topicPapers
	for _, name := range d.Topics {
		t, ok := r.cfg.Topic(name)
		if !ok {
			return nil, fmt.Errorf("digest %q: unknown topic %q", d.Name, name)
		}
		tp, err := r.topicPapers(ctx, d, t, from, now)
		if err != nil {
			return nil, fmt.Errorf("digest %q: %w", d.Name, err)
		}
		topics = append(topics, tp)
	}
	var out []*Message
	for _, to := range d.To {
		rcpt := Recipient(to)
		var sections []Section
		for _, tp := range topics {
			var keep []Item
			for _, it := range tp.list {
				if !tp.sent[rcpt][it.UID] && len(keep) < d.MaxPapers {
					keep = append(keep, it)
				}
			}
			sections = append(sections, Section{Topic: tp.t.Name, Title: tp.t.Title, PageURL: r.site.TopicURL(tp.t.Name), Papers: keep})
		}
		msg, err := Compose(r.site, r.cfg.Mail, d, slot, to, now, sections)
		if err != nil {
			return nil, err
		}
		if msg.Papers() > 0 {
			out = append(out, msg)
		}
	}
	return out, nil
}

// topicPapers is a topic's candidates for a message, best first, and which
// of them each recipient was sent under the topic.
type topicPapers struct {
	t    config.Topic
	list []Item
	sent map[string]map[string]bool // by recipient, then UID
}

// topicPapers reads t's papers first seen in [from, until) and which were
// sent to each of d's recipients. The store's candidates are capped
// (digest.MaxCandidates) before the sent ones are left out, so when the cap
// was reached it asks again for that many more as the recipient with the
// most was sent: each recipient then has the cap's worth of papers not sent
// to choose its best from.
func (r *Runner) topicPapers(ctx context.Context, d config.Digest, t config.Topic, from, until time.Time) (topicPapers, error) {
	want := digest.MaxCandidates
	for {
		ps, err := digest.Papers(ctx, r.store, topic.Likes{Models: r.models, Files: r.likeFiles}, t, from, until, want)
		if err != nil {
			return topicPapers{}, err
		}
		tp := topicPapers{t: t, list: make([]Item, len(ps)), sent: map[string]map[string]bool{}}
		uids := make([]string, len(ps))
		for i, p := range ps {
			v := digest.View(p)
			tp.list[i] = Item{Paper: v, PageURL: r.site.PaperURL(v.UID)}
			uids[i] = v.UID
		}
		most := 0
		for _, to := range d.To {
			rcpt := Recipient(to)
			sent, err := r.store.DigestSentPapers(ctx, rcpt, t.Name, uids)
			if err != nil {
				return topicPapers{}, err
			}
			tp.sent[rcpt] = sent
			most = max(most, len(sent))
		}
		if len(ps) < want || digest.MaxCandidates+most <= want {
			return tp, nil
		}
		want = digest.MaxCandidates + most
	}
}

// since is where d's next message's papers begin: SeenGrace before where its
// previous message's ended, or, before any, at the send time before the
// current one.
func (r *Runner) since(ctx context.Context, d config.Digest, now time.Time) (time.Time, error) {
	last, err := r.store.LastDigestRun(ctx, d.Name)
	switch {
	case err == nil:
		return last.Until.Add(-SeenGrace), nil
	case errors.Is(err, db.ErrNotFound):
		s := digest.ScheduleOf(d)
		return s.Before(s.Last(now)), nil
	default:
		return time.Time{}, err
	}
}

// Recipient is the address a delivery is recorded under: bare, lower case.
func Recipient(to string) string {
	if a, err := netmail.ParseAddress(to); err == nil {
		return strings.ToLower(a.Address)
	}
	return strings.ToLower(strings.TrimSpace(to))
}

// Send sends d's message of the slot in progress now, unless it was sent
// already or another process is sending it; force sends anyway, as a run of
// its own. Recipients a failed earlier attempt reached are not sent to
// again. A failure is recorded on the run (kept from other processes until
// its retry time) and returned with the server's answer.
func (r *Runner) Send(ctx context.Context, d config.Digest, force bool) (Result, error) {
	now := r.now()
	slot, _ := SlotOf(d, now)
	if force {
		slot += forcedSuffix + now.UTC().Format("20060102T150405Z")
	}
	res := Result{Digest: d.Name, Slot: slot}
	if !force {
		// Any run of the slot counts, a forced one (a run key of its own)
		// included. The run's key, not its sent time, says: a send of the
		// slot before can finish after this one began.
		if last, err := r.store.LastDigestRun(ctx, d.Name); err == nil && InSlot(last.Slot, slot) {
			res.Skipped = SkipAlreadySent
			return res, nil
		} else if err != nil && !errors.Is(err, db.ErrNotFound) {
			return res, err
		}
	}
	ok, err := r.store.ClaimDigestRun(ctx, d.Name, slot, r.holder, now, ClaimTTL)
	if err != nil {
		return res, err
	}
	if !ok {
		res.Skipped = SkipClaimed
		return res, nil
	}
	msgs, err := r.Compose(ctx, d, slot, now)
	if err != nil {
		return res, r.fail(ctx, d, slot, now, err)
	}
	delivered, err := r.store.DigestDeliveries(ctx, d.Name, slot)
	if err != nil {
		return res, r.fail(ctx, d, slot, now, err)
	}
	var pending []*Message
	for _, m := range msgs {
		if _, done := delivered[Recipient(m.To)]; !done {
			pending = append(pending, m)
		}
	}
	// Composing may outlast the claim: renew it before the first message.
	if err := r.renew(ctx, d, slot); err != nil {
		return res, r.fail(ctx, d, slot, now, err)
	}
	err = r.transport.Send(ctx, pending, func(m *Message) error {
		if err := r.record(ctx, m); err != nil {
			return err
		}
		res.Sent++
		res.Papers += m.Papers()
		r.metrics.sent(d.Name)
		return r.renew(ctx, d, slot)
	})
	if err != nil {
		return res, r.fail(ctx, d, slot, now, err)
	}
	if len(msgs) == 0 {
		res.Skipped = SkipNothingNew
	}
	if err := r.store.FinishDigestRun(ctx, d.Name, slot, r.holder, r.now(), now); err != nil {
		return res, err
	}
	r.metrics.finished(d.Name, r.now())
	return res, nil
}

// renew extends this process's claim on the run; errLostClaim when another
// process holds it now.
func (r *Runner) renew(ctx context.Context, d config.Digest, slot string) error {
	ok, err := r.store.ClaimDigestRun(ctx, d.Name, slot, r.holder, r.now(), ClaimTTL)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("digest %s %s: %w", d.Name, slot, errLostClaim)
	}
	return nil
}

// record records the delivery of m, which the server accepted, retrying a
// failure a few times, and even when ctx is cancelled: a message sent and
// not recorded is sent again by the run's retry.
func (r *Runner) record(ctx context.Context, m *Message) error {
	ctx = context.WithoutCancel(ctx)
	d := delivery(m, r.now())
	var err error
	for i := range recordAttempts {
		if err = r.store.RecordDigestDelivery(ctx, d); err == nil {
			return nil
		}
		r.log.Warn("record digest delivery", "digest", m.Digest, "to", Recipient(m.To), "attempt", i+1, "err", err)
		time.Sleep(time.Duration(i+1) * 100 * time.Millisecond)
	}
	return err
}

// fail records a failed attempt; the run is kept from other processes until
// this one's next try.
func (r *Runner) fail(ctx context.Context, d config.Digest, slot string, now time.Time, cause error) error {
	r.mu.Lock()
	st := r.retry[d.Name]
	wait := r.backoff(st.failures + 1)
	r.mu.Unlock()
	if r.oneShot {
		wait = 0
	}
	reason := redact.Text(cause.Error())
	if err := r.store.FailDigestRun(context.WithoutCancel(ctx), d.Name, slot, r.holder, reason, now, now.Add(wait)); err != nil {
		r.log.Warn("record failed digest", "digest", d.Name, "err", err)
	}
	r.metrics.failed(d.Name)
	return cause
}

// backoff is the wait after n failures in a row: RetryBase doubled per
// failure beyond the first, at most RetryMax.
func (r *Runner) backoff(n int) time.Duration {
	d := r.retryBase
	for i := 1; i < n && d < r.retryMax; i++ {
		d *= 2
	}
	return min(d, r.retryMax)
}

// Run sends each digest when due until ctx is done: at start, a slot not
// sent yet (missed while down) goes out at once; then each at its send time.
// A failed send is retried with backoff. It never returns before ctx is
// done, and a send in flight finishes its records when asked to stop.
func (r *Runner) Run(ctx context.Context) {
	if len(r.cfg.Digests) == 0 || r.transport == nil {
		return
	}
	for {
		wait := r.poll
		for _, d := range r.cfg.Digests {
			wait = min(wait, r.tick(ctx, d))
		}
		t := time.NewTimer(max(wait, 10*time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// tick sends d when its slot in progress is not sent and no backoff is
// running, and returns how long to wait before looking again.
func (r *Runner) tick(ctx context.Context, d config.Digest) time.Duration {
	r.mu.Lock()
	st := r.retry[d.Name]
	r.mu.Unlock()
	if w := time.Until(st.next); w > 0 {
		return w
	}
	res, err := r.Send(context.WithoutCancel(ctx), d, false)
	now := r.now()
	untilNext := digest.ScheduleOf(d).Next(now).Sub(now)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		st.failures++
		wait := r.backoff(st.failures)
		st.next = time.Now().Add(wait)
		r.retry[d.Name] = st
		r.metrics.setRetrying(d.Name, true)
		r.log.Error("digest not sent", "digest", d.Name, "slot", res.Slot, "failures", st.failures, "retry_in", wait.String(),
			"sent", res.Sent, "err", redact.Text(err.Error()))
		return wait
	}
	delete(r.retry, d.Name)
	r.metrics.setRetrying(d.Name, false)
	switch {
	case res.Sent > 0:
		r.log.Info("digest sent", "digest", d.Name, "slot", res.Slot, "messages", res.Sent, "papers", res.Papers)
	case res.Skipped == SkipNothingNew:
		r.log.Debug("digest slot done, no message", "digest", d.Name, "slot", res.Slot, "reason", res.Skipped)
	case res.Skipped == "":
		r.log.Debug("digest slot done, no message", "digest", d.Name, "slot", res.Slot, "reason", skipReached)
	}
	return untilNext
}

// delivery is the store's record of message m sent at.
func delivery(m *Message, at time.Time) db.DigestDelivery {
	d := db.DigestDelivery{Digest: m.Digest, Slot: m.Slot, Recipient: Recipient(m.To), MessageID: m.MessageID, Sent: at}
	for _, s := range m.Sections {
		for _, p := range s.Papers {
			d.Papers = append(d.Papers, db.DigestPaper{Topic: s.Topic, UID: p.UID})
		}
	}
	return d
}
