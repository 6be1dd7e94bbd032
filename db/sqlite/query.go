package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/paperfeed/paperfeed/db"
)

// ftsTokenizer is the tokenizer of the papers' full-text index: an
// expression is valid or not against an index built with it.
const ftsTokenizer = `porter unicode61 remove_diacritics 2`

// CheckQuery reports whether expr is a valid FTS5 expression (nil for "").
func (s *Store) CheckQuery(ctx context.Context, expr string) error {
	if strings.TrimSpace(expr) == "" {
		return nil
	}
	return tryMatch(ctx, s.r, "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? LIMIT 1", expr)
}

// Syntax checks FTS5 expressions without a store, against an empty index with
// the store's tokenizer: config checks run before any store is opened. It
// implements db.QueryChecker with the verdicts of Store.CheckQuery.
type Syntax struct{}

var _ db.QueryChecker = Syntax{}

// CheckQuery reports whether expr is a valid FTS5 expression (nil for "").
func (Syntax) CheckQuery(ctx context.Context, expr string) error {
	if strings.TrimSpace(expr) == "" {
		return nil
	}
	conn, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		return fmt.Errorf("check query: %w", err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.ExecContext(ctx, "CREATE VIRTUAL TABLE q USING fts5(title, abstract, authors, tokenize='"+ftsTokenizer+"')"); err != nil {
		return fmt.Errorf("check query: %w", err)
	}
	return tryMatch(ctx, conn, "SELECT rowid FROM q WHERE q MATCH ?", expr)
}

// tryMatch runs an FTS5 MATCH to the end: syntax errors may surface only while stepping.
func tryMatch(ctx context.Context, q querier, query, expr string) error {
	rows, err := q.QueryContext(ctx, query, expr)
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
