package postgres

import (
	"context"
	"fmt"

	"github.com/paperfeed/paperfeed/db"
)

// WebSubStates returns every WebSub record by hub, then URL.
func (s *Store) WebSubStates(ctx context.Context) ([]db.WebSubState, error) {
	rows, err := s.pool.Query(ctx, `SELECT hub, url, fingerprint, last_success, last_error, last_error_at FROM websub ORDER BY hub, url`)
	if err != nil {
		return nil, fmt.Errorf("read websub states: %w", err)
	}
	defer rows.Close()
	var out []db.WebSubState
	for rows.Next() {
		var st db.WebSubState
		var ok, failed int64
		if err := rows.Scan(&st.Hub, &st.URL, &st.Fingerprint, &ok, &st.LastError, &failed); err != nil {
			return nil, fmt.Errorf("read websub states: %w", err)
		}
		st.LastSuccess, st.LastErrorAt = fromUnix(ok), fromUnix(failed)
		out = append(out, st)
	}
	return out, rows.Err()
}

// SaveWebSubState writes the record of one hub and feed URL.
func (s *Store) SaveWebSubState(ctx context.Context, st db.WebSubState) error {
	return saveWebSubState(ctx, s.pool, st)
}

// SaveWebSubState writes the record of one hub and feed URL in the transaction.
func (t *Tx) SaveWebSubState(ctx context.Context, st db.WebSubState) error {
	return saveWebSubState(ctx, t.tx, st)
}

func saveWebSubState(ctx context.Context, e execer, st db.WebSubState) error {
	_, err := e.Exec(ctx, `INSERT INTO websub (hub, url, fingerprint, last_success, last_error, last_error_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (hub, url) DO UPDATE SET fingerprint = excluded.fingerprint, last_success = excluded.last_success,
			last_error = excluded.last_error, last_error_at = excluded.last_error_at`,
		st.Hub, st.URL, st.Fingerprint, unix(st.LastSuccess), st.LastError, unix(st.LastErrorAt))
	if err != nil {
		return fmt.Errorf("save websub state %s %s: %w", st.Hub, st.URL, err)
	}
	return nil
}
