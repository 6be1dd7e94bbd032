package sources

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/aggregator/sharedtest"
	"github.com/paperfeed/paperfeed/db/model"
)

// fixture reads a recorded answer from ../shared/fixtures (never copied into
// the repository), skipping the test when the shared folder is absent.
func fixture(t testing.TB, rel string) []byte {
	t.Helper()
	return sharedtest.File(t, "fixtures/"+rel)
}

// fixtureGlob reads the one fixture matching pattern (names carry a hash).
func fixtureGlob(t testing.TB, pattern string) []byte {
	t.Helper()
	return sharedtest.Glob(t, "fixtures/"+pattern)
}

// client is the real polite client without the 3 s arXiv spacing.
func client() *fetch.Client {
	return fetch.New(fetch.Options{Timeout: 5 * time.Second, GroupInterval: map[string]time.Duration{}})
}

// server runs h on 127.0.0.1 and records the request URIs it saw.
func server(t *testing.T, h http.HandlerFunc) (*httptest.Server, *[]string) {
	t.Helper()
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.RequestURI())
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

// body answers with b and the given status and content type.
func body(status int, ctype string, b []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(status)
		w.Write(b)
	}
}

func mustNew(t *testing.T, c config.Source, o Options) Source {
	t.Helper()
	s, err := New(c, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func collect(t *testing.T, s Source, st *State) (*Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return s.Collect(ctx, client(), st)
}

func findItem(t *testing.T, items []model.Item, title string) model.Item {
	t.Helper()
	for _, it := range items {
		if it.Title == title {
			return it
		}
	}
	t.Fatalf("no item titled %q among %d", title, len(items))
	return model.Item{}
}

func eq[T any](t *testing.T, field string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %#v\n want %#v", field, got, want)
	}
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// wantErr checks a failed pass: an error containing every fragment, no result.
func wantErr(t *testing.T, res *Result, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error, got none (%d items)", len(res.Items))
	}
	if res != nil {
		t.Errorf("want no result with the error, got %d items", len(res.Items))
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not contain %q", err, f)
		}
	}
}
