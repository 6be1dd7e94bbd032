package status

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/db"
)

// TestStatusHubs: each configured hub's row says when it last accepted an
// announcement and its last error, from the store's records; a hub nothing
// was announced to yet is pending.
func TestStatusHubs(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	cfg := config.Default()
	cfg.Server.BaseURL = "https://papers.example.org"
	cfg.Server.WebSubHubs = []string{"https://hub-a.example/", "https://hub-b.example/", "https://hub-c.example/"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	feed := "https://papers.example.org/topics/all."
	for _, st := range []db.WebSubState{
		{Hub: "https://hub-a.example/", URL: feed + "atom", Fingerprint: "f", LastSuccess: at.Add(time.Hour)},
		{Hub: "https://hub-a.example/", URL: feed + "rss", Fingerprint: "f", LastSuccess: at, LastError: "hub answered 503 Service Unavailable (after 5 tries)", LastErrorAt: at.Add(-time.Hour)},
		{Hub: "https://hub-b.example/", URL: feed + "atom", LastError: "hub answered 400 Bad Request <b>", LastErrorAt: at},
		{Hub: "https://gone.example/", URL: feed + "atom", LastSuccess: at}, // a hub since removed from the config
	} {
		if err := store.SaveWebSubState(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	h := New(cfg, store, "web-1", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/status?format=json", nil))
	var rep Report
	if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
		t.Fatalf("%v: %s", err, rec.Body.String())
	}
	if len(rep.Hubs) != 3 {
		t.Fatalf("hubs %+v", rep.Hubs)
	}
	a, b, c := rep.Hubs[0], rep.Hubs[1], rep.Hubs[2]
	if a.Health != "ok" || a.Feeds != 2 || a.Failing != 0 || !a.LastPublish.Equal(at.Add(time.Hour)) || a.LastURL != feed+"atom" ||
		!strings.Contains(a.LastError, "503") || !a.LastErrorAt.Equal(at.Add(-time.Hour)) || a.ErrorURL != feed+"rss" {
		t.Errorf("hub a: %+v", a)
	}
	if b.Health != "failing" || b.Failing != 1 || b.LastPublish != nil || !strings.Contains(b.LastError, "400 Bad Request") {
		t.Errorf("hub b: %+v", b)
	}
	if c.Health != "pending" || c.Feeds != 0 || c.LastPublish != nil || c.LastErrorAt != nil {
		t.Errorf("hub c: %+v", c)
	}

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/status", nil))
	page := rec.Body.String()
	for _, want := range []string{"WebSub hubs", "https://hub-b.example/", "hub answered 400 Bad Request &lt;b&gt;", "2026-11-26 11:00:00 UTC"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "gone.example") {
		t.Error("page shows a hub no longer configured")
	}
}

// Without hubs the page has no hub section and the JSON an empty list.
func TestStatusNoHubs(t *testing.T) {
	cfg := config.Default()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	h := New(cfg, openStore(t), "web-1", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/status", nil))
	if strings.Contains(rec.Body.String(), "WebSub") {
		t.Error("a page without hubs shows a hub section")
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/status?format=json", nil))
	if !strings.Contains(rec.Body.String(), `"websub_hubs": []`) {
		t.Errorf("JSON: %s", rec.Body.String())
	}
}
