package mysql

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sluice-cdc/sluice/connector/change"
)

// columnDef is what Sluice knows about one column of one table version,
// read from information_schema.
type columnDef struct {
	Name       string
	DataType   string // information_schema DATA_TYPE, lower case ("int", "varchar", ...)
	ColumnType string // information_schema COLUMN_TYPE ("int(10) unsigned", "enum('a','b')")
	Nullable   bool
	Unsigned   bool
	Precision  int // NUMERIC_PRECISION for decimals, bit count for BIT
	Scale      int // NUMERIC_SCALE
	FSP        int // DATETIME_PRECISION
	Charset    string
	JSON       bool // MariaDB's JSON alias: LONGTEXT with a json_valid() check
	EnumValues []string
}

// typeOptions are the connector settings that change how values are
// represented. Only Debezium's defaults exist so far; the handling modes
// arrive with the full type matrix.
type typeOptions struct {
	// Loc is the zone TIMESTAMP values are decoded in by go-mysql (the
	// process' local zone); they are emitted in UTC.
	Loc *time.Location
}

var (
	int16Schema   = &change.Schema{Type: change.Int16}
	int32Schema   = &change.Schema{Type: change.Int32}
	int64Schema   = &change.Schema{Type: change.Int64}
	float32Schema = &change.Schema{Type: change.Float32}
	float64Schema = &change.Schema{Type: change.Float64}
	stringSchema  = &change.Schema{Type: change.String}
	bytesSchema   = &change.Schema{Type: change.Bytes}
	boolSchema    = &change.Schema{Type: change.Boolean}
)

// optional returns a copy of base marked optional when the column is nullable.
func optional(base *change.Schema, nullable bool) *change.Schema {
	c := *base
	c.Optional = nullable
	return &c
}

// buildColumn maps one MySQL column to its Connect schema and value
// converter, following Debezium's default type mapping.
func buildColumn(def columnDef, opt typeOptions) (change.Column, error) {
	col := change.Column{Name: def.Name}
	dt := def.DataType
	if def.JSON {
		dt = "json"
	}
	name := def.Name
	switch dt {
	case "tinyint", "smallint":
		if dt == "smallint" && def.Unsigned {
			col.Schema = optional(int32Schema, def.Nullable)
		} else {
			col.Schema = optional(int16Schema, def.Nullable)
		}
		col.Convert = intConverter(name, def.Unsigned)
	case "mediumint":
		col.Schema = optional(int32Schema, def.Nullable)
		col.Convert = intConverter(name, def.Unsigned)
	case "int", "integer":
		if def.Unsigned {
			col.Schema = optional(int64Schema, def.Nullable)
		} else {
			col.Schema = optional(int32Schema, def.Nullable)
		}
		col.Convert = intConverter(name, def.Unsigned)
	case "bigint":
		// bigint.unsigned.handling.mode=long: values above 2^63-1 wrap, as
		// in Debezium.
		col.Schema = optional(int64Schema, def.Nullable)
		col.Convert = intConverter(name, def.Unsigned)
	case "decimal", "numeric":
		s := &change.Schema{Type: change.Bytes, Optional: def.Nullable, Name: change.DecimalName, Version: 1,
			Parameters: []change.Param{{Key: "scale", Value: strconv.Itoa(def.Scale)},
				{Key: "connect.decimal.precision", Value: strconv.Itoa(def.Precision)}}}
		col.Schema = s
		col.Convert = decimalConverter(name, def.Scale)
	case "float":
		col.Schema = optional(float32Schema, def.Nullable)
		col.Convert = floatConverter(name)
	case "double", "real":
		col.Schema = optional(float64Schema, def.Nullable)
		col.Convert = floatConverter(name)
	case "bit":
		if def.Precision <= 1 {
			col.Schema = optional(boolSchema, def.Nullable)
			col.Convert = bitBoolConverter(name)
		} else {
			col.Schema = &change.Schema{Type: change.Bytes, Optional: def.Nullable, Name: change.BitsName, Version: 1,
				Parameters: []change.Param{{Key: "length", Value: strconv.Itoa(def.Precision)}}}
			col.Convert = bitsConverter(name, def.Precision)
		}
	case "year":
		col.Schema = &change.Schema{Type: change.Int32, Optional: def.Nullable, Name: change.YearName, Version: 1}
		col.Convert = intConverter(name, false)
	case "date":
		col.Schema = &change.Schema{Type: change.Int32, Optional: def.Nullable, Name: change.DateName, Version: 1}
		col.Convert = dateConverter(name, def.Nullable)
	case "time":
		col.Schema = &change.Schema{Type: change.Int64, Optional: def.Nullable, Name: change.MicroTimeName, Version: 1}
		col.Convert = timeConverter(name)
	case "datetime":
		if def.FSP <= 3 {
			col.Schema = &change.Schema{Type: change.Int64, Optional: def.Nullable, Name: change.TimestampName, Version: 1}
		} else {
			col.Schema = &change.Schema{Type: change.Int64, Optional: def.Nullable, Name: change.MicroTimestampName, Version: 1}
		}
		col.Convert = datetimeConverter(name, def.FSP > 3, def.Nullable)
	case "timestamp":
		col.Schema = &change.Schema{Type: change.String, Optional: def.Nullable, Name: change.ZonedTimestampName, Version: 1}
		col.Convert = timestampConverter(name, def.FSP, def.Nullable)
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext":
		col.Schema = optional(stringSchema, def.Nullable)
		col.Convert = stringConverter(name, def.Charset)
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		col.Schema = optional(bytesSchema, def.Nullable)
		col.Convert = bytesConverter(name)
	case "json":
		col.Schema = &change.Schema{Type: change.String, Optional: def.Nullable, Name: change.JSONName, Version: 1}
		col.Convert = stringConverter(name, "utf8mb4")
	case "enum":
		col.Schema = &change.Schema{Type: change.String, Optional: def.Nullable, Name: change.EnumName, Version: 1,
			Parameters: []change.Param{{Key: "allowed", Value: strings.Join(def.EnumValues, ",")}}}
		col.Convert = enumConverter(name, def.EnumValues)
	case "set":
		col.Schema = &change.Schema{Type: change.String, Optional: def.Nullable, Name: change.EnumSetName, Version: 1,
			Parameters: []change.Param{{Key: "allowed", Value: strings.Join(def.EnumValues, ",")}}}
		col.Convert = setConverter(name, def.EnumValues)
	default:
		return col, fmt.Errorf("column %q has type %q, which Sluice cannot capture yet; exclude the table with table.exclude.list", def.Name, def.ColumnType)
	}
	return col, nil
}

func typeError(col string, v any, want string) error {
	return fmt.Errorf("column %q: decoded value %v of type %T where %s was expected; the table's schema may have changed under the binlog reader", col, v, v, want)
}

func intConverter(col string, unsigned bool) func(any) (any, error) {
	return func(v any) (any, error) {
		switch x := v.(type) {
		case nil:
			return nil, nil
		case int8:
			if unsigned {
				return int64(uint8(x)), nil
			}
			return int64(x), nil
		case int16:
			if unsigned {
				return int64(uint16(x)), nil
			}
			return int64(x), nil
		case int32:
			if unsigned {
				// MEDIUMINT arrives as int32 too; a negative value of an
				// unsigned MEDIUMINT can only come from 24-bit sign extension.
				if x < 0 && x >= -1<<23 {
					return int64(x) & 0xFFFFFF, nil
				}
				return int64(uint32(x)), nil
			}
			return int64(x), nil
		case int64:
			return x, nil
		case uint8:
			return int64(x), nil
		case uint16:
			return int64(x), nil
		case uint32:
			return int64(x), nil
		case uint64:
			return int64(x), nil
		case int:
			return int64(x), nil
		}
		return nil, typeError(col, v, "an integer")
	}
}

func floatConverter(col string) func(any) (any, error) {
	return func(v any) (any, error) {
		switch x := v.(type) {
		case nil:
			return nil, nil
		case float32:
			return float64(x), nil
		case float64:
			return x, nil
		}
		return nil, typeError(col, v, "a float")
	}
}

// decimalConverter turns go-mysql's decimal text into Connect's Decimal
// bytes: the unscaled value, big-endian two's complement, minimal length.
func decimalConverter(col string, scale int) func(any) (any, error) {
	return func(v any) (any, error) {
		var s string
		switch x := v.(type) {
		case nil:
			return nil, nil
		case string:
			s = x
		case []byte:
			s = string(x)
		default:
			return nil, typeError(col, v, "a decimal string")
		}
		b, err := decimalBytes(s, scale)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", col, err)
		}
		return b, nil
	}
}

// decimalBytes encodes a decimal text at the given scale as Connect's
// Decimal representation. Values that fit in int64 avoid math/big.
func decimalBytes(s string, scale int) ([]byte, error) {
	neg := strings.HasPrefix(s, "-")
	digits := strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(digits, ".")
	if len(frac) > scale {
		return nil, fmt.Errorf("decimal %q has more than %d fraction digits", s, scale)
	}
	unscaled := intPart + frac + strings.Repeat("0", scale-len(frac))
	if len(unscaled) <= 18 {
		n, err := strconv.ParseInt(unscaled, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("parsing decimal %q: %w", s, err)
		}
		if neg {
			n = -n
		}
		return int64Bytes(n), nil
	}
	n, ok := new(big.Int).SetString(unscaled, 10)
	if !ok {
		return nil, fmt.Errorf("parsing decimal %q", s)
	}
	if neg {
		n.Neg(n)
	}
	return bigIntBytes(n), nil
}

// int64Bytes is the minimal big-endian two's complement form of n, as
// Java's BigInteger.toByteArray writes it.
func int64Bytes(n int64) []byte {
	var buf [8]byte
	for i := 7; i >= 0; i-- {
		buf[i] = byte(n)
		n >>= 8
	}
	i := 0
	for i < 7 && ((buf[i] == 0 && buf[i+1]&0x80 == 0) || (buf[i] == 0xFF && buf[i+1]&0x80 != 0)) {
		i++
	}
	out := make([]byte, 8-i)
	copy(out, buf[i:])
	return out
}

// bigIntBytes is BigInteger.toByteArray for any size.
func bigIntBytes(n *big.Int) []byte {
	if n.Sign() >= 0 {
		b := n.Bytes()
		if len(b) == 0 || b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return b
	}
	// Two's complement of a negative number: 2^(8k) + n for the smallest k
	// that keeps the sign bit set.
	k := (n.BitLen()+8)/8 + 1
	m := new(big.Int).Lsh(big.NewInt(1), uint(8*k))
	m.Add(m, n)
	b := m.Bytes()
	for len(b) > 1 && b[0] == 0xFF && b[1]&0x80 != 0 {
		b = b[1:]
	}
	return b
}

func bitBoolConverter(col string) func(any) (any, error) {
	return func(v any) (any, error) {
		switch x := v.(type) {
		case nil:
			return nil, nil
		case int64:
			return x != 0, nil
		}
		return nil, typeError(col, v, "a bit value")
	}
}

// bitsConverter writes BIT(n) as io.debezium.data.Bits: little-endian bytes,
// (n+7)/8 of them.
func bitsConverter(col string, nbits int) func(any) (any, error) {
	size := (nbits + 7) / 8
	return func(v any) (any, error) {
		switch x := v.(type) {
		case nil:
			return nil, nil
		case int64:
			b := make([]byte, size)
			for i := range b {
				b[i] = byte(uint64(x) >> (8 * i))
			}
			return b, nil
		}
		return nil, typeError(col, v, "a bit value")
	}
}

var epochDay = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// dateConverter: io.debezium.time.Date, days since the epoch. Zero dates
// become null in nullable columns and the epoch otherwise, as in Debezium.
func dateConverter(col string, nullable bool) func(any) (any, error) {
	return func(v any) (any, error) {
		var s string
		switch x := v.(type) {
		case nil:
			return nil, nil
		case string:
			s = x
		case time.Time:
			return int64(x.Sub(epochDay).Hours() / 24), nil
		default:
			return nil, typeError(col, v, "a date")
		}
		y, m, d, ok := parseDate(s)
		if !ok || m == 0 || d == 0 {
			if nullable {
				return nil, nil
			}
			return int64(0), nil
		}
		return daysFromCivil(y, m, d), nil
	}
}

func parseDate(s string) (y, m, d int, ok bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, false
	}
	y, e1 := strconv.Atoi(s[0:4])
	m, e2 := strconv.Atoi(s[5:7])
	d, e3 := strconv.Atoi(s[8:10])
	return y, m, d, e1 == nil && e2 == nil && e3 == nil
}

// daysFromCivil counts days since 1970-01-01 in the proleptic Gregorian
// calendar (Howard Hinnant's algorithm), without allocating a time.Time.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era*146097 + doe - 719468)
}

// timeConverter: io.debezium.time.MicroTime, microseconds; MySQL TIME may be
// negative and exceed 24 hours ("-838:59:59.000000").
func timeConverter(col string) func(any) (any, error) {
	return func(v any) (any, error) {
		s, ok := v.(string)
		if !ok {
			if v == nil {
				return nil, nil
			}
			return nil, typeError(col, v, "a time string")
		}
		us, err := parseTimeMicros(s)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", col, err)
		}
		return us, nil
	}
}

func parseTimeMicros(s string) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	hms, frac, _ := strings.Cut(s, ".")
	parts := strings.Split(hms, ":")
	if len(parts) != 3 {
		return 0, fmt.Errorf("time value %q is not [-]H:MM:SS[.ffffff]", s)
	}
	h, e1 := strconv.ParseInt(parts[0], 10, 64)
	m, e2 := strconv.ParseInt(parts[1], 10, 64)
	sec, e3 := strconv.ParseInt(parts[2], 10, 64)
	if e1 != nil || e2 != nil || e3 != nil {
		return 0, fmt.Errorf("time value %q is not [-]H:MM:SS[.ffffff]", s)
	}
	var us int64
	if frac != "" {
		f := (frac + "000000")[:6]
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("time value %q has a bad fraction", s)
		}
		us = n
	}
	total := ((h*60+m)*60+sec)*1_000_000 + us
	if neg {
		total = -total
	}
	return total, nil
}

// datetimeConverter: io.debezium.time.Timestamp (ms) for DATETIME(0..3) and
// MicroTimestamp (µs) for DATETIME(4..6). DATETIME has no zone: the wall
// clock is taken as UTC, as Debezium does.
func datetimeConverter(col string, micros, nullable bool) func(any) (any, error) {
	return func(v any) (any, error) {
		switch x := v.(type) {
		case nil:
			return nil, nil
		case time.Time:
			if micros {
				return x.UnixMicro(), nil
			}
			return x.UnixMilli(), nil
		case string:
			// go-mysql hands zero and invalid dates over as text.
			if nullable {
				return nil, nil
			}
			return int64(0), nil
		}
		return nil, typeError(col, v, "a datetime")
	}
}

// timestampConverter: io.debezium.time.ZonedTimestamp, an ISO-8601 string
// in UTC with as many fraction digits as the column's precision.
func timestampConverter(col string, fsp int, nullable bool) func(any) (any, error) {
	return func(v any) (any, error) {
		switch x := v.(type) {
		case nil:
			return nil, nil
		case time.Time:
			return formatZoned(x.UTC(), fsp), nil
		case string:
			if nullable {
				return nil, nil
			}
			return formatZoned(time.Unix(0, 0).UTC(), fsp), nil
		}
		return nil, typeError(col, v, "a timestamp")
	}
}

func formatZoned(t time.Time, fsp int) string {
	b := make([]byte, 0, 32)
	b = t.AppendFormat(b, "2006-01-02T15:04:05")
	if fsp > 0 {
		ns := t.Nanosecond()
		b = append(b, '.')
		digits := strconv.AppendInt(nil, int64(ns)/int64(math.Pow10(9-fsp)), 10)
		for i := len(digits); i < fsp; i++ {
			b = append(b, '0')
		}
		b = append(b, digits...)
	}
	return string(append(b, 'Z'))
}

// stringConverter decodes character columns to UTF-8. go-mysql returns
// CHAR/VARCHAR as string and TEXT as []byte, both in the column's charset.
func stringConverter(col, charset string) func(any) (any, error) {
	latin1 := charset == "latin1"
	return func(v any) (any, error) {
		switch x := v.(type) {
		case nil:
			return nil, nil
		case string:
			if latin1 {
				return latin1ToUTF8([]byte(x)), nil
			}
			return x, nil
		case []byte:
			if latin1 {
				return latin1ToUTF8(x), nil
			}
			return string(x), nil
		}
		return nil, typeError(col, v, "a string")
	}
}

// latin1ToUTF8 decodes MySQL's latin1, which is Windows-1252 in the
// 0x80-0x9F range.
func latin1ToUTF8(b []byte) string {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	out := make([]byte, 0, len(b)*2)
	for _, c := range b {
		r := rune(c)
		if c >= 0x80 && c <= 0x9F {
			r = cp1252[c-0x80]
		}
		out = utf8.AppendRune(out, r)
	}
	return string(out)
}

var cp1252 = [32]rune{
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
}

func bytesConverter(col string) func(any) (any, error) {
	return func(v any) (any, error) {
		switch x := v.(type) {
		case nil:
			return nil, nil
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
		return nil, typeError(col, v, "bytes")
	}
}

// enumConverter maps the binlog's 1-based index to the value text; index 0
// is the empty string MySQL stores for an invalid value.
func enumConverter(col string, values []string) func(any) (any, error) {
	return func(v any) (any, error) {
		switch x := v.(type) {
		case nil:
			return nil, nil
		case int64:
			if x == 0 {
				return "", nil
			}
			if x < 1 || int(x) > len(values) {
				return nil, fmt.Errorf("column %q: enum index %d is outside the %d known values; the column definition may have changed", col, x, len(values))
			}
			return values[x-1], nil
		case string:
			return x, nil
		}
		return nil, typeError(col, v, "an enum index")
	}
}

// setConverter maps the binlog's bitmask to the comma-separated members.
func setConverter(col string, values []string) func(any) (any, error) {
	return func(v any) (any, error) {
		switch x := v.(type) {
		case nil:
			return nil, nil
		case int64:
			var sb strings.Builder
			for i, name := range values {
				if uint64(x)&(1<<uint(i)) != 0 {
					if sb.Len() > 0 {
						sb.WriteByte(',')
					}
					sb.WriteString(name)
				}
			}
			return sb.String(), nil
		case string:
			return x, nil
		}
		return nil, typeError(col, v, "a set bitmask")
	}
}
