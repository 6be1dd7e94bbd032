package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db/dbtest"
	"github.com/paperfeed/paperfeed/db/model"
	"github.com/paperfeed/paperfeed/feeds/mail/mailpittest"
	"github.com/paperfeed/paperfeed/feeds/status"
)

// serving runs `serve` on cfgPath with clock until stop is called.
func serving(t *testing.T, cfgPath string, clock func() time.Time) (addr string, logs *bytes.Buffer, stop func()) {
	t.Helper()
	cfg, err := loadConfig(context.Background(), cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	addr = fmt.Sprintf("127.0.0.1:%d", mailpittest.FreePort(t))
	cfg.Server.Listen = addr
	logs = &bytes.Buffer{}
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, logs}, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, cfg, logger, clock) }()
	mailpittest.WaitFor(t, "serve to listen", func() bool { code, _ := get(t, "http://"+addr+"/healthz"); return code == 200 })
	var once sync.Once
	return addr, logs, func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func digestStatus(t *testing.T, addr string) status.Digest {
	t.Helper()
	_, body := get(t, "http://"+addr+"/status?format=json")
	var rep status.Report
	if err := json.Unmarshal([]byte(body), &rep); err != nil || len(rep.Digests) != 1 {
		t.Fatalf("status: %v %s", err, body)
	}
	return rep.Digests[0]
}

// TestServeSendsDigests: serve sends the digest when due on its clock, shows
// it on /status and in /metrics; restarted after three missed days it sends
// the late digest once, with every paper since; restarted again, nothing.
func TestServeSendsDigests(t *testing.T) {
	mp := mailpittest.Start(t, mailpittest.Options{})
	dir := t.TempDir()
	cfgPath := writeDigestConfig(t, dir, mp.SMTPAddr())
	day1 := dbtest.Day.Add(31 * time.Hour) // 2026-11-21 07:00 UTC
	seed := func(i int, title string, at time.Time) *model.Paper {
		p := dbtest.Paper(i, title)
		p.FirstSeen = at
		return p
	}
	seedStore(t, dir, seed(1, "Before the first slot", day1.Add(-50*time.Hour)), seed(2, "First paper", day1.Add(-2*time.Hour)))

	clk := mailpittest.NewClock(day1.Add(-time.Hour)) // before the send time: yesterday's slot is due
	addr, logs, stop := serving(t, cfgPath, clk.Now)
	mailpittest.WaitFor(t, "the due digest", func() bool { return len(mp.Messages()) == 1 })
	if first := mp.Message(mp.Messages()[0].ID); !strings.Contains(first.Text, "First paper") || strings.Contains(first.Text, "Before the first slot") {
		t.Errorf("first digest:\n%s", first.Text)
	}
	if d := digestStatus(t, addr); d.Health != "ok" || d.Slot != "2026-11-20" || d.LastSent == nil {
		t.Errorf("status %+v", d)
	}
	clk.Set(day1.Add(time.Minute)) // today's send time passed
	_, metrics := get(t, "http://"+addr+"/metrics")
	stop()
	if !strings.Contains(metrics, `paperfeed_digest_messages_sent_total{digest="morning"} 1`) {
		t.Errorf("metrics lack the sent message:\n%s", metrics)
	}
	if !strings.Contains(logs.String(), "digest sent") {
		t.Errorf("log:\n%s", logs)
	}

	// Down from day 1 to day 4; papers arrived meanwhile.
	seedStore(t, dir, seed(3, "While down one", day1.Add(5*time.Hour)), seed(4, "While down two", day1.Add(50*time.Hour)))
	clk.Set(day1.Add(3*24*time.Hour + 2*time.Hour))
	_, _, stop = serving(t, cfgPath, clk.Now)
	mailpittest.WaitFor(t, "the late digest", func() bool { return len(mp.Messages()) == 2 })
	stop()
	late := mp.Message(mp.Messages()[0].ID)
	if !strings.Contains(late.Text, "While down one") || !strings.Contains(late.Text, "While down two") || strings.Contains(late.Text, "First paper") {
		t.Errorf("late digest:\n%s", late.Text)
	}
	addr, _, stop = serving(t, cfgPath, clk.Now)
	time.Sleep(300 * time.Millisecond)
	if d := digestStatus(t, addr); d.Health != "ok" || d.Slot != "2026-11-24" {
		t.Errorf("status after the restart %+v", d)
	}
	stop()
	if n := len(mp.Messages()); n != 2 {
		t.Errorf("%d messages after a restart, want 2", n)
	}
}

// TestServeDigestFailureShown: a send the server refuses is on /status and
// in /metrics while serving goes on.
func TestServeDigestFailureShown(t *testing.T) {
	smtp := fmt.Sprintf("127.0.0.1:%d", mailpittest.FreePort(t)) // nobody listens
	cfgPath := digestConfig(t, smtp)
	// A login whose password must show nowhere: not in the log, /status or /metrics.
	const password = "Sm7p-PASSW0RD"
	t.Setenv("PAPERFEED_SMTP_PASSWORD", password)
	text, _ := os.ReadFile(cfgPath)
	os.WriteFile(cfgPath, bytes.Replace(text, []byte("[mail]\n"), []byte("[mail]\nusername = \"papers\"\n"), 1), 0o644)
	addr, logs, stop := serving(t, cfgPath, time.Now)
	defer stop()
	mailpittest.WaitFor(t, "the failure on /status", func() bool { return digestStatus(t, addr).Health == "failing" })
	d := digestStatus(t, addr)
	if !strings.Contains(d.LastError, "refused") || d.RetryAt == nil {
		t.Errorf("status %+v", d)
	}
	if code, _ := get(t, "http://"+addr+"/topics/all.atom"); code != 200 {
		t.Errorf("feed while the digest fails: %d", code)
	}
	_, metrics := get(t, "http://"+addr+"/metrics")
	for _, want := range []string{`paperfeed_digest_send_failures_total{digest="morning"} 1`, `paperfeed_digest_retrying{digest="morning"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	_, page := get(t, "http://"+addr+"/status")
	_, statusJSON := get(t, "http://"+addr+"/status?format=json")
	stop() // the log is read once serve has stopped writing it
	if !strings.Contains(logs.String(), "digest not sent") {
		t.Errorf("the failure is not logged:\n%s", logs)
	}
	for where, text := range map[string]string{"log": logs.String(), "/status": page + statusJSON, "/metrics": metrics} {
		if strings.Contains(text, password) {
			t.Errorf("%s shows the SMTP password", where)
		}
	}
}
