package digest

import (
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
)

// Schedule is when a digest email goes out: at Hour:Minute in Loc every day,
// every weekday (Monday to Friday) or every week (on Mondays, as weeks start
// in WeekOf). Send times are built from dates, so a daylight-saving change
// moves none of them off the wall-clock time (a time the change skips is the
// one just after it).
type Schedule struct {
	Every        string // config.EveryDay, EveryWeekday, EveryWeek
	Hour, Minute int
	Loc          *time.Location
}

// ScheduleOf is a configured digest's schedule.
func ScheduleOf(d config.Digest) Schedule {
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	return Schedule{Every: d.Every, Hour: d.Hour, Minute: d.Minute, Loc: loc}
}

// sendsOn reports whether the schedule sends on the date of t (in Loc).
func (s Schedule) sendsOn(t time.Time) bool {
	switch s.Every {
	case config.EveryWeekday:
		return t.Weekday() != time.Saturday && t.Weekday() != time.Sunday
	case config.EveryWeek:
		return t.Weekday() == time.Monday
	}
	return true
}

// at is the send time on the date day days after t's date (in Loc).
func (s Schedule) at(t time.Time, day int) time.Time {
	t = t.In(s.Loc)
	return time.Date(t.Year(), t.Month(), t.Day()+day, s.Hour, s.Minute, 0, 0, s.Loc)
}

// Last is the latest send time at or before now: the period in progress
// began then.
func (s Schedule) Last(now time.Time) time.Time {
	for day := 0; ; day-- {
		if t := s.at(now, day); s.sendsOn(t) && !t.After(now) {
			return t
		}
	}
}

// Next is the first send time after now.
func (s Schedule) Next(now time.Time) time.Time {
	for day := 0; ; day++ {
		if t := s.at(now, day); s.sendsOn(t) && t.After(now) {
			return t
		}
	}
}

// Before is the send time preceding the send time slot.
func (s Schedule) Before(slot time.Time) time.Time { return s.Last(slot.Add(-time.Nanosecond)) }

// SlotKey names the period that begins at send time slot: its date in Loc
// (a schedule sends at most once a day).
func (s Schedule) SlotKey(slot time.Time) string { return slot.In(s.Loc).Format("2006-01-02") }
