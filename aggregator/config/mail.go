package config

import (
	"fmt"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Mail is the [mail] table: the SMTP server digests are sent through.
type Mail struct {
	SMTP     string `toml:"smtp"`     // host:port
	Security string `toml:"security"` // "starttls" (default), "tls" (implicit TLS) or "none" (loopback hosts only)
	Username string `toml:"username"`
	// PasswordFile holds the SMTP password (its first line), relative to the
	// config file's folder; without it the password is the environment's
	// PAPERFEED_SMTP_PASSWORD. Never the config file itself.
	PasswordFile string `toml:"password_file"`
	From         string `toml:"from"` // "Name <address>" or an address

	// Set by the checks: the password read, the server's host and port.
	Password Secret `toml:"-"`
	Host     string `toml:"-"`
	Port     int    `toml:"-"`
}

// PasswordEnv is the environment variable the SMTP password comes from when
// [mail] names no password_file.
const PasswordEnv = "PAPERFEED_SMTP_PASSWORD"

// Mail security modes.
const (
	SecuritySTARTTLS = "starttls"
	SecurityTLS      = "tls"
	SecurityNone     = "none"
)

// Secret is a value paperfeed uses but never prints: fmt, logs and JSON see
// Mask only.
type Secret string

// String hides the value.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "REDACTED"
}

// GoString hides the value from %#v.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// MarshalText hides the value from encoders.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Reveal is the value, for the one place that sends it.
func (s Secret) Reveal() string { return string(s) }

// Digest is one [[digest]] entry: a message of its topics' new papers sent
// to its recipients on a schedule.
type Digest struct {
	Name      string   `toml:"name"`
	Topics    []string `toml:"topics"`
	To        []string `toml:"to"`
	Every     string   `toml:"every"`    // "day" (default), "weekday" (Monday to Friday), "week" (Mondays)
	At        string   `toml:"at"`       // HH:MM, in Timezone
	Timezone  string   `toml:"timezone"` // IANA zone; default [server] timezone
	MaxPapers int      `toml:"max_papers"`

	// Set by the checks.
	Location     *time.Location `toml:"-"`
	Hour, Minute int            `toml:"-"`
}

// Digest schedules.
const (
	EveryDay     = "day"
	EveryWeekday = "weekday"
	EveryWeek    = "week"
)

// DefaultDigestMaxPapers is a digest's papers per topic when it sets none.
const DefaultDigestMaxPapers = 20

// Digest returns the named digest.
func (c *Config) Digest(name string) (Digest, bool) {
	for _, d := range c.Digests {
		if d.Name == name {
			return d, true
		}
	}
	return Digest{}, false
}

// mailProblem is a problem of [mail] or [[digest]] at the dotted path of the
// value at fault (see positions).
type mailProblem struct {
	path, msg string
}

// checkMail resolves [mail] and [[digest]] (defaults, the password, time
// zones) and returns the first problem as an error at its line:column.
func (c *Config) checkMail(data []byte) error {
	probs := c.resolveMail()
	if len(probs) == 0 {
		return nil
	}
	line, col := indexPositions(data).at(probs[0].path)
	return &PositionError{File: c.fileName(), Line: line, Column: col, Msg: probs[0].msg}
}

// resolveMail fills the defaults of [mail] and every [[digest]], reads the
// password, and returns the problems in file order. It never repeats the
// password, and repeats a password file's path only.
func (c *Config) resolveMail() []mailProblem {
	var probs []mailProblem
	add := func(path, format string, args ...any) {
		probs = append(probs, mailProblem{path, fmt.Sprintf(format, args...)})
	}
	if m := c.Mail; m != nil {
		c.resolveMailServer(m, add)
	}
	names := map[string]bool{}
	for i := range c.Digests {
		d := &c.Digests[i]
		at := "digest." + strconv.Itoa(i)
		where := fmt.Sprintf("[[digest]] #%d", i+1)
		if d.Name != "" {
			where = fmt.Sprintf("[[digest]] %q", d.Name)
		}
		if c.Mail == nil && i == 0 {
			add(at, "%s: a digest needs a [mail] table (the SMTP server to send through)", where)
		}
		switch {
		case d.Name == "":
			add(at, "%s: name is required", where)
		case !slugRE.MatchString(d.Name):
			add(at+".name", "%s: name must be a slug (a-z, 0-9, '.', '_', '-')", where)
		case names[d.Name]:
			add(at+".name", "%s: duplicate digest name", where)
		}
		names[d.Name] = true
		if len(d.Topics) == 0 {
			add(at, "%s: topics is required (the topics whose new papers it sends)", where)
		}
		for j, name := range d.Topics {
			if _, ok := c.Topic(name); !ok && name != AllTopic {
				add(fmt.Sprintf("%s.topics.%d", at, j), "%s: topics: unknown topic %q", where, name)
			}
		}
		if len(d.To) == 0 {
			add(at, "%s: to is required (the recipients' addresses)", where)
		}
		for j, to := range d.To {
			if _, err := mail.ParseAddress(to); err != nil {
				add(fmt.Sprintf("%s.to.%d", at, j), "%s: to: %q is not an e-mail address (%v)", where, to, err)
			}
		}
		if d.Every == "" {
			d.Every = EveryDay
		}
		switch d.Every {
		case EveryDay, EveryWeekday, EveryWeek:
		default:
			add(at+".every", "%s: every = %q: want \"day\", \"weekday\" or \"week\"", where, d.Every)
		}
		if h, m, ok := parseClock(d.At); ok {
			d.Hour, d.Minute = h, m
		} else if d.At == "" {
			add(at, "%s: at is required (the time of day to send, HH:MM)", where)
		} else {
			add(at+".at", "%s: at = %q: want a time of day HH:MM (00:00 to 23:59)", where, d.At)
		}
		tz := d.Timezone
		if tz == "" {
			tz = c.Server.Timezone // checked with [server]
		}
		if loc, err := time.LoadLocation(tz); err == nil {
			d.Location = loc
		} else if d.Timezone != "" {
			add(at+".timezone", "%s: timezone = %q: want an IANA time zone such as \"Europe/Berlin\"", where, d.Timezone)
		} else {
			d.Location = time.UTC
		}
		if d.MaxPapers == 0 {
			d.MaxPapers = DefaultDigestMaxPapers
		}
		if d.MaxPapers < 1 || d.MaxPapers > MaxTopicLimit {
			add(at+".max_papers", "%s: max_papers = %d: want 1..%d", where, d.MaxPapers, MaxTopicLimit)
		}
	}
	return probs
}

func (c *Config) resolveMailServer(m *Mail, add func(path, format string, args ...any)) {
	if m.Security == "" {
		m.Security = SecuritySTARTTLS
	}
	host, port, err := net.SplitHostPort(m.SMTP)
	n, perr := strconv.Atoi(port)
	switch {
	case m.SMTP == "":
		add("mail", "[mail] smtp is required (host:port of the SMTP server)")
	case err != nil || host == "" || perr != nil || n < 1 || n > 65535:
		add("mail.smtp", "[mail] smtp = %q: want host:port, e.g. \"smtp.example.org:587\"", m.SMTP)
	default:
		m.Host, m.Port = host, n
	}
	switch m.Security {
	case SecuritySTARTTLS, SecurityTLS:
	case SecurityNone:
		if m.Host != "" && !IsLoopback(m.Host) {
			add("mail.security", "[mail] security = \"none\" sends the password and the messages in clear text: only to a loopback host (localhost, 127.0.0.1, ::1), not %q; use \"starttls\" or \"tls\"", m.Host)
		}
	default:
		add("mail.security", "[mail] security = %q: want \"starttls\", \"tls\" or \"none\"", m.Security)
	}
	if m.From == "" {
		add("mail", "[mail] from is required (the sender's address)")
	} else if _, err := mail.ParseAddress(m.From); err != nil {
		add("mail.from", "[mail] from = %q is not an e-mail address (%v)", m.From, err)
	}
	switch {
	case m.PasswordFile != "":
		path := m.PasswordFile
		if !filepath.IsAbs(path) && c.Path != "" {
			path = filepath.Join(filepath.Dir(c.Path), path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			add("mail.password_file", "[mail] password_file %q: %v", m.PasswordFile, pathError(err))
			return
		}
		first, _, _ := strings.Cut(string(b), "\n")
		if m.Password = Secret(strings.TrimRight(first, "\r")); m.Password == "" {
			add("mail.password_file", "[mail] password_file %q: its first line is empty", m.PasswordFile)
		}
	default:
		m.Password = Secret(os.Getenv(PasswordEnv))
	}
	if m.Username != "" && m.Password == "" && m.PasswordFile == "" {
		add("mail.username", "[mail] username is set but there is no password: set password_file or the environment variable %s", PasswordEnv)
	}
}

// pathError is err without the path os adds (the caller names the file as written).
func pathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// parseClock reads "HH:MM", 24-hour.
func parseClock(s string) (hour, minute int, ok bool) {
	h, m, found := strings.Cut(s, ":")
	if !found || len(h) != 2 || len(m) != 2 || strings.Trim(h+m, "0123456789") != "" {
		return 0, 0, false
	}
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return 0, 0, false
	}
	return hour, minute, true
}

// IsLoopback reports whether host names this machine (localhost or a loopback IP).
func IsLoopback(host string) bool {
	ip := net.ParseIP(host)
	return strings.EqualFold(host, "localhost") || (ip != nil && ip.IsLoopback())
}
