// Package benchstore opens the store a benchmark program is pointed at: a
// SQLite file, or, when the argument is a postgres:// URL, a PostgreSQL
// database (its schema is the URL's search_path).
package benchstore

import (
	"context"
	"strings"

	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/db/postgres"
	"github.com/paperfeed/paperfeed/db/sqlite"
)

// IsURL reports whether where names a PostgreSQL database.
func IsURL(where string) bool {
	return strings.HasPrefix(where, "postgres://") || strings.HasPrefix(where, "postgresql://")
}

// Open opens the store at where: a postgres:// URL or a SQLite path.
func Open(ctx context.Context, where string) (db.Store, error) {
	if IsURL(where) {
		return postgres.Open(ctx, where, postgres.Options{})
	}
	return sqlite.Open(ctx, where, sqlite.Options{})
}
