package recommend

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// Engine keeps, between renders, the corpus, each like-topic's model and
// candidate scores, and the candidates' term counts: a paper is read once
// and scored once per model (again only when its stored record changes), the
// model is retrained when its exemplars change or the corpus is rebuilt (it
// then rescores its window from the cached terms), and the corpus is rebuilt
// when the store grew enough to move the idf (see Corpus). Safe for
// concurrent use; one read of the store at a time builds.
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
	terms       termCache
	counts      Counts
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
// under 1,000 papers (where each paper moves the idf). The tenth bounds how
// far the idf drifts between rebuilds: a term the new papers lack moves by
// ln(1.1) = 0.095 at most (on an idf of at least 1), one they hold in
// proportion not at all, and the background sample stays a uniform draw of
// nine tenths of the store or more. A store of
// DefaultSyncRebuild papers or more is rebuilt in the background (a minute at a
// million papers) while the old corpus serves.
func (e *Engine) Corpus(ctx context.Context) (*Corpus, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.corpusLocked(ctx, false)
}

// corpusLocked is Corpus; keep says a like-topic asks, whose candidates'
// terms a build keeps (see below), so an engine serving only similar papers
// holds no term cache.
func (e *Engine) corpusLocked(ctx context.Context, keep bool) (*Corpus, error) {
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
	// With no terms cached (after a start), the build keeps the terms it
	// counts: the first ranking then tokenises no text a second time.
	var tc *termCache
	if keep && len(e.terms.at) == 0 {
		tc = newBuildCache(int(st.Papers))
	}
	c, err := buildCorpus(ctx, e.r, e.o, tc)
	if err != nil {
		return nil, err
	}
	if tc != nil {
		e.terms = *tc
		e.counts.BuildCached += len(tc.at)
	}
	e.corpus = c
	e.version++
	e.counts.CorpusBuilds++
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
		e.counts.CorpusBuilds++
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Scores returns topic's model, trained on likes and unlikes (stored
// papers), and the score of each candidate: from the topic's cache when the
// paper was scored by this model, from the engine's cached terms when it
// was read under this corpus, else read, weighed and scored.
func (e *Engine) Scores(ctx context.Context, topic string, likes, unlikes, cands []*model.Paper) (*Model, []float64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, err := e.corpusLocked(ctx, true)
	if err != nil {
		return nil, nil, err
	}
	if e.terms.at == nil {
		e.terms.reset()
	}
	key := strconv.Itoa(e.version) + "|" + idList(likes) + "|" + idList(unlikes)
	tm := e.topics[topic]
	var trained chan *Model
	if tm == nil || tm.key != key {
		// Training is one processor's work: it runs while the candidates'
		// texts not cached yet are read on the others.
		trained = make(chan *Model, 1)
		ls, us := docs(c, likes), docs(c, unlikes)
		go func() { trained <- Train(c, ls, us, e.o) }()
		tm = &topicModel{key: key}
	}
	if len(tm.scores)+len(cands) > maxCachedScores {
		tm.scores = nil // starts again: every candidate is scored below
	}
	out := make([]float64, len(cands))
	var todo []int
	for i, p := range cands {
		if s, ok := tm.scores[p.ID]; ok && s.updated == p.Updated.Unix() {
			out[i] = s.score
		} else {
			todo = append(todo, i)
		}
	}
	refs := e.termsOf(cands, todo)
	if trained != nil {
		tm.model = <-trained
		e.topics[topic] = tm
		e.counts.Trainings++
	}
	if tm.scores == nil {
		tm.scores = make(map[int64]scoreAt, len(cands))
	}
	for k, s := range tm.model.scoreRefs(&e.terms, refs) {
		p := cands[todo[k]]
		out[todo[k]] = s
		tm.scores[p.ID] = scoreAt{updated: p.Updated.Unix(), score: s}
	}
	e.counts.Scored += len(todo)
	return tm.model, out, nil
}

// termsOf returns the cached terms of cands[todo[k]] for each k, reading
// the texts of those not cached (or cached from an older record).
func (e *Engine) termsOf(cands []*model.Paper, todo []int) []termRef {
	var texts []db.Text
	var updated []int64
	missing := func() {
		texts, updated = texts[:0], updated[:0]
		for _, i := range todo {
			p := cands[i]
			if r, ok := e.terms.at[p.ID]; !ok || r.updated != p.Updated.Unix() {
				texts = append(texts, TextOf(p))
				updated = append(updated, p.Updated.Unix())
			}
		}
	}
	missing()
	if len(texts) > 0 && (len(e.terms.at)+len(texts) > maxCachedPapers || len(e.terms.terms)+len(texts)*avgTerms > maxCachedTerms) {
		// Full: keep only these candidates' terms (a window larger than
		// the bounds is held whole, the others' papers read again).
		e.terms.keep(cands)
	}
	if len(texts) > 0 {
		e.terms.read(texts, updated)
		e.counts.Tokenised += len(texts)
	}
	refs := make([]termRef, len(todo))
	for k, i := range todo {
		refs[k] = e.terms.at[cands[i].ID]
	}
	return refs
}

// avgTerms is an estimate of a paper's terms, to keep the term cache under
// its bound before reading a batch.
const avgTerms = 250

// workers is how many parts parallel splits n items into: one per
// processor, none smaller than 256 items.
func workers(n int) int { return max(1, min(runtime.GOMAXPROCS(0), (n+255)/256)) }

// parallel runs fn over [0, n) in workers(n) contiguous parts at once.
func parallel(n int, fn func(part, lo, hi int)) {
	w := workers(n)
	if w == 1 {
		fn(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for k := range w {
		wg.Go(func() { fn(k, k*n/w, (k+1)*n/w) })
	}
	wg.Wait()
}

// Counts are the engine's work since it started: what a test that serving
// is a cached read counts, and what a benchmark reports.
type Counts struct {
	CorpusBuilds int // corpora built (the idf and the background sample)
	Trainings    int // models trained
	Tokenised    int // candidate texts read into terms
	BuildCached  int // papers whose terms a corpus build cached
	Scored       int // candidate scores computed
}

// Counts returns the work done so far.
func (e *Engine) Counts() Counts {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.counts
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
