package mysqltypes

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
)

// --- defaults ---

// defaultValue converts a column's literal default to the Connect value of
// its schema, as Debezium's BinlogDefaultValueConverter does (the literal
// goes through the column's own converter, not through column mappers).
func defaultValue(def ColumnDef, dt string, opt TypeOptions, conv func(any) (any, error), s *change.Schema) (any, bool, error) {
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
		if dt == "bigint" && def.Unsigned && opt.BigIntUnsignedMode == config.BigIntUnsignedPrecise {
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
	y, m, d, ok := ParseDate(lit)
	return ok && (y == 0 || m == 0 || d == 0)
}

// --- information_schema defaults ---

var numberLiteral = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// ParseColumnDefault reads information_schema's COLUMN_DEFAULT. MariaDB
// (10.2.7+) shows an expression: quoted string literals, bare numbers,
// NULL, current_timestamp(), anything else computed. MySQL shows literals
// bare and marks computed defaults DEFAULT_GENERATED in EXTRA. Debezium's
// DDL parser keeps literals and CURRENT_TIMESTAMP and treats computed
// defaults as none; so does this.
func ParseColumnDefault(raw string, isNull bool, extra, dataType string, mariadb bool) (lit string, has, now bool) {
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

// ParseEnumValues reads the values of an ENUM or SET from its COLUMN_TYPE,
// "enum('a','b')"; a quote inside a value is doubled or backslash-escaped.
func ParseEnumValues(columnType string) []string {
	open := strings.IndexByte(columnType, '(')
	if open < 0 {
		return nil
	}
	s := columnType[open+1:]
	var out []string
	for len(s) > 0 && s[0] == '\'' {
		var sb strings.Builder
		i := 1
		for i < len(s) {
			if s[i] == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					sb.WriteByte('\'')
					i += 2
					continue
				}
				break
			}
			if s[i] == '\\' && i+1 < len(s) {
				i++
			}
			sb.WriteByte(s[i])
			i++
		}
		out = append(out, sb.String())
		s = s[min(i+1, len(s)):]
		s = strings.TrimPrefix(s, ",")
	}
	return out
}
