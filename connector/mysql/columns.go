package mysql

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/change"
)

// columnDef is what Sluice knows about one column of one table version:
// from the binlog's TABLE_MAP (full row metadata) and/or information_schema.
type columnDef struct {
	Name       string
	DataType   string // information_schema DATA_TYPE, lower case ("int", "varchar", "uuid", "point", ...)
	ColumnType string // information_schema COLUMN_TYPE ("int(10) unsigned", "enum('a','b')"); "" when only the binlog describes the column
	Nullable   bool
	Unsigned   bool
	Precision  int // NUMERIC_PRECISION for decimals, bit count for BIT
	Scale      int // NUMERIC_SCALE
	FSP        int // DATETIME_PRECISION
	// Length is the declared length in bytes of BINARY(n) (values are
	// padded to it, as Debezium does); 0 when unknown.
	Length     int
	Charset    string
	JSON       bool // MariaDB's JSON alias: LONGTEXT with a json_valid() check
	EnumValues []string
	// Default is the literal default value (quotes and escapes removed)
	// when HasDefault; DefaultNow marks CURRENT_TIMESTAMP. Expressions,
	// NULL and no default at all leave both unset.
	Default    string
	HasDefault bool
	DefaultNow bool
	Generated  bool // VIRTUAL or STORED generated column (logged like any other with binlog_row_image=FULL)
}

// Values of the handling modes, as Debezium spells them.
const (
	DecimalPrecise = "precise"
	DecimalDouble  = "double"
	DecimalString  = "string"

	BigIntLong    = "long"
	BigIntPrecise = "precise"

	TimeAdaptiveMicros = "adaptive_time_microseconds"
	TimeConnect        = "connect"

	BinaryBytes   = "bytes"
	BinaryBase64  = "base64"
	BinaryBase64U = "base64-url-safe"
	BinaryHex     = "hex"
)

// TypeOptions are the connector settings that change how column values are
// represented. The zero value is Debezium's defaults.
type TypeOptions struct {
	DecimalMode        string // decimal.handling.mode: precise (default), double, string
	BigIntUnsignedMode string // bigint.unsigned.handling.mode: long (default), precise
	TimePrecisionMode  string // time.precision.mode: adaptive_time_microseconds (default), connect
	BinaryMode         string // binary.handling.mode: bytes (default), base64, base64-url-safe, hex
	// NoTimeAdjuster is enable.time.adjuster=false. By default Debezium
	// moves years 0-69 of DATE, DATETIME and TIMESTAMP values to 2000-2069
	// and 70-99 to 1970-1999, as MySQL does for two-digit years.
	NoTimeAdjuster bool
	// ConvertFailure is event.converting.failure.handling.mode: warn
	// (Debezium's default) and skip make a value that cannot be converted
	// null in a nullable column (warn logs it), fail stops the connector.
	// A NOT NULL column cannot take the null: that always fails, as the
	// record would in Kafka Connect.
	ConvertFailure string
	Columns        ColumnRules  // column.* mappings and message.key.columns
	ColumnFilter   columnFilter // column.include.list / column.exclude.list
}

// Values of event.converting.failure.handling.mode.
const (
	FailureFail = "fail"
	FailureWarn = "warn"
	FailureSkip = "skip"
)

// Validate checks the mode names, naming the property of a bad one.
func (o TypeOptions) Validate() error {
	for _, m := range []struct{ prop, got string }{
		{"decimal.handling.mode", o.DecimalMode}, {"bigint.unsigned.handling.mode", o.BigIntUnsignedMode},
		{"time.precision.mode", o.TimePrecisionMode}, {"binary.handling.mode", o.BinaryMode},
		{"event.converting.failure.handling.mode", o.ConvertFailure},
	} {
		var ok bool
		switch m.prop {
		case "decimal.handling.mode":
			ok = m.got == "" || m.got == DecimalPrecise || m.got == DecimalDouble || m.got == DecimalString
		case "bigint.unsigned.handling.mode":
			ok = m.got == "" || m.got == BigIntLong || m.got == BigIntPrecise
		case "time.precision.mode":
			ok = m.got == "" || m.got == TimeAdaptiveMicros || m.got == TimeConnect
		case "binary.handling.mode":
			ok = m.got == "" || m.got == BinaryBytes || m.got == BinaryBase64 || m.got == BinaryBase64U || m.got == BinaryHex
		case "event.converting.failure.handling.mode":
			ok = m.got == "" || m.got == FailureFail || m.got == FailureWarn || m.got == FailureSkip
		}
		if !ok {
			return fmt.Errorf("property %q: %q is not a mode Sluice implements", m.prop, m.got)
		}
	}
	return nil
}

// Connect schemas without logical names.
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

func logical(t change.Type, name string, nullable bool, params ...change.Param) *change.Schema {
	return &change.Schema{Type: t, Optional: nullable, Name: name, Version: 1, Parameters: params}
}

// valueKind groups columns by how their value, default and mappers behave.
type valueKind uint8

const (
	kindOther  valueKind = iota
	kindChars            // CHAR, VARCHAR, TEXT, ENUM, SET: Debezium masks these
	kindString           // other values Debezium holds as Java strings (JSON, UUID, ZonedTimestamp, decimal string, base64/hex binary)
	kindBytes            // plain binary values (ByteBuffer in Debezium): truncatable
)

// builtColumn is a column's Connect schema and converter plus what the
// mappers need to know.
type builtColumn struct {
	col        change.Column
	kind       valueKind
	defaultErr error // the default could not be converted and was dropped
}

// converter is the per-column state the value converters share. fallback
// is what a NULL-like source value (a zero date) or a NULL in a NOT NULL
// column becomes: the column's default, else the type's own fallback, as
// in Debezium's JdbcValueConverters.convertValue.
type converter struct {
	col      string
	nullable bool
	fallback any
}

func (c *converter) none() any {
	if c.nullable {
		return nil
	}
	return c.fallback
}

func (c *converter) typeError(v any, want string) error {
	return fmt.Errorf("column %q: decoded value %v of type %T where %s was expected; the table's schema may have changed under the binlog reader", c.col, v, v, want)
}

// buildColumn maps one MySQL column to its Connect schema and value
// converter, following Debezium's type mapping (3.x MySQL and MariaDB
// connectors; see DESIGN.md and the README for where Sluice has to choose).
func buildColumn(def columnDef, opt TypeOptions) (change.Column, error) {
	b, err := buildTyped(def, opt)
	return b.col, err
}

func buildTyped(def columnDef, opt TypeOptions) (builtColumn, error) {
	cv := &converter{col: def.Name, nullable: def.Nullable}
	var (
		s    *change.Schema
		f    func(any) (any, error)
		kind valueKind
	)
	nullable := def.Nullable
	dt := def.DataType
	if def.JSON {
		dt = "json"
	}
	connect := opt.TimePrecisionMode == TimeConnect
	adjust := !opt.NoTimeAdjuster
	switch dt {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		var bits int
		switch dt {
		case "tinyint":
			// Debezium up to 3.6 emits signed TINYINT as INT16 too (3.7 moves
			// it to INT8). BOOLEAN is TINYINT(1) in information_schema and in
			// the binlog, so it is INT16 as well, as after a Debezium snapshot.
			bits, s = 8, optional(int16Schema, nullable)
		case "smallint":
			bits, s = 16, optional(int16Schema, nullable)
			if def.Unsigned {
				s = optional(int32Schema, nullable)
			}
		case "mediumint":
			bits, s = 24, optional(int32Schema, nullable)
		case "int", "integer":
			bits, s = 32, optional(int32Schema, nullable)
			if def.Unsigned {
				s = optional(int64Schema, nullable)
			}
		default:
			bits, s = 64, optional(int64Schema, nullable)
		}
		cv.fallback = int64(0)
		if bits == 64 && def.Unsigned && opt.BigIntUnsignedMode == BigIntPrecise {
			s = logical(change.Bytes, change.DecimalName, nullable,
				change.Param{Key: "scale", Value: "0"}, change.Param{Key: "connect.decimal.precision", Value: "20"})
			cv.fallback = []byte{0}
			f = unsignedDecimalConverter(cv)
		} else {
			f = intConverter(cv, bits, def.Unsigned)
		}
	case "decimal", "numeric":
		f = decimalConverter(cv, def.Scale, opt.DecimalMode)
		switch opt.DecimalMode {
		case DecimalDouble:
			s, cv.fallback = optional(float64Schema, nullable), 0.0
		case DecimalString:
			s, cv.fallback, kind = optional(stringSchema, nullable), plainDecimal("0", def.Scale), kindString
		default:
			s = logical(change.Bytes, change.DecimalName, nullable,
				change.Param{Key: "scale", Value: strconv.Itoa(def.Scale)},
				change.Param{Key: "connect.decimal.precision", Value: strconv.Itoa(def.Precision)})
			cv.fallback = []byte{0}
		}
	case "float":
		// FLOAT(M,D) is FLOAT64 in Debezium (the scale decides), FLOAT and
		// FLOAT(p<=24) FLOAT32.
		if hasScale(def.ColumnType) {
			s = optional(float64Schema, nullable)
		} else {
			s = optional(float32Schema, nullable)
		}
		cv.fallback = 0.0
		f = floatConverter(cv)
	case "double", "real", "double precision":
		s, cv.fallback = optional(float64Schema, nullable), 0.0
		f = floatConverter(cv)
	case "bit":
		if def.Precision <= 1 {
			s, cv.fallback = optional(boolSchema, nullable), false
			f = bitBoolConverter(cv)
		} else {
			s = logical(change.Bytes, change.BitsName, nullable, change.Param{Key: "length", Value: strconv.Itoa(def.Precision)})
			cv.fallback = []byte{}
			f = bitsConverter(cv, def.Precision)
		}
	case "year":
		s, cv.fallback = logical(change.Int32, change.YearName, nullable), int64(0)
		f = yearConverter(cv)
	case "date":
		if connect {
			s = logical(change.Int32, change.ConnectDateName, nullable)
		} else {
			s = logical(change.Int32, change.DateName, nullable)
		}
		cv.fallback = int64(0)
		f = dateConverter(cv, adjust)
	case "time":
		if connect {
			s, cv.fallback = logical(change.Int32, change.ConnectTimeName, nullable), int64(0)
			f = connectTimeConverter(cv)
		} else {
			s, cv.fallback = logical(change.Int64, change.MicroTimeName, nullable), int64(0)
			f = timeConverter(cv)
		}
	case "datetime":
		micros := false
		switch {
		case connect:
			s = logical(change.Int64, change.ConnectTimestamp, nullable)
		case def.FSP <= 3:
			s = logical(change.Int64, change.TimestampName, nullable)
		default:
			s, micros = logical(change.Int64, change.MicroTimestampName, nullable), true
		}
		cv.fallback = int64(0)
		f = datetimeConverter(cv, micros, adjust)
	case "timestamp":
		s, kind = logical(change.String, change.ZonedTimestampName, nullable), kindString
		cv.fallback = epochZoned
		f = timestampConverter(cv, def.FSP)
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext":
		dec, err := decoderFor(def.Charset)
		if err != nil {
			return builtColumn{}, fmt.Errorf("column %q: %w", def.Name, err)
		}
		s, cv.fallback, kind = optional(stringSchema, nullable), "", kindChars
		f = stringConverter(cv, dec)
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		pad := 0
		if dt == "binary" {
			pad = def.Length
		}
		s, kind = binarySchema(opt.BinaryMode, nullable)
		cv.fallback = encodeBinary(opt.BinaryMode, []byte{})
		f = binaryConverter(cv, opt.BinaryMode, pad)
	case "json":
		s, cv.fallback, kind = logical(change.String, change.JSONName, nullable), "{}", kindString
		f = jsonConverter(cv)
	case "enum":
		opts := enumOptions(def.EnumValues)
		s = logical(change.String, change.EnumName, nullable, change.Param{Key: "allowed", Value: strings.Join(opts, ",")})
		cv.fallback, kind = "", kindChars
		f = enumConverter(cv, opts)
	case "set":
		opts := enumOptions(def.EnumValues)
		s = logical(change.String, change.EnumSetName, nullable, change.Param{Key: "allowed", Value: strings.Join(opts, ",")})
		cv.fallback, kind = "", kindChars
		f = setConverter(cv, opts)
	case "geometry", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection", "geomcollection":
		// Debezium's Geometry builder is optional whatever the column says.
		s = geometrySchema
		f = geometryConverter(cv, false)
	case "point":
		s = optional(pointSchema, nullable)
		f = geometryConverter(cv, true)
	case "uuid":
		s, cv.fallback, kind = logical(change.String, change.UUIDName, nullable), "", kindString
		f = uuidConverter(cv)
	case "inet6", "inet4":
		// Debezium's MariaDB DDL parser has no INET4/INET6 (a table with one
		// stops it); Sluice writes the address text MariaDB itself shows.
		s, cv.fallback, kind = optional(stringSchema, nullable), "", kindString
		f = inetConverter(cv, dt == "inet4")
	default:
		t := def.ColumnType
		if t == "" {
			t = def.DataType
		}
		return builtColumn{}, fmt.Errorf("column %q has type %q, which Sluice cannot capture; exclude the table with table.exclude.list", def.Name, t)
	}
	if def.HasDefault || def.DefaultNow {
		dv, ok, err := defaultValue(def, dt, opt, f, s)
		if err != nil {
			err = fmt.Errorf("column %q: default value %q: %w", def.Name, def.Default, err)
			if opt.ConvertFailure == FailureFail {
				return builtColumn{}, err
			}
			// Debezium drops a default it cannot convert (and warns).
			return builtColumn{col: change.Column{Name: def.Name, Schema: s, Convert: f}, kind: kind, defaultErr: err}, nil
		}
		if ok && dv != nil {
			withDefault := *s
			withDefault.Default, withDefault.HasDefault = dv, true
			s = &withDefault
			cv.fallback = dv
		}
	}
	return builtColumn{col: change.Column{Name: def.Name, Schema: s, Convert: f}, kind: kind}, nil
}

// --- integers ---

// intConverter accepts what go-mysql decodes for integer columns (its Go
// type follows the binlog's signedness, which may be missing) and snapshot
// values (int64/uint64), and emits int64.
func intConverter(c *converter, bits int, unsigned bool) func(any) (any, error) {
	mask := uint64(1)<<bits - 1
	if bits == 64 {
		mask = math.MaxUint64
	}
	return func(v any) (any, error) {
		if v == nil {
			return c.none(), nil
		}
		// BIGINT UNSIGNED above 2^63-1 wraps, as in Debezium's long mode.
		n, ok := asInt64(v)
		if !ok {
			return nil, c.typeError(v, "an integer")
		}
		if unsigned && n < 0 && bits < 64 {
			// A value of an unsigned column decoded as signed.
			n = int64(uint64(n) & mask)
		}
		return n, nil
	}
}

// unsignedDecimalConverter is BIGINT UNSIGNED in precise mode: a Connect
// Decimal of scale 0.
func unsignedDecimalConverter(c *converter) func(any) (any, error) {
	return func(v any) (any, error) {
		var u uint64
		switch x := v.(type) {
		case nil:
			return c.none(), nil
		case uint64:
			u = x
		case int64:
			u = uint64(x)
		case int:
			u = uint64(x)
		default:
			return nil, c.typeError(v, "an unsigned integer")
		}
		return uint64Bytes(u), nil
	}
}

// uint64Bytes is BigInteger.valueOf(u unsigned).toByteArray(): minimal
// big-endian two's complement, with a leading zero byte when the top bit is set.
func uint64Bytes(u uint64) []byte {
	if u <= math.MaxInt64 {
		return int64Bytes(int64(u))
	}
	b := make([]byte, 9)
	binary.BigEndian.PutUint64(b[1:], u)
	return b
}

func floatConverter(c *converter) func(any) (any, error) {
	return func(v any) (any, error) {
		switch x := v.(type) {
		case nil:
			return c.none(), nil
		case float32:
			return float64(x), nil
		case float64:
			return x, nil
		}
		return nil, c.typeError(v, "a float")
	}
}

// text reads a value go-mysql hands over as text, as string or []byte.
func (c *converter) text(v any, want string) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case []byte:
		return string(x), nil
	}
	return "", c.typeError(v, want)
}

// --- decimals ---

// decimalConverter turns go-mysql's decimal text into the representation
// decimal.handling.mode asks for.
func decimalConverter(c *converter, scale int, mode string) func(any) (any, error) {
	return func(v any) (any, error) {
		if v == nil {
			return c.none(), nil
		}
		s, err := c.text(v, "a decimal string")
		if err != nil {
			return nil, err
		}
		switch mode {
		case DecimalDouble:
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, fmt.Errorf("column %q: decimal %q: %w", c.col, s, err)
			}
			return f, nil
		case DecimalString:
			return plainDecimal(s, scale), nil
		}
		b, err := decimalBytes(s, scale)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", c.col, err)
		}
		return b, nil
	}
}

// plainDecimal is BigDecimal.toPlainString of a decimal text at the
// column's scale: no leading zeros, exactly scale fraction digits, no
// negative zero.
func plainDecimal(s string, scale int) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	ip, frac, _ := strings.Cut(s, ".")
	ip = strings.TrimLeft(ip, "0")
	if ip == "" {
		ip = "0"
	}
	if len(frac) < scale {
		frac += strings.Repeat("0", scale-len(frac))
	}
	zero := strings.Trim(ip, "0") == "" && strings.Trim(frac, "0") == ""
	var b strings.Builder
	if neg && !zero {
		b.WriteByte('-')
	}
	b.WriteString(ip)
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
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

// --- bits ---

func bitBoolConverter(c *converter) func(any) (any, error) {
	return func(v any) (any, error) {
		switch x := v.(type) {
		case nil:
			return c.none(), nil
		case int64:
			return x != 0, nil
		case uint64:
			return x != 0, nil
		}
		return nil, c.typeError(v, "a bit value")
	}
}

// bitsConverter writes BIT(n) as io.debezium.data.Bits: the value's bits
// little-endian, (n+7)/8 bytes (Debezium's BitSet.toByteArray, padded).
func bitsConverter(c *converter, nbits int) func(any) (any, error) {
	size := (nbits + 7) / 8
	return func(v any) (any, error) {
		var u uint64
		switch x := v.(type) {
		case nil:
			return c.none(), nil
		case int64:
			u = uint64(x)
		case uint64:
			u = x
		default:
			return nil, c.typeError(v, "a bit value")
		}
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(u >> (8 * i))
		}
		return b, nil
	}
}

// --- temporal ---

// yearConverter: io.debezium.time.Year. The binlog stores YEAR as the
// offset from 1900 with 0 for 0000, and Debezium's deserializer adds 1900
// to it either way: YEAR 0000 arrives as 1900.
func yearConverter(c *converter) func(any) (any, error) {
	return func(v any) (any, error) {
		var n int64
		switch x := v.(type) {
		case nil:
			return c.none(), nil
		case int:
			n = int64(x)
		case int64:
			n = x
		case uint64:
			n = int64(x)
		default:
			return nil, c.typeError(v, "a year")
		}
		if n == 0 {
			return int64(1900), nil
		}
		return adjustYear(n), nil
	}
}

// adjustYear is Debezium's BinlogValueConverters.adjustTemporal: two-digit
// years 0-69 become 2000-2069 and 70-99 become 1970-1999.
func adjustYear(y int64) int64 {
	switch {
	case y >= 0 && y <= 69:
		return y + 2000
	case y >= 70 && y <= 99:
		return y + 1900
	}
	return y
}

// dateConverter: days since the epoch (io.debezium.time.Date, or Connect's
// Date in connect mode: same number). Zero and partly zero dates are NULL
// to Debezium's binlog reader: null, or the fallback in a NOT NULL column.
func dateConverter(c *converter, adjust bool) func(any) (any, error) {
	return func(v any) (any, error) {
		var y, m, d int
		switch x := v.(type) {
		case nil:
			return c.none(), nil
		case string:
			var ok bool
			y, m, d, ok = parseDate(x)
			if !ok {
				return nil, fmt.Errorf("column %q: date %q is not YYYY-MM-DD", c.col, x)
			}
		case time.Time:
			y, m, d = x.Year(), int(x.Month()), x.Day()
		default:
			return nil, c.typeError(v, "a date")
		}
		if y == 0 || m == 0 || d == 0 {
			return c.none(), nil
		}
		if adjust {
			y = int(adjustYear(int64(y)))
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
func timeConverter(c *converter) func(any) (any, error) {
	return func(v any) (any, error) {
		if v == nil {
			return c.none(), nil
		}
		us, _, err := c.timeMicros(v)
		if err != nil {
			return nil, err
		}
		return us, nil
	}
}

// timeMicros reads a TIME value (go-mysql hands it over as text) as
// microseconds; s is the text, for messages.
func (c *converter) timeMicros(v any) (us int64, s string, err error) {
	s, ok := v.(string)
	if !ok {
		return 0, "", c.typeError(v, "a time string")
	}
	us, err = parseTimeMicros(s)
	if err != nil {
		return 0, s, fmt.Errorf("column %q: %w", c.col, err)
	}
	return us, s, nil
}

// connectTimeConverter: Connect's Time, milliseconds of the day (int32).
// Like Debezium, it only takes 00:00:00 to 24:00:00.
func connectTimeConverter(c *converter) func(any) (any, error) {
	return func(v any) (any, error) {
		if v == nil {
			return c.none(), nil
		}
		us, s, err := c.timeMicros(v)
		if err != nil {
			return nil, err
		}
		if us < 0 || us > 86_400_000_000 {
			return nil, fmt.Errorf("column %q: TIME value %s is outside 00:00:00-24:00:00, which time.precision.mode=connect cannot represent; use time.precision.mode=adaptive_time_microseconds", c.col, s)
		}
		return us / 1000, nil
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

// datetimeConverter: io.debezium.time.Timestamp (ms) for DATETIME(0..3),
// MicroTimestamp (µs) for DATETIME(4..6), Connect's Timestamp (ms) in
// connect mode. DATETIME has no zone: the wall clock is taken as UTC, as
// Debezium does. go-mysql hands dates before 1970 and zero or invalid dates
// over as text.
func datetimeConverter(c *converter, micros, adjust bool) func(any) (any, error) {
	return func(v any) (any, error) {
		var t time.Time
		switch x := v.(type) {
		case nil:
			return c.none(), nil
		case time.Time:
			t = x
		case string:
			var ok, zero bool
			t, zero, ok = parseDatetime(x)
			if !ok {
				return nil, fmt.Errorf("column %q: datetime %q is not YYYY-MM-DD hh:mm:ss[.ffffff]", c.col, x)
			}
			if zero {
				return c.none(), nil
			}
		default:
			return nil, c.typeError(v, "a datetime")
		}
		if adjust && t.Year() < 100 {
			t = t.AddDate(int(adjustYear(int64(t.Year())))-t.Year(), 0, 0)
		}
		if micros {
			return t.UnixMicro(), nil
		}
		return t.UnixMilli(), nil
	}
}

// parseDatetime reads "YYYY-MM-DD[ hh:mm:ss[.ffffff]]" as a UTC wall clock;
// zero reports a zero year, month or day (MySQL's zero and partial dates).
func parseDatetime(s string) (t time.Time, zero, ok bool) {
	y, mo, d, ok := parseDate(s)
	if !ok {
		return time.Time{}, false, false
	}
	if y == 0 || mo == 0 || d == 0 {
		return time.Time{}, true, true
	}
	var h, mi, sec, ns int
	if rest := s[10:]; rest != "" {
		if rest[0] != ' ' && rest[0] != 'T' {
			return time.Time{}, false, false
		}
		us, err := parseTimeMicros(rest[1:])
		if err != nil || us < 0 || us >= 86_400_000_000 {
			return time.Time{}, false, false
		}
		h, mi, sec, ns = int(us/3_600_000_000), int(us/60_000_000%60), int(us/1_000_000%60), int(us%1_000_000)*1000
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC), false, true
}

// epochZoned is the fallback of a NOT NULL TIMESTAMP (Debezium's
// fallbackTimestampWithTimeZone: no fraction whatever the precision).
const epochZoned = "1970-01-01T00:00:00Z"

// timestampConverter: io.debezium.time.ZonedTimestamp, an ISO-8601 string
// in UTC. Debezium formats it with exactly fsp fraction digits for
// TIMESTAMP(1..6) and ISO_OFFSET_DATE_TIME (no fraction) for TIMESTAMP.
func timestampConverter(c *converter, fsp int) func(any) (any, error) {
	return func(v any) (any, error) {
		switch x := v.(type) {
		case nil:
			return c.none(), nil
		case time.Time:
			return formatZoned(x.UTC(), fsp), nil
		case string:
			t, zero, ok := parseDatetime(x)
			if !ok {
				return nil, fmt.Errorf("column %q: timestamp %q is not YYYY-MM-DD hh:mm:ss[.ffffff]", c.col, x)
			}
			if zero || t.Unix() == 0 && t.Nanosecond() == 0 {
				return c.none(), nil
			}
			return formatZoned(t, fsp), nil
		}
		return nil, c.typeError(v, "a timestamp")
	}
}

func formatZoned(t time.Time, fsp int) string {
	b := make([]byte, 0, 32)
	b = t.AppendFormat(b, "2006-01-02T15:04:05")
	ns := t.Nanosecond()
	switch {
	case fsp > 0:
		b = append(b, '.')
		digits := strconv.AppendInt(nil, int64(ns)/int64(math.Pow10(9-fsp)), 10)
		for i := len(digits); i < fsp; i++ {
			b = append(b, '0')
		}
		b = append(b, digits...)
	case ns != 0:
		// ISO_LOCAL_TIME: as many digits as needed.
		f := strconv.AppendInt(nil, int64(ns)+1e9, 10)[1:]
		for len(f) > 0 && f[len(f)-1] == '0' {
			f = f[:len(f)-1]
		}
		b = append(append(b, '.'), f...)
	}
	return string(append(b, 'Z'))
}

// --- strings ---

// stringConverter decodes character columns to UTF-8. go-mysql returns
// CHAR/VARCHAR as string and TEXT as []byte, both in the column's charset.
func stringConverter(c *converter, dec textDecoder) func(any) (any, error) {
	return func(v any) (any, error) {
		switch x := v.(type) {
		case nil:
			return c.none(), nil
		case string:
			if isASCII(x) && dec.asciiSafe || dec.utf8 && utf8.ValidString(x) {
				return x, nil
			}
			return dec.fn([]byte(x)), nil
		case []byte:
			if dec.utf8 && utf8.Valid(x) {
				return string(x), nil
			}
			return dec.fn(x), nil
		}
		return nil, c.typeError(v, "a string")
	}
}

// textDecoder turns a charset's bytes into UTF-8 text. asciiSafe charsets
// keep ASCII bytes as they are.
type textDecoder struct {
	fn        func([]byte) string
	utf8      bool
	asciiSafe bool
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// jsonConverter: io.debezium.data.Json. MySQL's binary JSON arrives from
// the binlog as mysqlJSON (decodeRows), written as Debezium writes it;
// snapshot rows and MariaDB's LONGTEXT carry the text. An empty value is
// "{}" in a NOT NULL column and null otherwise, as in Debezium.
func jsonConverter(c *converter) func(any) (any, error) {
	return func(v any) (any, error) {
		if v == nil {
			return c.none(), nil
		}
		if b, ok := v.(mysqlJSON); ok {
			if len(b) > 0 {
				s, err := mysqlJSONText(b)
				if err != nil {
					return nil, fmt.Errorf("column %q: %w", c.col, err)
				}
				return s, nil
			}
			v = ""
		}
		s, err := c.text(v, "JSON text")
		if err != nil {
			return nil, err
		}
		if s == "" {
			if c.nullable {
				return nil, nil
			}
			return "{}", nil
		}
		return utf8Lossy([]byte(s)), nil
	}
}

// enumOptions is Debezium's MariaDbAntlrDdlParser.escapeOption applied to
// each value: a comma in a value is written "\,", in the allowed list and
// in values alike.
func enumOptions(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = strings.ReplaceAll(v, ",", `\,`)
	}
	return out
}

// enumConverter maps the binlog's 1-based index to the value text; index 0
// is the empty string MySQL stores for an invalid value. Snapshot rows carry
// the text itself.
func enumConverter(c *converter, values []string) func(any) (any, error) {
	return func(v any) (any, error) {
		var x int64
		switch t := v.(type) {
		case nil:
			return c.none(), nil
		case int64:
			x = t
		case uint64:
			x = int64(t)
		case string:
			return t, nil
		case []byte:
			return string(t), nil
		default:
			return nil, c.typeError(v, "an enum index")
		}
		if x == 0 {
			return "", nil
		}
		if x < 1 || int(x) > len(values) {
			return nil, fmt.Errorf("column %q: enum index %d is outside the %d known values; the column definition may have changed", c.col, x, len(values))
		}
		return values[x-1], nil
	}
}

// setConverter maps the binlog's bitmask to the comma-separated members.
func setConverter(c *converter, values []string) func(any) (any, error) {
	return func(v any) (any, error) {
		var x uint64
		switch t := v.(type) {
		case nil:
			return c.none(), nil
		case int64:
			x = uint64(t)
		case uint64:
			x = t
		case string:
			return t, nil
		case []byte:
			return string(t), nil
		default:
			return nil, c.typeError(v, "a set bitmask")
		}
		var sb strings.Builder
		for i := 0; x != 0; i, x = i+1, x>>1 {
			if x&1 == 0 {
				continue
			}
			if sb.Len() > 0 {
				sb.WriteByte(',')
			}
			if i >= len(values) {
				return nil, fmt.Errorf("column %q: set member %d is outside the %d known values; the column definition may have changed", c.col, i+1, len(values))
			}
			sb.WriteString(values[i])
		}
		return sb.String(), nil
	}
}

// --- binary ---

func binarySchema(mode string, nullable bool) (*change.Schema, valueKind) {
	switch mode {
	case BinaryBase64, BinaryBase64U, BinaryHex:
		return optional(stringSchema, nullable), kindString
	}
	return optional(bytesSchema, nullable), kindBytes
}

func encodeBinary(mode string, b []byte) any {
	switch mode {
	case BinaryBase64:
		return base64.StdEncoding.EncodeToString(b)
	case BinaryBase64U:
		return base64.URLEncoding.EncodeToString(b)
	case BinaryHex:
		return hex.EncodeToString(b)
	}
	return b
}

// binaryConverter emits binary values per binary.handling.mode. The binlog
// drops the trailing zero bytes of BINARY(n); Debezium pads them back
// (DBZ-254), and so does Sluice when pad (the declared length) is known.
func binaryConverter(c *converter, mode string, pad int) func(any) (any, error) {
	return func(v any) (any, error) {
		var b []byte
		switch x := v.(type) {
		case nil:
			return c.none(), nil
		case []byte:
			b = x
		case string:
			b = []byte(x)
		default:
			return nil, c.typeError(v, "bytes")
		}
		if len(b) < pad {
			p := make([]byte, pad)
			copy(p, b)
			b = p
		}
		return encodeBinary(mode, b), nil
	}
}

// --- spatial ---

// geometrySchema is Debezium's io.debezium.data.geometry.Geometry: optional
// even for NOT NULL columns, as its builder makes it.
var geometrySchema = &change.Schema{Type: change.Struct, Optional: true, Name: change.GeometryName, Version: 1, Doc: "Geometry",
	Fields: []change.Field{
		{Name: "wkb", Schema: bytesSchema},
		{Name: "srid", Schema: &change.Schema{Type: change.Int32, Optional: true}},
	}}

// PointName is Debezium's logical name for MySQL POINT columns.
const PointName = "io.debezium.data.geometry.Point"

// pointSchema is io.debezium.data.geometry.Point: x, y and the WKB.
var pointSchema = &change.Schema{Type: change.Struct, Name: PointName, Version: 1, Doc: "Geometry (POINT)",
	Fields: []change.Field{
		{Name: "x", Schema: float64Schema},
		{Name: "y", Schema: float64Schema},
		{Name: "wkb", Schema: &change.Schema{Type: change.Bytes, Optional: true}},
		{Name: "srid", Schema: &change.Schema{Type: change.Int32, Optional: true}},
	}}

// geometryConverter splits MySQL's internal geometry value (4-byte
// little-endian SRID, then WKB) as Debezium's BinlogGeometry does: SRID 0
// is null.
func geometryConverter(c *converter, point bool) func(any) (any, error) {
	schema := geometrySchema
	if point {
		schema = pointSchema
	}
	return func(v any) (any, error) {
		var b []byte
		switch x := v.(type) {
		case nil:
			return c.none(), nil
		case []byte:
			b = x
		case string:
			b = []byte(x)
		default:
			return nil, c.typeError(v, "a geometry value")
		}
		if len(b) < 4 {
			return nil, fmt.Errorf("column %q: geometry value of %d bytes lacks the 4-byte SRID", c.col, len(b))
		}
		var srid any
		if id := int32(binary.LittleEndian.Uint32(b)); id != 0 {
			srid = int64(id)
		}
		wkb := b[4:len(b):len(b)]
		if !point {
			return &change.Value{Schema: schema, Values: []any{wkb, srid}}, nil
		}
		x, y, err := wkbPoint(wkb)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", c.col, err)
		}
		return &change.Value{Schema: schema, Values: []any{x, y, wkb, srid}}, nil
	}
}

// wkbPoint reads a 2D point's WKB (Debezium's Point.parseWKBPoint).
func wkbPoint(wkb []byte) (x, y float64, err error) {
	if len(wkb) != 21 {
		return 0, 0, fmt.Errorf("POINT value has a %d-byte WKB, not 21", len(wkb))
	}
	var bo binary.ByteOrder = binary.BigEndian
	if wkb[0] != 0 {
		bo = binary.LittleEndian
	}
	if t := bo.Uint32(wkb[1:]); t != 1 {
		return 0, 0, fmt.Errorf("POINT value has WKB geometry type %d", t)
	}
	return math.Float64frombits(bo.Uint64(wkb[5:])), math.Float64frombits(bo.Uint64(wkb[13:])), nil
}

// --- MariaDB's UUID, INET6, INET4 ---

// uuidConverter: io.debezium.data.Uuid. The binlog carries the 16 bytes
// (as BINARY(16)), which Debezium prints as a UUID; snapshot rows carry the text.
func uuidConverter(c *converter) func(any) (any, error) {
	return func(v any) (any, error) {
		var b []byte
		switch x := v.(type) {
		case nil:
			return c.none(), nil
		case string:
			if len(x) == 36 {
				return strings.ToLower(x), nil
			}
			b = []byte(x)
		case []byte:
			if len(x) == 36 {
				return strings.ToLower(string(x)), nil
			}
			b = x
		default:
			return nil, c.typeError(v, "a UUID")
		}
		if len(b) < 16 {
			p := make([]byte, 16)
			copy(p, b) // the binlog drops trailing zero bytes of fixed binary values
			b = p
		}
		if len(b) != 16 {
			return nil, fmt.Errorf("column %q: UUID value has %d bytes, not 16", c.col, len(b))
		}
		var out [36]byte
		hex.Encode(out[0:8], b[0:4])
		out[8] = '-'
		hex.Encode(out[9:13], b[4:6])
		out[13] = '-'
		hex.Encode(out[14:18], b[6:8])
		out[18] = '-'
		hex.Encode(out[19:23], b[8:10])
		out[23] = '-'
		hex.Encode(out[24:], b[10:])
		return string(out[:]), nil
	}
}

// inetConverter writes INET6/INET4 as MariaDB prints them (INET6 with an
// IPv4-mapped address as ::ffff:1.2.3.4).
func inetConverter(c *converter, v4 bool) func(any) (any, error) {
	size := 16
	if v4 {
		size = 4
	}
	return func(v any) (any, error) {
		var b []byte
		switch x := v.(type) {
		case nil:
			return c.none(), nil
		case string:
			b = []byte(x)
		case []byte:
			b = x
		default:
			return nil, c.typeError(v, "an address")
		}
		// Snapshot rows carry the text; the binlog the fixed-size bytes,
		// without their trailing zero bytes.
		if isAddrText(b) {
			if a, err := netip.ParseAddr(string(b)); err == nil {
				return inetText(a, v4), nil
			}
		}
		if len(b) > size {
			return nil, fmt.Errorf("column %q: address value has %d bytes, not %d", c.col, len(b), size)
		}
		p := make([]byte, size)
		copy(p, b)
		a, _ := netip.AddrFromSlice(p)
		return inetText(a, v4), nil
	}
}

// isAddrText reports whether a value could be an address's text: only
// hex digits, ':' and '.', and at least one separator. Binary addresses
// of that shape are not practically possible.
func isAddrText(b []byte) bool {
	sep := false
	for _, c := range b {
		switch {
		case c == ':' || c == '.':
			sep = true
		case c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
		default:
			return false
		}
	}
	return sep
}

func inetText(a netip.Addr, v4 bool) string {
	if v4 {
		return a.Unmap().String()
	}
	if a.Is4() {
		a = netip.AddrFrom16(a.As16())
	}
	return a.String()
}

// --- defaults ---

// defaultValue converts a column's literal default to the Connect value of
// its schema, as Debezium's BinlogDefaultValueConverter does (the literal
// goes through the column's own converter, not through column mappers).
func defaultValue(def columnDef, dt string, opt TypeOptions, conv func(any) (any, error), s *change.Schema) (any, bool, error) {
	lit := strings.TrimSpace(def.Default)
	isNum := dt != "char" && dt != "varchar" && !strings.HasSuffix(dt, "text") && dt != "enum" && dt != "set" &&
		dt != "json" && !strings.HasSuffix(dt, "binary") && !strings.HasSuffix(dt, "blob")
	if isNum && !def.DefaultNow {
		switch strings.ToLower(lit) {
		case "true":
			lit = "1"
		case "false":
			lit = "0"
		}
	}
	run := func(v any) (any, bool, error) {
		out, err := conv(v)
		if err != nil {
			return nil, false, err
		}
		return out, out != nil, nil
	}
	switch dt {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		if dt == "bigint" && def.Unsigned && opt.BigIntUnsignedMode == BigIntPrecise {
			// new BigDecimal(literal): exact.
			u, err := strconv.ParseUint(strings.TrimSuffix(lit, ".0"), 10, 64)
			if err != nil {
				return nil, false, err
			}
			return run(u)
		}
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil {
			return nil, false, err
		}
		// Math.round(Double.parseDouble(literal)), then the Java narrowing.
		n := javaRound(f)
		switch dt {
		case "tinyint", "smallint":
			if dt == "smallint" && def.Unsigned {
				n = int64(int32(n))
			} else {
				n = int64(int16(n))
			}
		case "mediumint", "int", "integer":
			if dt != "mediumint" && def.Unsigned {
				return run(n)
			}
			n = int64(int32(n))
		}
		return n, true, nil
	case "decimal", "numeric":
		r, err := roundDecimal(lit, def.Scale)
		if err != nil {
			return nil, false, err
		}
		return run(r)
	case "float", "double", "real", "double precision":
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil {
			return nil, false, err
		}
		if s.Type == change.Float32 {
			f = float64(float32(f))
		}
		return f, true, nil
	case "bit":
		n, err := parseBitLiteral(lit)
		if err != nil {
			return nil, false, err
		}
		return run(n)
	case "year":
		n, err := strconv.ParseInt(lit, 10, 64)
		if err != nil {
			return nil, false, err
		}
		return adjustYear(n), true, nil
	case "date":
		if isZeroDateLiteral(lit) || lit == "0" {
			if def.Nullable {
				return nil, false, nil
			}
			lit = "1970-01-01"
		}
		if len(lit) > 10 {
			lit = lit[:10]
		}
		return run(lit)
	case "datetime":
		if def.DefaultNow {
			lit = "1970-01-01 00:00:00"
		}
		if isZeroDateLiteral(lit) || lit == "0" {
			if def.Nullable {
				return nil, false, nil
			}
			lit = "1970-01-01 00:00:00"
		}
		return run(lit)
	case "timestamp":
		if def.DefaultNow || isZeroDateLiteral(lit) || lit == "0" || lit == "1970-01-01 00:00:00" {
			if def.Nullable {
				return nil, false, nil
			}
			return epochZoned, true, nil
		}
		// Debezium reads the literal in the JVM's zone; Sluice assumes a
		// JVM in UTC, the usual container setting.
		t, zero, ok := parseDatetime(lit)
		if !ok || zero {
			return nil, false, fmt.Errorf("not a timestamp literal")
		}
		return formatZoned(t, def.FSP), true, nil
	case "time":
		if _, ts, ok := strings.Cut(lit, " "); ok {
			lit = ts
		}
		return run(lit)
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		b := []byte(def.Default)
		if dt == "binary" {
			// information_schema shows BINARY(n) defaults padded with NULs
			// the DDL did not have; Debezium converts the DDL's literal,
			// unpadded.
			for len(b) > 0 && b[len(b)-1] == 0 {
				b = b[:len(b)-1]
			}
		}
		return encodeBinary(opt.BinaryMode, b), true, nil
	case "json", "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set", "uuid":
		return def.Default, true, nil
	case "inet6", "inet4":
		return run(def.Default)
	}
	return nil, false, nil
}

// javaRound is Java's Math.round(double): floor(x+0.5), saturating.
func javaRound(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(math.Floor(f + 0.5))
}

// roundDecimal sets a decimal literal to the column's scale, HALF_UP, as
// BigDecimal.setScale does for a default value.
func roundDecimal(lit string, scale int) (string, error) {
	r, ok := new(big.Rat).SetString(lit)
	if !ok {
		return "", fmt.Errorf("not a decimal literal")
	}
	s := r.FloatString(scale + 1)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	last := s[len(s)-1]
	s = s[:len(s)-1]
	if scale == 0 {
		s = strings.TrimSuffix(s, ".")
	}
	digits := strings.Replace(s, ".", "", 1)
	n, _ := new(big.Int).SetString(digits, 10)
	if last >= '5' {
		n.Add(n, big.NewInt(1))
	}
	out := n.String()
	if scale > 0 {
		for len(out) <= scale {
			out = "0" + out
		}
		out = out[:len(out)-scale] + "." + out[len(out)-scale:]
	}
	if neg && n.Sign() != 0 {
		out = "-" + out
	}
	return out, nil
}

// parseBitLiteral reads b'0101', 0b0101 or a decimal number.
func parseBitLiteral(lit string) (int64, error) {
	l := strings.ToLower(lit)
	var digits string
	switch {
	case strings.HasPrefix(l, "b'") && strings.HasSuffix(l, "'"):
		digits = l[2 : len(l)-1]
	case strings.HasPrefix(l, "0b"):
		digits = l[2:]
	default:
		return strconv.ParseInt(l, 10, 64)
	}
	if digits == "" {
		return 0, nil
	}
	u, err := strconv.ParseUint(digits, 2, 64)
	return int64(u), err
}

func isZeroDateLiteral(lit string) bool {
	y, m, d, ok := parseDate(lit)
	return ok && (y == 0 || m == 0 || d == 0)
}

// --- column mappers (column.truncate/mask/propagate) ---

// applyMapper changes a column's schema and converter as Debezium's
// ColumnMapper does: the mapper's parameters follow the type's own, and
// the mapping converter runs on the converted value (on null too).
func applyMapper(b *builtColumn, m *mapperRule, def *columnDef) (changesValues bool) {
	s := *b.col.Schema
	s.Parameters = append([]change.Param(nil), s.Parameters...)
	conv := b.col.Convert
	switch m.kind {
	case mapTruncate:
		length := def.sourceLength()
		if length >= 0 && length <= m.n {
			return false
		}
		s.Parameters = append(s.Parameters, change.Param{Key: "truncateLength", Value: strconv.Itoa(m.n)})
		if b.kind == kindChars || b.kind == kindString || b.kind == kindBytes {
			n := m.n
			b.col.Convert = func(v any) (any, error) {
				out, err := conv(v)
				if err != nil {
					return nil, err
				}
				switch x := out.(type) {
				case string:
					return truncateUTF16(x, n), nil
				case []byte:
					if len(x) > n {
						return x[:n:n], nil
					}
				}
				return out, nil
			}
			changesValues = true
		}
	case mapMask:
		s.Parameters = append(s.Parameters, change.Param{Key: "masked", Value: "true"})
		if b.kind == kindChars {
			mask := strings.Repeat("*", m.n)
			b.col.Convert = func(any) (any, error) { return mask, nil }
			changesValues = true
		}
	case mapPropagate, mapPropagateByType:
		s.Parameters = append(s.Parameters, change.Param{Key: "__debezium.source.column.type", Value: def.sourceTypeName()})
		if l := def.sourceLength(); l >= 0 {
			s.Parameters = append(s.Parameters, change.Param{Key: "__debezium.source.column.length", Value: strconv.Itoa(l)})
		}
		if sc, ok := def.sourceScale(); ok {
			s.Parameters = append(s.Parameters, change.Param{Key: "__debezium.source.column.scale", Value: strconv.Itoa(sc)})
		}
		s.Parameters = append(s.Parameters, change.Param{Key: "__debezium.source.column.name", Value: def.Name})
	}
	b.col.Schema = &s
	return changesValues
}

// truncateUTF16 is Java's String.substring(0, n) when length() > n: n
// UTF-16 code units. A surrogate pair the cut would split is dropped whole.
func truncateUTF16(s string, n int) string {
	if len(s) <= n {
		return s // fewer bytes than n means fewer UTF-16 units too
	}
	units := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if units+w > n {
			return s[:i]
		}
		units += w
	}
	return s
}

// sourceTypeName is Debezium's column type name, upper case, as its DDL
// parser names it from SHOW CREATE TABLE: "VARCHAR", "INT UNSIGNED",
// "DECIMAL", "ENUM".
func (d *columnDef) sourceTypeName() string {
	if d.JSON {
		return "JSON"
	}
	t := d.ColumnType
	if t == "" {
		name := strings.ToUpper(d.DataType)
		if d.Unsigned {
			name += " UNSIGNED"
		}
		return name
	}
	head := t
	tail := ""
	if i := strings.IndexByte(t, '('); i >= 0 {
		head = t[:i]
		if j := strings.LastIndexByte(t, ')'); j > i {
			tail = t[j+1:]
		}
	} else if i := strings.IndexByte(t, ' '); i >= 0 {
		head, tail = t[:i], t[i:]
	}
	name := strings.ToUpper(strings.TrimSpace(head))
	for _, w := range strings.Fields(strings.ToUpper(tail)) {
		if w == "UNSIGNED" || w == "ZEROFILL" || w == "SIGNED" {
			name += " " + w
		}
	}
	return name
}

// sourceLength is Debezium's column.length(): the first number of the
// declared type (ENUM 1, SET the options plus commas), or -1.
func (d *columnDef) sourceLength() int {
	switch d.DataType {
	case "enum":
		return 1
	case "set":
		return max(0, 2*len(d.EnumValues)-1)
	}
	if d.ColumnType == "" {
		switch d.DataType {
		case "decimal", "numeric", "bit":
			return d.Precision
		case "datetime", "timestamp", "time":
			if d.FSP > 0 {
				return d.FSP
			}
		}
		return -1
	}
	l, _, ok, _ := typeDims(d.ColumnType)
	if !ok {
		return -1
	}
	return l
}

// sourceScale is Debezium's column.scale(): DECIMAL's scale, and the D of
// FLOAT(M,D)/DOUBLE(M,D).
func (d *columnDef) sourceScale() (int, bool) {
	if d.ColumnType == "" {
		if d.DataType == "decimal" || d.DataType == "numeric" {
			return d.Scale, true
		}
		return 0, false
	}
	_, sc, _, ok := typeDims(d.ColumnType)
	return sc, ok
}

func hasScale(columnType string) bool {
	_, _, _, ok := typeDims(columnType)
	return ok
}

// typeDims reads "(M)" or "(M,D)" after the type name; enum and set
// values are not dimensions.
func typeDims(columnType string) (length, scale int, hasLength, hasScale bool) {
	i := strings.IndexByte(columnType, '(')
	if i < 0 || strings.HasPrefix(columnType, "enum") || strings.HasPrefix(columnType, "set") {
		return 0, 0, false, false
	}
	j := strings.IndexByte(columnType[i:], ')')
	if j < 0 {
		return 0, 0, false, false
	}
	a, b, two := strings.Cut(columnType[i+1:i+j], ",")
	l, err := strconv.Atoi(strings.TrimSpace(a))
	if err != nil {
		return 0, 0, false, false
	}
	if !two {
		return l, 0, true, false
	}
	sc, err := strconv.Atoi(strings.TrimSpace(b))
	if err != nil {
		return l, 0, true, false
	}
	return l, sc, true, true
}

// --- character sets ---

// utf8Lossy is Java's new String(bytes, UTF_8): each invalid byte becomes
// U+FFFD.
func utf8Lossy(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out := make([]byte, 0, len(b)+8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		out = utf8.AppendRune(out, r)
		b = b[n:]
	}
	return string(out)
}

// windows1252 is Java's Cp1252 decoder, which Debezium uses for MySQL's
// latin1: the five bytes Cp1252 leaves undefined decode to U+FFFD.
var windows1252 = [32]rune{
	0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
	0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
}

func latin1ToUTF8(b []byte) string {
	out := make([]byte, 0, len(b)*2)
	for _, c := range b {
		r := rune(c)
		if c >= 0x80 && c <= 0x9F {
			r = windows1252[c-0x80]
		}
		out = utf8.AppendRune(out, r)
	}
	return string(out)
}

func asciiToUTF8(b []byte) string {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c >= 0x80 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, c)
		}
	}
	return string(out)
}

// decoderFor returns how a column's bytes become UTF-8 text, as Debezium
// decodes them with the Java charset its charset_mappings.json names.
func decoderFor(charset string) (textDecoder, error) {
	switch strings.ToLower(charset) {
	case "", "utf8", "utf8mb3", "utf8mb4":
		return textDecoder{fn: utf8Lossy, utf8: true, asciiSafe: true}, nil
	case "latin1":
		return textDecoder{fn: latin1ToUTF8, asciiSafe: true}, nil
	case "ascii":
		return textDecoder{fn: asciiToUTF8, asciiSafe: true}, nil
	}
	if dec, ok := extraDecoder(strings.ToLower(charset)); ok {
		return dec, nil
	}
	return textDecoder{}, fmt.Errorf("character set %q is not one Sluice can decode; convert the column to utf8mb4 or exclude the table with table.exclude.list", charset)
}

// --- information_schema defaults ---

var numberLiteral = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// parseColumnDefault reads information_schema's COLUMN_DEFAULT. MariaDB
// (10.2.7+) shows an expression: quoted string literals, bare numbers,
// NULL, current_timestamp(), anything else computed. MySQL shows literals
// bare and marks computed defaults DEFAULT_GENERATED in EXTRA. Debezium's
// DDL parser keeps literals and CURRENT_TIMESTAMP and treats computed
// defaults as none; so does this.
func parseColumnDefault(raw string, isNull bool, extra, dataType string, mariadb bool) (lit string, has, now bool) {
	if isNull {
		return "", false, false
	}
	lower := strings.ToLower(strings.TrimSpace(raw))
	isNow := lower == "current_timestamp" || strings.HasPrefix(lower, "current_timestamp(") ||
		lower == "now()" || strings.HasPrefix(lower, "localtimestamp")
	if isNow {
		return "", false, dataType == "timestamp" || dataType == "datetime"
	}
	if !mariadb {
		if strings.Contains(strings.ToUpper(extra), "DEFAULT_GENERATED") {
			return "", false, false
		}
		return raw, true, false
	}
	switch {
	case lower == "null":
		return "", false, false
	case len(raw) >= 2 && raw[0] == '\'' && raw[len(raw)-1] == '\'':
		return unquoteSQL(raw[1 : len(raw)-1]), true, false
	case numberLiteral.MatchString(raw), strings.HasPrefix(lower, "b'") && strings.HasSuffix(lower, "'"):
		return raw, true, false
	}
	return "", false, false
}

// unquoteSQL undoes MariaDB's escaping inside a single-quoted literal.
func unquoteSQL(s string) string {
	if !strings.ContainsAny(s, `\'`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case '0':
				b.WriteByte(0)
			case 'b':
				b.WriteByte('\b')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'Z':
				b.WriteByte(0x1a)
			case '%', '_':
				b.WriteByte('\\')
				b.WriteByte(s[i])
			default:
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// tolerant makes a nullable column's conversion failure a null, as
// Debezium's event.converting.failure.handling.mode=warn (and skip) do.
func tolerant(conv func(any) (any, error), table string, quiet bool, log *zap.Logger) func(any) (any, error) {
	return func(v any) (any, error) {
		out, err := conv(v)
		if err != nil {
			if !quiet {
				log.Warn("a value cannot be converted and is written as null (event.converting.failure.handling.mode=warn)",
					zap.String("table", table), zap.Error(err))
			}
			return nil, nil
		}
		return out, nil
	}
}

// --- a table version's columns ---

// tableColumns are a table version's columns, value fields, key columns and
// key fields as Debezium's TableSchemaBuilder makes them.
type tableColumns struct {
	cols      []change.Column
	rowFields []change.Field
	fields    []int // columns in the row value; nil = all
	key       []int
	keyFields []change.Field
}

// buildTableColumns builds every column, applies the column mappers and
// picks the message key: message.key.columns when it names columns of the
// table, the primary key otherwise. Key fields carry no mapper parameters,
// as in Debezium.
func buildTableColumns(db, table string, defs []columnDef, pk []int, opt TypeOptions, log *zap.Logger) (tableColumns, error) {
	tc := tableColumns{cols: make([]change.Column, len(defs)), rowFields: make([]change.Field, len(defs))}
	base := make([]*change.Schema, len(defs))
	mapped := make([]*mapperRule, len(defs))
	for i := range defs {
		b, err := buildTyped(defs[i], opt)
		if err != nil {
			return tc, err
		}
		if b.defaultErr != nil && opt.ConvertFailure != FailureSkip {
			log.Warn("a column default cannot be converted; the schema has no default for it", zap.String("table", db+"."+table), zap.Error(b.defaultErr))
		}
		base[i] = b.col.Schema
		if m := opt.Columns.mapperFor(db, table, &defs[i]); m != nil && applyMapper(&b, m, &defs[i]) {
			mapped[i] = m
		}
		if defs[i].Nullable && opt.ConvertFailure != FailureFail {
			b.col.Convert = tolerant(b.col.Convert, db+"."+table, opt.ConvertFailure == FailureSkip, log)
		}
		tc.cols[i] = b.col
		tc.rowFields[i] = change.Field{Name: b.col.Name, Schema: b.col.Schema}
	}
	// column.include.list / exclude.list shape the row value only; key
	// columns stay in the key.
	kept := tc.rowFields[:0:0]
	for i := range defs {
		if opt.ColumnFilter.keeps(db, table, defs[i].Name) {
			kept = append(kept, tc.rowFields[i])
			tc.fields = append(tc.fields, i)
		}
	}
	if len(kept) < len(defs) {
		tc.rowFields = kept
	} else {
		tc.fields = nil
	}
	tc.key = opt.Columns.keyColumns(db, table, defs)
	if tc.key == nil {
		tc.key = pk
	}
	for _, k := range tc.key {
		if m := mapped[k]; m != nil {
			return tc, fmt.Errorf("column %q is in the message key and property %q would change its values; Debezium keeps key values as they are, which Sluice cannot do yet: narrow the pattern so it leaves key columns out", defs[k].Name, m.prop)
		}
		tc.keyFields = append(tc.keyFields, change.Field{Name: defs[k].Name, Schema: base[k]})
	}
	return tc, nil
}

// asInt64 widens any integer go-mysql decodes; uint64 above 2^63-1 wraps.
func asInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case int:
		return int64(x), true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		return int64(x), true
	}
	return 0, false
}
