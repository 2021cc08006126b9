package smt

import (
	"testing"
	"time"
)

// Zones Debezium accepts at start and then fails every record with, and
// Go's own "Local", are refused at start; the rest load.
func TestTimezoneZones(t *testing.T) {
	for _, bad := range []string{"+19:00", "+05:60", "-18:00:01", "PST", "Local", "Mars/Olympus"} {
		if _, err := tzZone(bad); err == nil {
			t.Errorf("converted.timezone=%s accepted", bad)
		}
	}
	for name, off := range map[string]int{"+18:00": 18 * 3600, "-03:30:15": -(3*3600 + 30*60 + 15), "Asia/Kolkata": 5*3600 + 1800, "UTC": 0} {
		loc, err := tzZone(name)
		if err != nil {
			t.Errorf("converted.timezone=%s: %v", name, err)
			continue
		}
		if _, got := time.Date(2024, 7, 1, 0, 0, 0, 0, loc).Zone(); got != off {
			t.Errorf("converted.timezone=%s: offset %d, want %d", name, got, off)
		}
	}
}
