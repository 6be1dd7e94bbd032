package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// load writes text to a file and loads it, as paperfeed does.
func load(t *testing.T, text string) (*Config, string, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "paperfeed.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	return c, path, err
}

// entry is a [[source]] of type typ that every type accepts, plus extra lines.
func entry(typ string, extra ...string) string {
	return fmt.Sprintf("[[source]]\nname = \"x\"\ntype = %q\nurl = \"https://example.org/x\"\n%s\n", typ, strings.Join(extra, "\n"))
}

// TestSourceOptionsDeclaredOnce checks, for every type and every option, that
// the one declaration in sourceTypes is what config load applies: the default
// of an unset option, the range (rejected with the file, the entry, the option
// and the value named), and the types an option applies to.
func TestSourceOptionsDeclaredOnce(t *testing.T) {
	for _, typ := range SourceTypes() {
		t.Run(typ.Name, func(t *testing.T) {
			c, _, err := load(t, entry(typ.Name))
			if err != nil {
				t.Fatal(err)
			}
			filled := c.Sources[0]
			for _, o := range typ.Options {
				switch o := o.(type) {
				case IntOption:
					if got := *o.field(&filled); got != o.Default {
						t.Errorf("%s: unset = %d, want the declared default %d", o.Name, got, o.Default)
					}
					bad := []int{o.Max + 1}
					if o.Min-1 != 0 { // zero means unset
						bad = append(bad, o.Min-1)
					}
					for _, v := range bad {
						_, path, err := load(t, entry(typ.Name, fmt.Sprintf("%s = %d", o.Name, v)))
						want := fmt.Sprintf("%s: invalid config:\n  [[source]] \"x\": %s = %d: want %d..%d", path, o.Name, v, o.Min, o.Max)
						if err == nil || err.Error() != want {
							t.Errorf("%s = %d: got %v, want %q", o.Name, v, err, want)
						}
					}
					for _, v := range []int{o.Min, o.Max} {
						if _, _, err := load(t, entry(typ.Name, fmt.Sprintf("%s = %d", o.Name, v))); err != nil {
							t.Errorf("%s = %d rejected: %v", o.Name, v, err)
						}
					}
				case ListOption:
					if got := *o.field(&filled); !slices.Equal(got, o.Default) {
						t.Errorf("%s: unset = %q, want the declared default %q", o.Name, got, o.Default)
					}
					if o.Values != nil {
						_, path, err := load(t, entry(typ.Name, o.Name+` = ["nonsense"]`))
						want := fmt.Sprintf("%s: invalid config:\n  [[source]] \"x\": %s: \"nonsense\" is not one of %s", path, o.Name, strings.Join(o.Values, ", "))
						if err == nil || err.Error() != want {
							t.Errorf("%s: got %v, want %q", o.Name, err, want)
						}
						lines := make([]string, len(o.Values))
						for i, v := range o.Values {
							lines[i] = fmt.Sprintf("%q", v)
						}
						if _, _, err := load(t, entry(typ.Name, o.Name+" = ["+strings.Join(lines, ", ")+"]")); err != nil {
							t.Errorf("%s = every value: %v", o.Name, err)
						}
					}
				}
			}
			// Every option of another type is rejected, naming the types it applies to.
			for _, o := range sourceOptions {
				if _, takes := typ.Option(o.Key()); takes {
					continue
				}
				_, _, err := load(t, entry(typ.Name, setLine(o)))
				var ve *ValidationError
				want := fmt.Sprintf(`[[source]] "x": option %q does not apply to type %q (only %s)`, o.Key(), typ.Name, strings.Join(typesTaking(o.Key()), ", "))
				if !errors.As(err, &ve) || !slices.Contains(ve.Problems, want) {
					t.Errorf("%s on %s: got %v, want %q", o.Key(), typ.Name, err, want)
				}
			}
		})
	}
}

// setLine is a TOML line that sets o to a value in its range.
func setLine(o SourceOption) string {
	switch o := o.(type) {
	case IntOption:
		return fmt.Sprintf("%s = %d", o.Name, max(o.Min, 1))
	case ListOption:
		if o.Values != nil {
			return fmt.Sprintf("%s = [%q]", o.Name, o.Values[0])
		}
		return o.Name + ` = ["a"]`
	default:
		return o.Key() + ` = "a"`
	}
}

// TestREADMESourceTables checks README's Sources tables against the
// declarations: each type's section lists exactly the options the type takes
// (besides url), with the declared default and range and, for a word list, every
// accepted word.
func TestREADMESourceTables(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	tables := readmeSourceTables(string(readme))
	for _, typ := range SourceTypes() {
		t.Run(typ.Name, func(t *testing.T) {
			rows, ok := tables[typ.Name]
			if !ok {
				t.Fatalf("README has no \"### `%s`\" section with an option table", typ.Name)
			}
			var documented []string
			for key := range rows {
				if key != "url" {
					documented = append(documented, key)
				}
			}
			var declared []string
			for _, o := range typ.Options {
				declared = append(declared, o.Key())
			}
			slices.Sort(documented)
			slices.Sort(declared)
			if !slices.Equal(documented, declared) {
				t.Errorf("README documents options %q, the type takes %q", documented, declared)
			}
			for _, o := range typ.Options {
				row, ok := rows[o.Key()]
				if !ok {
					continue
				}
				if doc := o.Doc(); doc != "" && strings.Trim(row[0], "`") != doc {
					t.Errorf("%s: README default %q, declared %q", o.Key(), row[0], doc)
				}
				if l, ok := o.(ListOption); ok {
					for _, v := range l.Values {
						if !strings.Contains(row[1], "`"+v+"`") {
							t.Errorf("%s: README meaning %q does not list %q", o.Key(), row[1], v)
						}
					}
				}
			}
		})
	}
}

var (
	sectionRE = regexp.MustCompile("^### (.*?):")
	nameRE    = regexp.MustCompile("`([a-z-]+)`")
	rowRE     = regexp.MustCompile("^\\| `([a-z_]+)` \\| (.*?) \\| (.*) \\|$")
)

// readmeSourceTables maps each type named in a "### `type`: ..." heading of the
// Sources section to its table rows: option -> [default, meaning].
func readmeSourceTables(readme string) map[string]map[string][2]string {
	_, sources, _ := strings.Cut(readme, "\n## Sources\n")
	sources, _, _ = strings.Cut(sources, "\n## ")
	out := map[string]map[string][2]string{}
	var current []string
	for _, line := range strings.Split(sources, "\n") {
		if m := sectionRE.FindStringSubmatch(line); m != nil {
			current = nil
			for _, n := range nameRE.FindAllStringSubmatch(m[1], -1) {
				current = append(current, n[1])
				out[n[1]] = map[string][2]string{}
			}
			continue
		}
		if m := rowRE.FindStringSubmatch(line); m != nil {
			for _, typ := range current {
				out[typ][m[1]] = [2]string{m[2], m[3]}
			}
		}
	}
	return out
}

// TestSourceOptionValues: the checked text and list options reject bad
// values naming the option; a bad API key is never repeated.
func TestSourceOptionValues(t *testing.T) {
	for _, tt := range []struct {
		typ, line, want string
	}{
		{"crossref", `issn = ["0028-0836", "12345"]`, `issn: "12345" is not an ISSN (want NNNN-NNNN)`},
		{"crossref", `work_type = "Journal Article"`, `work_type = "Journal Article": want a lower-case word with hyphens (e.g. journal-article)`},
		{"openalex", `mailto = "nobody"`, `mailto = "nobody": want an e-mail address`},
		{"pubmed", `email = "a@b"`, `email = "a@b": want an e-mail address`},
		{"pubmed", `tool = "my tool"`, `tool = "my tool": want one word of letters, digits, '.', '_' or '-'`},
		{"pubmed", `api_key = "SECRET-KEY?x"`, `api_key (not shown): want letters and digits only`},
	} {
		t.Run(tt.line, func(t *testing.T) {
			_, _, err := load(t, entry(tt.typ, tt.line))
			var ve *ValidationError
			if !errors.As(err, &ve) || !slices.Contains(ve.Problems, `[[source]] "x": `+tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
			if ve != nil && strings.Contains(strings.Join(ve.Problems, "\n"), "SECRET") {
				t.Errorf("the problems show the key: %q", ve.Problems)
			}
		})
	}
	for _, ok := range []string{`issn = ["0028-0836", "1476468X"]`, `work_type = "posted-content"`, `mailto = "ops@example.org"`} {
		if _, _, err := load(t, entry("crossref", ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}
