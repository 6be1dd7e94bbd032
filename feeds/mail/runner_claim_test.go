package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/digest"
	"github.com/paperfeed/paperfeed/aggregator/topic"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/dbtest"
	"github.com/paperfeed/paperfeed/db/model"
	"github.com/paperfeed/paperfeed/feeds/mail/mailpittest"
)

// fakeTransport delivers into a list; before each message's sent it runs
// before (when set).
type fakeTransport struct {
	mu     sync.Mutex
	got    []*Message
	before func(*Message)
}

func (f *fakeTransport) Send(_ context.Context, msgs []*Message, sent func(*Message) error) error {
	for _, m := range msgs {
		f.mu.Lock()
		f.got = append(f.got, m)
		f.mu.Unlock()
		if f.before != nil {
			f.before(m)
		}
		if err := sent(m); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeTransport) count() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.got) }

// hookStore runs hooks around some of the store's calls.
type hookStore struct {
	db.Store
	onSentPapers func()
	recordFails  int // RecordDigestDelivery fails this many times first
}

func (h *hookStore) DigestSentPapers(ctx context.Context, rcpt, topic string, uids []string) (map[string]bool, error) {
	if h.onSentPapers != nil {
		h.onSentPapers()
	}
	return h.Store.DigestSentPapers(ctx, rcpt, topic, uids)
}

func (h *hookStore) RecordDigestDelivery(ctx context.Context, d db.DigestDelivery) error {
	if h.recordFails > 0 {
		h.recordFails--
		return errors.New("database is locked")
	}
	return h.Store.RecordDigestDelivery(ctx, d)
}

// steal lets the claim of p1 on today's run expire and another process take it.
func steal(t *testing.T, s db.Store, clk *mailpittest.Clock) {
	t.Helper()
	clk.Set(clk.Now().Add(ClaimTTL + time.Second))
	if ok, err := s.ClaimDigestRun(context.Background(), "morning", "2026-11-21", "p2", clk.Now(), ClaimTTL); err != nil || !ok {
		t.Fatalf("the other process's claim: %v %v", ok, err)
	}
}

// TestRunnerStopsOnLostClaim: a claim lost while composing sends nothing; one
// lost after a message stops before the next one.
func TestRunnerStopsOnLostClaim(t *testing.T) {
	for _, tc := range []struct {
		name     string
		midSend  bool
		wantSent int
	}{{"while composing", false, 0}, {"after a message", true, 1}} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := runnerConfig(t, "127.0.0.1:1", "")
			clk := mailpittest.NewClock(day1.Add(time.Hour))
			base := openStore(t, filepath.Join(t.TempDir(), "pf.db"), clk.Now)
			dbtest.Save(t, base, seen(2, "Learning one", day1.Add(-time.Hour)))
			hs := &hookStore{Store: base}
			tr := &fakeTransport{}
			stolen := false
			once := func() {
				if !stolen {
					stolen = true
					steal(t, base, clk)
				}
			}
			if tc.midSend {
				tr.before = func(*Message) { once() }
			} else {
				hs.onSentPapers = once
			}
			r := NewRunner(cfg, hs, Options{Now: clk.Now, Holder: "p1", Transport: tr, OneShot: true})
			_, err := r.Send(context.Background(), cfg.Digests[0], false)
			if !errors.Is(err, errLostClaim) {
				t.Fatalf("send: %v, want the lost claim", err)
			}
			if n := tr.count(); n != tc.wantSent {
				t.Errorf("%d messages sent, want %d", n, tc.wantSent)
			}
		})
	}
}

// TestRunnerRetriesRecording: a delivery the server accepted whose record
// fails is recorded again, so the run finishes and sends nothing twice.
func TestRunnerRetriesRecording(t *testing.T) {
	cfg := runnerConfig(t, "127.0.0.1:1", "")
	clk := mailpittest.NewClock(day1.Add(time.Hour))
	base := openStore(t, filepath.Join(t.TempDir(), "pf.db"), clk.Now)
	dbtest.Save(t, base, seen(2, "Learning one", day1.Add(-time.Hour)))
	hs := &hookStore{Store: base, recordFails: 2}
	tr := &fakeTransport{}
	r := NewRunner(cfg, hs, Options{Now: clk.Now, Holder: "p1", Transport: tr, OneShot: true})
	res, err := r.Send(context.Background(), cfg.Digests[0], false)
	if err != nil || res.Sent != 2 {
		t.Fatalf("send: %+v %v", res, err)
	}
	got, err := base.DigestDeliveries(context.Background(), "morning", "2026-11-21")
	if err != nil || len(got) != 2 {
		t.Fatalf("deliveries %v %v, want both recorded", got, err)
	}
	if res, err := r.Send(context.Background(), cfg.Digests[0], false); err != nil || res.Skipped != SkipAlreadySent || tr.count() != 2 {
		t.Errorf("second send: %+v %v, %d messages", res, err, tr.count())
	}
}

// fakeRunner is the runner of "morning" through a fakeTransport at now, on a
// store holding one paper of the ml topic first seen an hour before day1.
func fakeRunner(t *testing.T, now time.Time) (*mailpittest.Clock, db.Store, *fakeTransport, *Runner) {
	t.Helper()
	cfg := runnerConfig(t, "127.0.0.1:1", "")
	clk := mailpittest.NewClock(now)
	s := openStore(t, filepath.Join(t.TempDir(), "pf.db"), clk.Now)
	dbtest.Save(t, s, seen(2, "Learning one", day1.Add(-time.Hour)))
	tr := &fakeTransport{}
	return clk, s, tr, NewRunner(cfg, s, Options{Now: clk.Now, Holder: "p1", Transport: tr})
}

// TestRunnerForcedCountsForTheSlot: after -force, a send in the same
// slot is already sent, whatever arrived since.
func TestRunnerForcedCountsForTheSlot(t *testing.T) {
	clk, s, _, r := fakeRunner(t, day1.Add(time.Hour))
	d := r.cfg.Digests[0]
	if res, err := r.Send(context.Background(), d, true); err != nil || res.Sent != 2 {
		t.Fatalf("forced send: %+v %v", res, err)
	}
	clk.Set(day1.Add(2 * time.Hour))
	dbtest.Save(t, s, seen(3, "Learning two", day1.Add(90*time.Minute)))
	if res, err := r.Send(context.Background(), d, false); err != nil || res.Skipped != SkipAlreadySent {
		t.Errorf("send after the forced one: %+v %v", res, err)
	}
	// The next slot sends what arrived since.
	clk.Set(day1.Add(25 * time.Hour))
	if res, err := r.Send(context.Background(), d, false); err != nil || res.Sent != 2 || res.Papers != 2 {
		t.Errorf("next slot: %+v %v", res, err)
	}
}

// TestRunnerLateCommit: a paper stamped just before a send and committed
// after it goes out in the next message, and no paper goes twice.
func TestRunnerLateCommit(t *testing.T) {
	clk, s, tr, r := fakeRunner(t, day1)
	d := r.cfg.Digests[0]
	if res, err := r.Send(context.Background(), d, false); err != nil || res.Sent != 2 {
		t.Fatalf("first send: %+v %v", res, err)
	}
	// Stamped at 06:59:58, committed after the 07:00 send.
	dbtest.Save(t, s, seen(3, "Learning late", day1.Add(-2*time.Second)))
	clk.Set(day1.Add(24 * time.Hour))
	res, err := r.Send(context.Background(), d, false)
	if err != nil || res.Sent != 2 || res.Papers != 2 {
		t.Fatalf("next send: %+v %v, want the late paper to each recipient", res, err)
	}
	for _, m := range tr.got[2:] {
		if !strings.Contains(m.Text, "Learning late") || strings.Contains(m.Text, "Learning one") {
			t.Errorf("next message to %s:\n%s", m.To, m.Text)
		}
	}
}

// TestRunnerBusyTopic: when more than digest.MaxCandidates papers are new in
// a topic and the best of them went to the recipients in another digest, the
// message still has the others.
func TestRunnerBusyTopic(t *testing.T) {
	_, s, tr, r := fakeRunner(t, day1.Add(time.Hour))
	var ps []*model.Paper
	for i := range digest.MaxCandidates + 10 {
		ps = append(ps, seen(100+i, fmt.Sprintf("Learning %d", i), day1.Add(-time.Duration(i+1)*time.Second)))
	}
	dbtest.Save(t, s, ps...)
	ctx := context.Background()
	ml, _ := r.cfg.Topic("ml")
	best, err := digest.Papers(ctx, s, topic.Likes{Models: r.models, Files: r.likeFiles}, ml, day1.Add(-24*time.Hour), day1.Add(time.Hour), 0)
	if err != nil || len(best) != digest.MaxCandidates {
		t.Fatalf("candidates: %d %v", len(best), err)
	}
	for _, to := range []string{"me@example.org", "bo@example.org"} {
		d := db.DigestDelivery{Digest: "other", Slot: "2026-11-21", Recipient: to, MessageID: "<other-" + to + ">", Sent: day1}
		for _, p := range best {
			d.Papers = append(d.Papers, db.DigestPaper{Topic: "ml", UID: p.UID})
		}
		if err := s.RecordDigestDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	res, err := r.Send(ctx, r.cfg.Digests[0], false)
	if err != nil || res.Sent != 2 || res.Papers != 2*11 {
		t.Fatalf("send: %+v %v, want the 11 papers not sent yet to each recipient", res, err)
	}
	sent := map[string]bool{}
	for _, p := range best {
		sent[p.UID] = true
	}
	for _, m := range tr.got {
		for _, it := range m.Sections[0].Papers {
			if sent[it.UID] {
				t.Errorf("%s was sent to %s again", it.UID, m.To)
			}
		}
	}
}

// TestRunnerLogsNothingNewAtDebug: a slot with no new papers is not logged
// as a digest sent; a debug record says why nothing went out.
func TestRunnerLogsNothingNewAtDebug(t *testing.T) {
	_, _, tr, r := fakeRunner(t, day1.Add(30*24*time.Hour)) // the one paper is long before the slot
	var buf bytes.Buffer
	r.log = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r.tick(context.Background(), r.cfg.Digests[0])
	out := buf.String()
	if strings.Contains(out, "digest sent") || !strings.Contains(out, "level=DEBUG") || !strings.Contains(out, SkipNothingNew) || tr.count() != 0 {
		t.Errorf("log:\n%s", out)
	}
}

// TestRunnerSendAcrossSendTime: a send of yesterday's slot that finishes
// after today's send time does not count as today's message.
func TestRunnerSendAcrossSendTime(t *testing.T) {
	clk, s, tr, r := fakeRunner(t, day1.Add(-time.Second))
	ctx := context.Background()
	if ok, err := s.ClaimDigestRun(ctx, "morning", "2026-11-20", "p1", clk.Now(), ClaimTTL); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := s.FinishDigestRun(ctx, "morning", "2026-11-20", "p1", day1.Add(time.Second), day1.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	clk.Set(day1.Add(time.Minute))
	dbtest.Save(t, s, seen(3, "Learning two", day1.Add(30*time.Second)))
	if res, err := r.Send(ctx, r.cfg.Digests[0], false); err != nil || res.Sent != 2 || tr.count() != 2 {
		t.Errorf("today's send: %+v %v", res, err)
	}
}
