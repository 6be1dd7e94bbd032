package likefile

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// Cache holds each like_file as last read and re-reads a file whose size or
// modification time changed: a stat per use, a parse per change.
type Cache struct {
	mu    sync.Mutex
	files map[string]cached
}

type cached struct {
	size  int64
	mtime time.Time
	file  File
	err   error
}

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{files: map[string]cached{}} }

// Load returns the file at path, read again when it changed since the last Load.
func (c *Cache) Load(path string) (File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return File{}, fmt.Errorf("like_file: %w", err)
	}
	c.mu.Lock()
	e, ok := c.files[path]
	c.mu.Unlock()
	if ok && e.size == st.Size() && e.mtime.Equal(st.ModTime()) {
		return e.file, e.err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return File{}, fmt.Errorf("like_file: %w", err)
	}
	f, err := Parse(path, data)
	c.mu.Lock()
	c.files[path] = cached{size: st.Size(), mtime: st.ModTime(), file: f, err: err}
	c.mu.Unlock()
	return f, err
}
