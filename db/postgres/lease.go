package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/paperfeed/paperfeed/db"
)

// dbNow is the database's clock in Unix nanoseconds: leases expire on it, the
// one clock every replica shares (their own may drift apart).
const dbNow = `(extract(epoch FROM clock_timestamp()) * 1e9)::bigint`

// ClaimLease takes the named lease for holder (see db.Leaser). The upsert
// locks the lease's row: of two claims at once, the second waits for the
// first and then sees its holder, so they never both win.
func (s *Store) ClaimLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO leases (name, holder, since, expires) VALUES ($1, $2, `+dbNow+`, `+dbNow+` + $3)
		ON CONFLICT (name) DO UPDATE SET
			since = CASE WHEN leases.holder = excluded.holder AND leases.expires > `+dbNow+` THEN leases.since ELSE excluded.since END,
			holder = excluded.holder, expires = excluded.expires
		WHERE leases.holder = excluded.holder OR leases.expires <= `+dbNow,
		name, holder, ttl.Nanoseconds())
	if err != nil {
		return false, fmt.Errorf("claim lease %s: %w", name, err)
	}
	return tag.RowsAffected() > 0, nil
}

// RenewLease extends a lease holder holds.
func (s *Store) RenewLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE leases SET expires = `+dbNow+` + $3 WHERE name = $1 AND holder = $2`, name, holder, ttl.Nanoseconds())
	if err != nil {
		return false, fmt.Errorf("renew lease %s: %w", name, err)
	}
	return tag.RowsAffected() > 0, nil
}

// ReleaseLease gives up a lease holder holds.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM leases WHERE name = $1 AND holder = $2`, name, holder); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// Leases lists the unexpired leases by name.
func (s *Store) Leases(ctx context.Context) ([]db.Lease, error) {
	rows, err := s.pool.Query(ctx, `SELECT name, holder, since, expires FROM leases WHERE expires > `+dbNow+` ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list leases: %w", err)
	}
	defer rows.Close()
	var out []db.Lease
	for rows.Next() {
		var l db.Lease
		var since, expires int64
		if err := rows.Scan(&l.Name, &l.Holder, &since, &expires); err != nil {
			return nil, fmt.Errorf("list leases: %w", err)
		}
		l.Since, l.Expires = time.Unix(0, since).UTC(), time.Unix(0, expires).UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}
