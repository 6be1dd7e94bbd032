package status

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
)

// TestStatusDigests: each digest's slot in progress (sent, failing with
// the server's answer and the retry time, pending), without the recipients'
// addresses.
func TestStatusDigests(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	cfg := config.Default()
	text := `[mail]
smtp = "127.0.0.1:25"
security = "none"
from = "papers@example.org"
[[digest]]
name = "morning"
topics = ["all"]
to = ["me@example.org", "bo@example.org"]
at = "07:00"
[[digest]]
name = "weekly"
topics = ["all"]
to = ["me@example.org"]
every = "week"
at = "08:00"
[[digest]]
name = "new"
topics = ["all"]
to = ["me@example.org"]
at = "09:00"
`
	if err := cfg.Parse(strings.NewReader(text)); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC) // a Wednesday
	at := now.Add(-2 * time.Hour)
	// A forced send is a run of its own, and the slot's message.
	forced := "2026-12-02+forced-20261202T080000Z"
	if ok, err := store.ClaimDigestRun(ctx, "morning", forced, "web-1:41", at, time.Minute); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := store.FinishDigestRun(ctx, "morning", forced, "web-1:41", at, at); err != nil {
		t.Fatal(err)
	}
	if ok, err := store.ClaimDigestRun(ctx, "weekly", "2026-11-30", "web-1:41", at, time.Minute); err != nil || !ok {
		t.Fatal(ok, err)
	}
	reason := "smtp 127.0.0.1:25: to me@example.org: 550 5.1.1 <me@example.org>: Recipient address rejected"
	if err := store.FailDigestRun(ctx, "weekly", "2026-11-30", "web-1:41", reason, at, at.Add(4*time.Minute)); err != nil {
		t.Fatal(err)
	}
	h := New(cfg, store, "web-1:41", func() time.Time { return now })
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/status?format=json", nil))
	jsonBody := rec.Body.String()
	var rep Report
	if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
		t.Fatalf("%v: %s", err, rec.Body.String())
	}
	if len(rep.Digests) != 3 {
		t.Fatalf("%d digests", len(rep.Digests))
	}
	m, w, n := rep.Digests[0], rep.Digests[1], rep.Digests[2]
	if m.Health != "ok" || m.Slot != "2026-12-02" || m.LastSent == nil || !m.LastSent.Equal(at) || m.Recipients != 2 || !m.NextSend.Equal(time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("morning %+v", m)
	}
	if w.Health != "failing" || w.Attempts != 1 || w.RetryAt == nil || !w.RetryAt.Equal(at.Add(4*time.Minute)) || !strings.Contains(w.LastError, "550 5.1.1") {
		t.Errorf("weekly %+v", w)
	}
	if n.Health != "pending" || n.LastSent != nil {
		t.Errorf("new %+v", n)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/status", nil))
	page := rec.Body.String()
	if !strings.Contains(page, "Email digests") || !strings.Contains(page, "every week at 08:00 UTC, 1 recipient<") || !strings.Contains(page, "REDACTED@example.org") {
		t.Errorf("page lacks the digests:\n%s", page)
	}
	for _, body := range []string{page, jsonBody} {
		if strings.Contains(body, "me@example.org") || strings.Contains(body, "bo@example.org") {
			t.Errorf("status names a recipient")
		}
	}
}
