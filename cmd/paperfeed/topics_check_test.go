package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadTopicRejectedBeforeTheStoreOpens: every command checks the topics'
// expressions once, when it loads the config, before it opens (and so
// creates or migrates) the store.
func TestBadTopicRejectedBeforeTheStoreOpens(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "bad.toml")
	os.WriteFile(cfgPath, []byte("[server]\nlisten = \"127.0.0.1:0\"\n\n[storage]\npath = \"pf.db\"\n\n[[topic]]\nname = \"x\"\nexclude = 'y OR'\n"), 0o644)
	for _, args := range [][]string{
		{"serve", "-config", cfgPath},
		{"export", "-config", cfgPath, "-out", filepath.Join(dir, "site")},
		{"collect", "-config", cfgPath},
		{"check", "-config", cfgPath},
	} {
		t.Run(args[0], func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), args, &stdout, &stderr)
			if code := exitCode(err, &stderr); code != exitConfigError {
				t.Errorf("exit %d, want %d (%v)", code, exitConfigError, err)
			}
			if want := `[[topic]] "x": exclude: bad query "y OR"`; !strings.Contains(stderr.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, stderr.String())
			}
			if _, err := os.Stat(filepath.Join(dir, "pf.db")); !os.IsNotExist(err) {
				t.Errorf("the store was opened: %v", err)
			}
		})
	}
}
