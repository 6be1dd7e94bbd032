package main

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/feeds"
)

// TestServeAnnouncesToHubs: `paperfeed serve` with a hub announces each of
// its feeds there once its collect has stored papers, keeps what the hub
// accepted in the store, and gives up the websub lease when it stops.
func TestServeAnnouncesToHubs(t *testing.T) {
	bin := buildPaperfeed(t)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(bigFeed("src", 3))
	}))
	t.Cleanup(up.Close)
	var mu sync.Mutex
	announced := map[string]int{}
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.ParseForm() != nil || r.PostForm.Get("hub.mode") != "publish" {
			t.Errorf("hub got %s %v", r.Method, r.PostForm)
		}
		mu.Lock()
		announced[r.PostForm.Get("hub.url")]++
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(hub.Close)

	dir := t.TempDir()
	const base = "https://papers.example.org"
	cfgPath := filepath.Join(dir, "config.toml")
	cfg := fmt.Sprintf("[server]\nlisten = \"127.0.0.1:0\"\nbase_url = %q\nwebsub_hubs = [%q]\n[storage]\npath = \"pf.db\"\n[collect]\narxiv_api_url = \"\"\n"+
		"[[source]]\nname = \"src\"\ntype = \"feed\"\nurl = \"%s/src.xml\"\n", base, hub.URL+"/", up.URL)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, name := range []string{"all", "all/daily", "all/weekly"} {
		for _, ext := range []string{"atom", "rss", "json"} {
			want = append(want, base+"/topics/"+name+"."+ext)
		}
	}
	cmd, _, logs, logsDone := startServe(t, bin, cfgPath)
	// Done when the store records, for every feed, that the hub accepted its
	// current content: the fingerprints a feed server over the same store
	// computes now (after the collect, the papers are in the topic feeds).
	conf, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	store := openChecked(t, filepath.Join(dir, "pf.db"))
	fs, err := feeds.NewServer(conf, store, feeds.Options{})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		current := map[string]string{}
		hfs, err := fs.HubFeeds(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, hf := range hfs {
			for _, u := range hf.URLs {
				current[u] = hf.Fingerprint
			}
		}
		sts, err := store.WebSubStates(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		accepted := map[string]string{}
		for _, st := range sts {
			if st.Hub != hub.URL+"/" || st.LastError != "" || st.LastSuccess.IsZero() {
				t.Errorf("record %+v", st)
			}
			accepted[st.URL] = st.Fingerprint
		}
		stats, err := store.Stats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if stats.Papers == 3 && maps.Equal(current, accepted) {
			break
		}
		if time.Now().After(deadline) {
			mu.Lock()
			t.Fatalf("the hub accepted %v, the feeds are %v (%d papers; announced %v); log:\n%s", accepted, current, stats.Papers, announced, logs)
		}
		time.Sleep(250 * time.Millisecond)
	}
	mu.Lock()
	got := slices.Sorted(maps.Keys(announced))
	mu.Unlock()
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("announced %q, want %q", got, want)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd, 30*time.Second, logs); code != 0 {
		t.Errorf("exit %d; log:\n%s", code, logs)
	}
	<-logsDone
	ls, err := store.Leases(context.Background())
	if err != nil || slices.ContainsFunc(ls, func(l db.Lease) bool { return l.Name == db.WebSubLease }) {
		t.Errorf("leases after stop: %+v %v", ls, err)
	}
}
