package snapshot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-cdc/sluice/connector/mysqltypes"
	"github.com/sluice-cdc/sluice/internal/javafmt"
)

// keyText is a key as Debezium's incremental snapshot notifications print
// one: each value's Java toString (Objects.toString(x, "<null>")), as
// MariaDB's JDBC driver types it, joined by commas. Seen on Debezium
// 3.5.0.Final: DATETIME and TIMESTAMP are java.sql.Timestamp
// ("2024-01-03 00:00:00.0"), TIME a java.time.Duration ("PT13H4M6S"),
// DOUBLE "1.0E20", DATE and DECIMAL their SQL text. A TIMESTAMP prints in
// the time zone of Debezium's JVM; Sluice prints UTC, a Connect image's
// default. BINARY keys print as their bytes (Java prints byte[]'s identity
// hash, which no one can match).
func keyText(row []any, key []int, defs []mysqltypes.ColumnDef) string {
	parts := make([]string, len(key))
	for n, k := range key {
		if k >= len(row) {
			continue
		}
		var def mysqltypes.ColumnDef
		if k < len(defs) {
			def = defs[k]
		}
		parts[n] = javaText(row[k], def)
	}
	return strings.Join(parts, ",")
}

func javaText(v any, def mysqltypes.ColumnDef) string {
	switch v := v.(type) {
	case nil:
		return "<null>"
	case string:
		if def.DataType == "time" {
			if d, ok := javaDuration(v); ok {
				return d
			}
		}
		return v
	case []byte:
		return string(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case float64:
		if def.DataType == "float" {
			return string(javafmt.AppendFloat(nil, v))
		}
		return string(javafmt.AppendDouble(nil, v))
	case mysqltypes.PackedDatetime:
		return withJavaNanos(v.Text())
	case time.Time:
		return withJavaNanos(v.UTC().Format("2006-01-02 15:04:05.999999999")) // no fraction: no dot
	}
	return fmt.Sprint(v)
}

// withJavaNanos gives a "yyyy-mm-dd hh:mm:ss[.f]" text java.sql.Timestamp's
// fraction: at least one digit, trailing zeros dropped.
func withJavaNanos(s string) string {
	if len(s) == 19 {
		return s + ".0"
	}
	return s
}

// javaDuration is a TIME's text ("[-]h:mm:ss[.ffffff]") as Java's
// Duration.toString prints it: "PT13H4M6S", "PT23H", "PT-1H-0.5S".
func javaDuration(t string) (string, bool) {
	neg := strings.HasPrefix(t, "-")
	hms, frac, _ := strings.Cut(strings.TrimPrefix(t, "-"), ".")
	f := strings.Split(hms, ":")
	if len(f) != 3 || len(frac) > 9 {
		return "", false
	}
	var total int64
	for _, p := range f {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n < 0 {
			return "", false
		}
		total = total*60 + n
	}
	nanos := int64(0)
	if frac != "" {
		n, err := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
		if err != nil {
			return "", false
		}
		nanos = n
	}
	all := total*1e9 + nanos
	if neg {
		all = -all
	}
	// Duration holds floor seconds and non-negative nanos.
	secs, ns := all/1e9, all%1e9
	if ns < 0 {
		secs, ns = secs-1, ns+1e9
	}
	return durationString(secs, ns), true
}

// durationString is java.time.Duration.toString of (seconds, nanos).
func durationString(seconds, nanos int64) string {
	if seconds == 0 && nanos == 0 {
		return "PT0S"
	}
	eff := seconds
	if seconds < 0 && nanos > 0 {
		eff++
	}
	hours, minutes, secs := eff/3600, (eff%3600)/60, eff%60
	b := []byte("PT")
	if hours != 0 {
		b = append(strconv.AppendInt(b, hours, 10), 'H')
	}
	if minutes != 0 {
		b = append(strconv.AppendInt(b, minutes, 10), 'M')
	}
	if secs == 0 && nanos == 0 && len(b) > 2 {
		return string(b)
	}
	if seconds < 0 && nanos > 0 && secs == 0 {
		b = append(b, "-0"...)
	} else {
		b = strconv.AppendInt(b, secs, 10)
	}
	if nanos > 0 {
		pos := len(b)
		if seconds < 0 {
			b = strconv.AppendInt(b, 2*1e9-nanos, 10)
		} else {
			b = strconv.AppendInt(b, nanos+1e9, 10)
		}
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
		b[pos] = '.'
	}
	return string(append(b, 'S'))
}
