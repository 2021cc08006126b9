package smt

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-cdc/sluice/connector/change"
)

// javaFloatString is Java's Double.toString (bits 64) or Float.toString
// (bits 32): plain between 10^-3 and 10^7, else d.dddE±n, always with a
// fractional digit.
func javaFloatString(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	e := strconv.FormatFloat(f, 'e', -1, bits) // -d.ddde±nn
	sign := ""
	if e[0] == '-' {
		sign, e = "-", e[1:]
	}
	mant, expText, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expText)
	digits := strings.Replace(mant, ".", "", 1)
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		if exp >= 0 {
			for len(digits) <= exp+1 {
				digits += "0"
			}
			return sign + digits[:exp+1] + "." + digits[exp+1:]
		}
		return sign + "0." + strings.Repeat("0", -exp-1) + digits
	}
	frac := digits[1:]
	if frac == "" {
		frac = "0"
	}
	return sign + digits[:1] + "." + frac + "E" + strconv.Itoa(exp)
}

// bigDecimalString is Java's BigDecimal.toString of a Connect Decimal.
func bigDecimalString(s *change.Schema, b []byte) string {
	scale := decimalScale(s)
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	digits := n.String()
	sign := ""
	if digits[0] == '-' {
		sign, digits = "-", digits[1:]
	}
	adjusted := len(digits) - 1 - scale
	if scale >= 0 && adjusted >= -6 {
		if scale == 0 {
			return sign + digits
		}
		if len(digits) <= scale {
			return sign + "0." + strings.Repeat("0", scale-len(digits)) + digits
		}
		return sign + digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	out := sign + digits[:1]
	if len(digits) > 1 {
		out += "." + digits[1:]
	}
	if adjusted >= 0 {
		return out + "E+" + strconv.Itoa(adjusted)
	}
	return out + "E" + strconv.Itoa(adjusted)
}

const millisPerDay = 86400000

// logicalMillis is the java.util.Date time of a Connect Date, Time or
// Timestamp value (days, ms of day, ms); ok is false for other schemas.
func logicalMillis(s *change.Schema, v any) (ms int64, ok bool) {
	n, isInt := v.(int64)
	if s == nil || !isInt {
		return 0, false
	}
	switch s.Name {
	case change.ConnectDateName:
		return n * millisPerDay, true
	case change.ConnectTimeName, change.ConnectTimestamp:
		return n, true
	}
	return 0, false
}

// javaDateString is Connect's Values.dateFormatFor(date).format(date): a
// time before the first day prints as a time, a whole day as a date, any
// other as a timestamp (UTC).
func javaDateString(ms int64) string {
	t := time.UnixMilli(ms).UTC()
	switch {
	case ms < millisPerDay:
		return t.Format("15:04:05.000Z")
	case ms%millisPerDay == 0:
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02T15:04:05.000Z")
}

// javaParseFloat is Java's Double.parseFloat/parseDouble for decimal text:
// surrounding whitespace and a type suffix (f, d) are allowed.
func javaParseFloat(s string) (float64, bool) {
	t := strings.TrimSpace(s)
	if n := len(t); n > 1 && strings.ContainsRune("fFdD", rune(t[n-1])) {
		t = t[:n-1]
	}
	switch t {
	case "NaN":
		return math.NaN(), true
	case "Infinity", "+Infinity":
		return math.Inf(1), true
	case "-Infinity":
		return math.Inf(-1), true
	}
	if strings.ContainsAny(t, "_xXpPiInN") {
		return 0, false
	}
	f, err := strconv.ParseFloat(t, 64)
	return f, err == nil
}
