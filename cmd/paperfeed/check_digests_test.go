package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `paperfeed check` lists each digest with its next send time, and names
// where the SMTP password comes from, never the password.
func TestCheckListsDigests(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pw"), []byte("PASSW0RD-SMTP\n"), 0o600)
	cfg := filepath.Join(dir, "config.toml")
	os.WriteFile(cfg, []byte(`[mail]
smtp = "smtp.example.org:465"
security = "tls"
username = "papers@example.org"
password_file = "pw"
from = "papers@example.org"

[[digest]]
name = "morning"
topics = ["all"]
to = ["me@example.org"]
every = "week"
at = "07:00"
timezone = "Europe/Berlin"
`), 0o644)
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"check", "-config", cfg}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"mail: smtp.example.org:465 (tls), login papers@example.org, password from pw", "morning", "every week at 07:00 Europe/Berlin, next ", "to: me@example.org"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+stderr.String(), "PASSW0RD") {
		t.Errorf("check shows the password:\n%s", out)
	}
}
