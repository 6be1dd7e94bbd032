package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

var _ db.Tx = (*Tx)(nil)

// Tx is a write transaction; it implements db.Tx. pgx prepares and caches
// each statement on its connection on first use.
type Tx struct {
	tx       pgx.Tx
	changed  bool
	restored bool // Restore inserted papers with their own IDs: the ID sequence must pass them
	stats    statsKeeper
}

// Candidates returns the stored papers an incoming item may be: the paper that
// holds the (source, guid) sighting first, then those with the same arXiv id,
// DOI or title key, then those sharing a blocking key (db.MaxPerBlock each,
// newest first), each once. One round trip of index lookups, reading only
// the columns the rules need.
func (t *Tx) Candidates(ctx context.Context, source, guid, arxivID, doi, titleKey string, blocks []string) ([]db.Candidate, error) {
	if blocks == nil {
		blocks = []string{}
	}
	rows, err := t.tx.Query(ctx, `
		WITH found AS (
			SELECT paper_id AS id, 0 AS rank, 0::bigint AS n FROM sightings WHERE source = $1 AND guid = $2
			UNION ALL SELECT id, 1, 0 FROM papers WHERE $3 <> '' AND arxiv_id = $3 AND arxiv_id <> ''
			UNION ALL SELECT id, 2, 0 FROM papers WHERE $4 <> '' AND doi = $4 AND doi <> ''
			UNION ALL SELECT id, 3, 0 FROM papers WHERE $5 <> '' AND title_key = $5
			UNION ALL SELECT b.paper_id, 4, k.n FROM unnest($6::text[]) WITH ORDINALITY AS k(key, n)
				CROSS JOIN LATERAL (SELECT paper_id FROM paper_blocks WHERE key = k.key
					ORDER BY paper_id DESC LIMIT `+strconv.Itoa(db.MaxPerBlock)+`) b
		)
		SELECT `+prefixed("p.", candidateColumns)+`, f.rank = 0 FROM found f JOIN papers p ON p.id = f.id
		ORDER BY f.rank, f.n, CASE WHEN f.rank = 4 THEN -f.id ELSE f.id END`,
		source, guid, arxivID, doi, titleKey, blocks)
	if err != nil {
		return nil, fmt.Errorf("find candidates: %w", err)
	}
	defer rows.Close()
	var out []db.Candidate
	for rows.Next() {
		c, err := scanCandidate(rows)
		if err != nil {
			return nil, fmt.Errorf("find candidates: %w", err)
		}
		if i := slices.IndexFunc(out, func(x db.Candidate) bool { return x.ID == c.ID }); i >= 0 {
			out[i].Listed = out[i].Listed || c.Listed
			continue
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find candidates: %w", err)
	}
	return out, nil
}

// Paper loads one paper and its sightings, db.ErrNotFound when there is none.
func (t *Tx) Paper(ctx context.Context, id int64) (*model.Paper, error) {
	ps, err := loadPapers(ctx, t.tx, []int64{id})
	if err != nil {
		return nil, err
	}
	if ps[id] == nil {
		return nil, fmt.Errorf("paper %d: %w", id, db.ErrNotFound)
	}
	return ps[id], nil
}

// querier is what reads run on: the pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// loadPapers loads the papers with the given ids and their sightings.
func loadPapers(ctx context.Context, q querier, ids []int64) (map[int64]*model.Paper, error) {
	rows, err := q.Query(ctx, `SELECT `+paperColumns+` FROM papers WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("load papers: %w", err)
	}
	out := make(map[int64]*model.Paper, len(ids))
	for rows.Next() {
		p, err := scanPaper(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("load papers: %w", err)
		}
		out[p.ID] = p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load papers: %w", err)
	}
	sg, err := loadSightings(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for id, p := range out {
		p.Sightings = sg[id]
	}
	return out, nil
}

// loadSightings returns the sightings of the papers, oldest first.
func loadSightings(ctx context.Context, q querier, ids []int64) (map[int64][]model.Sighting, error) {
	rows, err := q.Query(ctx, `SELECT `+sightingColumns+` FROM sightings WHERE paper_id = ANY($1) ORDER BY first_seen, source`, ids)
	if err != nil {
		return nil, fmt.Errorf("load sightings: %w", err)
	}
	defer rows.Close()
	out := make(map[int64][]model.Sighting, len(ids))
	for rows.Next() {
		id, sg, err := scanSighting(rows)
		if err != nil {
			return nil, fmt.Errorf("load sightings: %w", err)
		}
		out[id] = append(out[id], sg)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load sightings: %w", err)
	}
	return out, nil
}

// Save inserts a new paper (ID 0; ID and UID are set) or updates a stored one,
// with its sightings and categories. The full-text vectors are generated
// columns: the database keeps them.
func (t *Tx) Save(ctx context.Context, p *model.Paper) error {
	args := paperRow(p)
	if p.ID == 0 {
		if p.UID == "" {
			uid, err := db.NewUID(p, func(uid string) (bool, error) { return t.uidTaken(ctx, uid) })
			if err != nil {
				return err
			}
			p.UID = uid
		}
		err := t.tx.QueryRow(ctx, `INSERT INTO papers (title, title_key, abstract, authors, published, updated, first_seen,
			categories, arxiv_id, doi, links, upvotes, comment, journal_ref, uid)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING id`, append(args, p.UID)...).Scan(&p.ID)
		if err != nil {
			return fmt.Errorf("insert paper %q: %w", p.Title, err)
		}
		if err := t.stats.inserted(ctx, t.tx); err != nil {
			return err
		}
	} else {
		_, err := t.tx.Exec(ctx, `UPDATE papers SET title=$1, title_key=$2, abstract=$3, authors=$4, published=$5, updated=$6, first_seen=$7,
			categories=$8, arxiv_id=$9, doi=$10, links=$11, upvotes=$12, comment=$13, journal_ref=$14 WHERE id=$15`, append(args, p.ID)...)
		if err != nil {
			return fmt.Errorf("update paper %d: %w", p.ID, err)
		}
	}
	// Categories and sightings in one round trip.
	var b pgx.Batch
	queueRelated(&b, p, upsertSighting)
	if b.Len() > 0 {
		if err := t.tx.SendBatch(ctx, &b).Close(); err != nil {
			return fmt.Errorf("save categories and sightings of paper %d: %w", p.ID, err)
		}
	}
	t.changed = true
	return nil
}

const (
	upsertSighting = `INSERT INTO sightings (source, guid, paper_id, link, first_seen, last_seen, rule, reason) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
			ON CONFLICT (source, guid) DO UPDATE SET paper_id = excluded.paper_id, link = excluded.link, last_seen = excluded.last_seen,
			rule = excluded.rule, reason = excluded.reason`
	insertSighting = `INSERT INTO sightings (source, guid, paper_id, link, first_seen, last_seen, rule, reason) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`
)

// queueRelated queues the writes of a stored paper's categories, blocking
// keys and sightings, the sightings with the statement sighting.
func queueRelated(b *pgx.Batch, p *model.Paper, sighting string) {
	for _, c := range p.Categories {
		b.Queue(`INSERT INTO paper_categories (category, paper_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, c, p.ID)
	}
	for _, k := range p.BlockKeys {
		b.Queue(`INSERT INTO paper_blocks (key, paper_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, k, p.ID)
	}
	for _, sg := range p.Sightings {
		b.Queue(sighting, sg.Source, sg.GUID, p.ID, sg.Link, unix(sg.FirstSeen), unix(sg.LastSeen), sg.Rule, sg.Reason)
	}
}

func (t *Tx) uidTaken(ctx context.Context, uid string) (bool, error) {
	var taken bool
	if err := t.tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM papers WHERE uid = $1)", uid).Scan(&taken); err != nil {
		return false, fmt.Errorf("pick paper id: %w", err)
	}
	return taken, nil
}

// Touch records that a source listed an already stored item again, without
// counting as a change of the papers.
func (t *Tx) Touch(ctx context.Context, source, guid string, seen time.Time) error {
	if _, err := t.tx.Exec(ctx, `UPDATE sightings SET last_seen = $1 WHERE source = $2 AND guid = $3`, unix(seen), source, guid); err != nil {
		return fmt.Errorf("touch sighting %s/%s: %w", source, guid, err)
	}
	return nil
}
