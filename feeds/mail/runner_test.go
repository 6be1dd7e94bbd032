package mail

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/dbtest"
	"github.com/paperfeed/paperfeed/db/model"
	"github.com/paperfeed/paperfeed/db/sqlite"
	"github.com/paperfeed/paperfeed/feeds/mail/mailpittest"
)

// day1 is the suite's first send time: dbtest's papers are first seen
// from dbtest.Day on, hourly.
var day1 = dbtest.Day.Add(24*time.Hour + 7*time.Hour) // 2026-11-21 07:00 UTC

// runnerConfig is a config with two topics and the digest "morning" (daily
// at 07:00 UTC to two recipients) through the Mailpit at addr.
func runnerConfig(t *testing.T, addr string, extra string) *config.Config {
	t.Helper()
	c := config.Default()
	text := `[server]
base_url = "https://papers.example.org"
[mail]
smtp = "` + addr + `"
security = "none"
from = "paperfeed <papers@example.org>"

[[topic]]
name = "ml"
title = "Machine learning"
query = "learning"

[[topic]]
name = "ranking"
query = "rank"

[[digest]]
name = "morning"
topics = ["ml", "ranking"]
to = ["Me <me@example.org>", "bo@example.org"]
at = "07:00"
` + extra
	if err := c.Parse(strings.NewReader(text)); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

func openStore(t *testing.T, path string, now func() time.Time) db.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// seen is dbtest's paper i, first seen at.
func seen(i int, title string, at time.Time) *model.Paper {
	p := dbtest.Paper(i, title)
	p.FirstSeen = at
	return p
}

func recipients(ms []mailpittest.Summary) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.To[0].Address)
	}
	return out
}

// TestRunnerSendsOnce: one message per recipient with the papers first seen
// in the slot, per topic; a second send, and one after a restart (store
// reopened, another process), sends nothing.
func TestRunnerSendsOnce(t *testing.T) {
	mp := mailpittest.Start(t, mailpittest.Options{})
	cfg := runnerConfig(t, mp.SMTPAddr(), "")
	clk := mailpittest.NewClock(day1.Add(time.Hour))
	path := filepath.Join(t.TempDir(), "pf.db")
	s := openStore(t, path, clk.Now)
	dbtest.Save(t, s,
		seen(1, "Old learning", day1.Add(-25*time.Hour)), // before the first slot: never sent
		seen(2, "Deep learning to rank", day1.Add(-3*time.Hour)),
		seen(3, "Learning without labels", day1.Add(-2*time.Hour)),
		seen(4, "Rank aggregation", day1.Add(30*time.Minute)),
	)
	r := NewRunner(cfg, s, Options{Now: clk.Now, Holder: "p1"})
	d := cfg.Digests[0]
	res, err := r.Send(context.Background(), d, false)
	if err != nil || res.Sent != 2 || res.Slot != "2026-11-21" {
		t.Fatalf("send: %+v %v", res, err)
	}
	list := mp.Messages()
	if got := fmt.Sprint(recipients(list)); got != "[bo@example.org me@example.org]" {
		t.Fatalf("arrived for %s", got)
	}
	msg := mp.Message(list[0].ID)
	for _, want := range []string{"== Machine learning (2) ==", "Deep learning to rank", "Learning without labels", "== ranking (2) ==", "Rank aggregation",
		"https://papers.example.org/papers/arxiv:2611.00002", "arXiv: https://arxiv.org/abs/2611.00003"} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, msg.Text)
		}
	}
	if strings.Contains(msg.Text, "Old learning") {
		t.Error("a paper first seen before the first slot was sent")
	}
	if !strings.Contains(msg.HTML, `href="https://papers.example.org/papers/arxiv:2611.00004"`) {
		t.Error("html lacks the paper's link")
	}
	if res, err := r.Send(context.Background(), d, false); err != nil || res.Skipped != SkipAlreadySent {
		t.Errorf("second send: %+v %v", res, err)
	}
	s.Close()
	s2 := openStore(t, path, clk.Now)
	r2 := NewRunner(cfg, s2, Options{Now: clk.Now, Holder: "p2"})
	clk.Set(day1.Add(20 * time.Hour))
	if res, err := r2.Send(context.Background(), d, false); err != nil || res.Skipped != SkipAlreadySent {
		t.Errorf("send after a restart: %+v %v", res, err)
	}
	if n := len(mp.Messages()); n != 2 {
		t.Errorf("%d messages arrived, want 2", n)
	}
	// -force sends the papers new since, and no paper twice per recipient and topic.
	dbtest.Save(t, s2, seen(5, "Learning fast", day1.Add(10*time.Hour)))
	res, err = r2.Send(context.Background(), d, true)
	if err != nil || res.Sent != 2 || res.Papers != 2 {
		t.Fatalf("forced send: %+v %v", res, err)
	}
	forced := mp.Message(mp.Messages()[0].ID)
	if !strings.Contains(forced.Text, "Learning fast") || strings.Contains(forced.Text, "Deep learning to rank") {
		t.Errorf("forced message:\n%s", forced.Text)
	}
}

// TestRunnerCatchUp: slots missed while paperfeed was down go out once,
// late, when it starts, with every paper first seen since the last message.
func TestRunnerCatchUp(t *testing.T) {
	mp := mailpittest.Start(t, mailpittest.Options{})
	cfg := runnerConfig(t, mp.SMTPAddr(), "")
	clk := mailpittest.NewClock(day1.Add(time.Minute))
	path := filepath.Join(t.TempDir(), "pf.db")
	s := openStore(t, path, clk.Now)
	dbtest.Save(t, s, seen(2, "Learning one", day1.Add(-time.Hour)))
	r := NewRunner(cfg, s, Options{Now: clk.Now, Holder: "p1"})
	if res, err := r.Send(context.Background(), cfg.Digests[0], false); err != nil || res.Sent != 2 {
		t.Fatalf("first send: %+v %v", res, err)
	}
	s.Close()

	// Down for three days; papers kept arriving (another process collected).
	s2 := openStore(t, path, clk.Now)
	dbtest.Save(t, s2, seen(3, "Learning two", day1.Add(26*time.Hour)), seen(4, "Learning three", day1.Add(50*time.Hour)))
	clk.Set(day1.Add(3*24*time.Hour + 2*time.Hour)) // 2026-11-24 09:00: three send times missed
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		NewRunner(cfg, s2, Options{Now: clk.Now, Holder: "p2", Poll: 20 * time.Millisecond}).Run(ctx)
	}()
	mailpittest.WaitFor(t, "the late digest", func() bool { return len(mp.Messages()) == 4 })
	time.Sleep(200 * time.Millisecond) // ten more looks at the schedule
	cancel()
	<-done
	list := mp.Messages()
	if len(list) != 4 {
		t.Fatalf("%d messages, want the two first and two late ones", len(list))
	}
	late := mp.Message(list[0].ID)
	if !strings.Contains(late.Text, "Learning two") || !strings.Contains(late.Text, "Learning three") || strings.Contains(late.Text, "Learning one") {
		t.Errorf("late message:\n%s", late.Text)
	}
	if !strings.Contains(late.Subject, "2026-11-24") {
		t.Errorf("late subject %q", late.Subject)
	}
	run, err := s2.DigestRun(context.Background(), "morning", "2026-11-24")
	if err != nil || run.Sent.IsZero() {
		t.Errorf("late run %+v %v", run, err)
	}
	for _, missed := range []string{"2026-11-22", "2026-11-23"} {
		if _, err := s2.DigestRun(context.Background(), "morning", missed); err == nil {
			t.Errorf("missed slot %s was sent on its own", missed)
		}
	}
}

// TestRunnerRetries: a server that refuses the connection, then answers 451,
// is retried with backoff until the digest is delivered, once; the failure
// and the server's answer are on the run meanwhile.
func TestRunnerRetries(t *testing.T) {
	port := mailpittest.FreePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := runnerConfig(t, addr, "")
	clk := mailpittest.NewClock(day1.Add(time.Hour))
	s := openStore(t, filepath.Join(t.TempDir(), "pf.db"), clk.Now)
	dbtest.Save(t, s, seen(2, "Learning one", day1.Add(-time.Hour)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		NewRunner(cfg, s, Options{Now: clk.Now, Holder: "p1", Poll: 20 * time.Millisecond, RetryBase: 20 * time.Millisecond, RetryMax: 100 * time.Millisecond}).Run(ctx)
	}()
	defer func() { cancel(); <-done }()
	run := func() db.DigestRun {
		r, _ := s.DigestRun(context.Background(), "morning", "2026-11-21")
		return r
	}
	mailpittest.WaitFor(t, "failed attempts", func() bool { return run().Attempts >= 2 })
	if r := run(); !strings.Contains(r.LastError, "refused") || !strings.Contains(r.LastError, addr) {
		t.Errorf("last error %q, want the refused connection to %s", r.LastError, addr)
	}
	mp := mailpittest.Start(t, mailpittest.Options{SMTPPort: port, RecipientChaos: 451})
	before := run().Attempts
	mailpittest.WaitFor(t, "a 451 answer", func() bool { return strings.Contains(run().LastError, "451") && run().Attempts > before })
	if n := len(mp.Messages()); n != 0 {
		t.Fatalf("%d messages arrived during the chaos", n)
	}
	mp.SetChaos(0)
	mailpittest.WaitFor(t, "delivery", func() bool { return !run().Sent.IsZero() })
	time.Sleep(200 * time.Millisecond)
	if got := fmt.Sprint(recipients(mp.Messages())); got != "[bo@example.org me@example.org]" {
		t.Errorf("delivered to %s, want each recipient once", got)
	}
}

// TestRunnerPaperOncePerRecipientAndTopic: a second digest of the same topic
// leaves out the papers the first one sent to the recipient.
func TestRunnerPaperOncePerRecipientAndTopic(t *testing.T) {
	mp := mailpittest.Start(t, mailpittest.Options{})
	cfg := runnerConfig(t, mp.SMTPAddr(), "\n[[digest]]\nname = \"evening\"\ntopics = [\"ml\"]\nto = [\"ME@example.org\", \"new@example.org\"]\nat = \"07:30\"\n")
	clk := mailpittest.NewClock(day1.Add(time.Hour))
	s := openStore(t, filepath.Join(t.TempDir(), "pf.db"), clk.Now)
	dbtest.Save(t, s, seen(2, "Learning one", day1.Add(-time.Hour)))
	r := NewRunner(cfg, s, Options{Now: clk.Now})
	if res, err := r.Send(context.Background(), cfg.Digests[0], false); err != nil || res.Sent != 2 {
		t.Fatalf("morning: %+v %v", res, err)
	}
	res, err := r.Send(context.Background(), cfg.Digests[1], false)
	if err != nil || res.Sent != 1 {
		t.Fatalf("evening: %+v %v, want one message (to the new recipient)", res, err)
	}
	if got := mp.Messages()[0].To[0].Address; got != "new@example.org" {
		t.Errorf("evening went to %s", got)
	}
}
