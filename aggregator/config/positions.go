package config

import (
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// positions maps the dotted path of every table header, key and array
// element of a file ("mail", "mail.smtp", "digest.0.to.1") to where it is
// written: checks that need more than one value (a topic a digest names, a
// host and its security) report the line:column of the value at fault.
type positions map[string]unstable.Position

// indexPositions reads data's layout; a file that does not parse has no
// positions (the decoder has reported it already).
func indexPositions(data []byte) positions {
	pos := positions{}
	p := &unstable.Parser{}
	p.Reset(data)
	table := ""
	arrays := map[string]int{} // array table -> entries seen
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			key, first := keyOf(e.Key())
			if e.Kind == unstable.ArrayTable {
				n := arrays[key]
				arrays[key] = n + 1
				key += "." + strconv.Itoa(n)
			}
			table = key
			if first != nil {
				pos[key] = p.Shape(first.Raw).Start
			}
		case unstable.KeyValue:
			key, first := keyOf(e.Key())
			if table != "" {
				key = table + "." + key
			}
			v := e.Value()
			if first != nil {
				pos[key] = p.Shape(first.Raw).Start
			}
			if v.Kind == unstable.String {
				pos[key] = p.Shape(v.Raw).Start
			}
			if v.Kind == unstable.Array {
				i := 0
				for it := v.Children(); it.Next(); {
					if n := it.Node(); n.Kind != unstable.Comment && n.Raw.Length > 0 {
						pos[key+"."+strconv.Itoa(i)] = p.Shape(n.Raw).Start
						i++
					}
				}
			}
		}
	}
	if p.Error() != nil {
		return positions{}
	}
	return pos
}

// keyOf joins a dotted key and returns its first part.
func keyOf(it unstable.Iterator) (string, *unstable.Node) {
	var parts []string
	var first *unstable.Node
	for it.Next() {
		if first == nil {
			first = it.Node()
		}
		parts = append(parts, string(it.Node().Data))
	}
	return strings.Join(parts, "."), first
}

// at is where path is written, or where the nearest enclosing table or key
// is (a key left out is reported at its table's header); line 0 when none is.
func (pos positions) at(path string) (line, col int) {
	for {
		if p, ok := pos[path]; ok {
			return p.Line, p.Column
		}
		i := strings.LastIndexByte(path, '.')
		if i < 0 {
			return 0, 0
		}
		path = path[:i]
	}
}
