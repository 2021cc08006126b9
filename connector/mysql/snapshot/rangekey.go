package snapshot

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

// keyKind is how a table's ranges place a row by its key's first column:
// as an int64, in the column's own order, so that the stream finds a
// change's range with integer comparisons, exactly as the range's SELECT
// split the rows. Only types whose order is the same in Go as in the
// server can be split: integers, binary strings, DECIMALs, floats,
// temporal types, and character strings of the collations whose order of
// printable ASCII Sluice has (rangechar.go).
type keyKind string

const (
	// keyInteger: a TINYINT to BIGINT column, placed by its value (through
	// the column's converter: the binlog decodes an INT UNSIGNED as signed
	// when the TABLE_MAP has no signedness, MariaDB's default).
	keyInteger keyKind = ""
	// keyUnsigned: BIGINT UNSIGNED, placed by its bits read as unsigned.
	// The bounds stay at most 2^63-1: a key past it is placed at 2^63-1,
	// in the last range, which no bound closes. (The converter leaves such
	// a key signed: it would sort first.)
	keyUnsigned keyKind = "u"
	// keyBinary: BINARY or VARBINARY (UUIDs stored as 16 bytes), placed by
	// its first 8 bytes, zero-padded, as a big-endian number with its top
	// bit flipped (int64 order is then byte order). A bound is such a
	// prefix whose last byte is odd: a key shorter than 8 bytes that
	// matches a bound's first bytes sorts before the bound in the server
	// (a prefix is smaller), and, padded with zeros, before it here too.
	keyBinary keyKind = "b"
	// keyDecimal: DECIMAL, placed by its floor (k >= b is floor(k) >= b
	// for an integer bound b), clamped to the int64s; the MIN and MAX that
	// size the ranges are of the keys within them.
	keyDecimal keyKind = "n"
	// keyDatetime, keyDate, keyTimestamp: placed by their wall clock in
	// microseconds from 1970 (see clockPack), a TIMESTAMP's in UTC (the
	// snapshot's session time zone). Bounds are whole seconds (a DATE's
	// whole days, which the server compares as dates: a time of day in a
	// literal would be cut off).
	keyDatetime  keyKind = "t"
	keyDate      keyKind = "d"
	keyTimestamp keyKind = "z"
	// keyFloat: FLOAT and DOUBLE, placed by their floor as a DECIMAL is.
	keyFloat keyKind = "f"
	// keyTime: TIME, placed by its signed microseconds, bounds at whole
	// seconds.
	keyTime keyKind = "h"
)

// rangeKeyKind is the kind that splits a first key column of def's type
// (and collation, for a character column); false: the table is read in
// one piece.
func rangeKeyKind(def mysqltypes.ColumnDef, collation string) (keyKind, bool) {
	switch def.DataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "year":
		return keyInteger, true
	case "bigint":
		if def.Unsigned {
			return keyUnsigned, true
		}
		return keyInteger, true
	case "binary", "varbinary":
		return keyBinary, true
	case "decimal", "numeric":
		return keyDecimal, true
	case "datetime":
		return keyDatetime, true
	case "date":
		return keyDate, true
	case "timestamp":
		return keyTimestamp, true
	case "float", "double", "real", "double precision":
		return keyFloat, true
	case "time":
		return keyTime, true
	case "char", "varchar":
		if k, ok := charKinds[strings.ToLower(collation)]; ok {
			return k, true
		}
	}
	return keyInteger, false
}

// literal is bound n as SQL to compare the column with.
func (k keyKind) literal(n int64) string {
	switch k {
	case keyBinary:
		return fmt.Sprintf("X'%016x'", uint64(n)^1<<63)
	case keyDatetime, keyTimestamp:
		return "'" + clockText(n, false) + "'"
	case keyDate:
		return "'" + clockText(n, true) + "'"
	case keyTime:
		return "'" + timeText(n) + "'"
	case keyCharBinary, keyCharGeneral, keyCharUnicode, keyCharUCA1400:
		return "'" + charOrders[k].text(n) + "'"
	}
	return strconv.FormatInt(n, 10)
}

// minMaxWhere limits the MIN and MAX that plan the ranges: a BIGINT
// UNSIGNED's to the keys the bounds can hold. Were the ranges sized by
// every key, a few keys near 2^64 would leave all the others in one.
//
// A DECIMAL's or a float's likewise to the int64s, a date's to the years
// from 1000: a few zero dates ('0000-00-00', which sorts first) would
// otherwise spread the ranges over a thousand empty years. The keys left
// out are in the first or the last range, which no bound closes.
func (k keyKind) minMaxWhere(col string) string {
	switch k {
	case keyUnsigned:
		return fmt.Sprintf(" WHERE %s <= %d", col, int64(math.MaxInt64))
	case keyDecimal, keyFloat:
		return fmt.Sprintf(" WHERE %s BETWEEN %d AND %d", col, int64(math.MinInt64), int64(math.MaxInt64))
	case keyDatetime, keyDate, keyTimestamp:
		return fmt.Sprintf(" WHERE %s >= '1000-01-01'", col)
	}
	return ""
}

// bounds makes rangeBounds' bounds ones of this kind: a binary bound's
// last byte odd (see keyBinary), a temporal bound the first whole second
// (day) at or after it; repeats dropped.
func (k keyKind) bounds(b []int64) []int64 {
	var fit func(int64) (int64, bool)
	switch k {
	case keyBinary:
		fit = func(n int64) (int64, bool) { return n | 1, true }
	case keyDatetime, keyTimestamp:
		fit = func(n int64) (int64, bool) { return clockCeil(n, false) }
	case keyDate:
		fit = func(n int64) (int64, bool) { return clockCeil(n, true) }
	case keyTime:
		fit = func(n int64) (int64, bool) { return ceilTo(n, 1e6), true }
	default:
		return b
	}
	out := b[:0]
	for _, n := range b {
		n, ok := fit(n)
		if ok && (len(out) == 0 || out[len(out)-1] != n) {
			out = append(out, n)
		}
	}
	return out
}

// rangeInt is the place of a row's first primary-key column (key: the
// columns primaryKeys.of gives) among the ranges' bounds, by kind. nil
// (not a value of the kind) matters only for tables read in one piece (a
// single unbounded chunk).
func rangeInt(t *change.Table, key []int, row []any, kind keyKind) *int64 {
	if len(key) == 0 {
		return nil
	}
	v := row[key[0]]
	switch kind {
	case keyUnsigned:
		return unsignedPlace(v)
	case keyBinary:
		return binaryPlace(v)
	case keyDecimal:
		return decimalPlace(v)
	case keyDatetime, keyDate:
		return clockPlace(v, false)
	case keyTimestamp:
		return clockPlace(v, true)
	case keyFloat:
		return floatPlace(v)
	case keyTime:
		return timePlace(v)
	case keyCharBinary, keyCharGeneral, keyCharUnicode, keyCharUCA1400:
		return charPlace(kind, v, -1)
	}
	if c := t.Columns[key[0]].KeyConversion(); c != nil {
		cv, err := c(v)
		if err != nil {
			return nil
		}
		v = cv
	}
	n, ok := mysqltypes.AsInt64(v)
	if !ok {
		return nil
	}
	return &n
}

// unsignedPlace places a BIGINT UNSIGNED key: the binlog gives it as
// uint64, or as int64 with the same bits when the TABLE_MAP has no
// signedness; the snapshot's SELECT as uint64.
func unsignedPlace(v any) *int64 {
	var u uint64
	switch x := v.(type) {
	case uint64:
		u = x
	case int64:
		u = uint64(x)
	default:
		return nil
	}
	n := int64(min(u, math.MaxInt64))
	return &n
}

// placeField places a key the server sent (the MIN and MAX that plan the
// ranges; top for the MAX); nil: NULL, or not a value of the kind.
func (k keyKind) placeField(fv *gmysql.FieldValue, top bool) *int64 {
	switch fv.Type {
	case gmysql.FieldValueTypeSigned:
		n := fv.AsInt64()
		return &n
	case gmysql.FieldValueTypeUnsigned:
		return unsignedPlace(fv.AsUint64())
	case gmysql.FieldValueTypeFloat:
		return floatPlace(fv.AsFloat64())
	case gmysql.FieldValueTypeString:
		switch k {
		case keyBinary:
			return binaryPlace(fv.AsString())
		case keyDecimal:
			return decimalPlace(fv.AsString())
		case keyDatetime, keyDate, keyTimestamp:
			// The text of the server's session time zone: UTC.
			return clockPlace(fv.AsString(), false)
		case keyTime:
			return timePlace(fv.AsString())
		case keyCharBinary, keyCharGeneral, keyCharUnicode, keyCharUCA1400:
			fill := 0
			if top {
				fill = len(charOrders[k].rep) - 1
			}
			return charPlace(k, fv.AsString(), fill)
		}
		if n, err := strconv.ParseInt(string(fv.AsString()), 10, 64); err == nil {
			return &n
		}
	}
	return nil
}

// binaryPlace places a binary key: the binlog gives it as a string (a
// BINARY's trailing zeros may be left out: the padding puts them back),
// the snapshot's SELECT and MIN/MAX as bytes.
func binaryPlace(v any) *int64 {
	var b [8]byte
	switch x := v.(type) {
	case string:
		copy(b[:], x)
	case []byte:
		copy(b[:], x)
	default:
		return nil
	}
	n := int64(binary.BigEndian.Uint64(b[:]) ^ 1<<63)
	return &n
}
