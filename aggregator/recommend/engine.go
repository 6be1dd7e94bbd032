package recommend

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// Engine keeps, between renders, the corpus and each like-topic's model and
// candidate scores: a paper is scored once per model (again only when its
// stored record changes), the model is retrained when its exemplars change
// or the corpus is rebuilt, and the corpus is rebuilt when the store grew
// enough to move the idf. Safe for concurrent use; one read of the store at a
// time builds.
type Engine struct {
	r db.Reader
	o Options

	mu         sync.Mutex
	corpus     *Corpus
	version    int  // of corpus: bumped on each rebuild
	rebuilding bool // a background rebuild runs
	// syncRebuild is the store size from which the corpus is rebuilt in
	// the background (DefaultSyncRebuild).
	syncRebuild int
	topics      map[string]*topicModel
}

type topicModel struct {
	key    string // exemplar and negative ids and the corpus version it was trained on
	model  *Model
	scores map[int64]scoreAt
}

// scoreAt is a paper's score and the Updated time of the record scored.
type scoreAt struct {
	updated int64
	score   float64
}

// maxCachedScores bounds each topic's score cache: beyond it, the cache starts again.
const maxCachedScores = 1 << 18

// NewEngine reads the store r with options o.
func NewEngine(r db.Reader, o Options) *Engine {
	return &Engine{r: r, o: o, topics: map[string]*topicModel{}, syncRebuild: DefaultSyncRebuild}
}

// Corpus returns the current corpus, built first when there is none, rebuilt
// when the store grew (or shrank) by a tenth since, or at all while it is
// under 1,000 papers (where each paper moves the idf). A store of
// DefaultSyncRebuild papers or more is rebuilt in the background (a minute at a
// million papers) while the old corpus serves.
func (e *Engine) Corpus(ctx context.Context) (*Corpus, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.corpusLocked(ctx)
}

func (e *Engine) corpusLocked(ctx context.Context) (*Corpus, error) {
	st, err := e.r.Stats(ctx)
	if err != nil {
		return nil, fmt.Errorf("recommend: %w", err)
	}
	if c := e.corpus; c != nil {
		n, have := int(st.Papers), c.N
		if n == have || (have >= 1000 && abs(n-have) < have/10) {
			return c, nil
		}
		if have >= e.syncRebuild {
			if !e.rebuilding {
				e.rebuilding = true
				go e.rebuild()
			}
			return c, nil
		}
	}
	c, err := BuildCorpus(ctx, e.r, e.o)
	if err != nil {
		return nil, err
	}
	e.corpus = c
	e.version++
	return c, nil
}

// DefaultSyncRebuild is the store size from which the corpus is rebuilt in
// the background.
const DefaultSyncRebuild = 50_000

// rebuild replaces the corpus with a fresh one; a failure keeps the old one
// (the next call past the threshold tries again).
func (e *Engine) rebuild() {
	c, err := BuildCorpus(context.Background(), e.r, e.o)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rebuilding = false
	if err == nil {
		e.corpus = c
		e.version++
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Scores returns topic's model, trained on likes and unlikes (stored
// papers), and the score of each candidate.
func (e *Engine) Scores(ctx context.Context, topic string, likes, unlikes, cands []*model.Paper) (*Model, []float64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, err := e.corpusLocked(ctx)
	if err != nil {
		return nil, nil, err
	}
	key := strconv.Itoa(e.version) + "|" + idList(likes) + "|" + idList(unlikes)
	tm := e.topics[topic]
	if tm == nil || tm.key != key {
		tm = &topicModel{key: key, model: Train(c, docs(c, likes), docs(c, unlikes), e.o), scores: map[int64]scoreAt{}}
		e.topics[topic] = tm
	}
	if len(tm.scores) > maxCachedScores {
		tm.scores = map[int64]scoreAt{}
	}
	out := make([]float64, len(cands))
	var todo []int
	var ts []db.Text
	for i, p := range cands {
		if s, ok := tm.scores[p.ID]; ok && s.updated == p.Updated.Unix() {
			out[i] = s.score
			continue
		}
		todo = append(todo, i)
		ts = append(ts, TextOf(p))
	}
	for k, s := range tm.model.ScoreTexts(c, ts) {
		p := cands[todo[k]]
		out[todo[k]] = s
		tm.scores[p.ID] = scoreAt{updated: p.Updated.Unix(), score: s}
	}
	return tm.model, out, nil
}

func docs(c *Corpus, ps []*model.Paper) []Doc {
	out := make([]Doc, len(ps))
	for i, p := range ps {
		out[i] = Doc{ID: p.ID, Vec: c.Vectorize(TextOf(p))}
	}
	return out
}

func idList(ps []*model.Paper) string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = strconv.FormatInt(p.ID, 10) + "@" + strconv.FormatInt(p.Updated.Unix(), 10)
	}
	slices.Sort(ids)
	return strings.Join(ids, ",")
}
