package feeds

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/paperfeed/paperfeed/db"
)

// countingReader counts the store's query checks.
type countingReader struct {
	db.Reader
	checks atomic.Int64
}

func (c *countingReader) CheckQuery(ctx context.Context, expr string) error {
	c.checks.Add(1)
	return c.Reader.CheckQuery(ctx, expr)
}

// TestTopicsCheckedOnce: NewServer checks the topics' expressions unless its
// caller checked them already.
func TestTopicsCheckedOnce(t *testing.T) {
	f := newFixture(t, nil)
	for _, tt := range []struct {
		checked bool
		want    int64
	}{{false, int64(2 * len(f.cfg.Topics))}, {true, 0}} {
		r := &countingReader{Reader: f.store}
		if _, err := NewServer(f.cfg, r, Options{TopicsChecked: tt.checked}); err != nil {
			t.Fatal(err)
		}
		if got := r.checks.Load(); got != tt.want {
			t.Errorf("TopicsChecked %v: %d checks at start, want %d", tt.checked, got, tt.want)
		}
	}
}
