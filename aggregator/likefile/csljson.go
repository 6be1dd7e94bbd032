package likefile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// parseCSLJSON reads CSL-JSON: an array of items (Zotero's export) or one
// item. The ids come from DOI, URL, number (Zotero writes an arXiv preprint's
// id there, archive "arXiv"), note and container-title.
func parseCSLJSON(b *builder, data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	t := bytes.TrimSpace(data)
	if len(t) > 0 && t[0] == '{' {
		if err := cslItem(b, dec, data, 0); err != nil {
			return err
		}
		return jsonEnd(b, data, dec)
	}
	if _, err := dec.Token(); err != nil { // the '[' format told
		return jsonError(b, data, dec, err)
	}
	for dec.More() {
		if err := cslItem(b, dec, data, int(dec.InputOffset())); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return jsonError(b, data, dec, err)
	}
	return jsonEnd(b, data, dec)
}

// jsonEnd checks that nothing follows the items.
func jsonEnd(b *builder, data []byte, dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		return &Error{File: b.name, Line: lineAt(data, int(dec.InputOffset())), Msg: "CSL-JSON: data after the items"}
	}
	return nil
}

func cslItem(b *builder, dec *json.Decoder, data []byte, off int) error {
	// The item starts at the next '{' after the previous token.
	for off < len(data) && strings.ContainsRune(" \t\r\n,", rune(data[off])) {
		off++
	}
	line := lineAt(data, off)
	var item map[string]any
	if err := dec.Decode(&item); err != nil {
		return jsonError(b, data, dec, err)
	}
	key := str(item["id"])
	if key == "" {
		key = str(item["citation-key"])
	}
	var cands []string
	archive := strings.ToLower(str(item["archive"]) + " " + str(item["publisher"]) + " " + str(item["container-title"]))
	if n := str(item["number"]); n != "" && strings.Contains(archive, "arxiv") {
		cands = append(cands, n)
	}
	for _, k := range []string{"arxiv", "arXiv", "DOI", "doi", "URL", "url", "note", "container-title", "archive_location"} {
		if v := str(item[k]); v != "" {
			cands = append(cands, v)
		}
	}
	b.add(key, line, cands)
	return nil
}

func str(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case json.Number:
		return v.String()
	}
	return ""
}

func jsonError(b *builder, data []byte, dec *json.Decoder, err error) error {
	off := int(dec.InputOffset())
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = int(se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		off = int(te.Offset)
		err = fmt.Errorf("an item must be an object, not a %s", te.Value)
	}
	return &Error{File: b.name, Line: lineAt(data, off), Msg: "CSL-JSON: " + err.Error()}
}
