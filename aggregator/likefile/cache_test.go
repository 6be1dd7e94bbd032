package likefile

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestCacheRereadsAChangedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "exemplars.txt")
	write := func(text string, mtime time.Time) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	c := NewCache()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	write("2404.08471\n", t0)
	steps := []struct {
		name, text string
		mtime      time.Time
		want       []string
		wantErr    bool
	}{
		{"first read", "", time.Time{}, []string{"arxiv:2404.08471"}, false},
		{"same size, new mtime", "2301.08243\n", t0.Add(time.Second), []string{"arxiv:2301.08243"}, false},
		{"grown", "2301.08243\n10.1145/3065386\n", t0.Add(time.Second), []string{"arxiv:2301.08243", "doi:10.1145/3065386"}, false},
		{"broken", "2301.08243\nnot an id\n", t0.Add(2 * time.Second), nil, true},
		{"fixed", "2002.05709\n", t0.Add(3 * time.Second), []string{"arxiv:2002.05709"}, false},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.text != "" {
				write(s.text, s.mtime)
			}
			f, err := c.Load(path)
			if (err != nil) != s.wantErr || !slices.Equal(f.IDs, s.want) {
				t.Errorf("Load = %q, %v; want %q (error %v)", f.IDs, err, s.want, s.wantErr)
			}
		})
	}
	if _, err := c.Load(filepath.Join(t.TempDir(), "gone.bib")); err == nil {
		t.Error("a missing file loads")
	}
}
