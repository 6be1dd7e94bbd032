package config

import (
	"strings"
	"testing"
)

// TestStorage: a url selects PostgreSQL, shown without its password; a
// wrong scheme or a password_file without a url is named, password masked.
func TestStorage(t *testing.T) {
	for _, tt := range []struct {
		name, text, backend, err string
	}{
		{"default sqlite", "", "SQLite paperfeed.db", ""},
		{"path", "[storage]\npath = \"x.db\"\n", "SQLite x.db", ""},
		{"postgres", "[storage]\nurl = \"postgres://pf:hunter2@db:5432/pf\"\n", "PostgreSQL postgres://REDACTED@db:5432/pf", ""},
		{"wrong scheme", "[storage]\nurl = \"mysql://pf:hunter2@db/pf\"\n", "", "want a postgres:// URL"},
		{"password file without url", "[storage]\npassword_file = \"/run/pw\"\n", "", "password_file is set without a url"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parse(t, tt.text)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("err = %v, want %q without the password", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Storage.Backend(); got != tt.backend {
				t.Errorf("backend %q, want %q", got, tt.backend)
			}
		})
	}
}
