package smt

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-cdc/sluice/connector/change"
)

// shift converts one value of the logical type name (or, unnamed, the
// source block's epoch field) to the zone, as Debezium's
// getTimestampWithTimezone and getEpochWithTimezone do:
//   - Timestamp, MicroTimestamp, NanoTimestamp and Connect's Timestamp hold
//     a wall clock as if in UTC (a DATETIME): that wall clock is taken as
//     the zone's local time, so the value moves back by the zone's offset
//     then (in a DST gap or overlap, the offset before the change);
//   - a ZonedTimestamp keeps its instant and is written at the zone's
//     offset, chosen (Debezium's quirk) for its wall clock in its own
//     offset taken as the zone's local time;
//   - a ZonedTime is written at the zone's offset now;
//   - the source block's ts_ms, ts_us and ts_ns move forward by the zone's
//     offset at that instant.
func (t *timezoneConverter) shift(name, field string, v any) (any, error) {
	switch name {
	case change.TimestampName, change.ConnectTimestamp:
		return shiftWall(t.zone, v, 1000)
	case change.MicroTimestampName:
		return shiftWall(t.zone, v, 1_000_000)
	case change.NanoTimestampName:
		return shiftWall(t.zone, v, 1_000_000_000)
	case change.ZonedTimestampName:
		return t.shiftZonedTimestamp(v)
	case zonedTimeName:
		return t.shiftZonedTime(v)
	}
	n, ok := v.(int64)
	if !ok {
		return nil, fmt.Errorf("epoch field value should be a java.lang.Long, not %T", v)
	}
	perSec := int64(1000)
	switch field {
	case "ts_us":
		perSec = 1_000_000
	case "ts_ns":
		perSec = 1_000_000_000
	}
	_, off := time.Unix(floorDiv(n, perSec), 0).In(t.zone).Zone()
	return n + int64(off)*perSec, nil
}

// shiftWall moves v, units per second since the epoch, by the zone's
// offset at its wall clock.
func shiftWall(zone *time.Location, v any, perSec int64) (any, error) {
	n, ok := v.(int64)
	if !ok {
		return nil, fmt.Errorf("a timestamp should be a java.lang.Long, not %T", v)
	}
	return n - int64(offsetAtWall(zone, floorDiv(n, perSec)))*perSec, nil
}

// offsetAtWall is Java's ZoneRules.getOffset(LocalDateTime) for the wall
// clock wall (seconds, as if in UTC): the one valid offset, or in a gap or
// an overlap the offset before the transition.
func offsetAtWall(zone *time.Location, wall int64) int {
	at := func(sec int64) int {
		_, off := time.Unix(sec, 0).In(zone).Zone()
		return off
	}
	before, after := at(wall-86400), at(wall+86400)
	if before == after || at(wall-int64(before)) == before {
		return before
	}
	if at(wall-int64(after)) == after {
		return after
	}
	return before // in the gap
}

func (t *timezoneConverter) shiftZonedTimestamp(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("a ZonedTimestamp should be a string, not %T", v)
	}
	ts, err := parseISOOffsetDateTime(s)
	if err != nil {
		return nil, err
	}
	_, own := ts.Zone()
	off := offsetAtWall(t.zone, ts.Unix()+int64(own))
	return formatISOOffset(ts.In(time.FixedZone("", off)), true), nil
}

func (t *timezoneConverter) shiftZonedTime(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("a ZonedTime should be a string, not %T", v)
	}
	tm, err := parseISOOffsetTime(s)
	if err != nil {
		return nil, err
	}
	_, off := time.Now().In(t.zone).Zone()
	return formatISOOffset(tm.In(time.FixedZone("", off)), false), nil
}

// parseISOOffsetDateTime reads Java's ISO_OFFSET_DATE_TIME:
// yyyy-MM-ddTHH:mm[:ss[.fraction]] and Z or +hh:mm[:ss].
func parseISOOffsetDateTime(s string) (time.Time, error) {
	date, rest, ok := strings.Cut(s, "T")
	d, err := time.Parse("2006-01-02", date)
	if !ok || err != nil {
		return time.Time{}, fmt.Errorf("text %q could not be parsed as an ISO offset date-time", s)
	}
	tm, err := parseISOOffsetTime(rest)
	if err != nil {
		return time.Time{}, fmt.Errorf("text %q could not be parsed as an ISO offset date-time", s)
	}
	y, mo, dd := d.Date()
	return time.Date(y, mo, dd, tm.Hour(), tm.Minute(), tm.Second(), tm.Nanosecond(), tm.Location()), nil
}

// parseISOOffsetTime reads Java's ISO_OFFSET_TIME, HH:mm[:ss[.fraction]]
// and the offset, into a time on 1 January of year 0 in that offset.
func parseISOOffsetTime(s string) (time.Time, error) {
	bad := fmt.Errorf("text %q could not be parsed as an ISO offset time", s)
	i := strings.IndexAny(s, "Z+-")
	if i < 0 {
		return time.Time{}, bad
	}
	clock, zone := s[:i], s[i:]
	off, ok := parseISOOffset(zone)
	if !ok {
		return time.Time{}, bad
	}
	parts := strings.Split(clock, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return time.Time{}, bad
	}
	var hms [3]int
	nanos := 0
	for k, p := range parts {
		if k == 2 {
			sec, frac, hasFrac := strings.Cut(p, ".")
			if hasFrac {
				if len(frac) == 0 || len(frac) > 9 {
					return time.Time{}, bad
				}
				n, err := strconv.Atoi(frac + strings.Repeat("0", 9-len(frac)))
				if err != nil {
					return time.Time{}, bad
				}
				nanos = n
			}
			p = sec
		}
		n, err := strconv.Atoi(p)
		if err != nil || len(p) != 2 {
			return time.Time{}, bad
		}
		hms[k] = n
	}
	if hms[0] > 23 || hms[1] > 59 || hms[2] > 59 {
		return time.Time{}, bad
	}
	return time.Date(0, 1, 1, hms[0], hms[1], hms[2], nanos, time.FixedZone("", off)), nil
}

// parseISOOffset reads Z or +hh:mm[:ss] into seconds east of UTC; as
// Java's ZoneOffset, at most 18 hours.
func parseISOOffset(z string) (int, bool) {
	if z == "Z" {
		return 0, true
	}
	if !tzOffsetPattern.MatchString(z) {
		return 0, false
	}
	h, _ := strconv.Atoi(z[1:3])
	m, _ := strconv.Atoi(z[4:6])
	sec := 0
	if len(z) > 6 {
		sec, _ = strconv.Atoi(z[7:9])
	}
	off := h*3600 + m*60 + sec
	if m > 59 || sec > 59 || off > 18*3600 {
		return 0, false
	}
	if z[0] == '-' {
		off = -off
	}
	return off, true
}

// formatISOOffset writes t as Java's ISO_OFFSET_DATE_TIME (withDate) or
// ISO_OFFSET_TIME: seconds always, the fraction without trailing zeros,
// the offset Z when zero, else +hh:mm and :ss when it has seconds.
func formatISOOffset(t time.Time, withDate bool) string {
	var b strings.Builder
	if withDate {
		b.WriteString(t.Format("2006-01-02T"))
	}
	b.WriteString(t.Format("15:04:05"))
	if ns := t.Nanosecond(); ns != 0 {
		frac := strings.TrimRight(fmt.Sprintf("%09d", ns), "0")
		b.WriteString("." + frac)
	}
	_, off := t.Zone()
	if off == 0 {
		b.WriteString("Z")
		return b.String()
	}
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	fmt.Fprintf(&b, "%c%02d:%02d", sign, off/3600, off/60%60)
	if off%60 != 0 {
		fmt.Fprintf(&b, ":%02d", off%60)
	}
	return b.String()
}
