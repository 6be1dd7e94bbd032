package sources

import (
	"fmt"
	"strings"
	"testing"
)

// TestFeedShapeLimits: documents nested too deep, or with too many items or
// nodes, fail the pass with an error naming the limit (and, for XML, where),
// before gofeed builds them; documents at the limits parse.
func TestFeedShapeLimits(t *testing.T) {
	rss := func(inner string) string {
		return `<rss version="2.0" xmlns:x="http://example.org/x"><channel><title>c</title>` + inner + `</channel></rss>`
	}
	item := `<item><title>t</title><guid>g</guid></item>`
	// nested returns an item holding n nested extension elements: with rss,
	// channel and item the document nests n+3 deep.
	nested := func(n int) string {
		return rss(`<item><title>t</title><guid>g</guid>` + strings.Repeat(`<x:n>`, n) + strings.Repeat(`</x:n>`, n) + `</item>`)
	}
	jsonFeed := func(items string) string {
		return `{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[` + items + `]}`
	}
	jsonItems := func(n int) string {
		return jsonFeed(strings.TrimSuffix(strings.Repeat(`{"id":"1","title":"t"},`, n), ","))
	}
	tests := []struct {
		name    string
		doc     string
		wantErr string // "" when the document must parse
	}{
		{"depth at the limit", nested(maxFeedDepth - 3), ""},
		{"depth over the limit", nested(maxFeedDepth - 2), fmt.Sprintf("limit of %d levels of nesting at line 1, column", maxFeedDepth)},
		{"700,000 nested elements", nested(700_000), "levels of nesting"},
		{"items at the limit", rss(strings.Repeat(item, maxFeedItems)), ""},
		{"items over the limit", rss(strings.Repeat(item, maxFeedItems+1)), fmt.Sprintf("limit of %d items", maxFeedItems)},
		{"elements over the limit", rss(`<item><title>t</title><guid>g</guid>` + strings.Repeat(`<x:e/>`, maxFeedNodes) + `</item>`), fmt.Sprintf("limit of %d elements and attributes", maxFeedNodes)},
		{"attributes count", rss(`<item><title>t</title><guid>g</guid>` + strings.Repeat(`<x:e a="1" b="2"/>`, maxFeedNodes/3+1) + `</item>`), "elements and attributes"},
		{"JSON items at the limit", jsonItems(maxFeedItems), ""},
		{"JSON items over the limit", jsonItems(maxFeedItems + 1), fmt.Sprintf("limit of %d items", maxFeedItems)},
		{"JSON nesting over the limit", jsonFeed(`{"id":"1","title":"t","x":` + strings.Repeat("[", maxFeedDepth) + strings.Repeat("]", maxFeedDepth) + `}`), "levels of nesting"},
		{"JSON values over the limit", jsonFeed(`{"id":"1","title":"t","tags":[` + strings.TrimSuffix(strings.Repeat(`"a",`, maxFeedNodes), ",") + `]}`), fmt.Sprintf("limit of %d values", maxFeedNodes)},
		{"JSON keys named items deeper down", jsonFeed(`{"id":"1","title":"t","_x":{"items":[{},{}]}}`), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, _, err := parseFeed([]byte(tt.doc), "")
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(items) == 0 {
					t.Fatal("no items")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// TestScanJSONCountsItems: only the objects of the top-level items array are items.
func TestScanJSONCountsItems(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want bool // over the limit
	}{
		{`{"items":[` + strings.TrimSuffix(strings.Repeat(`{},`, maxFeedItems+1), ",") + `]}`, true},
		{`{"title":"items","x":[` + strings.TrimSuffix(strings.Repeat(`{},`, maxFeedItems+1), ",") + `]}`, false},
	} {
		err := scanJSON([]byte(tc.doc))
		if got := err != nil && strings.Contains(err.Error(), "items"); got != tc.want {
			t.Errorf("%.40s...: error %v, want over the item limit: %v", tc.doc, err, tc.want)
		}
	}
}
