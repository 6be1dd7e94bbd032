package sources

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html/charset"
)

// Bounds on the shape of a feed document, checked by a streaming pre-scan
// before gofeed builds its tree. The body cap bounds bytes, not the objects a
// parser makes of them: gofeed keeps every unknown element inside an item as
// an extension (a struct with maps), every item as two large structs, and a
// deep document as deep recursion, so a 20 MiB body of tiny elements costs
// gigabytes (1.2 GB for 700,000 nested elements, 1.3 GB for 1.7 million
// empty ones). The limits are far above real feeds (arXiv's full cs listing
// has a few thousand items of about fifteen elements; journal feeds nest
// under ten levels) and hold the live heap of a parse near 250 MB at most
// whatever the shape (BENCHMARKS.md, "Hostile feed shapes").
const (
	// maxFeedDepth bounds element (or JSON container) nesting: feeds nest
	// under ten levels, XHTML content in Atom a few dozen more.
	maxFeedDepth = 100
	// maxFeedItems bounds entries (RSS item, Atom entry, JSON Feed item): each
	// costs gofeed about 1 KB live even when nearly empty, and 200,000 small
	// items fit in a 20 MiB body.
	maxFeedItems = 250_000
	// maxFeedNodes bounds elements plus attributes (JSON: values): an
	// extension element with an attribute costs gofeed about 350 bytes live.
	// 200,000 items of title, link and guid are 800,000 elements.
	maxFeedNodes = 1_000_000
)

// textKind is how a text field is written, which decides how it is decoded.
type textKind uint8

const (
	kindUndeclared  textKind = iota // RSS practice: escaped HTML or plain text, told apart by looks
	kindText                        // plain text, already decoded by the XML parser
	kindHTML                        // HTML (or XHTML) markup
	kindEscapedText                 // Atom 0.3 mode="escaped" text/plain, which gofeed leaves as written
)

// atomEntryShape is what gofeed does not keep of an Atom entry: the declared
// type of its text constructs, and the Atom 0.3 created date.
type atomEntryShape struct {
	title, summary, content textKind
	created                 string
}

// docShape is what the pre-scan of a document learned.
type docShape struct {
	// atomEntries are the entries of an Atom feed, children of its root
	// element in document order (as gofeed lists them).
	atomEntries []atomEntryShape
}

// limitError is a document exceeding one of the shape bounds.
type limitError struct {
	what  string
	limit int
	where string // "line L, column C", or "" for JSON
}

func (e *limitError) Error() string {
	s := fmt.Sprintf("document exceeds the limit of %d %s", e.limit, e.what)
	if e.where != "" {
		s += " at " + e.where
	}
	return s + ": refused"
}

// nodeBudget counts what the pre-scans see against the bounds. nodes names
// what maxFeedNodes counts in the document's format.
type nodeBudget struct {
	depth, items, nodes int
	noun                string
}

// enter accounts for one element (or JSON container) opened with attrs
// attributes; item tells whether it is a feed entry.
func (b *nodeBudget) enter(attrs int, item bool) *limitError {
	b.depth++
	b.nodes += 1 + attrs
	if item {
		b.items++
	}
	switch {
	case b.depth > maxFeedDepth:
		return &limitError{what: "levels of nesting", limit: maxFeedDepth}
	case b.items > maxFeedItems:
		return &limitError{what: "items", limit: maxFeedItems}
	case b.nodes > maxFeedNodes:
		return &limitError{what: b.noun, limit: maxFeedNodes}
	}
	return nil
}

// scanDocument checks a UTF-8 document against the bounds before gofeed
// parses it, as JSON or XML the way gofeed's detector tells them apart.
func scanDocument(body []byte) (docShape, error) {
	if isJSONDocument(body) {
		return docShape{}, scanJSON(body)
	}
	return scanXML(body)
}

// scanXML checks a UTF-8 XML document against the bounds and records the
// shape of its Atom entries. It tokenizes as gofeed does (non-strict, C0
// control characters dropped): a syntax error ends the scan without an error,
// since gofeed's parse fails at the same place or earlier.
func scanXML(body []byte) (docShape, error) {
	var shape docShape
	d := xml.NewDecoder(&controlCharFilter{r: bytes.NewReader(body)})
	d.Strict = false
	d.CharsetReader = charset.NewReaderLabel
	var (
		b     = nodeBudget{noun: "elements and attributes"}
		stack []xml.Name // open elements, up to the entry's children
		entry = -1       // depth of the open Atom entry, -1 outside one
		text  *strings.Builder
	)
	for {
		tok, err := d.RawToken()
		if err != nil {
			return shape, nil // io.EOF or a syntax error gofeed reports itself
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth := b.depth
			isEntry := t.Name.Local == "entry" && depth == 1 && isAtomRoot(stack)
			isItem := isEntry || t.Name.Local == "item"
			if err := b.enter(len(t.Attr), isItem); err != nil {
				line, col := d.InputPos()
				err.where = fmt.Sprintf("line %d, column %d", line, col)
				return shape, err
			}
			if depth < 3 {
				stack = append(stack[:depth], t.Name)
			}
			switch {
			case isEntry:
				entry = depth
				shape.atomEntries = append(shape.atomEntries, atomEntryShape{})
			case entry >= 0 && depth == entry+1 && t.Name.Space == stack[entry].Space:
				e := &shape.atomEntries[len(shape.atomEntries)-1]
				switch t.Name.Local {
				case "title":
					e.title = atomTextKind(t.Attr)
				case "summary":
					e.summary = atomTextKind(t.Attr)
				case "content":
					e.content = atomTextKind(t.Attr)
				case "created":
					text = &strings.Builder{}
				}
			case entry >= 0 && depth == entry+2 && len(stack) > entry+1:
				// Markup inside a text construct declared as text (invalid
				// Atom, but seen): gofeed hands over the markup as written.
				e := &shape.atomEntries[len(shape.atomEntries)-1]
				switch stack[entry+1].Local {
				case "title":
					e.title = kindHTML
				case "summary":
					e.summary = kindHTML
				case "content":
					e.content = kindHTML
				}
			}
		case xml.EndElement:
			b.depth = max(b.depth-1, 0)
			if text != nil && b.depth == entry+1 {
				shape.atomEntries[len(shape.atomEntries)-1].created = strings.TrimSpace(text.String())
				text = nil
			}
			if b.depth == entry {
				entry = -1
			}
		case xml.CharData:
			if text != nil {
				text.Write(t)
			}
		}
	}
}

// isAtomRoot reports whether the open root element is an Atom feed (gofeed
// reads entries only as children of the root).
func isAtomRoot(stack []xml.Name) bool {
	return len(stack) > 0 && stack[0].Local == "feed"
}

// atomTextKind is the kind an Atom text construct declares with its type
// (Atom 1.0: text, html, xhtml; Atom 0.3: a media type, and mode).
func atomTextKind(attrs []xml.Attr) textKind {
	typ, mode := "", ""
	for _, a := range attrs {
		switch a.Name.Local {
		case "type":
			typ = strings.ToLower(strings.TrimSpace(a.Value))
		case "mode":
			mode = strings.ToLower(strings.TrimSpace(a.Value))
		}
	}
	switch {
	case typ == "html" || typ == "text/html" || strings.Contains(typ, "xhtml"):
		return kindHTML
	case typ == "" && mode == "escaped":
		return kindEscapedText
	case typ == "" || typ == "text" || typ == "text/plain":
		return kindText
	}
	// Another media type (base64 content gofeed decoded): its text is told
	// apart by looks.
	return kindUndeclared
}

// controlCharFilter drops the C0 control bytes XML forbids, as gofeed's
// reader does, so that the scan tokenizes what gofeed tokenizes.
type controlCharFilter struct{ r io.Reader }

func (c *controlCharFilter) Read(p []byte) (int, error) {
	for {
		n, err := c.r.Read(p)
		w := 0
		for _, b := range p[:n] {
			if b < 0x20 && b != '\t' && b != '\n' && b != '\r' {
				continue
			}
			p[w] = b
			w++
		}
		if w > 0 || err != nil {
			return w, err
		}
	}
}

// scanJSON checks a JSON document against the bounds: gofeed unmarshals a
// JSON Feed whole, and each item is a large struct. Object keys are not
// counted; every value is, containers included.
func scanJSON(body []byte) error {
	d := json.NewDecoder(bytes.NewReader(body))
	type container struct {
		object, expectKey bool
		items             bool // the top-level "items" array: its objects are items
	}
	var (
		b     = nodeBudget{noun: "values"}
		stack []container
		key   string // the last key read in the top-level object
	)
	for {
		tok, err := d.Token()
		if err != nil {
			return nil // io.EOF, or a syntax error gofeed reports itself
		}
		var top *container
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		if s, ok := tok.(string); ok && top != nil && top.object && top.expectKey {
			top.expectKey = false
			if len(stack) == 1 {
				key = s
			}
			continue
		}
		if top != nil && top.object {
			top.expectKey = true // after this value, a key
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			isObject := tok == json.Delim('{')
			if err := b.enter(0, isObject && top != nil && top.items); err != nil {
				return err
			}
			stack = append(stack, container{object: isObject, expectKey: isObject,
				items: !isObject && len(stack) == 1 && key == "items"})
		case json.Delim('}'), json.Delim(']'):
			b.depth--
			stack = stack[:len(stack)-1]
		default:
			if b.nodes++; b.nodes > maxFeedNodes {
				return &limitError{what: b.noun, limit: maxFeedNodes}
			}
		}
	}
}
