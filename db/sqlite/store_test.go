package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/dbtest"
	"github.com/paperfeed/paperfeed/db/model"
)

// paths remembers the file of each store the suite opens, for Again.
var paths sync.Map // db.Store -> string

func openAt(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	paths.Store(db.Store(s), path)
	return s
}

func openTest(t *testing.T) *Store { return openAt(t, filepath.Join(t.TempDir(), "test.db")) }

func TestConformance(t *testing.T) {
	dbtest.Run(t, dbtest.Backend{
		New: func(t *testing.T) db.Store { return openTest(t) },
		Again: func(t *testing.T, s db.Store) db.Store {
			path, ok := paths.Load(s)
			if !ok {
				t.Fatal("store not opened by the suite")
			}
			return openAt(t, path.(string))
		},
		Old: func(t *testing.T, ps []*model.Paper) db.Store {
			path := filepath.Join(t.TempDir(), "v1.db")
			writeV1(t, path, ps)
			return openAt(t, path)
		},
		GenerationLag: GenerationTTL,
	})
}

// writeV1 makes a store as the first schema version left it: migration 1
// only, papers written by plain INSERTs whose triggers kept the full-text index.
func writeV1(t *testing.T, path string, ps []*model.Paper) {
	t.Helper()
	ctx := context.Background()
	conn, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, migrations[0]+"; PRAGMA user_version = 1"); err != nil {
		t.Fatal(err)
	}
	for i, p := range ps {
		args, _ := paperRow(p)
		p.ID, p.UID = int64(i+1), fmt.Sprintf("arxiv:%s", p.ArxivID)
		if _, err := conn.ExecContext(ctx, `INSERT INTO papers (title, title_key, abstract, authors, published, updated, first_seen,
			categories, arxiv_id, doi, links, upvotes, comment, journal_ref, id, uid) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, append(args, p.ID, p.UID)...); err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Categories {
			if _, err := conn.ExecContext(ctx, "INSERT INTO paper_categories (category, paper_id) VALUES (?, ?)", c, p.ID); err != nil {
				t.Fatal(err)
			}
		}
		for _, sg := range p.Sightings {
			if _, err := conn.ExecContext(ctx, "INSERT INTO sightings (source, guid, paper_id, link, first_seen, last_seen) VALUES (?,?,?,?,?,?)",
				sg.Source, sg.GUID, p.ID, sg.Link, unix(sg.FirstSeen), unix(sg.LastSeen)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestGenerationCountsOneAWrite(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	g0, _ := s.Generation(ctx)
	dbtest.Save(t, s, dbtest.Paper(1, "A"), dbtest.Paper(2, "B"))
	if g1, _ := s.Generation(ctx); g1 != g0+1 {
		t.Errorf("generation %d -> %d after one write transaction", g0, g1)
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	ctx := context.Background()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Save(t, s, dbtest.Paper(1, "Kept"))
	s.Close()
	s = openAt(t, path)
	var v int
	s.r.QueryRow("PRAGMA user_version").Scan(&v)
	if v != len(migrations) {
		t.Errorf("user_version %d", v)
	}
	if st, _ := s.Stats(ctx); st.Papers != 1 {
		t.Errorf("papers after reopen: %d", st.Papers)
	}
	var mode string
	s.r.QueryRow("PRAGMA journal_mode").Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal_mode %q", mode)
	}
	if ok, err := s.IntegrityCheck(ctx); err != nil || ok != "ok" {
		t.Errorf("integrity: %q %v", ok, err)
	}
}

func TestMigrationFromV1DropsWriteTriggers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	writeV1(t, path, []*model.Paper{dbtest.Paper(1, "Sheaves")})
	s := openAt(t, path)
	var triggers []string
	rows, err := s.r.Query("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		rows.Scan(&n)
		triggers = append(triggers, n)
	}
	if strings.Join(triggers, ",") != "papers_exact_ad" {
		t.Errorf("triggers after migration: %v", triggers)
	}
	var tables int
	s.r.QueryRow("SELECT count(*) FROM sqlite_master WHERE name = 'papers_fts'").Scan(&tables)
	if tables != 0 {
		t.Error("the stemmed index papers_fts is still there")
	}
	// The one index, built by migration 3, answers an unquoted word by its forms.
	got, err := s.Topic(context.Background(), db.TopicQuery{Match: "sheave"})
	if err != nil || len(got) != 1 {
		t.Errorf("stemmed match after migration: %d papers, %v", len(got), err)
	}
	if ok, err := s.IntegrityCheck(context.Background()); err != nil || ok != "ok" {
		t.Errorf("integrity: %q %v", ok, err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	conn, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	conn.Exec(fmt.Sprintf("PRAGMA user_version = %d", len(migrations)+1))
	conn.Close()
	if _, err := Open(context.Background(), path, Options{}); err == nil || !strings.Contains(err.Error(), "newer than this paperfeed knows") {
		t.Errorf("err = %v", err)
	}
}

func TestBackupIsAStore(t *testing.T) {
	s := openTest(t)
	dbtest.Save(t, s, dbtest.Paper(1, "Backed up"))
	out := filepath.Join(t.TempDir(), "copy.db")
	if err := s.Backup(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	c := openAt(t, out)
	if st, _ := c.Stats(context.Background()); st.Papers != 1 {
		t.Errorf("backup holds %+v", st)
	}
}

// TestQueryErrorNamesNoDriver: a query that does not parse names the
// column; an error FTS5 itself raises keeps FTS5's words without the
// driver's wrapping.
func TestQueryErrorNamesNoDriver(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	err := s.CheckQuery(ctx, "foo AND (")
	var qe *db.QueryError
	if !errors.As(err, &qe) {
		t.Fatal(err)
	}
	if want := `bad query "foo AND (": missing a word at the end at column 10`; qe.Error() != want || qe.Column != 10 {
		t.Errorf("message %q column %d, want %q", qe.Error(), qe.Column, want)
	}
	err = tryMatch(ctx, s.r, matchSQL, "foo AND (", "foo AND (")
	if !errors.As(err, &qe) {
		t.Fatal(err)
	}
	if want := `bad query "foo AND (": fts5: syntax error near ""`; qe.Error() != want {
		t.Errorf("message %q, want %q", qe.Error(), want)
	}
	if qe.Err == nil || !strings.Contains(qe.Err.Error(), "SQL logic error") {
		t.Errorf("the driver's error is not kept: %v", qe.Err)
	}
}

// TestSyntaxAgreesWithStore: the store-less check gives the store's verdicts,
// and uses the index's tokenizer.
func TestSyntaxAgreesWithStore(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	for _, expr := range []string{"", `"a b" OR c*`, "NOT x", "foo AND (", `"unterminated`, "title: x", "nosuchcolumn: x", "a NEAR/2 b"} {
		t.Run(expr, func(t *testing.T) {
			a, b := s.CheckQuery(ctx, expr), Syntax{}.CheckQuery(ctx, expr)
			if (a == nil) != (b == nil) || (a != nil && a.Error() != b.Error()) {
				t.Errorf("store %v, syntax %v", a, b)
			}
		})
	}
	var schema string
	s.r.QueryRow("SELECT sql FROM sqlite_master WHERE name = 'papers_exact'").Scan(&schema)
	if !strings.Contains(schema, ftsTokenizer) || strings.Contains(schema, "porter") {
		t.Errorf("index schema %q does not use %q", schema, ftsTokenizer)
	}
}

// queryPlan returns the detail lines of EXPLAIN QUERY PLAN for sqlText.
func queryPlan(t *testing.T, q querier, sqlText string, args ...any) []string {
	t.Helper()
	rows, err := q.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+sqlText, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// TestCandidateLookupUsesIndexes keeps matching independent of the store's
// size: every branch of the candidate query is an index search, never a scan.
func TestCandidateLookupUsesIndexes(t *testing.T) {
	s := openTest(t)
	plan := queryPlan(t, s.w, writeSQL[stCandidates], "src", "guid", "2401.00001", "10.1/x", "key")
	joined := strings.Join(plan, "\n")
	for _, want := range []string{"sqlite_autoindex_sightings_1", "papers_arxiv_id", "papers_doi", "papers_title_key"} {
		if !strings.Contains(joined, want) {
			t.Errorf("plan does not use %s:\n%s", want, joined)
		}
	}
	for _, line := range plan {
		if strings.HasPrefix(line, "SCAN") {
			t.Errorf("plan scans a table: %q\n%s", line, joined)
		}
	}
	for _, tt := range []struct {
		stmt int
		arg  any
		want string
	}{
		{stBlockPapers, "w:key words", "paper_blocks"},
		{stCandidateByID, int64(1), "INTEGER PRIMARY KEY"},
	} {
		plan := strings.Join(queryPlan(t, s.w, writeSQL[tt.stmt], tt.arg), "\n")
		if !strings.Contains(plan, tt.want) || strings.Contains(plan, "SCAN") {
			t.Errorf("plan of %s is not an index search on %s:\n%s", writeSQL[tt.stmt], tt.want, plan)
		}
	}
}

// TestTopicPlansAgree: the three plans of a full-text topic (read every
// match, walk by date testing the match set, walk by date probing the index)
// select the same papers. The papers are saved in one transaction of more
// than ftsBatch, so the queued index writes are flushed mid-pass too.
func TestTopicPlansAgree(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	const n = ftsBatch + 100
	var ps []*model.Paper
	for i := range n {
		title := fmt.Sprintf("Common paper %d", i)
		if i%3 == 0 {
			title += " with a threefold mark"
		}
		ps = append(ps, dbtest.Paper(i, title))
	}
	dbtest.Save(t, s, ps...)
	for _, tt := range []struct {
		match, exclude string
		every          int // the matching papers are those with i%every == 0
	}{
		{"common", "", 1},
		{"threefold", "", 3},
		{"common", "threefold", -3},
	} {
		var want []int64 // newest first
		for i := n - 1; i >= 0; i-- {
			if (tt.every > 0 && i%tt.every == 0) || (tt.every < 0 && i%-tt.every != 0) {
				want = append(want, ps[i].ID)
			}
		}
		for _, limit := range []int{1, 2, 10, 100} { // matches per Cap from > denseMatches to < sparseMatches
			t.Run(fmt.Sprintf("%s-%s/limit=%d", tt.match, tt.exclude, limit), func(t *testing.T) {
				got, err := s.Topic(ctx, db.TopicQuery{Match: tt.match, Exclude: tt.exclude, Limit: limit})
				if err != nil {
					t.Fatal(err)
				}
				var ids []int64
				for _, p := range got {
					ids = append(ids, p.ID)
				}
				if fmt.Sprint(ids) != fmt.Sprint(want[:limit]) {
					t.Errorf("got %v, want %v", ids, want[:limit])
				}
			})
		}
	}
	if st, _ := s.Stats(ctx); st.Papers != n {
		t.Errorf("%d papers", st.Papers)
	}
}
