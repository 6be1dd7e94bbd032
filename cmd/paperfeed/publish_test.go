package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// `paperfeed publish` announces every feed once, then only what changed;
// a hub's refusal is exit 1; without hubs it is a config error.
func TestPublishCommand(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "src.xml")
	if err := os.WriteFile(feed, bigFeed("src", 3), 0o644); err != nil {
		t.Fatal(err)
	}
	hubAt := func(code int) (*httptest.Server, *atomic.Int32) {
		var n atomic.Int32
		h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ParseForm() != nil || r.PostForm.Get("hub.mode") != "publish" || !strings.HasPrefix(r.PostForm.Get("hub.url"), "https://papers.example.org/topics/all") {
				t.Errorf("hub got %v", r.PostForm)
			}
			n.Add(1)
			w.WriteHeader(code)
		}))
		t.Cleanup(h.Close)
		return h, &n
	}
	good, goodN := hubAt(http.StatusNoContent)
	bad, badN := hubAt(http.StatusForbidden)
	config := func(name string, hubs ...string) string {
		path := filepath.Join(dir, name+".toml")
		list := ""
		for i, h := range hubs {
			if i > 0 {
				list += ", "
			}
			list += fmt.Sprintf("%q", h)
		}
		text := fmt.Sprintf("[server]\nbase_url = \"https://papers.example.org\"\nwebsub_hubs = [%s]\n[storage]\npath = \"pf.db\"\n[collect]\narxiv_api_url = \"\"\n"+
			"[[source]]\nname = \"src\"\ntype = \"feed\"\nurl = \"file://%s\"\n", list, feed)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	one := config("one", good.URL+"/")
	runCmd := func(args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), args, &stdout, &stderr)
		return exitCode(err, &stderr), stdout.String() + stderr.String()
	}
	if code, out := runCmd("collect", "-config", one); code != 0 {
		t.Fatalf("collect: %d\n%s", code, out)
	}
	steps := []struct {
		name, config string
		code         int
		want         []string
		good, bad    int32 // requests each hub has had after the step
	}{
		{"first", one, 0, []string{good.URL + "/" + strings.Repeat(" ", 40-len(good.URL)-1) + " 9 announced, 0 refused, 0 failed, 0 unchanged"}, 9, 0},
		{"again", one, 0, []string{"0 announced, 0 refused, 0 failed, 9 unchanged"}, 9, 0},
		{"refused", config("two", good.URL+"/", bad.URL+"/"), 1, []string{"9 unchanged", "0 announced, 9 refused, 0 failed, 0 unchanged", "9 announcements failed or were refused", "403"}, 9, 9},
		{"no hubs", config("none"), 2, []string{"websub_hubs is empty"}, 9, 9},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			code, out := runCmd("publish", "-config", st.config)
			if code != st.code {
				t.Errorf("exit %d, want %d\n%s", code, st.code, out)
			}
			for _, w := range st.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if g, b := goodN.Load(), badN.Load(); g != st.good || b != st.bad {
				t.Errorf("hubs had %d and %d requests, want %d and %d", g, b, st.good, st.bad)
			}
		})
	}
}
