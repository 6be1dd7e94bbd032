package digest

import (
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
)

func TestSchedule(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// 2026-12-02 is a Wednesday; 2026-12-05 a Saturday; 2026-11-30 a Monday.
	tests := []struct {
		name, every, now     string
		last, next, previous string
	}{
		{"day after", config.EveryDay, "2026-12-02 09:00", "2026-12-02 07:00", "2026-12-03 07:00", "2026-12-01 07:00"},
		{"day before", config.EveryDay, "2026-12-02 06:59", "2026-12-01 07:00", "2026-12-02 07:00", "2026-11-30 07:00"},
		{"day at", config.EveryDay, "2026-12-02 07:00", "2026-12-02 07:00", "2026-12-03 07:00", "2026-12-01 07:00"},
		{"weekday saturday", config.EveryWeekday, "2026-12-05 12:00", "2026-12-04 07:00", "2026-12-07 07:00", "2026-12-03 07:00"},
		{"weekday monday early", config.EveryWeekday, "2026-12-07 06:00", "2026-12-04 07:00", "2026-12-07 07:00", "2026-12-03 07:00"},
		{"week", config.EveryWeek, "2026-12-02 09:00", "2026-11-30 07:00", "2026-12-07 07:00", "2026-11-23 07:00"},
		// Daylight saving ends on 2026-10-25: a day of 25 hours, 07:00 still.
		{"dst", config.EveryDay, "2026-10-25 08:00", "2026-10-25 07:00", "2026-10-26 07:00", "2026-10-24 07:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Schedule{Every: tt.every, Hour: 7, Minute: 0, Loc: berlin}
			now := at(tt.now).UTC()
			last := s.Last(now)
			if !last.Equal(at(tt.last)) {
				t.Errorf("Last = %v, want %v", last, tt.last)
			}
			if n := s.Next(now); !n.Equal(at(tt.next)) {
				t.Errorf("Next = %v, want %v", n, tt.next)
			}
			if p := s.Before(last); !p.Equal(at(tt.previous)) {
				t.Errorf("Before = %v, want %v", p, tt.previous)
			}
			if k := s.SlotKey(last); k != tt.last[:10] {
				t.Errorf("SlotKey = %s", k)
			}
		})
	}
}
