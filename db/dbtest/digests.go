package dbtest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db"
)

// testDigests: a digest run is claimed by one holder at a time, across
// handles, never again once sent; a failed run is held until its retry time;
// deliveries and their papers are recorded once per recipient and topic;
// none of it changes the generation.
func testDigests(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.New(t)
	other := s
	if b.Again != nil {
		other = b.Again(t, s)
	}
	g0 := generation(t, s)
	at := Day.Add(7 * time.Hour)
	claim := func(t *testing.T, st db.Store, slot, holder string, when time.Time) bool {
		t.Helper()
		ok, err := st.ClaimDigestRun(ctx, "morning", slot, holder, when, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	t.Run("claim", func(t *testing.T) {
		if _, err := s.DigestRun(ctx, "morning", "p1"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("run before any claim: %v, want ErrNotFound", err)
		}
		if !claim(t, s, "p1", "r1", at) {
			t.Fatal("free run not granted")
		}
		if claim(t, other, "p1", "r2", at.Add(30*time.Second)) {
			t.Error("a claimed run was granted to another holder")
		}
		if !claim(t, other, "p1", "r1", at.Add(30*time.Second)) {
			t.Error("the holder's renewal was refused")
		}
		if claim(t, other, "p1", "r2", at.Add(80*time.Second)) {
			t.Error("a renewed claim expired at its first ttl")
		}
		if !claim(t, other, "p1", "r2", at.Add(91*time.Second)) {
			t.Error("an expired claim was not granted")
		}
		r, err := s.DigestRun(ctx, "morning", "p1")
		if err != nil || r.Holder != "r2" || !r.Claimed.Equal(at.Add(91*time.Second)) || !r.Expires.Equal(at.Add(151*time.Second)) || !r.Sent.IsZero() {
			t.Errorf("run %+v %v", r, err)
		}
	})
	t.Run("fail and retry", func(t *testing.T) {
		if err := other.FailDigestRun(ctx, "morning", "p1", "r2", "smtp: 451 try later", at.Add(100*time.Second), at.Add(10*time.Minute)); err != nil {
			t.Fatal(err)
		}
		r, err := s.DigestRun(ctx, "morning", "p1")
		if err != nil || r.Attempts != 1 || r.LastError != "smtp: 451 try later" || !r.LastErrorAt.Equal(at.Add(100*time.Second)) {
			t.Errorf("failed run %+v %v", r, err)
		}
		if claim(t, s, "p1", "r1", at.Add(5*time.Minute)) {
			t.Error("another holder retried before the retry time")
		}
		if !claim(t, s, "p1", "r1", at.Add(10*time.Minute)) {
			t.Error("the run was not granted at its retry time")
		}
	})
	t.Run("deliveries", func(t *testing.T) {
		d := db.DigestDelivery{Digest: "morning", Slot: "p1", Recipient: "me@example.org", MessageID: "m1@example.org", Sent: at.Add(11 * time.Minute),
			Papers: []db.DigestPaper{{Topic: "ml", UID: "arxiv:1"}, {Topic: "ml", UID: "arxiv:2"}, {Topic: "nlp", UID: "arxiv:1"}}}
		if err := s.RecordDigestDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
		// Another digest listing a paper already sent keeps the first record.
		d2 := db.DigestDelivery{Digest: "evening", Slot: "p1", Recipient: "me@example.org", MessageID: "m2@example.org", Sent: at.Add(12 * time.Minute),
			Papers: []db.DigestPaper{{Topic: "ml", UID: "arxiv:2"}, {Topic: "ml", UID: "arxiv:3"}}}
		if err := other.RecordDigestDelivery(ctx, d2); err != nil {
			t.Fatal(err)
		}
		got, err := other.DigestDeliveries(ctx, "morning", "p1")
		if err != nil || len(got) != 1 || got["me@example.org"].MessageID != "m1@example.org" || !got["me@example.org"].Sent.Equal(d.Sent) {
			t.Errorf("deliveries %+v %v", got, err)
		}
		for _, tt := range []struct {
			recipient, topic string
			want             string
		}{
			{"me@example.org", "ml", "map[arxiv:1:true arxiv:2:true arxiv:3:true]"},
			{"me@example.org", "nlp", "map[arxiv:1:true]"},
			{"bo@example.org", "ml", "map[]"},
		} {
			sent, err := s.DigestSentPapers(ctx, tt.recipient, tt.topic, []string{"arxiv:1", "arxiv:2", "arxiv:3", "arxiv:4"})
			if err != nil || fmt.Sprint(sent) != tt.want {
				t.Errorf("%s %s: sent %v %v, want %s", tt.recipient, tt.topic, sent, err, tt.want)
			}
		}
	})
	t.Run("finish", func(t *testing.T) {
		if _, err := s.LastDigestRun(ctx, "morning"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("last run before any was sent: %v", err)
		}
		if err := s.FinishDigestRun(ctx, "morning", "p1", "r2", at, at); err == nil {
			t.Error("a holder that does not hold the run finished it")
		}
		if err := s.FinishDigestRun(ctx, "morning", "p1", "r1", at.Add(12*time.Minute), at.Add(11*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if claim(t, other, "p1", "r1", at.Add(time.Hour)) || claim(t, other, "p1", "r2", at.Add(time.Hour)) {
			t.Error("a sent run was claimed again")
		}
		// A later slot, claimed and sent, is the last run.
		if !claim(t, other, "p2", "r2", at.Add(24*time.Hour)) {
			t.Fatal("next slot not granted")
		}
		if err := other.FinishDigestRun(ctx, "morning", "p2", "r2", at.Add(25*time.Hour), at.Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		claim(t, s, "p3", "r1", at.Add(48*time.Hour)) // claimed, never sent
		r, err := s.LastDigestRun(ctx, "morning")
		if err != nil || r.Slot != "p2" || !r.Until.Equal(at.Add(24*time.Hour)) || !r.Sent.Equal(at.Add(25*time.Hour)) {
			t.Errorf("last run %+v %v", r, err)
		}
	})
	t.Run("concurrent claims", func(t *testing.T) {
		got := concurrentWins(t, s, other, func(st db.Store, holder string) (bool, error) {
			return st.ClaimDigestRun(ctx, "race", "p", holder, at, time.Hour)
		})
		if len(got) != 1 {
			t.Errorf("%d claims won at once: %v", len(got), got)
		}
	})
	if g := generation(t, s); g != g0 {
		t.Errorf("digest records changed the generation %d -> %d", g0, g)
	}
}
