package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db/dbtest"
	"github.com/paperfeed/paperfeed/db/model"
	"github.com/paperfeed/paperfeed/db/sqlite"
	"github.com/paperfeed/paperfeed/feeds/mail/mailpittest"
)

// writeDigestConfig writes dir/config.toml: an SQLite store pf.db and the
// digest "morning" (daily at 07:00 UTC, topic all, to me@example.org)
// through the SMTP server at addr.
func writeDigestConfig(t *testing.T, dir, addr string) string {
	t.Helper()
	cfg := filepath.Join(dir, "config.toml")
	err := os.WriteFile(cfg, []byte(`[storage]
path = "pf.db"
[collect]
arxiv_api_url = ""
[mail]
smtp = "`+addr+`"
security = "none"
from = "papers@example.org"

[[digest]]
name = "morning"
topics = ["all"]
to = ["me@example.org"]
at = "07:00"
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// seedStore stores ps in dir/pf.db.
func seedStore(t *testing.T, dir string, ps ...*model.Paper) {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(dir, "pf.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dbtest.Save(t, s, ps...)
}

// digestConfig is writeDigestConfig's config with a store holding two
// papers first seen an hour ago.
func digestConfig(t *testing.T, addr string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := writeDigestConfig(t, dir, addr)
	hourAgo := time.Now().Add(-time.Hour)
	var ps []*model.Paper
	for i, title := range []string{"Digest paper one", "Digest paper two"} {
		p := dbtest.Paper(i+1, title)
		p.FirstSeen, p.Published, p.Updated = hourAgo, hourAgo, hourAgo
		ps = append(ps, p)
	}
	seedStore(t, dir, ps...)
	return cfg
}

func runCmd(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, &stdout, &stderr)
	return exitCode(err, &stderr), stdout.String() + stderr.String()
}

// TestDigestCommand: -dry-run prints the message and sends nothing; -send
// sends it once a slot (exit 0 when there is nothing to send); -force sends
// anyway; a failed send exits 1, a config error 2.
func TestDigestCommand(t *testing.T) {
	mp := mailpittest.Start(t, mailpittest.Options{})
	cfg := digestConfig(t, mp.SMTPAddr())

	code, out := runCmd(t, "digest", "-config", cfg, "-name", "morning", "-dry-run")
	if code != 0 || !strings.Contains(out, "To: me@example.org") || !strings.Contains(out, "Digest paper two") || !strings.Contains(out, "--- text/html ---") {
		t.Fatalf("dry run: exit %d\n%s", code, out)
	}
	if n := len(mp.Messages()); n != 0 {
		t.Fatalf("the dry run sent %d messages", n)
	}
	code, out = runCmd(t, "digest", "-config", cfg, "-name", "morning", "-send")
	if code != 0 || !strings.Contains(out, "sent 1 message (2 papers)") {
		t.Fatalf("send: exit %d\n%s", code, out)
	}
	code, out = runCmd(t, "digest", "-config", cfg, "-name", "morning", "-send")
	if code != 0 || !strings.Contains(out, "already sent") {
		t.Errorf("second send: exit %d\n%s", code, out)
	}
	code, out = runCmd(t, "digest", "-config", cfg, "-name", "morning", "-send", "-force")
	if code != 0 || !strings.Contains(out, "nothing to send") {
		t.Errorf("forced send with no new papers: exit %d\n%s", code, out)
	}
	if n := len(mp.Messages()); n != 1 {
		t.Errorf("%d messages arrived, want 1", n)
	}
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown digest", []string{"-name", "evening", "-send"}, 2, `no [[digest]] named "evening"`},
		{"no mode", []string{"-name", "morning"}, 2, "give one of -dry-run and -send"},
		{"force without send", []string{"-name", "morning", "-dry-run", "-force"}, 2, "-force goes with -send"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out := runCmd(t, append([]string{"digest", "-config", cfg}, tt.args...)...)
			if code != tt.code || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, want %d with %q:\n%s", code, tt.code, tt.want, out)
			}
		})
	}
}

func TestDigestCommandFailures(t *testing.T) {
	t.Run("refused", func(t *testing.T) {
		addr := fmt.Sprintf("127.0.0.1:%d", mailpittest.FreePort(t))
		cfg := digestConfig(t, addr)
		for range 2 { // the failed slot is not held: the command may be run again at once
			code, out := runCmd(t, "digest", "-config", cfg, "-name", "morning", "-send")
			if code != 1 || !strings.Contains(out, "smtp "+addr) || !strings.Contains(out, "refused") {
				t.Errorf("exit %d, want 1 naming the server:\n%s", code, out)
			}
		}
	})
	t.Run("config error", func(t *testing.T) {
		cfg := digestConfig(t, "smtp.example.org:25")
		code, out := runCmd(t, "digest", "-config", cfg, "-name", "morning", "-send")
		if code != 2 || !strings.Contains(out, "config.toml:7:12: ") || !strings.Contains(out, `security = "none"`) {
			t.Errorf("exit %d, want 2 at the line:column:\n%s", code, out)
		}
	})
}
