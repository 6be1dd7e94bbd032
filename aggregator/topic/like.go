package topic

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/ident"
	"github.com/paperfeed/paperfeed/aggregator/likefile"
	"github.com/paperfeed/paperfeed/aggregator/rank"
	"github.com/paperfeed/paperfeed/aggregator/recommend"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

// MaxCandidates bounds the candidates a like-topic without a window scores:
// the newest this many papers passing its other filters.
const MaxCandidates = 100_000

// Ranked is a topic's papers as served and, for a like-topic, why.
type Ranked struct {
	Papers []*model.Paper
	// Scores[i] is Papers[i]'s model score; nil unless a like-topic.
	Scores []float64
	// Model is a like-topic's model (its strongest words); nil otherwise.
	Model *recommend.Model
	// MinScore is the threshold a like-topic applied (-Inf: none).
	MinScore float64
	// Missing are the like and unlike entries no stored paper answers.
	Missing []string
	// Problem says why a like-topic has no papers, when it is known.
	Problem string
	// Warnings are a like-topic's exemplar troubles that do not stop it: a
	// like_file entry without an id, a like_file that no longer reads.
	Warnings []string
}

// Likes is what ranking like-topics keeps between calls: the models and
// their scores, and the like_files as last read (a changed file is re-read).
// Its owner (a server, a digest sender) makes one and passes it to each call.
type Likes struct {
	Models *recommend.Engine
	// Files may be nil: each like_file is then read at each call.
	Files *likefile.Cache
}

// Exemplars returns t's like entries followed by its like_file's ids, and
// the file's warnings, the file read through files (nil: read now, kept
// nowhere). A like_file that does not read (deleted, or broken since the
// config was loaded) is a warning too: the topic keeps its like.
func Exemplars(files *likefile.Cache, t config.Topic) (likes, warnings []string) {
	likes = t.Like
	if t.LikeFile == "" {
		return likes, nil
	}
	if files == nil {
		files = likefile.NewCache()
	}
	f, err := files.Load(t.LikeFile)
	if err != nil {
		return likes, []string{err.Error()}
	}
	return append(slices.Clip(likes), f.IDs...), f.Warnings
}

// Resolve returns the stored papers the entries name (arXiv ids or DOIs in
// any form ident.Exemplar reads), and the entries that name none.
func Resolve(ctx context.Context, r db.Reader, entries []string) ([]*model.Paper, []string, error) {
	ids := make([]string, len(entries))
	var arxiv, dois []string
	for i, e := range entries {
		ids[i] = ident.Exemplar(e)
		if a, ok := strings.CutPrefix(ids[i], "arxiv:"); ok {
			arxiv = append(arxiv, a)
		} else if d, ok := strings.CutPrefix(ids[i], "doi:"); ok {
			dois = append(dois, d)
		}
	}
	ps, err := r.Identified(ctx, arxiv, dois)
	if err != nil {
		return nil, nil, err
	}
	stored := map[string]bool{}
	for _, p := range ps {
		if p.ArxivID != "" {
			stored["arxiv:"+p.ArxivID] = true
		}
		if p.DOI != "" {
			stored["doi:"+p.DOI] = true
		}
	}
	var missing []string
	for i, e := range entries {
		if !stored[ids[i]] {
			missing = append(missing, e)
		}
	}
	return ps, missing, nil
}

// ArxivEntry is the version-less arXiv id a like or unlike entry names ("arxiv:"
// prefix, bare, abs URL), or "" when it names none (a DOI).
func ArxivEntry(e string) string {
	if id, ok := strings.CutPrefix(ident.Exemplar(e), "arxiv:"); ok {
		return id
	}
	return ""
}

// Unknown returns, for each of entries that an upstream answered it does not
// know (r.UnknownIDs), a warning naming the entry and the upstream.
func Unknown(ctx context.Context, r db.Reader, entries []string) ([]string, error) {
	unknown, err := r.UnknownIDs(ctx)
	if err != nil || len(unknown) == 0 {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		id := ident.Exemplar(e)
		if _, ok := unknown[id]; !ok {
			continue
		}
		upstream := "Crossref"
		if strings.HasPrefix(id, "arxiv:") {
			upstream = "the arXiv API"
		}
		out = append(out, fmt.Sprintf("%s: %s does not know this paper", e, upstream))
	}
	return out, nil
}

// likeTopic ranks a like-topic: its candidates (its other filters; without a
// window the MaxCandidates newest) scored by eng's model of its exemplars,
// exemplars and unlikes left out, those scoring under min_score left out
// (default: none for sort "relevance", the model's DefaultMin otherwise); the
// limit best (a window's every paper up to cap), in the topic's order.
func likeTopic(ctx context.Context, r db.Reader, lk Likes, t config.Topic, limit int, now time.Time, seen Seen) (Ranked, error) {
	eng := lk.Models
	entries, warnings := Exemplars(lk.Files, t)
	likes, missL, err := Resolve(ctx, r, entries)
	if err != nil {
		return Ranked{}, err
	}
	unlikes, missU, err := Resolve(ctx, r, t.Unlike)
	if err != nil {
		return Ranked{}, err
	}
	out := Ranked{Missing: append(missL, missU...), Warnings: warnings}
	unknown, err := Unknown(ctx, r, out.Missing)
	if err != nil {
		return Ranked{}, err
	}
	out.Warnings = append(out.Warnings, unknown...)
	if len(likes) == 0 {
		out.Problem = fmt.Sprintf("none of the %d exemplar papers (like, like_file) is stored yet", len(entries))
		return out, nil
	}
	q := seen.query(Query(t, 0, now))
	keep := t.Cap
	if t.Window == 0 {
		q.Limit, q.Cap, keep = MaxCandidates, MaxCandidates, t.Limit
	}
	if limit > 0 {
		keep = limit
	}
	cands, err := r.Topic(ctx, q)
	if err != nil {
		return Ranked{}, err
	}
	m, scores, err := eng.Scores(ctx, t.Name, likes, unlikes, cands)
	if err != nil {
		return Ranked{}, fmt.Errorf("topic %q: %w", t.Name, err)
	}
	// The limit bounds a relevance feed; another order keeps what looks
	// more like the exemplars than an average stored paper.
	out.Model, out.MinScore = m, m.DefaultMin
	if t.Sort == rank.Relevance {
		out.MinScore = math.Inf(-1)
	}
	if t.MinScore != nil {
		out.MinScore = *t.MinScore
	}
	skip := map[int64]bool{}
	for _, p := range append(likes, unlikes...) {
		skip[p.ID] = true
	}
	best := rank.ByScore(cands, scores, skip, out.MinScore, keep)
	if t.Sort != rank.Relevance {
		ps := make([]*model.Paper, len(best))
		score := map[int64]float64{}
		for i, s := range best {
			ps[i], score[s.Paper.ID] = s.Paper, s.Score
		}
		if err := rank.Order(ps, t.Sort, now); err != nil {
			return Ranked{}, fmt.Errorf("topic %q: %w", t.Name, err)
		}
		for i, p := range ps {
			best[i] = rank.Scored{Paper: p, Score: score[p.ID]}
		}
	}
	for _, s := range best {
		out.Papers = append(out.Papers, s.Paper)
		out.Scores = append(out.Scores, s.Score)
	}
	if len(out.Papers) == 0 {
		out.Problem = "no candidate passes the topic's filters"
		if !math.IsInf(out.MinScore, -1) {
			out.Problem = fmt.Sprintf("no candidate scores at least %.3f", out.MinScore)
		}
	}
	return out, nil
}
