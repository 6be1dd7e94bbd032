package dbtest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/db"
)

// testWebSub: records read back by hub and URL, across handles; saving one
// again replaces it; they never change the generation.
func testWebSub(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.New(t)
	other := s
	if b.Again != nil {
		other = b.Again(t, s)
	}
	got, err := s.WebSubStates(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v, %v", got, err)
	}
	g0 := generation(t, s)
	a := db.WebSubState{Hub: "https://hub.example/", URL: "https://papers.example/topics/all.atom", Fingerprint: "f1", LastSuccess: Day}
	z := db.WebSubState{Hub: "https://a-hub.example/", URL: "https://papers.example/topics/all.rss", LastError: "hub answered 503", LastErrorAt: Day.Add(time.Minute)}
	a2 := a
	a2.Fingerprint, a2.LastSuccess, a2.LastError, a2.LastErrorAt = "f2", Day.Add(time.Hour), "hub answered 400 Bad Request", Day.Add(30*time.Minute)
	steps := []struct {
		name string
		save db.WebSubState
		want []db.WebSubState
	}{
		{"first", a, []db.WebSubState{a}},
		{"ordered by hub", z, []db.WebSubState{z, a}},
		{"replaced", a2, []db.WebSubState{z, a2}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := s.SaveWebSubState(ctx, st.save); err != nil {
				t.Fatal(err)
			}
			got, err := other.WebSubStates(ctx)
			if err != nil || !reflect.DeepEqual(got, st.want) {
				t.Errorf("got %+v, %v; want %+v", got, err, st.want)
			}
		})
	}
	if g := generation(t, s); g != g0 {
		t.Errorf("generation moved from %d to %d", g0, g)
	}
}
