package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/redact"
	"github.com/paperfeed/paperfeed/feeds/mail"
)

// digestMode is what `paperfeed digest` does with the message.
type digestMode struct {
	name         string
	dryRun, send bool
	force        bool
}

// runDigest prints (-dry-run) or sends (-send) the named digest's message of
// now. -send sends nothing when the slot in progress was sent already,
// unless -force. Exit 0 sent or nothing to send, 1 the send failed, 2 a
// config or storage error.
func runDigest(ctx context.Context, cfg *config.Config, logger *slog.Logger, now func() time.Time, m digestMode, stdout io.Writer) error {
	switch {
	case m.name == "":
		return &exitError{code: exitConfigError, err: errors.New("digest: -name NAME is required")}
	case m.dryRun == m.send:
		return &exitError{code: exitConfigError, err: errors.New("digest: give one of -dry-run and -send")}
	case m.force && !m.send:
		return &exitError{code: exitConfigError, err: errors.New("digest: -force goes with -send")}
	}
	d, ok := cfg.Digest(m.name)
	if !ok {
		return &exitError{code: exitConfigError, err: fmt.Errorf("digest: no [[digest]] named %q in %s", m.name, cfg.Path)}
	}
	store, err := openStore(ctx, cfg, now)
	if err != nil {
		return &exitError{code: exitConfigError, err: err}
	}
	defer store.Close()
	r := mail.NewRunner(cfg, store, mail.Options{Now: now, Logger: logger, OneShot: true})
	if m.dryRun {
		slot, _ := mail.SlotOf(d, now())
		msgs, err := r.Compose(ctx, d, slot, now())
		if err != nil {
			return &exitError{code: exitConfigError, err: fmt.Errorf("digest %s: %w", d.Name, err)}
		}
		if len(msgs) == 0 {
			fmt.Fprintf(stdout, "digest %s: nothing to send: no new papers for any recipient since its previous message\n", d.Name)
			return nil
		}
		for i, msg := range msgs {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			printMessage(stdout, msg)
		}
		return nil
	}
	res, err := r.Send(ctx, d, m.force)
	if err != nil {
		return &exitError{code: exitSomeFailed, err: fmt.Errorf("digest %s: %s (%d of the messages sent before it)", d.Name, redact.Text(err.Error()), res.Sent)}
	}
	switch res.Skipped {
	case mail.SkipAlreadySent:
		fmt.Fprintf(stdout, "digest %s: already sent in the slot %s; -force sends it anyway\n", d.Name, res.Slot)
	case mail.SkipClaimed:
		fmt.Fprintf(stdout, "digest %s: another paperfeed process is sending the slot %s, or retrying it after a failure (see /status)\n", d.Name, res.Slot)
	case mail.SkipNothingNew:
		fmt.Fprintf(stdout, "digest %s: nothing to send: no new papers for any recipient since its previous message\n", d.Name)
	default:
		fmt.Fprintf(stdout, "digest %s: sent %s (%s) for the slot %s\n", d.Name, count(res.Sent, "message"), count(res.Papers, "paper"), res.Slot)
	}
	return nil
}

// printMessage writes a message as its recipient would read it: the
// headers, the plain-text part, then the HTML part.
func printMessage(w io.Writer, m *mail.Message) {
	fmt.Fprintf(w, "From: %s\nTo: %s\nSubject: %s\nDate: %s\nMessage-ID: <%s>\nList-Id: %s\nList-Unsubscribe: <%s>\n\n",
		m.From, m.To, m.Subject, m.Date.Format(time.RFC1123Z), m.MessageID, m.ListID, m.Unsubscribe)
	fmt.Fprintf(w, "--- text/plain ---\n%s\n--- text/html ---\n%s\n", m.Text, m.HTML)
}

func count(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
