package recommend

import (
	"context"
	"testing"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// textStore is a store of texts as far as the engine reads one (the stats
// and the texts), without a database's own cost.
type textStore struct {
	db.Reader
	texts []db.Text
}

func (s textStore) Stats(context.Context) (db.Stats, error) {
	return db.Stats{Papers: int64(len(s.texts))}, nil
}

func (s textStore) Texts(ctx context.Context, fn func(db.Text) error) error {
	for _, t := range s.texts {
		if err := fn(t); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkBuildCorpus100k is the corpus build of a 100,000-paper store
// (every text tokenised once for the idf, the 10,000-paper sample drawn).
func BenchmarkBuildCorpus100k(b *testing.B) {
	texts, _ := benchSetup(b)
	st := textStore{texts: texts}
	b.ResetTimer()
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := BuildCorpus(context.Background(), st, DefaultOptions()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartRank100k is a like-topic's first ranking after a start,
// through a new engine: the corpus build, then training on 5 exemplars and
// scoring the 100,000 candidates. Less BenchmarkBuildCorpus100k, it is
// what the first ranking costs beyond the build every start pays.
func BenchmarkStartRank100k(b *testing.B) {
	texts, _ := benchSetup(b)
	st := textStore{texts: texts}
	cands := make([]*model.Paper, len(texts))
	for i, t := range texts {
		cands[i] = &model.Paper{ID: t.ID, Title: t.Title, Abstract: t.Abstract, Authors: t.Authors}
	}
	likes := cands[50_000:50_005]
	b.ResetTimer()
	defer reportCPU(b)()
	for b.Loop() {
		e := NewEngine(st, DefaultOptions())
		if _, _, err := e.Scores(context.Background(), "bench", likes, nil, cands); err != nil {
			b.Fatal(err)
		}
	}
}
