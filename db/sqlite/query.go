package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/paperfeed/paperfeed/db"
)

// ftsTokenizer is the tokenizer of the full-text index (see fts.go).
const ftsTokenizer = `unicode61 remove_diacritics 2`

// CheckQuery reports whether expr parses and its compiled FTS5 runs (nil for "").
func (s *Store) CheckQuery(ctx context.Context, expr string) error {
	parsed, err := db.ParseQuery(expr)
	if err != nil {
		return err
	}
	plan, err := s.compile(ctx, parsed.Root)
	if err != nil {
		return fmt.Errorf("check query: %w", err)
	}
	return checkPlan(ctx, s.r, expr, plan)
}

// Syntax checks queries without a store, against an empty index with the
// store's tokenizer: config checks run before any store is opened. It
// implements db.QueryChecker with the verdicts of Store.CheckQuery.
type Syntax struct{}

var _ db.QueryChecker = Syntax{}

// CheckQuery reports whether expr parses and its compiled FTS5 runs (nil for "").
func (Syntax) CheckQuery(ctx context.Context, expr string) error {
	if strings.TrimSpace(expr) == "" {
		return nil
	}
	parsed, err := db.ParseQuery(expr)
	if err != nil {
		return err
	}
	conn, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		return fmt.Errorf("check query: %w", err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	for _, ddl := range []string{
		"CREATE VIRTUAL TABLE " + ftsIndex + " USING fts5(title, abstract, authors, tokenize='" + ftsTokenizer + "')",
		"CREATE VIRTUAL TABLE " + ftsVocab + " USING fts5vocab(" + ftsIndex + ", 'row')",
	} {
		if _, err := conn.ExecContext(ctx, ddl); err != nil {
			return fmt.Errorf("check query: %w", err)
		}
	}
	plan, err := compileFTS(ctx, conn, newFormsCache(0), parsed.Root)
	if err != nil {
		return fmt.Errorf("check query: %w", err)
	}
	return checkPlan(ctx, conn, expr, plan)
}

// checkPlan runs expr's compiled expressions once against q's index.
func checkPlan(ctx context.Context, q querier, expr string, plan ftsPlan) error {
	for _, match := range []string{plan.include, plan.exclude} {
		if match == "" {
			continue
		}
		if err := tryMatch(ctx, q, matchSQL+" LIMIT 1", expr, match); err != nil {
			return err
		}
	}
	return nil
}

// tryMatch runs an FTS5 MATCH to the end: syntax errors may surface only while stepping.
func tryMatch(ctx context.Context, q querier, query, expr string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return queryError(expr, err)
	}
	defer rows.Close()
	for rows.Next() {
	}
	if err := rows.Err(); err != nil {
		return queryError(expr, err)
	}
	return nil
}

// queryError is a *db.QueryError whose reason is FTS5's own message without
// the driver's wrapping: modernc reports "SQL logic error: fts5: syntax error
// near ... (1)".
func queryError(query string, err error) *db.QueryError {
	msg := err.Error()
	if i := strings.Index(msg, "fts5:"); i >= 0 {
		msg = msg[i:]
	}
	msg = strings.TrimPrefix(msg, "SQL logic error: ")
	msg = strings.TrimSuffix(strings.TrimSpace(msg), "(1)")
	return &db.QueryError{Query: query, Reason: strings.TrimSpace(msg), Err: err}
}
