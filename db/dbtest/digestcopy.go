package dbtest

import (
	"context"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db"
)

// SendDigests records in s what two digests sent, as the digest sender
// records it: a weekly digest with two sent periods to two recipients (the
// second repeating a paper, which keeps its first record), and a daily one
// whose period failed once and is not sent yet.
func SendDigests(t testing.TB, s db.Store) {
	t.Helper()
	ctx := context.Background()
	send := func(digest, period string, at time.Time, ds ...db.DigestDelivery) {
		if ok, err := s.ClaimDigestRun(ctx, digest, period, "replica-a", at, time.Minute); err != nil || !ok {
			t.Fatalf("claim %s %s: %v, %v", digest, period, ok, err)
		}
		for _, d := range ds {
			d.Digest, d.Slot, d.Sent = digest, period, at.Add(time.Second)
			if err := s.RecordDigestDelivery(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.FinishDigestRun(ctx, digest, period, "replica-a", at.Add(2*time.Second), at); err != nil {
			t.Fatal(err)
		}
	}
	send("weekly", "2026-W47", Day,
		db.DigestDelivery{Recipient: "ada@example.org", MessageID: "<w47.ada@papers.example>", Papers: []db.DigestPaper{{Topic: "ml", UID: "arxiv:2611.00001"}, {Topic: "ml", UID: "arxiv:2611.00002"}}},
		db.DigestDelivery{Recipient: "bob@example.org", MessageID: "<w47.bob@papers.example>", Papers: []db.DigestPaper{{Topic: "nlp", UID: "doi:10.1/x"}}})
	send("weekly", "2026-W48", Day.Add(7*24*time.Hour),
		db.DigestDelivery{Recipient: "ada@example.org", MessageID: "<w48.ada@papers.example>", Papers: []db.DigestPaper{{Topic: "ml", UID: "arxiv:2611.00002"}, {Topic: "ml", UID: "arxiv:2611.00003"}}})
	if ok, err := s.ClaimDigestRun(ctx, "daily", "2026-11-21", "replica-b", Day.Add(24*time.Hour), time.Minute); err != nil || !ok {
		t.Fatalf("claim daily: %v, %v", ok, err)
	}
	if err := s.FailDigestRun(ctx, "daily", "2026-11-21", "replica-b", "smtp: 451 try later", Day.Add(24*time.Hour+time.Second), Day.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
}

// testCopyDigests: what digests sent pages by key (Dump pages two rows at
// a time) with every column, restores as it is into another store, is
// counted, and is never restored twice.
func testCopyDigests(t *testing.T, b Backend) {
	ctx := context.Background()
	src, dst := b.New(t), b.New(t)
	SendDigests(t, src)
	want := Dump(t, src)
	if len(want.DigestRuns) != 3 || len(want.Deliveries) != 3 || len(want.DigestPapers) != 4 {
		t.Fatalf("read %d runs, %d deliveries, %d papers; want 3, 3, 4", len(want.DigestRuns), len(want.Deliveries), len(want.DigestPapers))
	}
	if r := want.DigestRuns[0]; r.Digest != "daily" || r.Attempts != 1 || r.LastError != "smtp: 451 try later" || !r.Sent.IsZero() || !r.Expires.Equal(Day.Add(25*time.Hour)) {
		t.Errorf("the failed run reads %+v", r)
	}
	if p := want.DigestPapers[1]; p.UID != "arxiv:2611.00002" || p.Slot != "2026-W47" || !p.Sent.Equal(Day.Add(time.Second)) {
		t.Errorf("a paper sent twice reads %+v, want its first sending", p)
	}
	if c, err := src.Counts(ctx); err != nil || c.DigestRuns != 3 || c.Deliveries != 3 || c.DigestPapers != 4 {
		t.Errorf("counts %+v, %v", c, err)
	}
	restore := func(tx db.Tx) error {
		return tx.RestoreDigests(ctx, want.DigestRuns, want.Deliveries, want.DigestPapers)
	}
	if err := dst.Update(ctx, restore); err != nil {
		t.Fatal(err)
	}
	got := Dump(t, dst)
	AssertSameContents(t, got, want)
	// The restored runs work as the original's: a sent period is never
	// claimed again, the failed one is claimed once its claim expired.
	if ok, err := dst.ClaimDigestRun(ctx, "weekly", "2026-W47", "replica-c", Day.Add(30*24*time.Hour), time.Minute); err != nil || ok {
		t.Errorf("claimed a restored sent run: %v, %v", ok, err)
	}
	if ok, err := dst.ClaimDigestRun(ctx, "daily", "2026-11-21", "replica-c", Day.Add(26*time.Hour), time.Minute); err != nil || !ok {
		t.Errorf("the restored failed run is not claimed after its retry time: %v, %v", ok, err)
	}
	t.Run("twice", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			fn   func(tx db.Tx) error
		}{
			{"run", func(tx db.Tx) error { return tx.RestoreDigests(ctx, want.DigestRuns[1:2], nil, nil) }},
			{"delivery", func(tx db.Tx) error { return tx.RestoreDigests(ctx, nil, want.Deliveries[:1], nil) }},
			{"paper", func(tx db.Tx) error { return tx.RestoreDigests(ctx, nil, nil, want.DigestPapers[3:]) }},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if err := src.Update(ctx, tt.fn); err == nil {
					t.Error("restoring a row the store holds succeeded")
				}
				AssertSameContents(t, Dump(t, src), want)
			})
		}
	})
}
