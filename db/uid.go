package db

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/paperfeed/paperfeed/db/model"
)

// NewUID picks the public id of a new paper as Tx.Save states it: its arXiv
// id or DOI when free, else a hash of its first sighting, the hash with a
// numbered suffix when that is taken too. taken reports whether a stored
// paper has the uid. Engines share it so a paper gets the same uid on each.
func NewUID(p *model.Paper, taken func(uid string) (bool, error)) (string, error) {
	var tries []string
	if p.ArxivID != "" {
		tries = append(tries, "arxiv:"+p.ArxivID)
	}
	if p.DOI != "" {
		tries = append(tries, "doi:"+p.DOI)
	}
	seed := p.Title
	if len(p.Sightings) > 0 {
		seed = p.Sightings[0].Source + "\x00" + p.Sightings[0].GUID
	}
	tries = append(tries, "pf:"+ShortHash(seed))
	for _, uid := range tries {
		if t, err := taken(uid); err != nil {
			return "", err
		} else if !t {
			return uid, nil
		}
	}
	// Every try is taken (another paper has the same ids and first sighting).
	// A clock reading would repeat under a fake clock: it is no source of
	// uniqueness, a counter is.
	last := tries[len(tries)-1]
	for n := 2; ; n++ {
		uid := last + "-" + ShortHash(seed+"\x00"+strconv.Itoa(n))
		if t, err := taken(uid); err != nil {
			return "", err
		} else if !t {
			return uid, nil
		}
	}
}

// ShortHash is the 16 hex digits of s's SHA-256 that "pf:" uids are made of.
func ShortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}
