package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mailFile is a valid [mail] and [[digest]] (line 2: [mail], line 9: [[digest]]).
const mailFile = `
[mail]
smtp = "smtp.example.org:587"
username = "papers@example.org"
password_file = "smtp-password"
from = "paperfeed <papers@example.org>"

[[topic]]
name = "llm"

[[digest]]
name = "morning"
topics = ["llm", "all"]
to = ["me@example.org", "Bo <bo@example.org>"]
every = "weekday"
at = "07:30"
timezone = "Europe/Berlin"
`

// parseMail parses text as dir/config.toml, dir holding a password file.
func parseMail(t *testing.T, text string) (*Config, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "smtp-password"), []byte("s3cret-pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := Default()
	c.Path = filepath.Join(dir, "config.toml")
	if err := c.Parse(strings.NewReader(text)); err != nil {
		return c, err
	}
	return c, c.Validate()
}

func TestMailConfig(t *testing.T) {
	c, err := parseMail(t, mailFile)
	if err != nil {
		t.Fatal(err)
	}
	m := c.Mail
	if m.Host != "smtp.example.org" || m.Port != 587 || m.Security != SecuritySTARTTLS || m.Password.Reveal() != "s3cret-pw" {
		t.Errorf("mail %+v (password %q)", m, m.Password.Reveal())
	}
	d, ok := c.Digest("morning")
	if !ok || d.Every != EveryWeekday || d.Hour != 7 || d.Minute != 30 || d.Location.String() != "Europe/Berlin" || d.MaxPapers != DefaultDigestMaxPapers {
		t.Errorf("digest %+v", d)
	}
	// The password never shows, however the config is printed.
	for _, s := range []string{fmt.Sprintf("%v", c), fmt.Sprintf("%+v", *m), fmt.Sprintf("%#v", *m), fmt.Sprint(m.Password)} {
		if strings.Contains(s, "s3cret") {
			t.Errorf("password printed: %s", s)
		}
	}
}

func TestMailDefaults(t *testing.T) {
	t.Setenv(PasswordEnv, "from-env")
	c, err := parseMail(t, "[server]\ntimezone = \"Asia/Tokyo\"\n[mail]\nsmtp = \"127.0.0.1:1025\"\nsecurity = \"none\"\nfrom = \"a@example.org\"\n"+
		"[[digest]]\nname = \"d\"\ntopics = [\"all\"]\nto = [\"b@example.org\"]\nat = \"00:00\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.Mail.Password.Reveal() != "from-env" {
		t.Errorf("password from %s not read", PasswordEnv)
	}
	d := c.Digests[0]
	if d.Every != EveryDay || d.Location.String() != "Asia/Tokyo" || d.MaxPapers != 20 {
		t.Errorf("digest defaults %+v", d)
	}
}

// TestMailPositionErrors: every problem of [mail] and [[digest]] is an error
// at the line:column of the value at fault, and none prints the password.
func TestMailPositionErrors(t *testing.T) {
	swap := func(old, new string) string {
		if !strings.Contains(mailFile, old) {
			t.Fatalf("%q not in the file", old)
		}
		return strings.Replace(mailFile, old, new, 1)
	}
	tests := []struct {
		name, text string
		line, col  int
		want       string
	}{
		{"unknown topic", swap(`["llm", "all"]`, `["llm", "nope"]`), 13, 18, `unknown topic "nope"`},
		{"invalid address", swap(`"Bo <bo@example.org>"`, `"bo at example"`), 14, 25, `"bo at example" is not an e-mail address`},
		{"invalid from", swap(`"paperfeed <papers@example.org>"`, `"paperfeed"`), 6, 8, `from = "paperfeed" is not an e-mail address`},
		{"missing password file", swap(`"smtp-password"`, `"nope-password"`), 5, 17, `password_file "nope-password": no such file`},
		{"security none remote", swap(`username =`, `security = "none"`+"\nusername ="), 4, 12, `only to a loopback host`},
		{"bad security", swap(`username =`, `security = "ssl"`+"\nusername ="), 4, 12, `security = "ssl"`},
		{"bad smtp", swap(`"smtp.example.org:587"`, `"smtp.example.org"`), 3, 8, `want host:port`},
		{"bad at", swap(`"07:30"`, `"7:30am"`), 16, 6, `at = "7:30am": want a time of day HH:MM`},
		{"bad every", swap(`"weekday"`, `"hourly"`), 15, 9, `every = "hourly"`},
		{"bad timezone", swap(`"Europe/Berlin"`, `"Mars/Olympus"`), 17, 12, `timezone = "Mars/Olympus"`},
		{"duplicate name", mailFile + "\n[[digest]]\nname = \"morning\"\ntopics = [\"llm\"]\nto = [\"me@example.org\"]\nat = \"08:00\"\n", 20, 8, `[[digest]] "morning": duplicate digest name`},
		{"missing at", swap(`at = "07:30"`, ``), 11, 3, `at is required`},
		{"max_papers", swap(`at =`, "max_papers = 0\nmax_papers_ = 1\nat ="), 17, 1, `unknown key digest.max_papers_`},
		{"digest without mail", "[[digest]]\nname = \"d\"\ntopics = [\"all\"]\nto = [\"a@example.org\"]\nat = \"07:00\"\n", 1, 3, `a digest needs a [mail] table`},
		{"password in config", swap(`username =`, `password = "hunter2"`+"\nusername ="), 4, 1, `unknown key mail.password`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseMail(t, tt.text)
			var pe *PositionError
			if !errors.As(err, &pe) {
				t.Fatalf("want PositionError, got %T %v", err, err)
			}
			if pe.Line != tt.line || pe.Column != tt.col {
				t.Errorf("position %d:%d, want %d:%d (%v)", pe.Line, pe.Column, tt.line, tt.col, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("message %q lacks %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("message %q holds the password", err)
			}
		})
	}
}

func TestParseClock(t *testing.T) {
	for _, tt := range []struct {
		in   string
		h, m int
		ok   bool
	}{{"07:00", 7, 0, true}, {"23:59", 23, 59, true}, {"00:00", 0, 0, true}, {"24:00", 0, 0, false}, {"7:00", 0, 0, false}, {"07:60", 0, 0, false}, {"", 0, 0, false}, {"ab:cd", 0, 0, false}} {
		t.Run(tt.in, func(t *testing.T) {
			h, m, ok := parseClock(tt.in)
			if ok != tt.ok || h != tt.h || m != tt.m {
				t.Errorf("parseClock(%q) = %d, %d, %v", tt.in, h, m, ok)
			}
		})
	}
}

func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"07:00", "23:59", "24:00", "-1:00", "+7:05"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, m, ok := parseClock(s)
		if ok && (h < 0 || h > 23 || m < 0 || m > 59 || fmt.Sprintf("%02d:%02d", h, m) != s) {
			t.Errorf("parseClock(%q) = %d:%d", s, h, m)
		}
	})
}

// FuzzIndexPositions: any file, parseable or not, is indexed without a
// panic, and every position it gives is inside the file.
func FuzzIndexPositions(f *testing.F) {
	for _, s := range []string{mailFile, minimal, "[[digest]]\nto = [ # c\n 'a', \"b\" ]\n", "a.b.c = 1\n[x.y]\nz = [[1], {q = 2}]\n", "[mail\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lines := strings.Count(s, "\n") + 1
		for path, p := range indexPositions([]byte(s)) {
			if p.Line < 1 || p.Line > lines || p.Column < 1 {
				t.Errorf("%s at %d:%d in a file of %d lines", path, p.Line, p.Column, lines)
			}
		}
	})
}
