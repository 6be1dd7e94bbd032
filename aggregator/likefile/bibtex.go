package likefile

import (
	"fmt"
	"strings"
)

// parseBibTeX reads BibTeX entries (@article{key, field = {value}, ...}).
// Text between entries is a comment, as in BibTeX; @comment, @preamble and
// @string are skipped. The ids come from doi, eprint (with archivePrefix or
// eprinttype arXiv, or an id that names arXiv), Mendeley's arxivId, url,
// howpublished, note and journal ("arXiv preprint arXiv:2103.03230").
func parseBibTeX(b *builder, data []byte) error {
	p := &bibParser{b: b, s: string(data)}
	for {
		k := strings.IndexByte(p.s[p.i:], '@')
		if k < 0 {
			return nil
		}
		p.i += k + 1
		if !atLineStart(p.s, p.i-1) {
			continue // an "@" within a comment line (an address, prose)
		}
		if err := p.entry(); err != nil {
			return err
		}
	}
}

// atLineStart reports whether only spaces precede s[i] on its line.
func atLineStart(s string, i int) bool {
	for i--; i >= 0 && s[i] != '\n'; i-- {
		if s[i] != ' ' && s[i] != '\t' && s[i] != '\r' {
			return false
		}
	}
	return true
}

type bibParser struct {
	b     *builder
	s     string
	i     int
	start int    // where the current entry began
	key   string // its key, once read
}

func (p *bibParser) errorf(format string, args ...any) error {
	return &Error{File: p.b.name, Line: lineAt([]byte(p.s), p.start), Key: p.key, Msg: fmt.Sprintf(format, args...)}
}

func (p *bibParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *bibParser) name() string {
	j := p.i
	for p.i < len(p.s) && !strings.ContainsRune(" \t\r\n{}(),=#\"", rune(p.s[p.i])) {
		p.i++
	}
	return p.s[j:p.i]
}

func (p *bibParser) entry() error {
	p.start, p.key = p.i-1, ""
	p.space()
	typ := strings.ToLower(p.name())
	p.space()
	if typ == "" || p.i >= len(p.s) || (p.s[p.i] != '{' && p.s[p.i] != '(') {
		return p.errorf("@%s: want { after the entry type", typ)
	}
	closer := byte('}')
	if p.s[p.i] == '(' {
		closer = ')'
	}
	p.i++
	switch typ {
	case "comment", "preamble", "string":
		// Skip to the matching closer.
		if _, err := p.braced(closer); err != nil {
			return err
		}
		return nil
	}
	p.space()
	p.key = p.name()
	p.space()
	if p.key == "" {
		return p.errorf("@%s: the entry has no key", typ)
	}
	fields := map[string]string{}
	for {
		p.space()
		if p.i >= len(p.s) {
			return p.errorf("unterminated entry (no closing %c)", closer)
		}
		switch p.s[p.i] {
		case closer:
			p.i++
			p.b.add(p.key, lineAt([]byte(p.s), p.start), bibCandidates(fields))
			return nil
		case ',':
			p.i++
			continue
		}
		field := strings.ToLower(p.name())
		p.space()
		if field == "" || p.i >= len(p.s) || p.s[p.i] != '=' {
			return p.errorf("want field = value near %q", snippet(p.s[p.i:]))
		}
		p.i++
		v, err := p.value(closer)
		if err != nil {
			return err
		}
		fields[field] = v
	}
}

// value reads a field's value: {braced}, "quoted", a number or a macro,
// joined by #.
func (p *bibParser) value(closer byte) (string, error) {
	var out strings.Builder
	for {
		p.space()
		if p.i >= len(p.s) {
			return "", p.errorf("unterminated value")
		}
		switch c := p.s[p.i]; c {
		case '{':
			p.i++
			v, err := p.braced('}')
			if err != nil {
				return "", err
			}
			out.WriteString(v)
		case '"':
			p.i++
			j, depth := p.i, 0
			for ; p.i < len(p.s); p.i++ {
				if p.s[p.i] == '{' {
					depth++
				} else if p.s[p.i] == '}' {
					depth--
				} else if p.s[p.i] == '"' && depth == 0 {
					break
				}
			}
			if p.i >= len(p.s) {
				return "", p.errorf("unterminated quoted value")
			}
			out.WriteString(p.s[j:p.i])
			p.i++
		default:
			n := p.name()
			if n == "" {
				return "", p.errorf("want a value near %q", snippet(p.s[p.i:]))
			}
			out.WriteString(n) // a macro (jan) or a number; its name is enough here
		}
		p.space()
		if p.i < len(p.s) && p.s[p.i] == '#' {
			p.i++
			continue
		}
		return bibUnescape.Replace(out.String()), nil
	}
}

// bibUnescape drops the grouping braces and the escapes reference managers
// write in DOIs and URLs (Zotero: "10.1016/j.cell\\_2020").
var bibUnescape = strings.NewReplacer(`\url{`, "", "{", "", "}", "", `\_`, "_", `\%`, "%", `\&`, "&", `\#`, "#", `\$`, "$")

// braced reads to the closer that balances the one just passed.
func (p *bibParser) braced(closer byte) (string, error) {
	j, depth := p.i, 0
	for ; p.i < len(p.s); p.i++ {
		switch c := p.s[p.i]; {
		case c == '{':
			depth++
		case c == '}' && depth > 0:
			depth--
		case c == closer && depth == 0:
			v := p.s[j:p.i]
			p.i++
			return v, nil
		}
	}
	return "", p.errorf("unbalanced braces (no closing %c)", closer)
}

func snippet(s string) string {
	if len(s) > 20 {
		s = s[:20]
	}
	return strings.TrimSpace(s)
}

// bibCandidates lists an entry's fields that may hold its id, arXiv first.
func bibCandidates(f map[string]string) []string {
	var c []string
	if e := f["eprint"]; e != "" {
		kind := strings.ToLower(f["archiveprefix"] + f["eprinttype"])
		if strings.Contains(kind, "arxiv") {
			c = append(c, "arxiv:"+strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(e), "arXiv:"), "arxiv:"))
		} else {
			c = append(c, e)
		}
	}
	for _, k := range []string{"arxivid", "arxiv", "doi", "url", "howpublished", "note", "journal", "journaltitle", "booktitle"} {
		if v := f[k]; v != "" {
			c = append(c, v)
		}
	}
	return c
}
