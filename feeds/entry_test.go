package feeds

import "testing"

// TestEntryIDPinned: entry ids are what readers store to tell read papers
// from new ones; these were computed by the hand-written UUID v5 that
// uuid.NewSHA1 replaced, and must never change.
func TestEntryIDPinned(t *testing.T) {
	cases := []struct{ uid, id string }{
		{"arxiv:2503.01234", "urn:uuid:839fbf3f-68d4-581d-9019-9887b89ffe66"},
		{"doi:10.1101/2025.03.01.123456", "urn:uuid:efff1ad9-d6ed-59f6-b2bd-7c0d71664645"},
		{"hf:2503.05555", "urn:uuid:331b1a81-6abf-5869-8cbc-ecc0f6d86451"},
		{"", "urn:uuid:93333cd8-995f-5ffe-8672-d8062650c131"},
		{"title:ünïcödé \x00 key", "urn:uuid:c2ff1558-cd8e-5b16-900f-464419947885"},
		{"src:rss/https://example.org/feed?id=1&x=<y>", "urn:uuid:d7e936d0-3e91-5ab5-89f5-cfab4d86794d"},
	}
	for _, c := range cases {
		t.Run(c.uid, func(t *testing.T) {
			if got := EntryID(c.uid); got != c.id {
				t.Errorf("EntryID(%q) = %s, want %s: every published id would change", c.uid, got, c.id)
			}
		})
	}
}
