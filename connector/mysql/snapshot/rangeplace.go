package snapshot

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

// The places of DECIMAL, float and temporal keys among the ranges' int64
// bounds (keyDecimal, keyFloat, keyDatetime, keyDate, keyTimestamp,
// keyTime).

// decimalPlace places a DECIMAL key by its floor: the binlog gives a
// DECIMAL of up to 18 digits packed, a wider one as text, the snapshot's
// SELECT and MIN/MAX as text. Keys past the int64s are clamped to them.
func decimalPlace(v any) *int64 {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	switch x := v.(type) {
	case *mysqltypes.PackedDecimal:
		return packedDecimalFloor(*x)
	case mysqltypes.PackedDecimal:
		return packedDecimalFloor(x)
	case string:
		if n, ok := decimalFloor(x); ok {
			return &n
		}
	}
	return nil
}

func packedDecimalFloor(d mysqltypes.PackedDecimal) *int64 {
	u, err := d.Unscaled()
	if err != nil || d.Scale > 18 {
		return nil
	}
	p := int64(math.Pow10(int(d.Scale)))
	n := u / p
	if u%p < 0 {
		n-- // toward minus infinity
	}
	return &n
}

// decimalFloor is the floor of a DECIMAL's text ("-12.50"), clamped to
// the int64s; false: not such text.
func decimalFloor(s string) (int64, bool) {
	neg := len(s) > 0 && s[0] == '-'
	if neg || len(s) > 0 && s[0] == '+' {
		s = s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return 0, false
	}
	fracNonZero := false
	for i := 0; i < len(frac); i++ {
		if frac[i] < '0' || frac[i] > '9' {
			return 0, false
		}
		fracNonZero = fracNonZero || frac[i] != '0'
	}
	u := uint64(0)
	if whole != "" {
		var err error
		u, err = strconv.ParseUint(whole, 10, 64)
		if errors.Is(err, strconv.ErrRange) {
			u = math.MaxUint64
		} else if err != nil {
			return 0, false
		}
	}
	if !neg {
		return int64(min(u, math.MaxInt64)), true
	}
	if u >= 1<<63 {
		return math.MinInt64, true
	}
	n := -int64(u)
	if fracNonZero {
		n--
	}
	return n, true
}

// clockPack is a wall clock's place: microseconds from 1970 (proleptic
// Gregorian, so that the ranges' bounds, interpolated in it, are evenly
// spread in time). A date that is no day (a zero month or day, which
// MySQL sorts before the first, or a day past the month's end, which
// ALLOW_INVALID_DATES keeps) is placed a microsecond before the first day
// after it, as the server orders it among the valid ones (the bounds).
func clockPack(y, mo, d, h, mi, s, us int) int64 {
	switch {
	case mo == 0:
		return dayMicros(y, 1, 1) - 1
	case d == 0:
		return dayMicros(y, mo, 1) - 1
	case d > daysIn(y, mo):
		return dayMicros(y, mo+1, 1) - 1
	}
	return dayMicros(y, mo, d) + (int64(h*3600+mi*60+s))*1e6 + int64(us)
}

// dayMicros is a day's start in microseconds from 1970 (month 13 is the
// next year's January).
func dayMicros(y, mo, d int) int64 { return mysqltypes.DaysFromCivil(y, mo, d) * 86_400e6 }

func daysIn(y, mo int) int {
	return int(mysqltypes.DaysFromCivil(y, mo+1, 1) - mysqltypes.DaysFromCivil(y, mo, 1))
}

// clockTime is a place as a UTC time.
func clockTime(n int64) time.Time { return time.UnixMicro(n).UTC() }

// clockCeil is the first whole second (with day, whole day) at or after
// the place n, which the ranges' bounds are interpolated as; false: none
// up to 9999-12-31.
func clockCeil(n int64, day bool) (int64, bool) {
	step := int64(1e6)
	if day {
		step = 86_400e6
	}
	c := ceilTo(n, step)
	if clockTime(c).Year() > 9999 {
		return 0, false
	}
	return c, true
}

// ceilTo is the first multiple of step at or after n.
func ceilTo(n, step int64) int64 {
	c := n - n%step // toward zero: up for a negative n, down for a positive one
	if c < n {
		c += step
	}
	return c
}

// clockText is a bound as a literal's text: "YYYY-MM-DD hh:mm:ss" (a
// fraction where there is one: the MIN and MAX logged), or with day the
// date alone.
func clockText(n int64, day bool) string {
	t := clockTime(n)
	b := make([]byte, 0, 26)
	b = strconv.AppendInt(b, int64(t.Year()+10000), 10)[1:]
	b = t.AppendFormat(b, "-01-02")
	if day {
		return string(b)
	}
	b = t.AppendFormat(b, " 15:04:05")
	if us := t.Nanosecond() / 1000; us > 0 {
		b = append(b, '.')
		b = append(b, strconv.Itoa(us + 1_000_000)[1:]...)
	}
	return string(b)
}

// clockPlace places a temporal key by its wall clock: the binlog gives a
// DATETIME packed, a DATE as text, a TIMESTAMP as a time.Time (an instant:
// utc takes its UTC clock) or, when zero, as text; the snapshot's SELECT
// gives a DATETIME packed, a DATE as text, a TIMESTAMP as a time.Time in
// UTC or, when zero, as text.
func clockPlace(v any, utc bool) *int64 {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	var n int64
	switch x := v.(type) {
	case *mysqltypes.PackedDatetime:
		n = clockPack(x.Fields())
	case mysqltypes.PackedDatetime:
		n = clockPack(x.Fields())
	case time.Time:
		if utc || x.Location() == time.UTC {
			n = x.UnixMicro() // an instant, or a wall clock taken as UTC
		} else {
			n = clockPack(x.Year(), int(x.Month()), x.Day(), x.Hour(), x.Minute(), x.Second(), x.Nanosecond()/1000)
		}
	case string:
		var ok bool
		if n, ok = clockOfText(x); !ok {
			return nil
		}
	default:
		return nil
	}
	return &n
}

// clockOfText packs "YYYY-MM-DD[ hh:mm:ss[.ffffff]]", zero dates included.
func clockOfText(s string) (int64, bool) {
	if len(s) == 10 {
		y, mo, d, ok := mysqltypes.ParseDate(s)
		return clockPack(y, mo, d, 0, 0, 0, 0), ok
	}
	y, mo, d, h, mi, sec, us, ok := mysqltypes.DatetimeFields([]byte(s))
	return clockPack(y, mo, d, h, mi, sec, us), ok
}

// floatPlace places a FLOAT or DOUBLE key by its floor, clamped to the
// int64s: the binlog gives a FLOAT as float32, the snapshot as the float64
// of that float32.
func floatPlace(v any) *int64 {
	var f float64
	switch x := v.(type) {
	case float32:
		f = float64(x)
	case float64:
		f = x
	default:
		return nil
	}
	var n int64
	switch f = math.Floor(f); {
	case math.IsNaN(f):
		return nil
	case f >= math.MaxInt64: // 2^63, as a float64
		n = math.MaxInt64
	case f < math.MinInt64:
		n = math.MinInt64
	default:
		n = int64(f)
	}
	return &n
}

// timePlace places a TIME key by its microseconds, "[-]h:mm:ss[.ffffff]"
// as the binlog's and the snapshot's text has it.
func timePlace(v any) *int64 {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	s, ok := v.(string)
	if !ok {
		return nil
	}
	n, err := mysqltypes.ParseTimeMicros(s)
	if err != nil {
		return nil
	}
	return &n
}

// timeText is a TIME bound (whole seconds) as a literal's text.
func timeText(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	s := n / 1e6
	return fmt.Sprintf("%s%02d:%02d:%02d", sign, s/3600, s/60%60, s%60)
}
