package digest

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestPeriods(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		kind       string
		at         time.Time
		loc        *time.Location
		start, end string
	}{
		{"utc day", Daily, time.Date(2026, 11, 20, 13, 0, 0, 0, time.UTC), time.UTC, "2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z"},
		{"berlin day seen from UTC late evening", Daily, time.Date(2026, 11, 20, 23, 30, 0, 0, time.UTC), berlin, "2026-11-21T00:00:00+01:00", "2026-11-22T00:00:00+01:00"},
		{"day shortened by DST", Daily, time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC), berlin, "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00"},
		{"week from a Sunday", Weekly, time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC), time.UTC, "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z"},
		{"week from a Monday midnight", Weekly, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), time.UTC, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Of(tt.kind, tt.at, tt.loc)
			if got := p.Start.Format(time.RFC3339); got != tt.start {
				t.Errorf("start %s want %s", got, tt.start)
			}
			if got := p.End.Format(time.RFC3339); got != tt.end {
				t.Errorf("end %s want %s", got, tt.end)
			}
		})
	}
}

func TestCompleted(t *testing.T) {
	now := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC) // a day just ended
	ps := Completed(Daily, now, time.UTC, 3)
	want := []string{"daily:2026-11-19", "daily:2026-11-18", "daily:2026-11-17"}
	for i, p := range ps {
		if p.Key() != want[i] {
			t.Errorf("period %d = %s want %s", i, p.Key(), want[i])
		}
		if p.End.After(now) {
			t.Errorf("period %s ends after now", p.Key())
		}
	}
	if w := Completed(Weekly, now, time.UTC, 1); w[0].Label() != "week of 2026-11-09" {
		t.Errorf("last completed week = %s", w[0].Label())
	}
}

func TestShortAuthors(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"A", " ", "B"}, "A, B"},
		{[]string{"A", "B", "C", "D", "E"}, "A, B, C, D, E"},
		{[]string{"A", "B", "C", "D", "E", "F"}, "A, B, C, D, E et al. (6 authors)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := ShortAuthors(tt.in); got != tt.want {
				t.Errorf("got %q want %q", got, tt.want)
			}
		})
	}
}

func TestFirstSentence(t *testing.T) {
	long := strings.Repeat("word ", 100)
	tests := []struct{ name, in, want string }{
		{"one sentence", "We study parsing.", "We study parsing."},
		{"two", "We study parsing of things. Results are good.", "We study parsing of things."},
		{"abbreviation", "We use e.g. large models here. Then more.", "We use e.g. large models here."},
		{"question", "Can models rank papers well? We show so.", "Can models rank papers well?"},
		{"too short to end", "Fig. 3 shows it. More text follows here.", "Fig. 3 shows it. More text follows here."},
		{"whitespace collapsed", "We  study\nparsing of things. Next.", "We study parsing of things."},
		{"long cut at a word", long, strings.TrimSpace(strings.Repeat("word ", 60)) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FirstSentence(tt.in); got != tt.want {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func FuzzFirstSentence(f *testing.F) {
	for _, s := range []string{"", "A. B", "We study x. Then y.", strings.Repeat("é ", 400), "\xff\xfe. X"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := FirstSentence(clean(s, 5000))
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		if n := utf8.RuneCountInString(got); n > maxSentenceRunes+1 {
			t.Fatalf("%d runes from %q", n, s)
		}
	})
}
