package sharedtest

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func mkdirs(t *testing.T, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLocate(t *testing.T) {
	top := t.TempDir()
	repo := filepath.Join(top, "repo")
	pkg := filepath.Join(repo, "aggregator", "sources")
	lone := filepath.Join(top, "lone", "pkg") // no go.mod above
	other := filepath.Join(top, "elsewhere")
	mkdirs(t, pkg, lone, other, filepath.Join(top, "shared"))
	if err := os.WriteFile(filepath.Join(repo, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A go.mod directory is not a module root.
	mkdirs(t, filepath.Join(pkg, "go.mod"))
	tests := []struct {
		name, wd, env string
		dir           string
		present       bool
		err           bool
	}{
		{name: "package two levels down", wd: pkg, dir: filepath.Join(top, "shared"), present: true},
		{name: "repository root", wd: repo, dir: filepath.Join(top, "shared"), present: true},
		{name: "override present", wd: pkg, env: other, dir: other, present: true},
		{name: "override absent", wd: pkg, env: filepath.Join(top, "nope"), dir: filepath.Join(top, "nope")},
		{name: "override is a file", wd: pkg, env: filepath.Join(repo, "go.mod"), dir: filepath.Join(repo, "go.mod")},
		{name: "no go.mod above", wd: lone, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := locate(tt.wd, tt.env)
			if (got.err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", got.err, tt.err)
			}
			if got.dir != tt.dir || got.present != tt.present {
				t.Errorf("locate = %q present %v, want %q present %v", got.dir, got.present, tt.dir, tt.present)
			}
		})
	}
	t.Run("shared absent beside the root", func(t *testing.T) {
		if err := os.Remove(filepath.Join(top, "shared")); err != nil {
			t.Fatal(err)
		}
		if got := locate(pkg, ""); got.present || got.dir != filepath.Join(top, "shared") {
			t.Errorf("locate = %+v, want absent %s", got, filepath.Join(top, "shared"))
		}
	})
}

// recorder is a testing.TB whose Skip and Fatal end the calling goroutine and
// record the message, so the helpers' outcomes can be asserted.
type recorder struct {
	testing.TB
	skip, fatal string
}

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, args ...any) {
	r.skip = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }

// call runs fn against a recorder the way a test body runs.
func call(t *testing.T, fn func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(r)
	}()
	<-done
	return r
}

// useLocation makes the helpers see loc for the rest of the test.
func useLocation(t *testing.T, loc location) {
	hereOnce.Do(func() {})
	saved := here
	here = loc
	t.Cleanup(func() { here = saved })
}

func TestHelpers(t *testing.T) {
	dir := t.TempDir()
	mkdirs(t, filepath.Join(dir, "fixtures", "arxiv"))
	for _, name := range []string{"a_1.xml", "b_1.xml", "b_2.xml"} {
		if err := os.WriteFile(filepath.Join(dir, "fixtures", "arxiv", name), []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("absent folder skips and counts", func(t *testing.T) {
		useLocation(t, location{dir: "/nonexistent/shared"})
		before := skipped.Load()
		for _, fn := range []func(tb testing.TB){
			func(tb testing.TB) { Dir(tb) },
			func(tb testing.TB) { File(tb, "fixtures/arxiv/a_1.xml") },
			func(tb testing.TB) { Glob(tb, "fixtures/arxiv/a_*.xml") },
		} {
			r := call(t, fn)
			if !strings.Contains(r.skip, "/nonexistent/shared") || !strings.Contains(r.skip, EnvVar) || r.fatal != "" {
				t.Errorf("skip %q fatal %q, want a skip naming the folder and %s", r.skip, r.fatal, EnvVar)
			}
		}
		if got := skipped.Load() - before; got != 3 {
			t.Errorf("counted %d skips, want 3", got)
		}
	})

	t.Run("present folder", func(t *testing.T) {
		useLocation(t, location{dir: dir, present: true})
		before := skipped.Load()
		tests := []struct {
			name  string
			fn    func(tb testing.TB) string
			want  string
			fatal string
		}{
			{"Dir", func(tb testing.TB) string { return Dir(tb) }, dir, ""},
			{"Path", func(tb testing.TB) string { return Path(tb, "fixtures/arxiv/a_1.xml") }, filepath.Join(dir, "fixtures", "arxiv", "a_1.xml"), ""},
			{"File", func(tb testing.TB) string { return string(File(tb, "fixtures/arxiv/a_1.xml")) }, "a_1.xml", ""},
			{"Glob one match", func(tb testing.TB) string { return string(Glob(tb, "fixtures/arxiv/a_*.xml")) }, "a_1.xml", ""},
			{"missing file fails", func(tb testing.TB) string { return string(File(tb, "fixtures/nope.xml")) }, "", "fixtures/nope.xml is missing"},
			{"Glob two matches fails", func(tb testing.TB) string { return string(Glob(tb, "fixtures/arxiv/b_*.xml")) }, "", "2 files match"},
			{"Glob no match fails", func(tb testing.TB) string { return string(Glob(tb, "fixtures/arxiv/c_*.xml")) }, "", "0 files match"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var got string
				r := call(t, func(tb testing.TB) { got = tt.fn(tb) })
				if r.skip != "" || got != tt.want || !strings.Contains(r.fatal, tt.fatal) || (tt.fatal == "") != (r.fatal == "") {
					t.Errorf("got %q skip %q fatal %q, want %q fatal containing %q", got, r.skip, r.fatal, tt.want, tt.fatal)
				}
			})
		}
		if n := skipped.Load() - before; n != 0 {
			t.Errorf("counted %d skips with the folder present", n)
		}
	})

	t.Run("unnamed folder fails", func(t *testing.T) {
		useLocation(t, location{err: fmt.Errorf("no go.mod at or above /x")})
		if r := call(t, func(tb testing.TB) { Dir(tb) }); !strings.Contains(r.fatal, "no go.mod") || r.skip != "" {
			t.Errorf("skip %q fatal %q, want a failure", r.skip, r.fatal)
		}
	})
}

func TestPackageName(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if got := packageName(wd); got != "aggregator/sharedtest" {
		t.Errorf("packageName = %q, want aggregator/sharedtest", got)
	}
}

// TestEveryUserHasMain: a package whose tests use this helper without running
// them through Main would skip silently, missing from the run's summary.
func TestEveryUserHasMain(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := moduleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	const importPath = "github.com/paperfeed/paperfeed/aggregator/sharedtest"
	users := map[string]bool{} // package directory -> has a TestMain calling Main
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, "_test.go") || filepath.Dir(p) == wd {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, 0)
		if err != nil {
			return err
		}
		for _, im := range f.Imports {
			if path, _ := strconv.Unquote(im.Path.Value); path == importPath {
				src, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				dir := filepath.Dir(p)
				users[dir] = users[dir] || strings.Contains(string(src), "sharedtest.Main(m)")
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) == 0 {
		t.Fatal("no package uses sharedtest: the walk is wrong")
	}
	for dir, ok := range users {
		if !ok {
			rel, _ := filepath.Rel(root, dir)
			t.Errorf("%s uses sharedtest but has no TestMain calling sharedtest.Main(m)", rel)
		}
	}
}
