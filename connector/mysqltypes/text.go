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
	switch def.DataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year":
		if def.Unsigned {
			n, err := strconv.ParseUint(string(b), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("column %q: %q is not an unsigned integer: %w", def.Name, b, err)
			}
			return n, nil
		}
		n, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("column %q: %q is not an integer: %w", def.Name, b, err)
		}
		return n, nil
	case "float", "double", "real", "double precision":
		f, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return nil, fmt.Errorf("column %q: %q is not a number: %w", def.Name, b, err)
		}
		return FromFloat(def, f), nil
	case "bit":
		// BIT values are sent as their bytes, big-endian.
		var n int64
		for _, c := range b {
			n = n<<8 | int64(c)
		}
		return n, nil
	case "datetime", "timestamp":
		t, err := time.ParseInLocation("2006-01-02 15:04:05.999999", string(b), time.UTC)
		if err != nil || bytes.HasPrefix(b, []byte("0000")) {
			return string(b), nil
		}
		return t, nil
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "geometry":
		return append([]byte(nil), b...), nil
	}
	return string(b), nil
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
