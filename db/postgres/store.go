// Package postgres is the PostgreSQL engine of paperfeed's store (the
// contract is package db). Every SQL statement of the project for PostgreSQL
// lives here.
//
// Several paperfeed processes (replicas) may share one database. Readers
// never wait for writers (MVCC). Write transactions (Update) take one
// transaction-scoped advisory lock first, so they run one at a time as on
// SQLite: deduplication reads the candidates of an item and then saves it,
// and two replicas saving the same paper at once must not both find none.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paperfeed/paperfeed/db"
)

// Store is a paper store in a PostgreSQL database (the schema first on the
// connection's search_path). It implements db.Store.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time
	name string // the database as logs may show it: the URL without its password

	writes   atomic.Int64            // committed writes of this Store that changed papers
	genCache atomic.Pointer[genSnap] // the last generation read
	// writer admits one of this process's write transactions at a time (see
	// Update).
	writer chan struct{}
}

var _ db.Store = (*Store)(nil)

// Options are a Store's optional settings.
type Options struct {
	// Now is the store's clock, on which a cached generation expires; nil
	// means time.Now. Leases expire on the database's clock instead, the one
	// clock every replica shares.
	Now func() time.Time
	// PasswordFile, when set, holds the password (its first line); else the
	// URL's, PGPASSWORD's or ~/.pgpass's is used, as libpq would.
	PasswordFile string
	// MaxConns bounds the connection pool (0: pgx's default, 4 or the CPUs).
	MaxConns int32
}

// writeLock is the advisory lock key every write transaction holds, with the
// hash of the store's schema as the second key (lockWrites): stores in other
// schemas of one database (another installation, tests in parallel) do not
// wait for each other's writes.
const writeLock = 0x70667772 // "pfwr"

const lockWrites = "SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))"

// Open connects to the database at url (postgres://...) and migrates it.
func Open(ctx context.Context, url string, o Options) (*Store, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx masks the password of the URL it quotes.
		return nil, fmt.Errorf("open PostgreSQL store: %w", err)
	}
	name := fmt.Sprintf("postgres %s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	if o.PasswordFile != "" {
		b, err := os.ReadFile(o.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("open %s: password_file: %w", name, err)
		}
		pw, _, _ := strings.Cut(string(b), "\n")
		cfg.ConnConfig.Password = strings.TrimRight(pw, "\r")
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	s := &Store{pool: pool, now: o.Now, name: name, writer: make(chan struct{}, 1)}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return s, nil
}

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Ping checks the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.pool.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping %s: %w", s.name, err)
	}
	return nil
}

// GenerationTTL bounds how long Generation may miss a write committed by
// another replica; writes through this Store are seen at once.
const GenerationTTL = 250 * time.Millisecond

type genSnap struct {
	value  int64
	at     time.Time
	writes int64
}

// Generation changes whenever a write transaction changed papers. It is read
// from the database at most every GenerationTTL, and at once after a write
// through this Store.
func (s *Store) Generation(ctx context.Context) (int64, error) {
	writes := s.writes.Load()
	now := s.now()
	if g := s.genCache.Load(); g != nil && g.writes == writes {
		if age := now.Sub(g.at); age >= 0 && age < GenerationTTL {
			return g.value, nil
		}
	}
	var g int64
	if err := s.pool.QueryRow(ctx, "SELECT value FROM meta WHERE key = 'generation'").Scan(&g); err != nil {
		return 0, fmt.Errorf("read generation: %w", err)
	}
	s.genCache.Store(&genSnap{value: g, at: now, writes: writes})
	return g, nil
}

// Stats counts papers and sightings.
func (s *Store) Stats(ctx context.Context) (db.Stats, error) {
	var st db.Stats
	err := s.pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM papers), (SELECT count(*) FROM sightings)").Scan(&st.Papers, &st.Sightings)
	if err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}
	return st, nil
}

// Update runs fn in one write transaction, after every other replica's
// write transaction (see writeLock): committed when fn returns nil, rolled
// back otherwise. This process's own writers queue before they take a
// connection: waiting for the advisory lock, each would hold one of the
// pool's few connections, and several passes waiting for another replica's
// write would leave none to the reads (feeds, the generation, /readyz).
func (s *Store) Update(ctx context.Context, fn func(db.Tx) error) error {
	select {
	case s.writer <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("begin write: %w", ctx.Err())
	}
	defer func() { <-s.writer }()
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, lockWrites, writeLock); err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	t := &Tx{tx: tx}
	if err := fn(t); err != nil {
		return err
	}
	if t.restored {
		// Restore wrote IDs the sequence did not hand out.
		if _, err := tx.Exec(ctx, "SELECT setval(pg_get_serial_sequence('papers', 'id'), max(id)) FROM papers"); err != nil {
			return fmt.Errorf("advance the paper ID sequence: %w", err)
		}
	}
	if t.changed {
		if _, err := tx.Exec(ctx, "UPDATE meta SET value = value + 1 WHERE key = 'generation'"); err != nil {
			return fmt.Errorf("bump generation: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if t.changed {
		s.writes.Add(1)
	}
	return nil
}

// isUndefined reports a missing relation or function: a database not
// migrated, or another engine's.
func isUndefined(err error) bool {
	var pe interface{ SQLState() string }
	return errors.As(err, &pe) && (pe.SQLState() == "42P01" || pe.SQLState() == "42883")
}
