package feeds

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// Export writes the site as static files under dir, the same bytes the server
// serves at the same paths (the index without the links to the server's
// search and status pages):
//
//	index.html
//	topics.opml
//	topics/{name}.atom, topics/{name}.rss, topics/{name}.json
//	topics/{name}.html
//	topics/{name}/daily.atom, .rss, .json and topics/{name}/weekly.atom, .rss, .json
//	favicon.ico
//
// Topic pages are topics/{name}.html (not topics/{name}/index.html) because every
// link in the pages and feeds points at that name, which the server also
// answers, so a static host needs no rewrite rules. A static host must map
// .atom, .rss, .json and .opml to the content types the server sends (GitHub
// Pages, nginx's and Apache's default mime.types do, except .json → application/json).
// Files are replaced atomically (temporary file and rename).
func (s *Server) Export(ctx context.Context, dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "topics"), 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	docs := []doc{docExportIndex(), docOPML()}
	for _, t := range s.cfg.Topics {
		for _, f := range []string{FormatAtom, FormatRSS, FormatJSON, FormatHTML} {
			docs = append(docs, docTopic(t, f, 0))
		}
		if err := os.MkdirAll(filepath.Join(dir, "topics", t.Name), 0o755); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		for _, k := range digestKinds {
			for _, f := range []string{FormatAtom, FormatRSS, FormatJSON} {
				docs = append(docs, docDigest(t, k, f))
			}
		}
	}
	for _, d := range docs {
		r, err := s.get(ctx, d)
		if err != nil {
			return fmt.Errorf("export %s: %w", d.path, err)
		}
		if err := writeFileAtomic(filepath.Join(dir, filepath.FromSlash(d.path)), r.body); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	if err := writeFileAtomic(filepath.Join(dir, "favicon.ico"), faviconICO); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".export-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
