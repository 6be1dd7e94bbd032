// Package likefile reads a like-topic's like_file: a reference manager's
// export (BibTeX from Zotero, JabRef or Mendeley; Zotero's CSL-JSON) or a
// text file of ids, one a line. Each entry yields the paper's arXiv id or
// DOI in ident.Exemplar's normal form.
package likefile

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/paperfeed/paperfeed/aggregator/ident"
)

// File is what a like_file names.
type File struct {
	// IDs are the entries' ids ("arxiv:2301.08243", "doi:10.1109/..."),
	// each once, in file order.
	IDs []string
	// Warnings name the entries that carry no id (key and line).
	Warnings []string
}

// Error is an entry the reader cannot parse.
type Error struct {
	File string
	Line int
	Key  string // the entry's key; "" when not known yet
	Msg  string
}

func (e *Error) Error() string {
	if e.Key != "" {
		return fmt.Sprintf("%s:%d: entry %q: %s", e.File, e.Line, e.Key, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Parse reads data, the contents of the file name (used in messages). The
// format is told by the contents, whatever the file's name: JSON is
// CSL-JSON, an entry starting a line with "@" is BibTeX, anything else a list
// of ids (a BibTeX file without entries reads as an empty list).
func Parse(name string, data []byte) (File, error) {
	f := &builder{name: name, seen: map[string]bool{}}
	var err error
	switch format(name, data) {
	case "bibtex":
		err = parseBibTeX(f, data)
	case "csl-json":
		err = parseCSLJSON(f, data)
	default:
		err = parseText(f, data)
	}
	if err != nil {
		return File{}, err
	}
	return f.File, nil
}

func format(name string, data []byte) string {
	t := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(t) > 0 && (t[0] == '[' || t[0] == '{') {
		return "csl-json"
	}
	for _, l := range bytes.Split(t, []byte("\n")) {
		if l = bytes.TrimSpace(l); len(l) > 0 && l[0] == '@' {
			return "bibtex"
		}
	}
	return "text"
}

type builder struct {
	File
	name string
	seen map[string]bool
}

// add records the entry's id: the first of candidates that is an arXiv id
// (the store's arXiv listings answer it), else the first DOI; an entry with
// neither is a warning.
func (b *builder) add(key string, line int, candidates []string) {
	var doi string
	for _, c := range candidates {
		id := ident.Exemplar(c)
		if id == "" {
			id = findIn(c)
		}
		if strings.HasPrefix(id, "arxiv:") {
			b.keep(id)
			return
		}
		if doi == "" {
			doi = id
		}
	}
	if doi != "" {
		b.keep(doi)
		return
	}
	b.Warnings = append(b.Warnings, fmt.Sprintf("%s:%d: entry %q has no arXiv id or DOI; left out", b.name, line, key))
}

func (b *builder) keep(id string) {
	if !b.seen[id] {
		b.seen[id] = true
		b.IDs = append(b.IDs, id)
	}
}

// findIn finds an arXiv id in free text that names arXiv ("arXiv preprint
// arXiv:2103.03230", "arXiv:2103.03230 [cs]").
func findIn(s string) string {
	if id := ident.FindArxivID(s); id != "" {
		return "arxiv:" + id
	}
	return ""
}

func lineAt(data []byte, off int) int {
	return 1 + bytes.Count(data[:min(off, len(data))], []byte("\n"))
}

// parseText reads one id per line; "#" starts a comment, and so does "%"
// at a line's start (BibTeX's comment, in an export without entries).
func parseText(b *builder, data []byte) error {
	for i, l := range strings.Split(string(data), "\n") {
		if k := strings.IndexByte(l, '#'); k >= 0 {
			l = l[:k]
		}
		l = strings.TrimSpace(strings.TrimPrefix(l, "\xef\xbb\xbf"))
		if l == "" || l[0] == '%' {
			continue
		}
		id := ident.Exemplar(l)
		if id == "" {
			return &Error{File: b.name, Line: i + 1, Msg: fmt.Sprintf("%q is neither an arXiv id nor a DOI", l)}
		}
		b.keep(id)
	}
	return nil
}
