package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestMemoryLimit(t *testing.T) {
	unset := func(string) (string, bool) { return "", false }
	set := func(k string) (string, bool) { return "1GiB", k == "GOMEMLIMIT" }
	for _, tc := range []struct {
		name    string
		bodyCap int64
		env     func(string) (string, bool)
		want    int64
		wantOK  bool
	}{
		{"default cap", 20 << 20, unset, 320 << 20, true},
		{"small cap", 1 << 20, unset, 16 << 20, true},
		{"operator's GOMEMLIMIT wins", 20 << 20, set, 0, false},
		{"cap too large for a limit", math.MaxInt64 / 8, unset, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := memoryLimit(tc.bodyCap, tc.env)
			if got != tc.want || ok != tc.wantOK {
				t.Fatalf("memoryLimit = %d, %v; want %d, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

// TestCollectSetsMemoryLimit: collect sets the process's memory limit from
// max_body_bytes and logs it at debug level, unless GOMEMLIMIT is set.
func TestCollectSetsMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	dir := t.TempDir()
	feed := filepath.Join(dir, "feed.xml")
	if err := os.WriteFile(feed, []byte(`<rss version="2.0"><channel><title>c</title><item><title>A paper</title><link>https://example.org/a</link></item></channel></rss>`), 0o644); err != nil {
		t.Fatal(err)
	}
	const bodyCap = 64 << 20
	cfgPath := filepath.Join(dir, "config.toml")
	cfg := fmt.Sprintf("[storage]\npath = \"store.db\"\n[collect]\nmax_body_bytes = %d\narxiv_api_url = \"\"\n[[source]]\nname = \"f\"\ntype = \"feed\"\nurl = \"file://%s\"\n", bodyCap, filepath.ToSlash(feed))
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	collect := func() string {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), []string{"collect", "-config", cfgPath, "-log-level", "debug"}, &stdout, &stderr); err != nil {
			t.Fatalf("collect: %v\n%s", err, stderr.String())
		}
		return stderr.String()
	}

	t.Run("GOMEMLIMIT unset", func(t *testing.T) {
		if v, set := os.LookupEnv("GOMEMLIMIT"); set {
			t.Setenv("GOMEMLIMIT", v) // restored after the test
			os.Unsetenv("GOMEMLIMIT")
		}
		debug.SetMemoryLimit(math.MaxInt64)
		log := collect()
		if got := debug.SetMemoryLimit(-1); got != 16*bodyCap {
			t.Fatalf("memory limit %d, want %d", got, 16*bodyCap)
		}
		if n := strings.Count(log, "msg=\"memory limit\""); n != 1 || !strings.Contains(log, fmt.Sprintf("bytes=%d", 16*bodyCap)) {
			t.Fatalf("want one debug line with the limit, log:\n%s", log)
		}
	})
	t.Run("GOMEMLIMIT set", func(t *testing.T) {
		t.Setenv("GOMEMLIMIT", "3GiB")
		debug.SetMemoryLimit(3 << 30) // what the runtime read at start
		log := collect()
		if got := debug.SetMemoryLimit(-1); got != 3<<30 {
			t.Fatalf("memory limit %d, want the operator's %d", got, int64(3<<30))
		}
		if !strings.Contains(log, "memory limit left to the runtime") {
			t.Fatalf("log:\n%s", log)
		}
	})
}
