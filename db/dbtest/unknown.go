package dbtest

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// testUnknownIDs: ids recorded unknown read back with their time; recording
// one again moves its time.
func testUnknownIDs(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.New(t)
	got, err := s.UnknownIDs(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v, %v", got, err)
	}
	steps := []struct {
		id   string
		at   time.Time
		want map[string]time.Time
	}{
		{"doi:10.9999/unknown.1", Day, map[string]time.Time{"doi:10.9999/unknown.1": Day}},
		{"arxiv:2611.99999", Day.Add(time.Hour), map[string]time.Time{"doi:10.9999/unknown.1": Day, "arxiv:2611.99999": Day.Add(time.Hour)}},
		{"doi:10.9999/unknown.1", Day.Add(48 * time.Hour), map[string]time.Time{"doi:10.9999/unknown.1": Day.Add(48 * time.Hour), "arxiv:2611.99999": Day.Add(time.Hour)}},
	}
	for _, st := range steps {
		t.Run(st.id, func(t *testing.T) {
			if err := s.RecordUnknownID(ctx, st.id, st.at); err != nil {
				t.Fatal(err)
			}
			got, err := s.UnknownIDs(ctx)
			if err != nil || !reflect.DeepEqual(got, st.want) {
				t.Errorf("got %v, %v; want %v", got, err, st.want)
			}
		})
	}
}
