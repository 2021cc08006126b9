// Package header converts record header values the way Kafka Connect's
// default header converter, org.apache.kafka.connect.storage.SimpleHeaderConverter,
// does: the UTF-8 bytes of Values.convertToString(schema, value).
//
// That string form is JSON-like but not JSON:
//
//   - a top-level string is written as is, without quotes; bytes as padded
//     standard base64, also without quotes;
//   - numbers as Java's toString (Long/Integer in decimal, Double.toString,
//     Float.toString, BigDecimal.toString for Connect Decimal), booleans as
//     true/false;
//   - a struct as {"field":value,...} in field order, a map as
//     {key:value,...}, an array as [a,b,...], with strings and bytes inside
//     them quoted and only \ and " escaped (as \\ and \"), and a null inside
//     them as null; a null struct field with a schema default is written as
//     the default (Struct.get);
//   - Connect Date, Time and Timestamp values as java.util.Date, formatted
//     by Values.dateFormatFor, never quoted: an instant less than one day
//     after the epoch (including every instant before it) as "HH:mm:ss.SSSZ"
//     with a literal Z, a whole number of days as "yyyy-MM-dd", anything else
//     as "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'". Java formats them in the worker's
//     default time zone; this package assumes UTC, which is what the Debezium
//     and Kafka Connect container images run with.
//
// Debezium's __debezium.newkey / __debezium.oldkey headers hold the key
// struct, so a key {id=1004} becomes the bytes {"id":1004}.
package header

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/internal/javafmt"
)

// String returns SimpleHeaderConverter's bytes for v under schema s, or nil
// for a nil value (a header with a null value). s may be nil; the form is
// then inferred from the Go type (float64 as a double, []byte as bytes). A
// value whose Go type does not fit its schema is written by its own Go type;
// one Connect could not hold at all is written with fmt's %v (Connect would
// fail the record instead).
func String(s *change.Schema, v any) []byte {
	if v == nil {
		return nil
	}
	if sv, ok := v.(*change.Value); ok && sv == nil {
		return nil
	}
	return appendValue(make([]byte, 0, 64), s, v, false)
}

func appendValue(b []byte, s *change.Schema, v any, embedded bool) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	if s != nil && s.Name != "" {
		switch s.Name {
		case change.DecimalName:
			if p, ok := v.([]byte); ok {
				if scale, ok := decimalScale(s); ok {
					return javafmt.AppendBigDecimal(b, p, scale)
				}
			}
		case change.ConnectDateName:
			if n, ok := v.(int64); ok {
				return appendDate(b, n*msPerDay)
			}
		case change.ConnectTimeName, change.ConnectTimestamp:
			if n, ok := v.(int64); ok {
				return appendDate(b, n)
			}
		}
	}
	switch x := v.(type) {
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		if s != nil && s.Type == change.Float32 {
			return javafmt.AppendFloat(b, x)
		}
		return javafmt.AppendDouble(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case string:
		if !embedded {
			return appendUTF8(b, x)
		}
		b = append(b, '"')
		b = appendEscaped(b, x)
		return append(b, '"')
	case []byte:
		if !embedded {
			return base64.StdEncoding.AppendEncode(b, x)
		}
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, x)
		return append(b, '"')
	case *change.Value:
		if x == nil {
			return append(b, "null"...)
		}
		if x.Schema == nil { // cannot happen in Connect: a Struct has its schema
			return append(b, "{}"...)
		}
		b = append(b, '{')
		for i := range x.Schema.Fields {
			f := &x.Schema.Fields[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = appendEscaped(b, f.Name)
			b = append(b, '"', ':')
			var fv any
			if i < len(x.Values) {
				fv = x.Values[i]
			}
			if fv == nil && f.Schema != nil && f.Schema.HasDefault {
				fv = f.Schema.Default
			}
			b = appendValue(b, f.Schema, fv, true)
		}
		return append(b, '}')
	case []any:
		var items *change.Schema
		if s != nil && s.Type == change.Array {
			items = s.Items
		}
		b = append(b, '[')
		for i, it := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, items, it, true)
		}
		return append(b, ']')
	case []change.MapEntry:
		var ks, vs *change.Schema
		if s != nil && s.Type == change.Map {
			ks, vs = s.Keys, s.Values
		}
		b = append(b, '{')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, ks, e.Key, true)
			b = append(b, ':')
			b = appendValue(b, vs, e.Value, true)
		}
		return append(b, '}')
	}
	return appendUTF8(b, fmt.Sprintf("%v", v))
}

func decimalScale(s *change.Schema) (int, bool) {
	str, ok := s.Param("scale")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(str)
	return n, err == nil
}

const msPerDay = 24 * 60 * 60 * 1000

// appendDate formats a java.util.Date of ms milliseconds since the epoch as
// Values.dateFormatFor chooses, in UTC.
func appendDate(b []byte, ms int64) []byte {
	t := time.UnixMilli(ms).UTC()
	switch {
	case ms < msPerDay:
		return appendClock(b, t)
	case ms%msPerDay == 0:
		return appendDay(b, t)
	}
	b = appendDay(b, t)
	b = append(b, 'T')
	return appendClock(b, t)
}

// appendDay writes SimpleDateFormat's yyyy-MM-dd (years padded to four
// digits; the proleptic Gregorian calendar, where Java switches to the Julian
// one before 1582-10-15).
func appendDay(b []byte, t time.Time) []byte {
	y, m, d := t.Date()
	b = appendPadded(b, y, 4)
	b = append(b, '-')
	b = appendPadded(b, int(m), 2)
	b = append(b, '-')
	return appendPadded(b, d, 2)
}

// appendClock writes HH:mm:ss.SSS'Z'.
func appendClock(b []byte, t time.Time) []byte {
	h, mi, s := t.Clock()
	b = appendPadded(b, h, 2)
	b = append(b, ':')
	b = appendPadded(b, mi, 2)
	b = append(b, ':')
	b = appendPadded(b, s, 2)
	b = append(b, '.')
	b = appendPadded(b, t.Nanosecond()/1e6, 3)
	return append(b, 'Z')
}

func appendPadded(b []byte, n, width int) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	var d [20]byte
	s := strconv.AppendInt(d[:0], int64(n), 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// appendEscaped is Values.escape: backslash and double quote get a
// backslash, nothing else changes.
func appendEscaped(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\\' || c == '"' {
			b = appendUTF8(b, s[start:i])
			b = append(b, '\\', c)
			start = i + 1
		}
	}
	return appendUTF8(b, s[start:])
}

// appendUTF8 appends s with invalid UTF-8 replaced by U+FFFD, as the bytes of
// a Java String would be.
func appendUTF8(b []byte, s string) []byte {
	if utf8.ValidString(s) {
		return append(b, s...)
	}
	for _, r := range s { // ranging yields U+FFFD for each invalid byte
		b = utf8.AppendRune(b, r)
	}
	return b
}
