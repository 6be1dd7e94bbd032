package copystore

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/paperfeed/paperfeed/db"
)

// Part is one kind of row a store holds, as a copy reads it from the source
// and writes it into the destination. Its rows have keys in an order the
// source pages them in; a copy records the key of the last row it wrote.
type Part struct {
	Name string
	// Read reads up to n rows with keys after after ("": from the first) from
	// s, in key order, as a Batch.
	Read func(ctx context.Context, s db.Store, after string, n int) (Batch, error)
	// Count is what the part's rows count in a store's Counts, the first
	// entry its rows themselves; a finished copy has equal counts in both.
	Count func(c db.Counts) []Tally
	// Same, when set, tells whether the destination's row at key is the
	// source's (the destination's rows came from this source): "" when it
	// is, else why not. A part without it is proved by the others.
	Same func(ctx context.Context, src, dst db.Store, key string) (string, error)
}

// Batch is rows read from the source, ready to write in one transaction.
type Batch struct {
	Rows  int    // rows in the batch; 0 when the part has no more
	Last  string // the key of the last row
	Write func(ctx context.Context, tx db.Tx) error
}

// Tally is a count of one kind of row.
type Tally struct {
	What string
	N    int64
}

// Parts are what a copy copies, in order: the papers first (each with its
// sightings, categories and blocking keys; the full-text index is rebuilt by
// the destination), then the source states, the arXiv lookups, the ids
// upstreams said they do not know, what was last announced to each WebSub
// hub (so the destination does not announce unchanged feeds again), and what
// digests sent (runs, messages, papers per recipient and topic: the
// destination sends no period twice and no paper twice). Leases (held by running replicas, expired
// within a minute), the generation (the destination keeps its own) and copy
// marks are a store's own and not copied.
func Parts() []Part {
	return []Part{papersPart(), sourcesPart(), lookupsPart(), unknownPart(), websubPart(),
		digestPart("digest-runs", db.Copier.DigestRunsAfter, func(r db.DigestRun) []string { return []string{r.Digest, r.Slot} },
			func(ctx context.Context, tx db.Tx, rs []db.DigestRun) error {
				return tx.RestoreDigests(ctx, rs, nil, nil)
			},
			func(c db.Counts) []Tally { return []Tally{{"digest runs", c.DigestRuns}} }),
		digestPart("digest-deliveries", db.Copier.DigestDeliveriesAfter, func(d db.DigestDelivery) []string { return []string{d.Digest, d.Slot, d.Recipient} },
			func(ctx context.Context, tx db.Tx, ds []db.DigestDelivery) error {
				return tx.RestoreDigests(ctx, nil, ds, nil)
			},
			func(c db.Counts) []Tally { return []Tally{{"digest deliveries", c.Deliveries}} }),
		digestPart("digest-papers", db.Copier.DigestPapersAfter, func(p db.DigestPaperRecord) []string { return []string{p.Recipient, p.Topic, p.UID} },
			func(ctx context.Context, tx db.Tx, ps []db.DigestPaperRecord) error {
				return tx.RestoreDigests(ctx, nil, nil, ps)
			},
			func(c db.Counts) []Tally { return []Tally{{"digest papers", c.DigestPapers}} }),
	}
}

func papersPart() Part {
	return Part{
		Name: "papers",
		Read: func(ctx context.Context, s db.Store, after string, n int) (Batch, error) {
			id, err := paperKey(after)
			if err != nil {
				return Batch{}, err
			}
			ps, err := s.PapersAfter(ctx, id, n)
			if err != nil || len(ps) == 0 {
				return Batch{}, err
			}
			return Batch{Rows: len(ps), Last: strconv.FormatInt(ps[len(ps)-1].ID, 10), Write: func(ctx context.Context, tx db.Tx) error {
				return tx.Restore(ctx, ps)
			}}, nil
		},
		Count: func(c db.Counts) []Tally {
			return []Tally{{"papers", c.Papers}, {"sightings", c.Sightings}, {"paper categories", c.Categories}, {"blocking keys", c.BlockKeys}}
		},
		// Papers keep their IDs and UIDs: the destination's paper of the last
		// copied ID is the source's when the UIDs agree.
		Same: func(ctx context.Context, src, dst db.Store, key string) (string, error) {
			id, err := paperKey(key)
			if err != nil {
				return "", err
			}
			d, err := dst.PapersAfter(ctx, id-1, 1)
			if err != nil {
				return "", err
			}
			s, err := src.PapersAfter(ctx, id-1, 1)
			if err != nil {
				return "", err
			}
			switch {
			case len(d) == 0 || d[0].ID != id:
				return fmt.Sprintf("its copy mark names paper %d, which it does not hold", id), nil
			case len(s) == 0 || s[0].ID != id:
				return fmt.Sprintf("the last paper copied into it (ID %d, %s) is not in the source", id, d[0].UID), nil
			case s[0].UID != d[0].UID:
				return fmt.Sprintf("the last paper copied into it (ID %d) is %s, the source's paper %d is %s", id, d[0].UID, id, s[0].UID), nil
			}
			return "", nil
		},
	}
}

func paperKey(key string) (int64, error) {
	if key == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(key, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("copy mark of papers: bad paper ID %q", key)
	}
	return id, nil
}

func sourcesPart() Part {
	return wholePart("sources", func(ctx context.Context, s db.Store) (map[string]db.SourceState, error) { return s.SourceStates(ctx) },
		func(ctx context.Context, tx db.Tx, _ string, st db.SourceState) error {
			return tx.SaveSourceState(ctx, st)
		},
		func(c db.Counts) []Tally { return []Tally{{"source states", c.SourceStates}} })
}

// wholePart is a part whose rows are few: each batch reads them whole, by
// key (all), and writes those after the batch's key with save.
func wholePart[T any](name string, all func(context.Context, db.Store) (map[string]T, error),
	save func(ctx context.Context, tx db.Tx, key string, row T) error, count func(db.Counts) []Tally) Part {
	return Part{
		Name: name,
		Read: func(ctx context.Context, s db.Store, after string, n int) (Batch, error) {
			rows, err := all(ctx, s)
			if err != nil {
				return Batch{}, err
			}
			keys := page(slices.Collect(maps.Keys(rows)), after, n)
			if len(keys) == 0 {
				return Batch{}, nil
			}
			return Batch{Rows: len(keys), Last: keys[len(keys)-1], Write: func(ctx context.Context, tx db.Tx) error {
				for _, k := range keys {
					if err := save(ctx, tx, k, rows[k]); err != nil {
						return err
					}
				}
				return nil
			}}, nil
		},
		Count: count,
	}
}

func lookupsPart() Part {
	return Part{
		Name: "arxiv-lookups",
		Read: func(ctx context.Context, s db.Store, after string, n int) (Batch, error) {
			ls, err := s.ArxivLookupsAfter(ctx, after, n)
			if err != nil || len(ls) == 0 {
				return Batch{}, err
			}
			return Batch{Rows: len(ls), Last: ls[len(ls)-1].ArxivID, Write: func(ctx context.Context, tx db.Tx) error {
				return tx.RecordArxivLookups(ctx, ls)
			}}, nil
		},
		Count: func(c db.Counts) []Tally { return []Tally{{"arXiv lookups", c.ArxivLookups}} },
	}
}

func unknownPart() Part {
	return wholePart("unknown-ids", func(ctx context.Context, s db.Store) (map[string]time.Time, error) { return s.UnknownIDs(ctx) },
		func(ctx context.Context, tx db.Tx, id string, at time.Time) error {
			return tx.RecordUnknownID(ctx, id, at)
		},
		func(c db.Counts) []Tally { return []Tally{{"unknown ids", c.UnknownIDs}} })
}

// websubKey is a WebSub record's key: a space never occurs in a hub's or a
// feed's URL, and orders before every byte that does.
func websubKey(st db.WebSubState) string { return st.Hub + " " + st.URL }

func websubPart() Part {
	return wholePart("websub", func(ctx context.Context, s db.Store) (map[string]db.WebSubState, error) {
		sts, err := s.WebSubStates(ctx)
		byKey := make(map[string]db.WebSubState, len(sts))
		for _, st := range sts {
			byKey[websubKey(st)] = st
		}
		return byKey, err
	}, func(ctx context.Context, tx db.Tx, _ string, st db.WebSubState) error {
		return tx.SaveWebSubState(ctx, st)
	},
		func(c db.Counts) []Tally { return []Tally{{"websub records", c.WebSubStates}} })
}

// digestPart is a table of what digests sent, paged by its primary key (key
// of a row), which a copy mark holds as a JSON array of the key's columns.
func digestPart[T any](name string, after func(db.Copier, context.Context, []string, int) ([]T, error), key func(T) []string,
	restore func(context.Context, db.Tx, []T) error, count func(db.Counts) []Tally) Part {
	return Part{
		Name: name,
		Read: func(ctx context.Context, s db.Store, mark string, n int) (Batch, error) {
			var from []string
			if mark != "" {
				if err := json.Unmarshal([]byte(mark), &from); err != nil {
					return Batch{}, fmt.Errorf("copy mark of %s: bad key %q", name, mark)
				}
			}
			rows, err := after(s, ctx, from, n)
			if err != nil || len(rows) == 0 {
				return Batch{}, err
			}
			last, err := json.Marshal(key(rows[len(rows)-1]))
			if err != nil {
				return Batch{}, err
			}
			return Batch{Rows: len(rows), Last: string(last), Write: func(ctx context.Context, tx db.Tx) error {
				return restore(ctx, tx, rows)
			}}, nil
		},
		Count: count,
	}
}

// page returns up to n of keys after after, in byte order: the pages of a
// part read whole (its rows are few).
func page(keys []string, after string, n int) []string {
	sort.Strings(keys)
	i := sort.SearchStrings(keys, after)
	for i < len(keys) && keys[i] <= after {
		i++
	}
	return keys[i:min(i+n, len(keys))]
}
