package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/paperfeed/paperfeed/db"
)

// ClaimLease takes the named lease for holder (see db.Leaser). One upsert
// under SQLite's write lock: two claims, from this process or another on the
// same file, never both win. Expiry is read on the store's clock.
func (s *Store) ClaimLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	now := s.now()
	res, err := s.w.ExecContext(ctx, `INSERT INTO leases (name, holder, since, expires) VALUES (?1, ?2, ?3, ?4)
		ON CONFLICT (name) DO UPDATE SET
			since = CASE WHEN leases.holder = excluded.holder AND leases.expires > ?3 THEN leases.since ELSE excluded.since END,
			holder = excluded.holder, expires = excluded.expires
		WHERE leases.holder = excluded.holder OR leases.expires <= ?3`,
		name, holder, now.UnixNano(), now.Add(ttl).UnixNano())
	if err != nil {
		return false, fmt.Errorf("claim lease %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim lease %s: %w", name, err)
	}
	return n > 0, nil
}

// RenewLease extends a lease holder holds.
func (s *Store) RenewLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE leases SET expires = ? WHERE name = ? AND holder = ?`, s.now().Add(ttl).UnixNano(), name, holder)
	if err != nil {
		return false, fmt.Errorf("renew lease %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("renew lease %s: %w", name, err)
	}
	return n > 0, nil
}

// ReleaseLease gives up a lease holder holds.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// Leases lists the unexpired leases by name.
func (s *Store) Leases(ctx context.Context) ([]db.Lease, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT name, holder, since, expires FROM leases WHERE expires > ? ORDER BY name`, s.now().UnixNano())
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
