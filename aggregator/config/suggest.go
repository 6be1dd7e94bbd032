package config

import (
	"bufio"
	"bytes"
	"reflect"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// suggestKey returns the valid key nearest to the unknown key at path (the
// full dotted path the decoder reports), or "" when none is close enough to be
// a likely typo. row is the unknown key's line, used to find which [[source]]
// entry it sits in, since each source type takes its own options.
func suggestKey(data []byte, path []string, row int) string {
	if len(path) == 0 {
		return ""
	}
	unknown := path[len(path)-1]
	valid := validKeys(data, path[:len(path)-1], row)
	return nearest(unknown, valid)
}

// validKeys are the keys the table at parent takes.
func validKeys(data []byte, parent []string, row int) []string {
	t := reflect.TypeOf(Config{})
	for _, p := range parent {
		f, ok := fieldByTag(t, p)
		if !ok {
			return nil
		}
		t = f.Type
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
	}
	if len(parent) == 1 && parent[0] == "source" {
		if st, ok := LookupSourceType(sourceTypeAt(data, row)); ok {
			keys := []string{"name", "type", "url", "interval"}
			for _, o := range st.Options {
				keys = append(keys, o.Key())
			}
			return keys
		}
	}
	var keys []string
	for i := range t.NumField() {
		if tag := tomlTag(t.Field(i)); tag != "" && tag != "-" {
			keys = append(keys, tag)
		}
	}
	return keys
}

func tomlTag(f reflect.StructField) string {
	tag, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	return tag
}

func fieldByTag(t reflect.Type, tag string) (reflect.StructField, bool) {
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	for i := range t.NumField() {
		if tomlTag(t.Field(i)) == tag {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

// sourceTypeAt is the type of the [[source]] entry whose table holds line row
// ("" when it cannot be told, e.g. the type is misspelt too).
func sourceTypeAt(data []byte, row int) string {
	entry, line := -1, 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for sc.Scan() {
		line++
		if line > row {
			break
		}
		if strings.HasPrefix(strings.TrimSpace(sc.Text()), "[[source]]") {
			entry++
		}
	}
	if entry < 0 {
		return ""
	}
	var loose struct {
		Source []struct {
			Type string `toml:"type"`
		} `toml:"source"`
	}
	// A lenient decode: the strict one has already failed on the unknown key.
	if toml.Unmarshal(data, &loose) != nil || entry >= len(loose.Source) {
		return ""
	}
	return loose.Source[entry].Type
}

// nearest is the candidate with the smallest edit distance to s, if that
// distance is small for the word's length (at most 1 for short words, 2 for
// longer, 3 from eight letters).
func nearest(s string, candidates []string) string {
	limit := 1
	switch {
	case len(s) >= 8:
		limit = 3
	case len(s) >= 4:
		limit = 2
	}
	best, bestD := "", limit+1
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance with adjacent transpositions
// (optimal string alignment), so "intreval" is one edit from "interval".
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
