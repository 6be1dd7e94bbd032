package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/paperfeed/paperfeed/db"
)

const sourceColumns = `type, state, last_attempt, last_success, last_error, last_error_at, failures, next_check, last_summary,
	(SELECT count(DISTINCT paper_id) FROM sightings WHERE source = sources.name)`

// SourceState returns the stored state of the named source (zero value, with
// Name set, when it has never run).
func (s *Store) SourceState(ctx context.Context, name string) (db.SourceState, error) {
	st := db.SourceState{Name: name}
	err := scanSourceState(s.pool.QueryRow(ctx, `SELECT `+sourceColumns+` FROM sources WHERE name = $1`, name).Scan, &st)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("read state of source %s: %w", name, err)
	}
	return st, nil
}

// SourceStates returns the state of every source that ever ran.
func (s *Store) SourceStates(ctx context.Context) (map[string]db.SourceState, error) {
	rows, err := s.pool.Query(ctx, `SELECT name, `+sourceColumns+` FROM sources`)
	if err != nil {
		return nil, fmt.Errorf("read source states: %w", err)
	}
	defer rows.Close()
	out := map[string]db.SourceState{}
	for rows.Next() {
		var st db.SourceState
		var name string
		err := scanSourceState(func(dest ...any) error { return rows.Scan(append([]any{&name}, dest...)...) }, &st)
		if err != nil {
			return nil, fmt.Errorf("read source states: %w", err)
		}
		st.Name = name
		out[name] = st
	}
	return out, rows.Err()
}

func scanSourceState(scan func(...any) error, st *db.SourceState) error {
	var state string
	var attempt, success, errAt, next int64
	if err := scan(&st.Type, &state, &attempt, &success, &st.LastError, &errAt, &st.Failures, &next, &st.LastSummary, &st.Papers); err != nil {
		return err
	}
	st.State = []byte(state)
	st.LastAttempt, st.LastSuccess, st.LastErrorAt, st.NextCheck = fromUnix(attempt), fromUnix(success), fromUnix(errAt), fromUnix(next)
	return nil
}

// SaveSourceState writes a source's state in the transaction (after a pass).
func (t *Tx) SaveSourceState(ctx context.Context, st db.SourceState) error {
	return saveSourceState(ctx, t.tx, st)
}

// SaveSourceState writes a source's state on its own (after a failed pass).
func (s *Store) SaveSourceState(ctx context.Context, st db.SourceState) error {
	return saveSourceState(ctx, s.pool, st)
}

type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func saveSourceState(ctx context.Context, e execer, st db.SourceState) error {
	state := string(st.State)
	if state == "" {
		state = "{}"
	}
	_, err := e.Exec(ctx, `INSERT INTO sources (name, type, state, last_attempt, last_success, last_error, last_error_at, failures, next_check, last_summary)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
		ON CONFLICT (name) DO UPDATE SET type=excluded.type, state=excluded.state, last_attempt=excluded.last_attempt,
			last_success=excluded.last_success, last_error=excluded.last_error, last_error_at=excluded.last_error_at,
			failures=excluded.failures, next_check=excluded.next_check, last_summary=excluded.last_summary`,
		st.Name, st.Type, state, unix(st.LastAttempt), unix(st.LastSuccess), st.LastError, unix(st.LastErrorAt), st.Failures, unix(st.NextCheck), st.LastSummary)
	if err != nil {
		return fmt.Errorf("save state of source %s: %w", st.Name, err)
	}
	return nil
}
