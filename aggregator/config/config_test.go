package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func parse(t *testing.T, text string) (*Config, error) {
	t.Helper()
	c := Default()
	c.Path = "test.toml"
	if err := c.Parse(strings.NewReader(text)); err != nil {
		return c, err
	}
	return c, c.Validate()
}

const minimal = `
[[source]]
name = "nature-mi"
type = "feed"
url = "https://www.nature.com/natmachintell.rss"
`

func TestDefaultsAndAllTopic(t *testing.T) {
	c, err := parse(t, minimal)
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.Listen != DefaultListen || c.Server.BaseURL != "http://"+DefaultListen {
		t.Errorf("server defaults: %+v", c.Server)
	}
	if time.Duration(c.Collect.Interval) != time.Hour || time.Duration(c.Collect.Timeout) != 30*time.Second {
		t.Errorf("collect defaults: %+v", c.Collect)
	}
	all, ok := c.Topic(AllTopic)
	if !ok || all.Limit != DefaultTopicLimit || all.Sort != "newest" || time.Duration(all.Window) != 72*time.Hour {
		t.Errorf("all topic: %+v %v", all, ok)
	}
	if got := c.Interval(c.Sources[0]); got != time.Hour {
		t.Errorf("interval fallback = %v", got)
	}
}

func TestPositionErrors(t *testing.T) {
	tests := []struct {
		name, text string
		line, col  int
		want       string
	}{
		{"unknown key", minimal + "colour = \"red\"\n", 6, 1, "unknown key source.colour"},
		{"wrong type", "[collect]\nworkers = \"four\"\n", 2, 11, ""},
		{"bad duration", "[collect]\ninterval = \"soon\"\n", 2, 12, "bad duration"},
		{"syntax", "[server\nlisten = 1\n", 1, 8, ""},
		{"unknown table", "[serve]\nlisten = \"x\"\n", 1, 0, "unknown key serve"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(t, tt.text)
			var pe *PositionError
			if !errors.As(err, &pe) {
				t.Fatalf("want PositionError, got %T %v", err, err)
			}
			if pe.Line != tt.line || (tt.col != 0 && pe.Column != tt.col) {
				t.Errorf("position %d:%d, want %d:%d (%v)", pe.Line, pe.Column, tt.line, tt.col, err)
			}
			if !strings.HasPrefix(err.Error(), "test.toml:") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("message %q lacks file or %q", err, tt.want)
			}
		})
	}
}

func TestValidationErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"duplicate source", minimal + minimal, `[[source]] "nature-mi": duplicate source name`},
		{"unknown type", "[[source]]\nname=\"x\"\ntype=\"gopher\"\n", `unknown source type`},
		{"feed without url", "[[source]]\nname=\"x\"\ntype=\"feed\"\n", `url is required`},
		{"bad url", "[[source]]\nname=\"x\"\ntype=\"feed\"\nurl=\"ftp://a/b\"\n", `want an http://`},
		{"option of other type", "[[source]]\nname=\"x\"\ntype=\"feed\"\nurl=\"https://a/b\"\ndays=3\n", `option "days" does not apply`},
		{"bad slug", "[[source]]\nname=\"Bad Name\"\ntype=\"feed\"\nurl=\"https://a/b\"\n", `must be a slug`},
		{"duplicate topic", "[[topic]]\nname=\"a\"\n[[topic]]\nname=\"a\"\n", `duplicate topic name`},
		{"topic unknown source", "[[topic]]\nname=\"a\"\nsources=[\"nope\"]\n", `unknown source "nope"`},
		{"topic traversal", "[[topic]]\nname=\"a..b\"\n", `must be a slug`},
		{"bad sort", "[[topic]]\nname=\"a\"\nsort=\"random\"\n", `sort = "random"`},
		{"limit too big", "[[topic]]\nname=\"a\"\nlimit=100000\n", `limit = 100000`},
		{"bad announce", "[[source]]\nname=\"x\"\ntype=\"arxiv\"\ncategories=[\"cs.CL\"]\nannounce=[\"old\"]\n", `announce: "old"`},
		{"relevance without like", "[[topic]]\nname=\"a\"\nsort=\"relevance\"\n", `sort = "relevance" needs like or like_file`},
		{"min_score without like", "[[topic]]\nname=\"a\"\nmin_score=0.5\n", `min_score needs like or like_file`},
		{"min_score not finite", "[[topic]]\nname=\"a\"\nlike=[\"2301.08243\"]\nmin_score=nan\n", `want a finite number`},
		{"bad base_url", "[server]\nbase_url=\"example.org\"\n", `base_url = "example.org"`},
		{"bad arxiv_api_url", "[collect]\narxiv_api_url=\"export.arxiv.org/api/query\"\n", `arxiv_api_url = "export.arxiv.org/api/query": want an absolute http(s) URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(t, tt.text)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want ValidationError, got %T %v", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%q does not mention %q", err, tt.want)
			}
		})
	}
}

// TestArxivAPIURL: category completion asks export.arxiv.org unless the key
// names another API or is "" (off).
func TestArxivAPIURL(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"default", "", DefaultArxivAPIURL},
		{"other", "[collect]\narxiv_api_url = \"http://127.0.0.1:9/api/query\"\n", "http://127.0.0.1:9/api/query"},
		{"off", "[collect]\narxiv_api_url = \"\"\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parse(t, tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if c.Collect.ArxivAPIURL != tc.want {
				t.Errorf("arxiv_api_url = %q, want %q", c.Collect.ArxivAPIURL, tc.want)
			}
		})
	}
}

func TestLikeTopic(t *testing.T) {
	c, err := parse(t, "[[topic]]\nname=\"ssl\"\nlike=[\"arxiv:2301.08243\", \"doi:10.1109/CVPR52729.2023.01499\"]\nunlike=[\"2002.05709\"]\nsort=\"relevance\"\nmin_score=-0.25\n")
	if err != nil {
		t.Fatal(err)
	}
	tp, _ := c.Topic("ssl")
	if len(tp.Like) != 2 || len(tp.Unlike) != 1 || tp.Sort != "relevance" || tp.MinScore == nil || *tp.MinScore != -0.25 {
		t.Errorf("like topic = %+v", tp)
	}
	if tp.Window != 0 {
		t.Errorf("relevance topic window = %v, want none (the limit best of every candidate)", tp.Window)
	}
}

func TestShippedConfigIsValid(t *testing.T) {
	c, err := Load(filepath.Join("..", "..", "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) < 3 {
		t.Errorf("shipped config has %d sources", len(c.Sources))
	}
	types := map[string]bool{}
	for _, s := range c.Sources {
		types[s.Type] = true
	}
	for _, want := range []string{"arxiv", "huggingface", "feed"} {
		if !types[want] {
			t.Errorf("shipped config lacks a %s source", want)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v", err)
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"3d": 72 * time.Hour, "90m": 90 * time.Minute, "1h30m": 90 * time.Minute, "0d": 0} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "d", "-3d", "3 days", "soon"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) accepted", bad)
		}
	}
}

func TestServerTimezone(t *testing.T) {
	for _, tt := range []struct{ zone, want string }{{"", "UTC"}, {"Europe/Berlin", "Europe/Berlin"}, {"Mars/Olympus", ""}} {
		t.Run(tt.zone, func(t *testing.T) {
			c := Default()
			c.Server.Timezone = tt.zone
			err := c.Validate()
			if tt.want == "" {
				if err == nil || !strings.Contains(err.Error(), `timezone = "Mars/Olympus"`) {
					t.Fatalf("err = %v, want one naming the zone", err)
				}
				return
			}
			if err != nil || c.Server.Zone().String() != tt.want {
				t.Fatalf("zone %v, err %v", c.Server.Zone(), err)
			}
		})
	}
}

func TestDurationString(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{60 * 24 * time.Hour, "60d"},
		{6 * time.Hour, "6h"},
		{90 * time.Minute, "1h30m"},
		{45 * time.Second, "45s"},
		{36 * time.Hour, "36h"},
		{0, "0s"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			if got := Duration(tt.d).String(); got != tt.want {
				t.Errorf("Duration(%v).String() = %q, want %q", tt.d, got, tt.want)
			}
			back, err := ParseDuration(tt.want)
			if err != nil || back != tt.d {
				t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.want, back, err, tt.d)
			}
		})
	}
}
