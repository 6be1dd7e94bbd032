package sources

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/fetch"
)

// sizedFetcher answers every request with a body of the size the URL names
// ("/40" is 40 bytes).
type sizedFetcher struct{}

func (sizedFetcher) Get(_ context.Context, r fetch.Request) (*fetch.Response, error) {
	var n int
	if _, err := fmt.Sscanf(r.URL, "/%d", &n); err != nil {
		return nil, err
	}
	return &fetch.Response{URL: r.URL, Status: 200, Body: make([]byte, n)}, nil
}

// parsingSource fetches its URLs one after the other and, after each, says it
// is parsing on parsing and waits on proceed: a parse that lasts as long as
// the test wants.
type parsingSource struct {
	base
	urls     []string
	parsing  chan string
	proceed  chan struct{}
	fetchErr chan error
}

func newParsingSource(name string, urls ...string) *parsingSource {
	return &parsingSource{base: base{name, "test"}, urls: urls,
		parsing: make(chan string), proceed: make(chan struct{}), fetchErr: make(chan error, 1)}
}

func (s *parsingSource) Collect(ctx context.Context, f Fetcher, st *State) (*Result, error) {
	for _, u := range s.urls {
		if _, err := f.Get(ctx, fetch.Request{URL: u}); err != nil {
			s.fetchErr <- err
			return nil, err
		}
		s.parsing <- u
		<-s.proceed
	}
	return &Result{}, nil
}

// gated runs src's pass under gate in a goroutine; the pass's error arrives on the channel.
func gated(ctx context.Context, gate *ParseGate, src Source) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := gatedSource{Source: src, gate: gate}.Collect(ctx, sizedFetcher{}, &State{})
		done <- err
	}()
	return done
}

// TestParseGateSerializesLargeBodies: with bodies of 80 % of the gate each,
// the second pass's parse starts only after the first pass finished.
func TestParseGateSerializesLargeBodies(t *testing.T) {
	gate := NewParseGate(100)
	blocked := make(chan struct{}, 1)
	gate.blocked = func() { blocked <- struct{}{} }
	a, b := newParsingSource("a", "/80"), newParsingSource("b", "/80")

	aDone := gated(context.Background(), gate, a)
	<-a.parsing
	bDone := gated(context.Background(), gate, b)
	<-blocked // b fetched its body and waits for the gate
	select {
	case <-b.parsing:
		t.Fatal("b parses while a still parses")
	default:
	}
	a.proceed <- struct{}{}
	if err := <-aDone; err != nil {
		t.Fatal(err)
	}
	<-b.parsing // a's pass ended: b's parse starts
	b.proceed <- struct{}{}
	if err := <-bDone; err != nil {
		t.Fatal(err)
	}
	if !gate.sem.TryAcquire(100) {
		t.Fatal("the gate is not free after both passes")
	}
}

// TestParseGateSmallBodiesTogether: bodies that fit the gate together parse at once.
func TestParseGateSmallBodiesTogether(t *testing.T) {
	gate := NewParseGate(100)
	gate.blocked = func() { t.Error("a body that fits waited") }
	a, b := newParsingSource("a", "/40"), newParsingSource("b", "/60")
	aDone, bDone := gated(context.Background(), gate, a), gated(context.Background(), gate, b)
	<-a.parsing
	<-b.parsing
	a.proceed <- struct{}{}
	b.proceed <- struct{}{}
	if err := errors.Join(<-aDone, <-bDone); err != nil {
		t.Fatal(err)
	}
}

// TestParseGateCancel: a pass waiting for the gate ends with its context's
// error when the context is cancelled, holding nothing.
func TestParseGateCancel(t *testing.T) {
	gate := NewParseGate(100)
	blocked := make(chan struct{}, 1)
	gate.blocked = func() { blocked <- struct{}{} }
	a, b := newParsingSource("a", "/100"), newParsingSource("b", "/50")

	aDone := gated(context.Background(), gate, a)
	<-a.parsing
	ctx, cancel := context.WithCancel(context.Background())
	bDone := gated(ctx, gate, b)
	<-blocked
	cancel()
	if err := <-bDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("waiting pass ended with %v, want context.Canceled", err)
	}
	a.proceed <- struct{}{}
	if err := <-aDone; err != nil {
		t.Fatal(err)
	}
	if !gate.sem.TryAcquire(100) {
		t.Fatal("the cancelled pass left weight on the gate")
	}
}

// TestParseGateWeights: a pass releases a body's weight when it asks for its
// next one (two bodies of 80 in one pass of a gate of 100 do not deadlock),
// and a body larger than the gate weighs the whole gate.
func TestParseGateWeights(t *testing.T) {
	for _, tc := range []struct {
		name string
		urls []string
	}{
		{"pages one after the other", []string{"/80", "/80", "/80"}},
		{"body over the gate size", []string{"/150"}},
		{"empty body", []string{"/0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gate := NewParseGate(100)
			gate.blocked = func() { t.Error("a pass alone waited") }
			s := newParsingSource("s", tc.urls...)
			done := gated(context.Background(), gate, s)
			for range tc.urls {
				<-s.parsing
				s.proceed <- struct{}{}
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if !gate.sem.TryAcquire(100) {
				t.Fatal("weight left on the gate")
			}
		})
	}
}

// TestNewGatesEverySourceType: with a gate in Options, every source type's
// passes run under it.
func TestNewGatesEverySourceType(t *testing.T) {
	gate := NewParseGate(0)
	if gate.size != config.DefaultMaxBodyBytes {
		t.Fatalf("default gate size %d, want the default body cap %d", gate.size, config.DefaultMaxBodyBytes)
	}
	for _, c := range []config.Source{
		{Name: "f", Type: "feed", URL: "https://example.org/feed"},
		{Name: "a", Type: "arxiv", Categories: []string{"cs.CL"}},
		{Name: "aa", Type: "arxiv-api", Query: "cat:cs.CL"},
		{Name: "h", Type: "huggingface"},
		{Name: "b", Type: "biorxiv"},
		{Name: "m", Type: "medrxiv"},
	} {
		t.Run(c.Type, func(t *testing.T) {
			s := mustNew(t, c, Options{Gate: gate})
			g, ok := s.(gatedSource)
			if !ok || g.gate != gate {
				t.Fatalf("New returned %T, not a source under the gate", s)
			}
			if s.Name() != c.Name || s.Type() != c.Type {
				t.Fatalf("name, type = %q, %q", s.Name(), s.Type())
			}
		})
	}
}
