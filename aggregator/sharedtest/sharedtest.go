// Package sharedtest finds the project's shared, read-only test material
// (../shared beside the repository: recorded upstream responses, labelled
// dedup pairs, the independent feed readers) for tests in any package, skips a
// test cleanly when it is absent, and says once per `go test` run how many
// tests were skipped for that reason.
//
// It lives under aggregator/ because most of that material is upstream
// recordings the aggregator reads, and it is not internal/ because feeds/ and
// cmd/ tests use it too. It imports nothing of the project.
//
// A package whose tests use it runs them through Main:
//
//	func TestMain(m *testing.M) { sharedtest.Main(m) }
package sharedtest

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

// EnvVar, when set, names the shared folder instead of ../shared beside the
// repository root (the directory holding go.mod).
const EnvVar = "PAPERFEED_SHARED"

// location is where the shared folder was looked for, and whether it is there.
type location struct {
	dir     string // absolute
	present bool
	err     error // the folder could not even be named (no go.mod above the package)
}

// locate names the shared folder for a test running in wd: $PAPERFEED_SHARED,
// else ../shared relative to the nearest directory at or above wd holding go.mod.
func locate(wd, env string) location {
	dir := env
	if dir == "" {
		root, err := moduleRoot(wd)
		if err != nil {
			return location{err: err}
		}
		dir = filepath.Join(filepath.Dir(root), "shared")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return location{err: err}
	}
	st, err := os.Stat(abs)
	return location{dir: abs, present: err == nil && st.IsDir()}
}

// moduleRoot is the nearest directory at or above dir that holds go.mod.
func moduleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; {
		if st, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && !st.IsDir() {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod at or above %s", dir)
		}
		d = parent
	}
}

var (
	// here is located on the first use by a test.
	hereOnce sync.Once
	here     location
	// skipped counts the tests this binary skipped because the folder is absent.
	skipped atomic.Int64
)

func current() location {
	hereOnce.Do(func() {
		wd, err := os.Getwd()
		if err != nil {
			here = location{err: err}
			return
		}
		here = locate(wd, os.Getenv(EnvVar))
	})
	return here
}

// Dir returns the absolute path of the shared folder, or skips t (and counts
// the skip for the run's summary) when it is absent.
func Dir(t testing.TB) string {
	t.Helper()
	loc := current()
	if loc.err != nil {
		t.Fatalf("sharedtest: cannot name the shared folder: %v", loc.err)
	}
	if !loc.present {
		skipped.Add(1)
		t.Skipf("the shared folder is absent (looked for %s; clone it beside the repository or set %s): skipping", loc.dir, EnvVar)
	}
	return loc.dir
}

// Path returns the absolute path of rel inside the shared folder, skipping t
// when the folder is absent. A file missing from a present folder fails t: the
// test names material the shared folder does not have.
func Path(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(Dir(t), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("sharedtest: %s is missing from the shared folder: %v", rel, err)
	}
	return p
}

// File reads rel from the shared folder (see Path).
func File(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Glob reads the one file of the shared folder matching pattern (recorded
// file names carry a content hash). No match, or several, fails t.
func Glob(t testing.TB, pattern string) []byte {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(Dir(t), filepath.FromSlash(pattern)))
	if err == nil && len(m) != 1 {
		err = fmt.Errorf("%d files match", len(m))
	}
	if err != nil {
		t.Fatalf("sharedtest: %s in the shared folder: %v", pattern, err)
	}
	b, err := os.ReadFile(m[0])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Main runs the tests and, when some skipped because the shared folder is
// absent, adds this package's count to the run's summary. It does not return.
func Main(m *testing.M) {
	// Decided apart from current(): lookups made before m.Run are not seen by
	// the go command's test cache.
	wd, _ := os.Getwd()
	loc := locate(wd, os.Getenv(EnvVar))
	absent := loc.err == nil && !loc.present
	var r *run
	if absent {
		r = joinRun()
	}
	code := m.Run()
	if r != nil {
		r.finish(packageName(wd), skipped.Load(), loc.dir)
	}
	os.Exit(code)
}

// packageName is wd relative to the module root, as go test names packages
// (without the module path).
func packageName(wd string) string {
	root, err := moduleRoot(wd)
	if err != nil {
		return wd
	}
	rel, err := filepath.Rel(root, wd)
	if err != nil || rel == "." {
		return filepath.Base(root)
	}
	return filepath.ToSlash(rel)
}

// summary is the one line a run prints about the skipped tests.
func summary(dir string, tests int64, packages int) string {
	return fmt.Sprintf("paperfeed tests: ../shared (looked for %s) is absent: %d fixture %s skipped in %d %s; "+
		"clone the shared folder beside the repository (or set %s) to run them",
		dir, tests, plural(tests, "test", "tests"), packages, plural(int64(packages), "package", "packages"), EnvVar)
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
