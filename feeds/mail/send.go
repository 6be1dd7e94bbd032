package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/paperfeed/paperfeed/aggregator/config"
)

// SendTimeout bounds one connection to the SMTP server: dial, TLS, login and
// every command.
const SendTimeout = 60 * time.Second

// Sender delivers messages through the [mail] server.
type Sender struct {
	cfg *config.Mail
}

// NewSender returns a sender for the [mail] table.
func NewSender(m *config.Mail) *Sender { return &Sender{cfg: m} }

// SendError is a failed delivery: what the SMTP server answered (or why it
// could not be reached), never the password.
type SendError struct {
	Server string // host:port
	To     string // the recipient whose message failed; "" when the connection did
	Err    error
}

func (e *SendError) Error() string {
	msg := e.Err.Error()
	if e.To != "" {
		return fmt.Sprintf("smtp %s: to %s: %s", e.Server, e.To, msg)
	}
	return fmt.Sprintf("smtp %s: %s", e.Server, msg)
}

func (e *SendError) Unwrap() error { return e.Err }

// Send opens one connection and sends msgs in order; after each message the
// server accepted it calls sent (which records the delivery), and stops at
// the first message the server refused or sent's error. The error carries
// the server's answer.
func (s *Sender) Send(ctx context.Context, msgs []*Message, sent func(*Message) error) error {
	if len(msgs) == 0 {
		return nil
	}
	client, err := s.client()
	if err != nil {
		return &SendError{Server: s.cfg.SMTP, Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, SendTimeout)
	defer cancel()
	if err := client.DialWithContext(ctx); err != nil {
		return &SendError{Server: s.cfg.SMTP, Err: s.scrub(err)}
	}
	defer client.Close()
	for _, m := range msgs {
		gm, err := build(m)
		if err != nil {
			return &SendError{Server: s.cfg.SMTP, To: m.To, Err: err}
		}
		if err := client.Send(gm); err != nil {
			return &SendError{Server: s.cfg.SMTP, To: m.To, Err: s.scrub(err)}
		}
		if err := sent(m); err != nil {
			return err
		}
	}
	return nil
}

// client configures go-mail for the server: implicit TLS, mandatory
// STARTTLS, or plain text (which config allows to a loopback host only); a
// login when a username is set, with the strongest mechanism the server
// offers.
func (s *Sender) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(SendTimeout), gomail.WithHELO("localhost")}
	switch s.cfg.Security {
	case config.SecurityTLS:
		opts = append(opts, gomail.WithSSL())
	case config.SecurityNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	switch {
	case s.cfg.Username == "":
	case s.cfg.Security == config.SecurityNone:
		// A loopback relay (config allows "none" to no other host): the
		// password never leaves the machine, so PLAIN and LOGIN may go
		// unencrypted, after the mechanisms that never send it.
		opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
			gomail.SMTPAuthCramMD5, gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc))
	default:
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password.Reveal()))
	}
	return gomail.NewClient(s.cfg.Host, opts...)
}

// scrub removes the password from an error, in case a library or a server
// ever echoes it.
func (s *Sender) scrub(err error) error {
	pw := s.cfg.Password.Reveal()
	if pw == "" || !strings.Contains(err.Error(), pw) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), pw, "REDACTED"))
}

// build is m as go-mail's message: multipart/alternative, plain text first
// (clients show the last part they can render: the HTML).
func build(m *Message) (*gomail.Msg, error) {
	gm := gomail.NewMsg()
	if err := gm.From(m.From); err != nil {
		return nil, fmt.Errorf("from %q: %w", m.From, err)
	}
	if err := gm.To(m.To); err != nil {
		return nil, fmt.Errorf("to %q: %w", m.To, err)
	}
	gm.Subject(m.Subject)
	gm.SetMessageIDWithValue(m.MessageID)
	gm.SetDateWithValue(m.Date)
	gm.SetGenHeader(gomail.Header("List-Id"), m.ListID)
	gm.SetListUnsubscribe(m.Unsubscribe)
	gm.SetBulk()
	gm.SetUserAgent("paperfeed/" + config.Version)
	gm.SetBodyString(gomail.TypeTextPlain, m.Text)
	gm.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	return gm, nil
}
