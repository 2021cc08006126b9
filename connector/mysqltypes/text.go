package mysqltypes

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
)

// FromText turns a column's value as the text protocol shows it (a
// snapshot's SELECT, a VStream row) into the native value the binlog
// decoder gives for the same column (see the package doc), so one set of
// converters serves both. b is not retained. A NULL is the caller's to
// know: FromText reads b as a value.
//
// DATETIME and TIMESTAMP text is read as a UTC wall clock: the session
// that read it must have time_zone '+00:00'. A zero or invalid date stays
// text, as go-mysql hands it over, for the converter to judge.
func FromText(def ColumnDef, b []byte) (any, error) {
	return (*Boxes)(nil).FromText(def, b)
}

// FromText is the package's FromText with the values boxed by bx: from
// its shared arrays, or, for a nil *Boxes, each on its own.
func (bx *Boxes) FromText(def ColumnDef, b []byte) (any, error) {
	switch def.DataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year":
		if def.Unsigned {
			n, err := strconv.ParseUint(string(b), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("column %q: %q is not an unsigned integer: %w", def.Name, b, err)
			}
			return bx.Uint(n), nil
		}
		n, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("column %q: %q is not an integer: %w", def.Name, b, err)
		}
		return bx.Int(n), nil
	case "float", "double", "real", "double precision":
		f, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return nil, fmt.Errorf("column %q: %q is not a number: %w", def.Name, b, err)
		}
		return bx.Float(FromFloat(def, f)), nil
	case "bit":
		// BIT values are sent as their bytes, big-endian.
		var n int64
		for _, c := range b {
			n = n<<8 | int64(c)
		}
		return bx.Int(n), nil
	case "datetime":
		// As the binlog's DATETIME: time.ParseInLocation was 7% of a
		// snapshot's CPU. Zero, partial and invalid dates read packed
		// give what their text gave the converter.
		if y, mo, d, h, mi, sec, us, ok := DatetimeFields(b); ok {
			return bx.Datetime(packedDatetimeOf(y, mo, d, h, mi, sec, us)), nil
		}
		fallthrough
	case "timestamp":
		t, err := time.ParseInLocation("2006-01-02 15:04:05.999999", string(b), time.UTC)
		if err != nil || bytes.HasPrefix(b, []byte("0000")) {
			return bx.Text(b), nil
		}
		return t, nil
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "geometry":
		return append([]byte(nil), b...), nil
	}
	return bx.Text(b), nil
}

// FromFloat is FromText for a value the client has already parsed as
// float64: a FLOAT column's value is narrowed to the float32 the binlog
// holds.
func FromFloat(def ColumnDef, f float64) float64 {
	if def.DataType == "float" {
		return float64(float32(f))
	}
	return f
}

// DatetimeFields reads "YYYY-MM-DD hh:mm:ss[.f...]" (one to six fraction
// digits) with fields in their bits' ranges; anything else is not ok.
func DatetimeFields(b []byte) (y, mo, d, h, mi, sec, us int, ok bool) {
	if len(b) < 19 || len(b) == 20 || len(b) > 26 || b[4] != '-' || b[7] != '-' || b[10] != ' ' || b[13] != ':' || b[16] != ':' {
		return
	}
	num := func(s []byte) int {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				ok = false
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	ok = true
	y, mo, d, h, mi, sec = num(b[0:4]), num(b[5:7]), num(b[8:10]), num(b[11:13]), num(b[14:16]), num(b[17:19])
	if len(b) > 19 {
		if b[19] != '.' {
			return y, mo, d, h, mi, sec, 0, false
		}
		frac := b[20:]
		us = num(frac)
		for range 6 - len(frac) {
			us *= 10
		}
	}
	ok = ok && mo <= 12 && d <= 31 && h <= 23 && mi <= 59 && sec <= 59
	return
}

// packedDatetimeOf is the binlog's packed DATETIME(6) of the fields.
func packedDatetimeOf(y, mo, d, h, mi, sec, us int) PackedDatetime {
	whole := uint64((y*13+mo)<<5|d)<<17 | uint64(h<<12|mi<<6|sec)
	return PackedDatetime{Bits: (whole+0x8000000000)<<24 | uint64(us), Dec: 6}
}
