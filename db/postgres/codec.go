package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/model"
)

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func fromUnix(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(v, 0).UTC()
}

const paperColumns = `id, uid, title, title_key, abstract, authors, published, updated, first_seen, categories, arxiv_id, doi, links, upvotes, comment, journal_ref`

// paperRow is a paper's values in the order of the papers columns from title
// to journal_ref (paperColumns without id and uid).
func paperRow(p *model.Paper) []any {
	a, _ := json.Marshal(nonNil(p.Authors))
	cats, _ := json.Marshal(nonNil(p.Categories))
	links, _ := json.Marshal(p.Links)
	if p.Links == nil {
		links = []byte("[]")
	}
	return []any{p.Title, p.TitleKey, p.Abstract, string(a), unix(p.Published), unix(p.Updated), unix(p.FirstSeen),
		string(cats), p.ArxivID, p.DOI, string(links), p.Upvotes, p.Comment, p.JournalRef}
}

func scanPaper(row pgx.Row) (*model.Paper, error) {
	var p model.Paper
	var authors, cats, links string
	var pub, upd, first int64
	if err := row.Scan(&p.ID, &p.UID, &p.Title, &p.TitleKey, &p.Abstract, &authors, &pub, &upd, &first, &cats, &p.ArxivID, &p.DOI, &links, &p.Upvotes, &p.Comment, &p.JournalRef); err != nil {
		return nil, err
	}
	p.Published, p.Updated, p.FirstSeen = fromUnix(pub), fromUnix(upd), fromUnix(first)
	if err := errors.Join(json.Unmarshal([]byte(authors), &p.Authors), json.Unmarshal([]byte(cats), &p.Categories), json.Unmarshal([]byte(links), &p.Links)); err != nil {
		return nil, fmt.Errorf("decode paper %d: %w", p.ID, err)
	}
	return &p, nil
}

// candidateColumns are the columns of db.Candidate: what the matching rules
// read, no abstract, links or categories.
const candidateColumns = `id, title, title_key, authors, published, first_seen, arxiv_id, doi`

// scanCandidate reads candidateColumns and whether the row came by the
// sighting asked for.
func scanCandidate(row pgx.Row) (db.Candidate, error) {
	var c db.Candidate
	var authors string
	var pub, first int64
	if err := row.Scan(&c.ID, &c.Title, &c.TitleKey, &authors, &pub, &first, &c.ArxivID, &c.DOI, &c.Listed); err != nil {
		return c, err
	}
	c.Published, c.FirstSeen = fromUnix(pub), fromUnix(first)
	if err := json.Unmarshal([]byte(authors), &c.Authors); err != nil {
		return c, fmt.Errorf("decode paper %d: %w", c.ID, err)
	}
	return c, nil
}

const sightingColumns = `paper_id, source, guid, link, first_seen, last_seen, rule, reason`

func scanSighting(row pgx.Row) (paperID int64, sg model.Sighting, err error) {
	var first, last int64
	if err := row.Scan(&paperID, &sg.Source, &sg.GUID, &sg.Link, &first, &last, &sg.Rule, &sg.Reason); err != nil {
		return 0, sg, err
	}
	sg.FirstSeen, sg.LastSeen = fromUnix(first), fromUnix(last)
	return paperID, sg, nil
}

func prefixed(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
