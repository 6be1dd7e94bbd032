package recommend

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"
)

// TestBuildCorpusCachesTerms: a build that keeps the terms it counts gives
// the corpus (df, bucket names, idf, sample) of one that does not, exactly,
// and caches each paper's terms as a candidate's are read from its text,
// under the record's Updated.
func TestBuildCorpusCachesTerms(t *testing.T) {
	texts := synthetic(3000)
	for i := range texts {
		texts[i].Updated = time.Unix(int64(1_700_000_000+i), 0)
	}
	for _, o := range []Options{DefaultOptions(), {Sample: 500, MinDF: 2, MaxDF: 0.3, C: 0.01}} {
		want, err := BuildCorpus(context.Background(), textStore{texts: texts}, o)
		if err != nil {
			t.Fatal(err)
		}
		tc := newBuildCache(len(texts))
		got, err := buildCorpus(context.Background(), textStore{texts: texts}, o, tc)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("sample %d: the corpus of a build keeping terms differs (N %d/%d, sample %d/%d, vocabulary %d/%d)",
				o.Sample, got.N, want.N, len(got.sample), len(want.sample), len(got.buckets), len(want.buckets))
		}
		var read termCache
		read.reset()
		updated := make([]int64, len(texts))
		for i, x := range texts {
			updated[i] = x.Updated.Unix()
		}
		read.read(texts, updated)
		if len(tc.at) != len(texts) {
			t.Fatalf("build cached %d papers, want %d", len(tc.at), len(texts))
		}
		for _, x := range texts {
			b, r := tc.at[x.ID], read.at[x.ID]
			if b.updated != r.updated || !slices.Equal(tc.packed(b), read.packed(r)) {
				t.Fatalf("paper %d: the build cached %v at %d, reading its text gives %v at %d", x.ID, tc.packed(b), b.updated, read.packed(r), r.updated)
			}
		}
	}
}
