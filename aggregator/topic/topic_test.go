package topic

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/dbtest"
	"github.com/paperfeed/paperfeed/db/model"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

var now = dbtest.Day.Add(10 * time.Hour)

func TestQuery(t *testing.T) {
	base := config.Topic{Name: "t", Query: "a", Exclude: "b", Sources: []string{"s"}, Categories: []string{"c"}, MinUpvotes: 3, Limit: 5, Cap: 20}
	with := func(f func(*config.Topic)) config.Topic { t := base; f(&t); return t }
	for _, tt := range []struct {
		name  string
		topic config.Topic
		limit int
		want  db.TopicQuery
	}{
		{"filters pass through", base, 0, db.TopicQuery{Match: "a", Exclude: "b", Sources: []string{"s"}, Categories: []string{"c"}, MinUpvotes: 3, Limit: 5, Cap: 20}},
		{"window and since are ages at now", with(func(t *config.Topic) { t.Window, t.Since = config.Duration(2*time.Hour), config.Duration(5*time.Hour) }), 0,
			db.TopicQuery{Match: "a", Exclude: "b", Sources: []string{"s"}, Categories: []string{"c"}, MinUpvotes: 3, Limit: 5, Cap: 20,
				WindowStart: now.Add(-2 * time.Hour), Since: now.Add(-5 * time.Hour)}},
		{"a request's limit is exact and drops the window", with(func(t *config.Topic) { t.Window, t.Since = config.Duration(2*time.Hour), config.Duration(5*time.Hour) }), 7,
			db.TopicQuery{Match: "a", Exclude: "b", Sources: []string{"s"}, Categories: []string{"c"}, MinUpvotes: 3, Limit: 7, Cap: 7, Since: now.Add(-5 * time.Hour)}},
		{"search", Search("x y"), 9, db.TopicQuery{Match: "x y", Limit: 9, Cap: 9}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Query(tt.topic, tt.limit, now); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestPapersRankTheWholeWindow: a trending topic ranks every candidate of its
// window, not only the limit newest.
func TestPapersRankTheWholeWindow(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ps []*model.Paper
	for i := range 10 {
		p := dbtest.Paper(i, fmt.Sprintf("Paper %d", i))
		p.Sightings[0].Source = "hf"
		ps = append(ps, p)
	}
	ps[3].Upvotes = 500 // seven hours old, far more upvotes than any newer
	dbtest.Save(t, s, ps...)
	trending := config.Topic{Name: "trending", Sources: []string{"hf"}, Sort: "trending", Limit: 2, Cap: 100, Window: config.Duration(8 * time.Hour)}
	for _, tt := range []struct {
		name  string
		topic config.Topic
		limit int
		want  []string
	}{
		{"trending over the window", trending, 0, []string{"2611.00003", "2611.00009", "2611.00008", "2611.00007", "2611.00006", "2611.00005", "2611.00004", "2611.00002"}},
		{"trending over a request's limit", trending, 3, []string{"2611.00009", "2611.00008", "2611.00007"}},
		{"newest", config.Topic{Name: "new", Sort: "newest", Limit: 2, Cap: 100}, 0, []string{"2611.00009", "2611.00008"}},
		{"search", Search("paper"), 2, []string{"2611.00009", "2611.00008"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Papers(ctx, s, tt.topic, tt.limit, now)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, p := range got {
				ids = append(ids, p.ArxivID)
			}
			if !reflect.DeepEqual(ids, tt.want) {
				t.Errorf("got %v, want %v", ids, tt.want)
			}
		})
	}
	_, err = Papers(ctx, s, Search("foo AND ("), 5, now)
	var qe *db.QueryError
	if !errors.As(err, &qe) {
		t.Errorf("bad search: %v", err)
	}
}

func TestCheck(t *testing.T) {
	topics := []config.Topic{
		{Name: "ok", Query: `"a b" OR c*`, Exclude: "d"},
		{Name: "badq", Query: "foo AND ("},
		{Name: "badx", Query: "x", Exclude: "y OR"},
		{Name: "all"},
	}
	probs := Check(context.Background(), sqlite.Syntax{}, topics)
	var got []string
	for _, p := range probs {
		got = append(got, p.Topic+"/"+p.Key)
		var qe *db.QueryError
		if !errors.As(p.Err, &qe) {
			t.Errorf("%s: %v is not a *db.QueryError", p.Topic, p.Err)
		}
	}
	if want := []string{"badq/query", "badx/exclude"}; !reflect.DeepEqual(got, want) {
		t.Errorf("problems %v, want %v", got, want)
	}
	if want := `[[topic]] "badq": query: bad query "foo AND ("`; len(probs) == 0 || probs[0].Error()[:len(want)] != want {
		t.Errorf("message %v", probs)
	}
}

func TestWarnings(t *testing.T) {
	topics := []config.Topic{
		{Name: "jepa", Query: "jepa or contrastive"},
		{Name: "ok", Query: "jepa OR contrastive", Exclude: "survey not review"},
		{Name: "bad", Query: `"open or`},
	}
	want := []string{
		`[[topic]] "jepa": query: "or" at column 6 is a word here: did you mean OR?`,
		`[[topic]] "ok": exclude: "not" at column 8 is a word here: did you mean NOT?`,
	}
	if got := Warnings(topics); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings\n%q\nwant\n%q", got, want)
	}
}
