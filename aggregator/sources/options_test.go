package sources

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/paperfeed/paperfeed/aggregator/config"
)

// builtOption reads what a built source holds for one type-specific option.
var builtOption = map[string]map[string]func(Source) any{
	"arxiv": {
		"announce": func(s Source) any {
			var got []string
			for a := range s.(*arxivRSS).announce {
				got = append(got, a)
			}
			slices.Sort(got)
			return got
		},
	},
	"arxiv-api": {
		"max_results": func(s Source) any { return s.(*arxivAPI).maxResults },
		"backfill":    func(s Source) any { return s.(*arxivAPI).backfill },
	},
	"huggingface": {"days": func(s Source) any { return s.(*huggingFace).days }},
	"biorxiv":     {"days": func(s Source) any { return s.(*biorxiv).days }},
	"medrxiv":     {"days": func(s Source) any { return s.(*biorxiv).days }},
	"crossref": {
		"days":      func(s Source) any { return s.(*crossref).days },
		"backfill":  func(s Source) any { return s.(*crossref).backfill },
		"work_type": func(s Source) any { return s.(*crossref).workType },
	},
	"openalex": {
		"days":     func(s Source) any { return s.(*openAlex).days },
		"backfill": func(s Source) any { return s.(*openAlex).backfill },
		"per_page": func(s Source) any { return s.(*openAlex).perPage },
	},
	"pubmed": {
		"days":     func(s Source) any { return s.(*pubmed).days },
		"backfill": func(s Source) any { return s.(*pubmed).backfill },
		"tool":     func(s Source) any { return s.(*pubmed).tool },
	},
}

// TestSourcesUseDeclaredDefaults builds every config type from an entry with no
// type-specific option set: each type has a constructor, and each default the
// built source holds is the one config declares (which config load fills in
// and README documents, see config.TestREADMESourceTables).
func TestSourcesUseDeclaredDefaults(t *testing.T) {
	for _, typ := range config.SourceTypes() {
		t.Run(typ.Name, func(t *testing.T) {
			src, err := New(config.Source{Name: "x", Type: typ.Name, URL: "https://example.org/x"}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range typ.Options {
				var want any
				switch o := o.(type) {
				case config.IntOption:
					want = o.Default
				case config.ListOption:
					if o.Default == nil {
						continue
					}
					want = slices.Sorted(slices.Values(o.Default))
				case config.TextOption:
					if o.Default == "" {
						continue
					}
					want = o.Default
				default:
					continue // no default
				}
				get, ok := builtOption[typ.Name][o.Key()]
				if !ok {
					t.Fatalf("no reader of %s in builtOption", o.Key())
				}
				eq(t, o.Key(), get(src), want)
			}
		})
	}
}

// TestNewChecksOptions: an entry built without the config check gets the same
// check, so an out-of-range option is an error naming it, not a silent clamp.
func TestNewChecksOptions(t *testing.T) {
	for _, typ := range config.SourceTypes() {
		for _, o := range typ.Options {
			io, ok := o.(config.IntOption)
			if !ok {
				continue
			}
			t.Run(typ.Name+"/"+io.Name, func(t *testing.T) {
				c := config.Source{Name: "x", Type: typ.Name, URL: "https://example.org/x"}
				v := io.Max + 1
				switch io.Name {
				case "days":
					c.Days = v
				case "max_results":
					c.MaxResults = v
				case "backfill":
					c.Backfill = v
				case "per_page":
					c.PerPage = v
				default:
					t.Fatalf("no setter for %s", io.Name)
				}
				_, err := New(c, Options{})
				want := fmt.Sprintf(`source "x": %s = %d: want %d..%d`, io.Name, v, io.Min, io.Max)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("got %v, want %q", err, want)
				}
			})
		}
	}
}
