package status

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/digest"
	"github.com/paperfeed/paperfeed/aggregator/redact"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/feeds/mail"
)

// Digest is one email digest of /status: whether its slot in progress
// went out, and when the next one goes. Recipients are counted, never
// named: /status is public.
type Digest struct {
	Name       string     `json:"name"`
	Schedule   string     `json:"schedule"` // "every day at 07:00 Europe/Berlin"
	Topics     []string   `json:"topics"`
	Recipients int        `json:"recipients"`
	Slot       string     `json:"slot"`   // the slot in progress
	Health     string     `json:"health"` // ok (sent), failing (its last attempt failed), pending (not sent yet)
	LastSent   *time.Time `json:"last_sent"`
	NextSend   time.Time  `json:"next_send"`
	Attempts   int        `json:"failed_attempts"`
	LastError  string     `json:"last_error,omitempty"`
	ErrorAt    *time.Time `json:"last_error_at"`
	RetryAt    *time.Time `json:"retry_at"` // while failing: no replica sends it before
}

// addressRE finds e-mail addresses in SMTP answers ("550 <me@example.org>:
// rejected"), which /status shows with the local part masked.
var addressRE = regexp.MustCompile(`[^\s<>()"',;:@]+@([A-Za-z0-9.-]+)`)

// digests reads each configured digest's runs at now.
func (h *Handler) digests(ctx context.Context, now time.Time) ([]Digest, error) {
	out := []Digest{}
	for _, d := range h.cfg.Digests {
		s := digest.ScheduleOf(d)
		slot, _ := mail.SlotOf(d, now)
		row := Digest{Name: d.Name, Schedule: fmt.Sprintf("every %s at %s %s", d.Every, d.At, s.Loc), Topics: d.Topics,
			Recipients: len(d.To), Slot: slot, Health: "pending", NextSend: s.Next(now).UTC()}
		// Sent in the slot: by any run of it, a forced one (a run key of
		// its own) included, as the runner decides.
		sent := false
		if last, err := h.store.LastDigestRun(ctx, d.Name); err == nil {
			row.LastSent = ptr(last.Sent)
			sent = mail.InSlot(last.Slot, slot)
		} else if !errors.Is(err, db.ErrNotFound) {
			return nil, err
		}
		run, err := h.store.DigestRun(ctx, d.Name, slot)
		switch {
		case sent:
			row.Health = "ok"
		case errors.Is(err, db.ErrNotFound):
		case err != nil:
			return nil, err
		case run.Attempts > 0:
			row.Health = "failing"
			row.Attempts, row.ErrorAt, row.RetryAt = run.Attempts, ptr(run.LastErrorAt), ptr(run.Expires)
			row.LastError = addressRE.ReplaceAllString(redact.Text(run.LastError), redact.Mask+"@$1")
		}
		out = append(out, row)
	}
	return out, nil
}
