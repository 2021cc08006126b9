package mysqltypes

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
)

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

// nonNull makes a converter of f, which handles every value but SQL NULL:
// NULL (nil) is the column's none(), the same for every type.
func (c *converter) nonNull(f func(any) (any, error)) func(any) (any, error) {
	return func(v any) (any, error) {
		if v == nil {
			return c.none(), nil
		}
		return f(v)
	}
}

func (c *converter) typeError(v any, want string) error {
	return fmt.Errorf("column %q: decoded value %v of type %T where %s was expected; the table's schema may have changed under the reader", c.col, v, v, want)
}

// buildColumn maps one MySQL column to its Connect schema and value
// converter, following Debezium's type mapping (3.x MySQL and MariaDB
// connectors; see DESIGN.md and the README for where Sluice has to choose).
func buildColumn(def ColumnDef, opt TypeOptions) (change.Column, error) {
	b, err := buildTyped(def, opt)
	return b.col, err
}

func buildTyped(def ColumnDef, opt TypeOptions) (builtColumn, error) {
	dt := def.DataType
	if def.JSON && opt.MariaDBJSON {
		dt = "json"
	}
	b := &typeBuild{def: def, opt: opt, dt: dt, cv: &converter{col: def.Name, nullable: def.Nullable}}
	if !b.numeric() {
		if err := b.other(); err != nil {
			return builtColumn{}, err
		}
	}
	s, f, kind, cv := b.s, b.f, b.kind, b.cv
	if def.HasDefault || def.DefaultNow {
		dv, ok, err := defaultValue(def, dt, opt, f, s)
		if err != nil {
			err = fmt.Errorf("column %q: default value %q: %w", def.Name, def.Default, err)
			if opt.ConvertFailure == config.FailureFail {
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

// typeBuild is one column's mapping being built: the Connect schema, the
// converter and the kind of value, by type family.
type typeBuild struct {
	def  ColumnDef
	opt  TypeOptions
	dt   string
	cv   *converter
	s    *change.Schema
	f    func(any) (any, error)
	kind valueKind
}

// numeric maps the integer, fixed and floating point, BIT and YEAR types;
// false: dt is none of them.
func (b *typeBuild) numeric() bool {
	def, opt, cv, nullable, dt := b.def, b.opt, b.cv, b.def.Nullable, b.dt
	var (
		s    *change.Schema
		f    func(any) (any, error)
		kind valueKind
	)
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
		if bits == 64 && def.Unsigned && opt.BigIntUnsignedMode == config.BigIntUnsignedPrecise {
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
		case config.DecimalDouble:
			s, cv.fallback = optional(float64Schema, nullable), 0.0
		case config.DecimalString:
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
	default:
		return false
	}
	b.s, b.f, b.kind = s, f, kind
	return true
}

// other maps the temporal, character, binary, JSON, ENUM/SET, spatial and
// MariaDB address and UUID types, or says the type cannot be captured.
func (b *typeBuild) other() error {
	def, opt, cv, nullable, dt := b.def, b.opt, b.cv, b.def.Nullable, b.dt
	connect := opt.TimePrecisionMode == config.TimeConnect
	adjust := !opt.NoTimeAdjuster
	var (
		s    *change.Schema
		f    func(any) (any, error)
		kind valueKind
	)
	switch dt {
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
		dec, err := DecoderFor(def.Charset)
		if err != nil {
			return fmt.Errorf("column %q: %w", def.Name, err)
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
		return fmt.Errorf("column %q has type %q, which Sluice cannot capture; exclude the table with table.exclude.list", def.Name, t)
	}
	b.s, b.f, b.kind = s, f, kind
	return nil
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
	return c.nonNull(func(v any) (any, error) {
		// BIGINT UNSIGNED above 2^63-1 wraps, as in Debezium's long mode.
		n, err := c.integer(v, "an integer")
		if err != nil {
			return nil, err
		}
		if unsigned && n < 0 && bits < 64 {
			// A value of an unsigned column decoded as signed.
			n = int64(uint64(n) & mask)
		} else if _, ok := v.(int64); ok {
			return v, nil // already boxed: boxing n again would allocate
		}
		return n, nil
	})
}

// integer reads any Go integer type; uint64 above 2^63-1 wraps.
func (c *converter) integer(v any, want string) (int64, error) {
	n, ok := AsInt64(v)
	if !ok {
		return 0, c.typeError(v, want)
	}
	return n, nil
}

// unsignedDecimalConverter is BIGINT UNSIGNED in precise mode: a Connect
// Decimal of scale 0.
func unsignedDecimalConverter(c *converter) func(any) (any, error) {
	return c.nonNull(func(v any) (any, error) {
		n, err := c.integer(v, "an unsigned integer")
		if err != nil {
			return nil, err
		}
		return uint64Bytes(uint64(n)), nil
	})
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
	return c.nonNull(func(v any) (any, error) {
		switch x := v.(type) {
		case float32:
			return float64(x), nil
		case float64:
			return v, nil // already boxed
		}
		return nil, c.typeError(v, "a float")
	})
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

// bytes reads a value go-mysql hands over as bytes, as []byte or string.
func (c *converter) bytes(v any, want string) ([]byte, error) {
	switch x := v.(type) {
	case []byte:
		return x, nil
	case string:
		return []byte(x), nil
	}
	return nil, c.typeError(v, want)
}

// --- decimals ---

// decimalConverter turns go-mysql's decimal text, or the binlog's packed
// form, into the representation decimal.handling.mode asks for.
func decimalConverter(c *converter, scale int, mode string) func(any) (any, error) {
	return c.nonNull(func(v any) (any, error) {
		var p PackedDecimal
		packed := false
		switch x := v.(type) {
		case *PackedDecimal: // the binlog's (read through the pointer: a copy in v would be boxed again)
			p, packed = *x, true
		case PackedDecimal:
			p, packed = x, true
		}
		if packed {
			if int(p.Scale) == scale && mode != config.DecimalDouble && mode != config.DecimalString {
				n, err := p.Unscaled()
				if err != nil {
					return nil, fmt.Errorf("column %q: %w", c.col, err)
				}
				return boxedInt64Bytes(n), nil
			}
			t, err := p.Text()
			if err != nil {
				return nil, fmt.Errorf("column %q: %w", c.col, err)
			}
			v = t
		}
		s, err := c.text(v, "a decimal string")
		if err != nil {
			return nil, err
		}
		switch mode {
		case config.DecimalDouble:
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, fmt.Errorf("column %q: decimal %q: %w", c.col, s, err)
			}
			return f, nil
		case config.DecimalString:
			return plainDecimal(s, scale), nil
		}
		b, err := decimalValue(s, scale)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", c.col, err)
		}
		return b, nil
	})
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

// decimalValue encodes a decimal text at the given scale as Connect's
// Decimal representation, a []byte in an interface. Values that fit in
// int64 avoid math/big, and are boxed in one allocation (boxBytes).
func decimalValue(s string, scale int) (any, error) {
	neg := strings.HasPrefix(s, "-")
	digits := strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(digits, ".")
	if len(frac) > scale {
		return nil, fmt.Errorf("decimal %q has more than %d fraction digits", s, scale)
	}
	if n, ok := unscaledInt64(intPart, frac, scale); ok {
		if neg {
			n = -n
		}
		return boxedInt64Bytes(n), nil
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
		return boxedInt64Bytes(n), nil
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

// unscaledInt64 is the unscaled value of the decimal intPart.frac at scale
// (len(frac) <= scale) when it has at most 18 digits, all of them ASCII
// digits: the common case, read without building the unscaled text.
func unscaledInt64(intPart, frac string, scale int) (int64, bool) {
	if len(intPart)+scale > 18 || len(intPart)+len(frac) == 0 {
		return 0, false
	}
	var n int64
	for _, part := range [2]string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			c := part[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int64(c-'0')
		}
	}
	for i := len(frac); i < scale; i++ {
		n *= 10
	}
	return n, true
}

// int64Bytes is the minimal big-endian two's complement form of n, as
// Java's BigInteger.toByteArray writes it.
func int64Bytes(n int64) []byte {
	var buf [8]byte
	return bytes.Clone(minimalInt64(n, &buf))
}

// boxedInt64Bytes is int64Bytes(n) as an interface value, in one
// allocation (boxBytes).
func boxedInt64Bytes(n int64) any {
	var buf [8]byte
	return boxBytes(minimalInt64(n, &buf))
}

// minimalInt64 writes n's minimal big-endian two's complement into buf and
// returns it.
func minimalInt64(n int64, buf *[8]byte) []byte {
	for i := 7; i >= 0; i-- {
		buf[i] = byte(n)
		n >>= 8
	}
	i := 0
	for i < 7 && ((buf[i] == 0 && buf[i+1]&0x80 == 0) || (buf[i] == 0xFF && buf[i+1]&0x80 != 0)) {
		i++
	}
	return buf[i:]
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
	return c.nonNull(func(v any) (any, error) {
		n, err := c.integer(v, "a bit value")
		if err != nil {
			return nil, err
		}
		return n != 0, nil
	})
}

// bitsConverter writes BIT(n) as io.debezium.data.Bits: the value's bits
// little-endian, (n+7)/8 bytes (Debezium's BitSet.toByteArray, padded).
func bitsConverter(c *converter, nbits int) func(any) (any, error) {
	size := (nbits + 7) / 8
	return c.nonNull(func(v any) (any, error) {
		n, err := c.integer(v, "a bit value")
		if err != nil {
			return nil, err
		}
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(uint64(n) >> (8 * i))
		}
		return b, nil
	})
}

// --- temporal ---

// yearConverter: io.debezium.time.Year. The binlog stores YEAR as the
// offset from 1900 with 0 for 0000, and Debezium's deserializer adds 1900
// to it either way: YEAR 0000 arrives as 1900.
func yearConverter(c *converter) func(any) (any, error) {
	return c.nonNull(func(v any) (any, error) {
		n, err := c.integer(v, "a year")
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return int64(1900), nil
		}
		return adjustYear(n), nil
	})
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
	return c.nonNull(func(v any) (any, error) {
		var y, m, d int
		switch x := v.(type) {
		case string:
			var ok bool
			y, m, d, ok = ParseDate(x)
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
		return DaysFromCivil(y, m, d), nil
	})
}

// ParseDate reads a "YYYY-MM-DD" prefix's fields, zero dates included.
func ParseDate(s string) (y, m, d int, ok bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, false
	}
	y, e1 := strconv.Atoi(s[0:4])
	m, e2 := strconv.Atoi(s[5:7])
	d, e3 := strconv.Atoi(s[8:10])
	return y, m, d, e1 == nil && e2 == nil && e3 == nil
}

// DaysFromCivil counts days since 1970-01-01 in the proleptic Gregorian
// calendar (Howard Hinnant's algorithm), without allocating a time.Time.
// It is linear in d, so a day past its month's end (a DATETIME of
// ALLOW_INVALID_DATES) runs into the next month, as time.Date has it.
func DaysFromCivil(y, m, d int) int64 {
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
	return c.nonNull(func(v any) (any, error) {
		us, _, err := c.timeMicros(v)
		if err != nil {
			return nil, err
		}
		return us, nil
	})
}

// timeMicros reads a TIME value (go-mysql hands it over as text) as
// microseconds; s is the text, for messages.
func (c *converter) timeMicros(v any) (us int64, s string, err error) {
	s, ok := v.(string)
	if !ok {
		return 0, "", c.typeError(v, "a time string")
	}
	us, err = ParseTimeMicros(s)
	if err != nil {
		return 0, s, fmt.Errorf("column %q: %w", c.col, err)
	}
	return us, s, nil
}

// connectTimeConverter: Connect's Time, milliseconds of the day (int32).
// Like Debezium, it only takes 00:00:00 to 24:00:00.
func connectTimeConverter(c *converter) func(any) (any, error) {
	return c.nonNull(func(v any) (any, error) {
		us, s, err := c.timeMicros(v)
		if err != nil {
			return nil, err
		}
		if us < 0 || us > 86_400_000_000 {
			return nil, fmt.Errorf("column %q: TIME value %s is outside 00:00:00-24:00:00, which time.precision.mode=connect cannot represent; use time.precision.mode=adaptive_time_microseconds", c.col, s)
		}
		return us / 1000, nil
	})
}

// ParseTimeMicros reads a TIME's "[-]H:MM:SS[.ffffff]" as microseconds.
func ParseTimeMicros(s string) (int64, error) {
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
	return c.nonNull(func(v any) (any, error) {
		var t time.Time
		switch x := v.(type) {
		case *PackedDatetime: // the binlog's (read through the pointer: a copy in v would be boxed again)
			return packedDatetime(c, *x, micros, adjust), nil
		case PackedDatetime: // the snapshot's
			return packedDatetime(c, x, micros, adjust), nil
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
		return datetimeEpoch(t, micros, adjust), nil
	})
}

// packedDatetime is datetimeConverter's value of a packed DATETIME.
func packedDatetime(c *converter, x PackedDatetime, micros, adjust bool) any {
	y, mo, d, h, mi, sec, us := x.Fields()
	if y == 0 || mo == 0 || d == 0 {
		return c.none() // as go-mysql's text of a zero date reads
	}
	if adjust && y < 100 {
		return datetimeEpoch(time.Date(y, time.Month(mo), d, h, mi, sec, us*1000, time.UTC), micros, adjust)
	}
	secs := DaysFromCivil(y, mo, d)*86400 + int64(h*3600+mi*60+sec)
	if micros {
		return secs*1_000_000 + int64(us)
	}
	return secs*1000 + int64(us/1000)
}

// datetimeEpoch is a DATETIME's wall clock, taken as UTC, in milliseconds
// or microseconds since the epoch, a two-digit year adjusted when asked.
func datetimeEpoch(t time.Time, micros, adjust bool) any {
	if adjust && t.Year() < 100 {
		t = t.AddDate(int(adjustYear(int64(t.Year())))-t.Year(), 0, 0)
	}
	if micros {
		return t.UnixMicro()
	}
	return t.UnixMilli()
}

// parseDatetime reads "YYYY-MM-DD[ hh:mm:ss[.ffffff]]" as a UTC wall clock;
// zero reports a zero year, month or day (MySQL's zero and partial dates).
func parseDatetime(s string) (t time.Time, zero, ok bool) {
	y, mo, d, ok := ParseDate(s)
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
		us, err := ParseTimeMicros(rest[1:])
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
	return c.nonNull(func(v any) (any, error) {
		switch x := v.(type) {
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
	})
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
func stringConverter(c *converter, dec TextDecoder) func(any) (any, error) {
	return c.nonNull(func(v any) (any, error) {
		switch x := v.(type) {
		case string:
			if dec.Keeps(x) {
				return v, nil // the text as it came, already boxed
			}
			return dec.String(x), nil
		case []byte:
			return dec.Bytes(x), nil
		}
		return nil, c.typeError(v, "a string")
	})
}

// jsonConverter: io.debezium.data.Json. MySQL's binary JSON arrives from
// the binlog as a JSONDocument that writes it as Debezium does;
// snapshot rows and MariaDB's LONGTEXT carry the text. An empty value is
// "{}" in a NOT NULL column and null otherwise, as in Debezium.
func jsonConverter(c *converter) func(any) (any, error) {
	return c.nonNull(func(v any) (any, error) {
		if doc, ok := v.(JSONDocument); ok {
			s, err := doc.JSONText()
			if err != nil {
				return nil, fmt.Errorf("column %q: %w", c.col, err)
			}
			if s != "" {
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
		return DecodeUTF8([]byte(s)), nil
	})
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
	return c.nonNull(func(v any) (any, error) {
		switch t := v.(type) {
		case string:
			return t, nil
		case []byte:
			return string(t), nil
		}
		x, err := c.integer(v, "an enum index")
		if err != nil {
			return nil, err
		}
		if x == 0 {
			return "", nil
		}
		if x < 1 || int(x) > len(values) {
			return nil, fmt.Errorf("column %q: enum index %d is outside the %d known values; the column definition may have changed", c.col, x, len(values))
		}
		return values[x-1], nil
	})
}

// setConverter maps the binlog's bitmask to the comma-separated members.
func setConverter(c *converter, values []string) func(any) (any, error) {
	return c.nonNull(func(v any) (any, error) {
		switch t := v.(type) {
		case string:
			return t, nil
		case []byte:
			return string(t), nil
		}
		n, err := c.integer(v, "a set bitmask")
		if err != nil {
			return nil, err
		}
		x := uint64(n)
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
	})
}

// --- binary ---

func binarySchema(mode string, nullable bool) (*change.Schema, valueKind) {
	switch mode {
	case config.BinaryBase64, config.BinaryBase64URLSafe, config.BinaryHex:
		return optional(stringSchema, nullable), kindString
	}
	return optional(bytesSchema, nullable), kindBytes
}

func encodeBinary(mode string, b []byte) any {
	switch mode {
	case config.BinaryBase64:
		return base64.StdEncoding.EncodeToString(b)
	case config.BinaryBase64URLSafe:
		return base64.URLEncoding.EncodeToString(b)
	case config.BinaryHex:
		return hex.EncodeToString(b)
	}
	return b
}

// binaryConverter emits binary values per binary.handling.mode. The binlog
// drops the trailing zero bytes of BINARY(n); Debezium pads them back
// (DBZ-254), and so does Sluice when pad (the declared length) is known.
func binaryConverter(c *converter, mode string, pad int) func(any) (any, error) {
	return c.nonNull(func(v any) (any, error) {
		b, err := c.bytes(v, "bytes")
		if err != nil {
			return nil, err
		}
		if len(b) < pad {
			p := make([]byte, pad)
			copy(p, b)
			b = p
		}
		return encodeBinary(mode, b), nil
	})
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
	return c.nonNull(func(v any) (any, error) {
		b, err := c.bytes(v, "a geometry value")
		if err != nil {
			return nil, err
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
	})
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
	return c.nonNull(func(v any) (any, error) {
		b, err := c.bytes(v, "a UUID")
		if err != nil {
			return nil, err
		}
		if len(b) == 36 {
			return strings.ToLower(string(b)), nil
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
	})
}

// inetConverter writes INET6/INET4 as MariaDB prints them (INET6 with an
// IPv4-mapped address as ::ffff:1.2.3.4).
func inetConverter(c *converter, v4 bool) func(any) (any, error) {
	size := 16
	if v4 {
		size = 4
	}
	return c.nonNull(func(v any) (any, error) {
		b, err := c.bytes(v, "an address")
		if err != nil {
			return nil, err
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
	})
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

// AsInt64 widens any integer go-mysql decodes; uint64 above 2^63-1 wraps.
func AsInt64(v any) (int64, bool) {
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
