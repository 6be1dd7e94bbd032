package config

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestWebSubHubs(t *testing.T) {
	c, err := parse(t, "[server]\nwebsub_hubs = [\"https://pubsubhubbub.appspot.com/\", \"https://websubhub.com/hub\"]\n"+minimal)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://pubsubhubbub.appspot.com/", "https://websubhub.com/hub"}
	if !reflect.DeepEqual(c.Server.WebSubHubs, want) {
		t.Errorf("hubs %q, want %q", c.Server.WebSubHubs, want)
	}
}

func TestWebSubHubErrors(t *testing.T) {
	tests := []struct {
		name, text string
		line, col  int
		want       string
	}{
		{"relative", "[server]\nwebsub_hubs = [\"/hub\"]\n", 2, 16, `"/hub": want an absolute http(s) URL`},
		{"ftp", "[server]\nwebsub_hubs = [\n  \"https://a.example/\",\n  \"ftp://hub.example/\",\n]\n", 4, 3, "want an absolute http(s) URL"},
		{"duplicate", "[server]\nwebsub_hubs = [\"https://hub.example/\", \"https://HUB.example/\"]\n", 2, 40, `"https://HUB.example/" is listed twice`},
		{"credentials", "[server]\nwebsub_hubs = [\"https://me:s3cret@hub.example/\"]\n", 2, 16, "must not carry credentials"},
		{"dotted key", "server.websub_hubs = ['https://hub.example/#x']\n", 1, 23, "no #fragment"},
		{"unencoded", "[server]\nwebsub_hubs = [\"https://hub.example/my hub\"]\n", 2, 16, `write it percent-encoded, "https://hub.example/my%20hub"`},
		{"angle bracket", "[server]\nwebsub_hubs = [\"https://hub.example/?a=>\"]\n", 2, 16, "write it percent-encoded: spaces"},
		{"not strings", "[server]\nwebsub_hubs = [1]\n", 2, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(t, tt.text+minimal)
			var pe *PositionError
			if !errors.As(err, &pe) {
				t.Fatalf("want PositionError, got %T %v", err, err)
			}
			if pe.Line != tt.line || (tt.col != 0 && pe.Column != tt.col) {
				t.Errorf("position %d:%d, want %d:%d (%v)", pe.Line, pe.Column, tt.line, tt.col, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("message %q lacks %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("message %q prints the password", err)
			}
		})
	}
}

// A config built in code is checked by Validate, without a place.
func TestWebSubHubsValidate(t *testing.T) {
	c := Default()
	c.Server.WebSubHubs = []string{"https://hub.example/", "https://hub.example/", "hub.example"}
	err := c.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 2 {
		t.Fatalf("want 2 problems, got %v", err)
	}
	if !strings.Contains(ve.Problems[0], "listed twice") || !strings.Contains(ve.Problems[1], "absolute http(s) URL") {
		t.Errorf("problems %q", ve.Problems)
	}
}

// FuzzHubProblem: any entry is judged without a panic, and an accepted one
// is an absolute http(s) URI that a Link header can carry between < and >.
func FuzzHubProblem(f *testing.F) {
	for _, s := range []string{"https://pubsubhubbub.appspot.com/", "http://h/?a=1&b=2", "https://h/a b", "hub", "https://u:p@h/", "https://h/#f", "https://h/é", "mailto:x@y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, hub string) {
		if hubProblem(hub, map[string]bool{}) != "" {
			return
		}
		u, err := url.Parse(hub)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || strings.ContainsAny(hub, "<> \"") {
			t.Errorf("accepted %q", hub)
		}
	})
}
