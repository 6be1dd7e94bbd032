package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pelletier/go-toml/v2"

	"github.com/paperfeed/paperfeed/aggregator/ident"
	"github.com/paperfeed/paperfeed/aggregator/likefile"
)

// exemplarEntry is a like or unlike entry as the TOML decoder sees it: its
// UnmarshalText rejects what names no paper, so the decoder reports where.
// A struct, not a string type: the decoder sets string kinds directly.
type exemplarEntry struct{ entry string }

func (e *exemplarEntry) UnmarshalText(b []byte) error {
	if ident.Exemplar(string(b)) == "" {
		return fmt.Errorf("like/unlike entry %q is neither an arXiv id (arxiv:2301.08243, hep-th/9901001, an arxiv.org link) nor a DOI (10.1109/..., doi:..., https://doi.org/...)", string(b))
	}
	e.entry = string(b)
	return nil
}

// exemplarShadow mirrors the topics' exemplar lists only.
type exemplarShadow struct {
	Topic []struct {
		Like   []exemplarEntry `toml:"like"`
		Unlike []exemplarEntry `toml:"unlike"`
	} `toml:"topic"`
}

// checkExemplars decodes the file's like and unlike entries a second time, as
// exemplarEntry, so a bad entry is an error at its line:column.
func (c *Config) checkExemplars(data []byte) error {
	var s exemplarShadow
	if err := toml.NewDecoder(bytes.NewReader(data)).Decode(&s); err != nil {
		return c.wrapDecodeError(data, err)
	}
	return nil
}

// checkLikeFile resolves t's like_file against the config file's folder and
// reads it once, so a missing or unparseable file fails at load (the server
// re-reads it when it changes); it returns the problem, or "".
func (c *Config) checkLikeFile(t *Topic) string {
	if !filepath.IsAbs(t.LikeFile) && c.Path != "" {
		t.LikeFile = filepath.Join(filepath.Dir(c.Path), t.LikeFile)
	}
	data, err := os.ReadFile(t.LikeFile)
	if err != nil {
		return fmt.Sprintf("like_file: %v", err)
	}
	if _, err := likefile.Parse(t.LikeFile, data); err != nil {
		return fmt.Sprintf("like_file: %v", err)
	}
	return ""
}
