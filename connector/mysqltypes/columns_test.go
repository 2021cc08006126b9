package mysqltypes

import (
	"bytes"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
)

// Expected values below are written from Debezium's documented mapping
// (and its converters' sources), not from Sluice's output.

func mustBuild(t *testing.T, d ColumnDef, opt TypeOptions) change.Column {
	t.Helper()
	c, err := buildColumn(d, opt)
	if err != nil {
		t.Fatalf("buildColumn(%+v): %v", d, err)
	}
	return c
}

type conv struct {
	in   any
	want any
}

func checkConv(t *testing.T, c change.Column, cases []conv) {
	t.Helper()
	for _, tc := range cases {
		got, err := c.Convert(tc.in)
		if err != nil {
			t.Errorf("%s: Convert(%#v): %v", c.Name, tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: Convert(%#v) = %#v (%T), want %#v (%T)", c.Name, tc.in, got, got, tc.want, tc.want)
		}
	}
}

func checkSchema(t *testing.T, c change.Column, typ change.Type, name string, optional bool, params ...change.Param) {
	t.Helper()
	s := c.Schema
	if s.Type != typ || s.Name != name || s.Optional != optional || !reflect.DeepEqual(s.Parameters, []change.Param(params)) && len(params)+len(s.Parameters) > 0 {
		t.Errorf("%s: schema %s %q optional=%v params=%v, want %s %q optional=%v params=%v", c.Name, s.Type, s.Name, s.Optional, s.Parameters, typ, name, optional, params)
	}
	if name != "" && s.Version != 1 {
		t.Errorf("%s: logical schema %q has version %d, want 1", c.Name, name, s.Version)
	}
}

func TestIntegers(t *testing.T) {
	cases := []struct {
		def    ColumnDef
		typ    change.Type
		values []conv
	}{
		// Debezium 3.6: TINYINT (signed too) is INT16, TINYINT UNSIGNED INT16.
		{ColumnDef{Name: "ti", DataType: "tinyint", Nullable: true}, change.Int16,
			[]conv{{int8(-128), int64(-128)}, {int8(127), int64(127)}, {nil, nil}}},
		{ColumnDef{Name: "tiu", DataType: "tinyint", Unsigned: true}, change.Int16,
			[]conv{{uint8(255), int64(255)}, {int8(-1), int64(255)}, {uint64(200), int64(200)}}},
		{ColumnDef{Name: "si", DataType: "smallint"}, change.Int16,
			[]conv{{int16(-32768), int64(-32768)}, {int64(32767), int64(32767)}}},
		{ColumnDef{Name: "siu", DataType: "smallint", Unsigned: true}, change.Int32,
			[]conv{{uint16(65535), int64(65535)}, {int16(-1), int64(65535)}}},
		{ColumnDef{Name: "mi", DataType: "mediumint"}, change.Int32,
			[]conv{{int32(-8388608), int64(-8388608)}, {int32(8388607), int64(8388607)}}},
		{ColumnDef{Name: "miu", DataType: "mediumint", Unsigned: true}, change.Int32,
			[]conv{{uint32(16777215), int64(16777215)}, {int32(-1), int64(16777215)}}},
		{ColumnDef{Name: "i", DataType: "int"}, change.Int32,
			[]conv{{int32(math.MinInt32), int64(math.MinInt32)}, {int32(math.MaxInt32), int64(math.MaxInt32)}}},
		{ColumnDef{Name: "iu", DataType: "int", Unsigned: true}, change.Int64,
			[]conv{{uint32(math.MaxUint32), int64(math.MaxUint32)}, {int32(-1), int64(math.MaxUint32)}}},
		{ColumnDef{Name: "bi", DataType: "bigint"}, change.Int64,
			[]conv{{int64(math.MinInt64), int64(math.MinInt64)}, {int64(math.MaxInt64), int64(math.MaxInt64)}}},
		// long mode: values above 2^63-1 wrap, as Debezium's.
		{ColumnDef{Name: "biu", DataType: "bigint", Unsigned: true}, change.Int64,
			[]conv{{uint64(math.MaxUint64), int64(-1)}, {uint64(1 << 63), int64(math.MinInt64)}, {uint64(5), int64(5)}}},
	}
	for _, tc := range cases {
		c := mustBuild(t, tc.def, TypeOptions{})
		checkSchema(t, c, tc.typ, "", tc.def.Nullable)
		checkConv(t, c, tc.values)
	}
	// A NOT NULL column never emits null: Debezium's fallback is 0.
	c := mustBuild(t, ColumnDef{Name: "n", DataType: "int"}, TypeOptions{})
	checkConv(t, c, []conv{{nil, int64(0)}})
	if _, err := c.Convert("x"); err == nil || !strings.Contains(err.Error(), `"n"`) {
		t.Errorf("a string in an INT column: err %v, want an error naming the column", err)
	}
}

func TestBigintUnsignedPrecise(t *testing.T) {
	c := mustBuild(t, ColumnDef{Name: "u", DataType: "bigint", Unsigned: true, Nullable: true}, TypeOptions{BigIntUnsignedMode: config.BigIntUnsignedPrecise})
	checkSchema(t, c, change.Bytes, change.DecimalName, true, change.Param{Key: "scale", Value: "0"}, change.Param{Key: "connect.decimal.precision", Value: "20"})
	checkConv(t, c, []conv{
		{uint64(0), []byte{0}},
		{uint64(127), []byte{0x7f}},
		{uint64(128), []byte{0x00, 0x80}},
		{uint64(math.MaxInt64), []byte{0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{uint64(1 << 63), []byte{0x00, 0x80, 0, 0, 0, 0, 0, 0, 0}},
		{uint64(math.MaxUint64), []byte{0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{int64(-1), []byte{0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}, // decoded signed
		{nil, nil},
	})
	// Signed BIGINT stays INT64 in precise mode.
	checkSchema(t, mustBuild(t, ColumnDef{Name: "s", DataType: "bigint"}, TypeOptions{BigIntUnsignedMode: config.BigIntUnsignedPrecise}), change.Int64, "", false)
}

func TestDecimals(t *testing.T) {
	def := ColumnDef{Name: "d", DataType: "decimal", Precision: 38, Scale: 10, Nullable: true}
	c := mustBuild(t, def, TypeOptions{})
	checkSchema(t, c, change.Bytes, change.DecimalName, true, change.Param{Key: "scale", Value: "10"}, change.Param{Key: "connect.decimal.precision", Value: "38"})
	checkConv(t, c, []conv{
		{"0.0000000000", []byte{0}},
		{"0.0000000001", []byte{1}},
		{"-0.0000000001", []byte{0xff}},
		{"1.0000000000", []byte{0x02, 0x54, 0x0b, 0xe4, 0x00}},
		// 38 digits: beyond int64.
		{"-1234567890123456789012345678.0123456789", []byte{0xf6, 0xb6, 0x4f, 0x09, 0x0f, 0xfd, 0xcc, 0xec, 0x3b, 0xb6, 0x6f, 0xb1, 0x33, 0x98, 0xba, 0xeb}},
		{"9999999999999999999999999999.9999999999", []byte{0x4b, 0x3b, 0x4c, 0xa8, 0x5a, 0x86, 0xc4, 0x7a, 0x09, 0x8a, 0x22, 0x3f, 0xff, 0xff, 0xff, 0xff}},
	})
	if _, err := c.Convert("1.00000000001"); err == nil {
		t.Error("a decimal with more fraction digits than the scale converted without error")
	}
	s := mustBuild(t, ColumnDef{Name: "s", DataType: "decimal", Precision: 10, Scale: 2}, TypeOptions{DecimalMode: config.DecimalString})
	checkSchema(t, s, change.String, "", false)
	// BigDecimal.toPlainString at the column's scale.
	checkConv(t, s, []conv{{"12345678.90", "12345678.90"}, {"-0.01", "-0.01"}, {"-0.00", "0.00"}, {"0.5", "0.50"}, {"007.25", "7.25"}, {nil, "0.00"}})
	d := mustBuild(t, ColumnDef{Name: "f", DataType: "decimal", Precision: 10, Scale: 2, Nullable: true}, TypeOptions{DecimalMode: config.DecimalDouble})
	checkSchema(t, d, change.Float64, "", true)
	checkConv(t, d, []conv{{"12345678.90", 12345678.9}, {"-0.01", -0.01}, {nil, nil}})
}

// TestDecimalBytesInt64Path checks the decimals read without math/big
// against math/big's reading of the same unscaled text, up to the 18 digits
// where decimalBytes switches over, and the texts that are errors.
func TestDecimalBytesInt64Path(t *testing.T) {
	for _, tc := range []struct {
		s     string
		scale int
	}{
		{"0", 0}, {"7", 2}, {"12.5", 2}, {"-0.05", 2}, {"007.25", 2}, {"-1234567890.12", 2}, {"0.00", 2}, {"-0.00", 2},
		{".5", 2}, {"5.", 2}, {"99999999.9999999999", 10}, {"-99999999.9999999999", 10}, {"999999999.9999999999", 10},
		{"999999999999999999", 0}, {"-999999999999999999", 0}, {"9223372036854775807", 0}, {"127", 0}, {"128", 0}, {"-128", 0}, {"-129", 0},
	} {
		neg := strings.HasPrefix(tc.s, "-")
		ip, frac, _ := strings.Cut(strings.TrimPrefix(tc.s, "-"), ".")
		want, ok := new(big.Int).SetString(ip+frac+strings.Repeat("0", tc.scale-len(frac)), 10)
		if !ok {
			t.Fatalf("%q: test case is not a decimal", tc.s)
		}
		if neg {
			want.Neg(want)
		}
		v, err := decimalValue(tc.s, tc.scale)
		got, _ := v.([]byte)
		if err != nil || !bytes.Equal(got, bigIntBytes(want)) {
			t.Errorf("decimalValue(%q, %d) = %x, %v; want %x", tc.s, tc.scale, got, err, bigIntBytes(want))
		}
	}
	for _, tc := range []struct {
		s     string
		scale int
	}{{"", 0}, {"-", 0}, {".", 0}, {"1x.5", 2}, {"+-1", 2}, {"1.2.3", 2}, {"1.234", 2}} {
		if got, err := decimalValue(tc.s, tc.scale); err == nil {
			t.Errorf("decimalValue(%q, %d) = %x, want an error", tc.s, tc.scale, got)
		}
	}
}

func TestFloats(t *testing.T) {
	f := mustBuild(t, ColumnDef{Name: "f", DataType: "float", ColumnType: "float"}, TypeOptions{})
	checkSchema(t, f, change.Float32, "", false)
	checkConv(t, f, []conv{{float32(0.1), float64(float32(0.1))}, {float32(-3.4028235e38), float64(float32(-3.4028235e38))}})
	// FLOAT(M,D) is FLOAT64 in Debezium (the float widened).
	fmd := mustBuild(t, ColumnDef{Name: "fmd", DataType: "float", ColumnType: "float(7,3)"}, TypeOptions{})
	checkSchema(t, fmd, change.Float64, "", false)
	checkConv(t, fmd, []conv{{float32(0.1), 0.10000000149011612}})
	checkSchema(t, mustBuild(t, ColumnDef{Name: "db", DataType: "double"}, TypeOptions{}), change.Float64, "", false)
}

func TestBitsAndYear(t *testing.T) {
	b1 := mustBuild(t, ColumnDef{Name: "b1", DataType: "bit", Precision: 1, Nullable: true}, TypeOptions{})
	checkSchema(t, b1, change.Boolean, "", true)
	checkConv(t, b1, []conv{{int64(1), true}, {int64(0), false}, {nil, nil}})
	b10 := mustBuild(t, ColumnDef{Name: "b10", DataType: "bit", Precision: 10}, TypeOptions{})
	checkSchema(t, b10, change.Bytes, change.BitsName, false, change.Param{Key: "length", Value: "10"})
	checkConv(t, b10, []conv{{int64(0x201), []byte{0x01, 0x02}}, {int64(0), []byte{0, 0}}, {int64(0x3ff), []byte{0xff, 0x03}}})
	b64 := mustBuild(t, ColumnDef{Name: "b64", DataType: "bit", Precision: 64}, TypeOptions{})
	checkConv(t, b64, []conv{{int64(-1), bytes.Repeat([]byte{0xff}, 8)}, {int64(1), []byte{1, 0, 0, 0, 0, 0, 0, 0}}})
	y := mustBuild(t, ColumnDef{Name: "y", DataType: "year", Nullable: true}, TypeOptions{})
	checkSchema(t, y, change.Int32, change.YearName, true)
	// The binlog's YEAR 0000 becomes 1900 in Debezium's deserializer;
	// two-digit years are adjusted.
	checkConv(t, y, []conv{{2155, int64(2155)}, {1901, int64(1901)}, {0, int64(1900)}, {int64(69), int64(2069)}, {int64(70), int64(1970)}, {nil, nil}})
}

func TestDates(t *testing.T) {
	d := mustBuild(t, ColumnDef{Name: "d", DataType: "date", Nullable: true}, TypeOptions{})
	checkSchema(t, d, change.Int32, change.DateName, true)
	checkConv(t, d, []conv{
		{"1970-01-01", int64(0)}, {"2024-02-29", int64(19782)}, {"1969-12-31", int64(-1)}, {"9999-12-31", int64(2932896)},
		{"0000-00-00", nil}, {"2020-00-15", nil}, {"2020-05-00", nil}, {"0000-05-05", nil},
		// enable.time.adjuster: years 0-69 -> 2000-2069, 70-99 -> 1970-1999.
		{"0001-01-01", int64(11323)}, {"0070-01-01", int64(0)}, {"0100-01-01", int64(-683003)},
		{time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), int64(19782)},
	})
	noAdj := mustBuild(t, ColumnDef{Name: "d", DataType: "date"}, TypeOptions{NoTimeAdjuster: true})
	// A zero date in a NOT NULL column is the epoch.
	checkConv(t, noAdj, []conv{{"0001-01-01", int64(-719162)}, {"0000-00-00", int64(0)}})
	// ... or the column's default.
	withDefault := mustBuild(t, ColumnDef{Name: "d", DataType: "date", HasDefault: true, Default: "2000-01-01"}, TypeOptions{})
	checkConv(t, withDefault, []conv{{"0000-00-00", int64(10957)}})
	if withDefault.Schema.Default != int64(10957) || !withDefault.Schema.HasDefault {
		t.Errorf("DATE DEFAULT '2000-01-01': schema default %v", withDefault.Schema.Default)
	}
	cd := mustBuild(t, ColumnDef{Name: "cd", DataType: "date"}, TypeOptions{TimePrecisionMode: config.TimeConnect})
	checkSchema(t, cd, change.Int32, change.ConnectDateName, false)
	checkConv(t, cd, []conv{{"2024-02-29", int64(19782)}})
	if _, err := d.Convert("2024/02/29"); err == nil {
		t.Error("a malformed date converted")
	}
}

func TestTimes(t *testing.T) {
	tm := mustBuild(t, ColumnDef{Name: "t", DataType: "time", FSP: 6, Nullable: true}, TypeOptions{})
	checkSchema(t, tm, change.Int64, change.MicroTimeName, true)
	checkConv(t, tm, []conv{
		{"00:00:00", int64(0)}, {"23:59:59.999999", int64(86399999999)},
		{"-838:59:59", int64(-3020399000000)}, {"838:59:59.000000", int64(3020399000000)},
		{"-00:00:00.500000", int64(-500000)}, {"-01:00:00", int64(-3600000000)},
		{"24:00:00.000001", int64(86400000001)}, {"12:34:56.7", int64(45296700000)}, {nil, nil},
	})
	ct := mustBuild(t, ColumnDef{Name: "ct", DataType: "time", Nullable: true}, TypeOptions{TimePrecisionMode: config.TimeConnect})
	checkSchema(t, ct, change.Int32, change.ConnectTimeName, true)
	checkConv(t, ct, []conv{{"23:59:59.999999", int64(86399999)}, {"24:00:00", int64(86400000)}, {"00:00:00.0005", int64(0)}})
	for _, bad := range []string{"-00:00:01", "24:00:00.001", "100:00:00"} {
		if _, err := ct.Convert(bad); err == nil || !strings.Contains(err.Error(), "adaptive_time_microseconds") {
			t.Errorf("connect mode TIME %s: err %v, want an error pointing at adaptive_time_microseconds", bad, err)
		}
	}
}

func TestDatetimes(t *testing.T) {
	ms := mustBuild(t, ColumnDef{Name: "dt", DataType: "datetime", FSP: 3, Nullable: true}, TypeOptions{})
	checkSchema(t, ms, change.Int64, change.TimestampName, true)
	checkConv(t, ms, []conv{
		{time.Date(2024, 2, 29, 13, 14, 15, 123000000, time.UTC), int64(1709212455123)},
		// go-mysql hands dates before 1970 over as text.
		{"1969-12-31 23:59:59.999", int64(-1)},
		{"1000-01-01 00:00:00.000", int64(-30610224000000)},
		{"0000-00-00 00:00:00.000", nil}, {"2020-00-15 00:00:00", nil},
		{"0069-06-15 00:00:00", int64(3138480000000)}, // adjusted to 2069
		{nil, nil},
	})
	us := mustBuild(t, ColumnDef{Name: "dt6", DataType: "datetime", FSP: 6}, TypeOptions{})
	checkSchema(t, us, change.Int64, change.MicroTimestampName, false)
	checkConv(t, us, []conv{
		{"1000-01-01 00:00:00.000001", int64(-30610223999999999)},
		{time.Date(2020, 1, 1, 10, 0, 0, 1000, time.UTC), int64(1577872800000001)},
		{"0000-00-00 00:00:00.000000", int64(0)}, // NOT NULL: the epoch
	})
	// Connect mode: milliseconds whatever the precision (floored).
	c := mustBuild(t, ColumnDef{Name: "c", DataType: "datetime", FSP: 6}, TypeOptions{TimePrecisionMode: config.TimeConnect, NoTimeAdjuster: true})
	checkSchema(t, c, change.Int64, change.ConnectTimestamp, false)
	checkConv(t, c, []conv{{"1000-01-01 00:00:00.000001", int64(-30610224000000)}, {"0069-06-15 00:00:00", int64(-59975424000000)}})
}

func TestTimestamps(t *testing.T) {
	cases := []struct {
		fsp  int
		in   any
		want any
	}{
		{0, time.Date(2038, 1, 19, 3, 14, 7, 0, time.UTC), "2038-01-19T03:14:07Z"},
		{3, time.Date(1970, 1, 1, 0, 0, 1, 500000000, time.UTC), "1970-01-01T00:00:01.500Z"},
		{6, time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC), "2024-01-02T03:04:05.123456Z"},
		{6, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "2024-01-02T03:04:05.000000Z"},
		{1, time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)), "2024-01-02T02:04:05.0Z"},
		{3, "0000-00-00 00:00:00.000", nil},
	}
	for _, tc := range cases {
		c := mustBuild(t, ColumnDef{Name: "ts", DataType: "timestamp", FSP: tc.fsp, Nullable: true}, TypeOptions{})
		checkSchema(t, c, change.String, change.ZonedTimestampName, true)
		checkConv(t, c, []conv{{tc.in, tc.want}})
	}
	// NOT NULL zero: Debezium's fallback, without a fraction.
	c := mustBuild(t, ColumnDef{Name: "ts", DataType: "timestamp", FSP: 3}, TypeOptions{})
	checkConv(t, c, []conv{{"0000-00-00 00:00:00.000", "1970-01-01T00:00:00Z"}})
}

func TestStrings(t *testing.T) {
	u := mustBuild(t, ColumnDef{Name: "u", DataType: "varchar", Charset: "utf8mb4", Nullable: true}, TypeOptions{})
	checkSchema(t, u, change.String, "", true)
	checkConv(t, u, []conv{{"héllo 😀", "héllo 😀"}, {[]byte("text"), "text"}, {"a\xffb", "a\ufffdb"}, {nil, nil}})
	// latin1 is Java's Cp1252: 0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined.
	l := mustBuild(t, ColumnDef{Name: "l", DataType: "char", Charset: "latin1"}, TypeOptions{})
	checkConv(t, l, []conv{{"\xe9\x80\x81", "é€\ufffd"}, {[]byte{0x9f, 0x8d, 'a'}, "Ÿ\ufffda"}, {"plain", "plain"}, {nil, ""}})
	a := mustBuild(t, ColumnDef{Name: "a", DataType: "text", Charset: "ascii"}, TypeOptions{})
	checkConv(t, a, []conv{{[]byte("a\xc3\xa9"), "a\ufffd\ufffd"}})
	cy := mustBuild(t, ColumnDef{Name: "cy", DataType: "varchar", Charset: "cp1251"}, TypeOptions{})
	checkConv(t, cy, []conv{{"\xcf\xf0\xe8\xe2\xe5\xf2", "Привет"}})
	u16 := mustBuild(t, ColumnDef{Name: "u16", DataType: "varchar", Charset: "utf16"}, TypeOptions{})
	checkConv(t, u16, []conv{{"\x00h\x00i\xd8\x3d\xde\x00", "hi😀"}})
	if _, err := buildColumn(ColumnDef{Name: "x", DataType: "varchar", Charset: "klingon"}, TypeOptions{}); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("unknown charset: err %v, want an error naming the column", err)
	}
	// MariaDB's JSON: a plain string by default, as Debezium 3.5 writes it;
	// io.debezium.data.Json with sluice.mariadb.json.as.json.
	plain := mustBuild(t, ColumnDef{Name: "j", DataType: "longtext", Charset: "utf8mb4", JSON: true, Nullable: true}, TypeOptions{})
	checkSchema(t, plain, change.String, "", true)
	checkConv(t, plain, []conv{{[]byte(`{"a": 1}`), `{"a": 1}`}})
	j := mustBuild(t, ColumnDef{Name: "j", DataType: "longtext", JSON: true, Nullable: true}, TypeOptions{MariaDBJSON: true})
	checkSchema(t, j, change.String, change.JSONName, true)
	checkConv(t, j, []conv{{[]byte(`{"a": 1}`), `{"a": 1}`}, {`[1,2]`, `[1,2]`}, {[]byte{}, nil}})
	jn := mustBuild(t, ColumnDef{Name: "jn", DataType: "json"}, TypeOptions{})
	checkConv(t, jn, []conv{{[]byte{}, "{}"}})
}

func TestEnumSet(t *testing.T) {
	e := mustBuild(t, ColumnDef{Name: "e", DataType: "enum", EnumValues: []string{"a", "b,c", "d'e"}, Nullable: true}, TypeOptions{})
	// Debezium's escapeOption: a comma in a value is "\,", in values too.
	checkSchema(t, e, change.String, change.EnumName, true, change.Param{Key: "allowed", Value: `a,b\,c,d'e`})
	checkConv(t, e, []conv{{int64(1), "a"}, {int64(2), `b\,c`}, {int64(3), "d'e"}, {int64(0), ""}, {"a", "a"}, {nil, nil}})
	if _, err := e.Convert(int64(4)); err == nil {
		t.Error("enum index past the values converted")
	}
	s := mustBuild(t, ColumnDef{Name: "s", DataType: "set", EnumValues: []string{"x", "y", "z"}}, TypeOptions{})
	checkSchema(t, s, change.String, change.EnumSetName, false, change.Param{Key: "allowed", Value: "x,y,z"})
	checkConv(t, s, []conv{{int64(0), ""}, {int64(5), "x,z"}, {int64(7), "x,y,z"}, {"y", "y"}})
	if _, err := s.Convert(int64(8)); err == nil {
		t.Error("set member past the values converted")
	}
}

func TestBinaryModes(t *testing.T) {
	raw := "\x01\x02"
	cases := []struct {
		mode string
		typ  change.Type
		want any
		blob any
	}{
		{"", change.Bytes, []byte{1, 2, 0, 0}, []byte{0x00, 0xfb, 0xff}},
		{config.BinaryBase64, change.String, "AQIAAA==", "APv/"},
		{config.BinaryBase64URLSafe, change.String, "AQIAAA==", "APv_"},
		{config.BinaryHex, change.String, "01020000", "00fbff"},
	}
	for _, tc := range cases {
		// BINARY(4): the binlog drops trailing zero bytes, Debezium pads.
		b := mustBuild(t, ColumnDef{Name: "b", DataType: "binary", Length: 4, Nullable: true}, TypeOptions{BinaryMode: tc.mode})
		checkSchema(t, b, tc.typ, "", true)
		checkConv(t, b, []conv{{raw, tc.want}, {nil, nil}})
		bl := mustBuild(t, ColumnDef{Name: "bl", DataType: "blob"}, TypeOptions{BinaryMode: tc.mode})
		checkConv(t, bl, []conv{{[]byte{0x00, 0xfb, 0xff}, tc.blob}})
	}
	vb := mustBuild(t, ColumnDef{Name: "vb", DataType: "varbinary"}, TypeOptions{})
	checkConv(t, vb, []conv{{"\x01\x00", []byte{1, 0}}, {"", []byte{}}})
}

func TestGeometry(t *testing.T) {
	wkb := []byte{1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0x40} // POINT(1 2)
	val := append([]byte{0xe6, 0x10, 0, 0}, wkb...)                                       // SRID 4326
	g := mustBuild(t, ColumnDef{Name: "g", DataType: "geometry"}, TypeOptions{})
	// Debezium's Geometry schema is optional even for NOT NULL columns.
	if s := g.Schema; s.Type != change.Struct || s.Name != change.GeometryName || !s.Optional || s.Doc != "Geometry" || len(s.Fields) != 2 ||
		s.Fields[0].Name != "wkb" || s.Fields[0].Schema.Optional || s.Fields[1].Name != "srid" || !s.Fields[1].Schema.Optional {
		t.Errorf("geometry schema %+v", s)
	}
	got, err := g.Convert(val)
	if err != nil {
		t.Fatal(err)
	}
	if v := got.(*change.Value); !bytes.Equal(v.Values[0].([]byte), wkb) || v.Values[1] != int64(4326) {
		t.Errorf("geometry value %v", v.Values)
	}
	got, _ = g.Convert(append([]byte{0, 0, 0, 0}, wkb...))
	if v := got.(*change.Value); v.Values[1] != nil {
		t.Errorf("SRID 0 is %v, want null", v.Values[1])
	}
	p := mustBuild(t, ColumnDef{Name: "p", DataType: "point"}, TypeOptions{})
	if s := p.Schema; s.Name != PointName || s.Optional || s.Doc != "Geometry (POINT)" || len(s.Fields) != 4 || s.Fields[0].Name != "x" || s.Fields[2].Name != "wkb" {
		t.Errorf("point schema %+v", s)
	}
	got, err = p.Convert(val)
	if err != nil {
		t.Fatal(err)
	}
	if v := got.(*change.Value); v.Values[0] != 1.0 || v.Values[1] != 2.0 || v.Values[3] != int64(4326) {
		t.Errorf("point value %v", v.Values)
	}
	if _, err := p.Convert([]byte{1, 2}); err == nil {
		t.Error("a 2-byte geometry converted")
	}
}

func TestMariaDBTypes(t *testing.T) {
	u := mustBuild(t, ColumnDef{Name: "u", DataType: "uuid", Nullable: true}, TypeOptions{})
	checkSchema(t, u, change.String, change.UUIDName, true)
	checkConv(t, u, []conv{
		{"\x6c\xcd\x78\x0c\xba\xba\x10\x26\x95\x64\x5b\x8c\x65\x60\x24\xdb", "6ccd780c-baba-1026-9564-5b8c656024db"},
		{"\x6c\xcd\x78\x0c\xba\xba\x10\x26\x95\x64\x5b\x8c\x65\x60\x24", "6ccd780c-baba-1026-9564-5b8c65602400"}, // trailing zero dropped
		{"6CCD780C-BABA-1026-9564-5B8C656024DB", "6ccd780c-baba-1026-9564-5b8c656024db"},                         // snapshot text
	})
	i6 := mustBuild(t, ColumnDef{Name: "i6", DataType: "inet6"}, TypeOptions{})
	checkSchema(t, i6, change.String, "", false)
	checkConv(t, i6, []conv{
		{"\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", "2001:db8::1"},
		{"\x20\x01\x0d\xb8", "2001:db8::"},
		{"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x01\x02\x03\x04", "::ffff:1.2.3.4"},
		{"::1", "::1"}, {"2001:db8::1:2:34", "2001:db8::1:2:34"},
	})
	i4 := mustBuild(t, ColumnDef{Name: "i4", DataType: "inet4"}, TypeOptions{})
	checkConv(t, i4, []conv{{"\xc0\xa8\x00\x01", "192.168.0.1"}, {"\x0a", "10.0.0.0"}, {"", "0.0.0.0"}, {"10.1.2.3", "10.1.2.3"}})
}

func TestParseColumnDefault(t *testing.T) {
	cases := []struct {
		raw      string
		isNull   bool
		extra    string
		dt       string
		mariadb  bool
		lit      string
		has, now bool
	}{
		{"5", false, "", "int", true, "5", true, false},
		{"'it''s'", false, "", "varchar", true, "it's", true, false},
		{`'a\\b\0'`, false, "", "varchar", true, "a\\b\x00", true, false},
		{"NULL", false, "", "varchar", true, "", false, false},
		{"", true, "", "int", true, "", false, false},
		{"current_timestamp()", false, "on update current_timestamp()", "timestamp", true, "", false, true},
		{"current_timestamp(6)", false, "", "datetime", true, "", false, true},
		{"(1 + 1)", false, "", "int", true, "", false, false},
		{"concat('a','b')", false, "", "varchar", true, "", false, false},
		{"b'101'", false, "", "bit", true, "b'101'", true, false},
		{"-1.5e3", false, "", "double", true, "-1.5e3", true, false},
		// MySQL: bare literals, computed defaults marked in EXTRA.
		{"abc", false, "", "varchar", false, "abc", true, false},
		{"CURRENT_TIMESTAMP", false, "DEFAULT_GENERATED", "timestamp", false, "", false, true},
		{"(now() + interval 1 day)", false, "DEFAULT_GENERATED", "datetime", false, "", false, false},
	}
	for _, tc := range cases {
		lit, has, now := ParseColumnDefault(tc.raw, tc.isNull, tc.extra, tc.dt, tc.mariadb)
		if lit != tc.lit || has != tc.has || now != tc.now {
			t.Errorf("ParseColumnDefault(%q, %v, %q, %s, mariadb=%v) = %q %v %v, want %q %v %v", tc.raw, tc.isNull, tc.extra, tc.dt, tc.mariadb, lit, has, now, tc.lit, tc.has, tc.now)
		}
	}
}

func TestDefaults(t *testing.T) {
	cases := []struct {
		def  ColumnDef
		opt  TypeOptions
		want any // nil: no default
	}{
		{ColumnDef{Name: "i", DataType: "int", Default: "-7", HasDefault: true}, TypeOptions{}, int64(-7)},
		// Math.round(Double.parseDouble(...)).
		{ColumnDef{Name: "i", DataType: "int", Default: "2.5", HasDefault: true}, TypeOptions{}, int64(3)},
		{ColumnDef{Name: "b", DataType: "tinyint", Default: "TRUE", HasDefault: true}, TypeOptions{}, int64(1)},
		{ColumnDef{Name: "u", DataType: "bigint", Unsigned: true, Default: "18446744073709551615", HasDefault: true}, TypeOptions{}, int64(math.MaxInt64)},
		{ColumnDef{Name: "u", DataType: "bigint", Unsigned: true, Default: "18446744073709551615", HasDefault: true}, TypeOptions{BigIntUnsignedMode: config.BigIntUnsignedPrecise},
			[]byte{0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		// BigDecimal.setScale(scale, HALF_UP).
		{ColumnDef{Name: "d", DataType: "decimal", Precision: 6, Scale: 2, Default: "1.005", HasDefault: true}, TypeOptions{DecimalMode: config.DecimalString}, "1.01"},
		{ColumnDef{Name: "d", DataType: "decimal", Precision: 6, Scale: 2, Default: "-1.5", HasDefault: true}, TypeOptions{}, []byte{0xff, 0x6a}},
		{ColumnDef{Name: "f", DataType: "float", Default: "0.1", HasDefault: true}, TypeOptions{}, float64(float32(0.1))},
		{ColumnDef{Name: "b", DataType: "bit", Precision: 4, Default: "b'101'", HasDefault: true}, TypeOptions{}, []byte{5}},
		{ColumnDef{Name: "b", DataType: "bit", Precision: 1, Default: "b'1'", HasDefault: true}, TypeOptions{}, true},
		{ColumnDef{Name: "y", DataType: "year", Default: "2020", HasDefault: true}, TypeOptions{}, int64(2020)},
		{ColumnDef{Name: "d", DataType: "date", Default: "0000-00-00", HasDefault: true, Nullable: true}, TypeOptions{}, nil},
		{ColumnDef{Name: "d", DataType: "date", Default: "0000-00-00", HasDefault: true}, TypeOptions{}, int64(0)},
		{ColumnDef{Name: "dt", DataType: "datetime", Default: "2020-01-02 03:04:05", HasDefault: true}, TypeOptions{}, int64(1577934245000)},
		{ColumnDef{Name: "dt", DataType: "datetime", DefaultNow: true}, TypeOptions{}, int64(0)},
		{ColumnDef{Name: "ts", DataType: "timestamp", DefaultNow: true}, TypeOptions{}, "1970-01-01T00:00:00Z"},
		{ColumnDef{Name: "ts", DataType: "timestamp", FSP: 6, DefaultNow: true}, TypeOptions{}, "1970-01-01T00:00:00Z"},
		{ColumnDef{Name: "ts", DataType: "timestamp", DefaultNow: true, Nullable: true}, TypeOptions{}, nil},
		{ColumnDef{Name: "ts", DataType: "timestamp", FSP: 3, Default: "2021-01-01 00:00:00.000", HasDefault: true, Nullable: true}, TypeOptions{}, "2021-01-01T00:00:00.000Z"},
		{ColumnDef{Name: "t", DataType: "time", Default: "-01:02:03", HasDefault: true}, TypeOptions{}, int64(-3723000000)},
		{ColumnDef{Name: "b", DataType: "binary", Length: 3, Default: "ab\x00", HasDefault: true}, TypeOptions{BinaryMode: config.BinaryHex}, "6162"},
		{ColumnDef{Name: "e", DataType: "enum", EnumValues: []string{"p", "q"}, Default: "q", HasDefault: true}, TypeOptions{}, "q"},
		{ColumnDef{Name: "s", DataType: "varchar", Charset: "latin1", Default: "é", HasDefault: true}, TypeOptions{}, "é"},
	}
	for _, tc := range cases {
		c := mustBuild(t, tc.def, tc.opt)
		if tc.want == nil {
			if c.Schema.HasDefault {
				t.Errorf("%+v: default %#v, want none", tc.def, c.Schema.Default)
			}
			continue
		}
		if !c.Schema.HasDefault || !reflect.DeepEqual(c.Schema.Default, tc.want) {
			t.Errorf("%+v: default %#v (set %v), want %#v", tc.def, c.Schema.Default, c.Schema.HasDefault, tc.want)
		}
	}
	// connect mode cannot carry a negative TIME default: Debezium drops it
	// (warn), or fails with event.converting.failure.handling.mode=fail.
	d := ColumnDef{Name: "t", DataType: "time", Default: "-01:02:03", HasDefault: true}
	if b, err := buildTyped(d, TypeOptions{TimePrecisionMode: config.TimeConnect}); err != nil || b.col.Schema.HasDefault || b.defaultErr == nil {
		t.Errorf("connect mode TIME default -01:02:03: %v %v", err, b.col.Schema)
	}
	if _, err := buildColumn(d, TypeOptions{TimePrecisionMode: config.TimeConnect, ConvertFailure: config.FailureFail}); err == nil {
		t.Error("fail mode: an unconvertible default built")
	}
}

func TestTruncateUTF16(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{{"héllo", 3, "hél"}, {"ab", 3, "ab"}, {"a😀b", 2, "a"}, {"a😀b", 3, "a😀"}, {"", 0, ""}, {"abc", 0, ""}} {
		if got := truncateUTF16(tc.s, tc.n); got != tc.want {
			t.Errorf("truncateUTF16(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

func TestColumnRules(t *testing.T) {
	props := map[string]string{
		"column.truncate.to.3.chars":     `db\.t\.vc, db\.t\.num`,
		"column.mask.with.4.chars":       `db\.t\.tx,db\.t\.vc`,
		"column.propagate.source.type":   `db\.t\.d`,
		"datatype.propagate.source.type": `.+\.INT UNSIGNED`,
		"message.key.columns":            `db\.t:u,num; other\.x:a`,
	}
	opt, err := NewTypeOptions("", "", "", "", props)
	if err != nil {
		t.Fatal(err)
	}
	defs := []ColumnDef{
		{Name: "id", DataType: "int", ColumnType: "int(11)"},
		{Name: "vc", DataType: "varchar", ColumnType: "varchar(20)", Nullable: true},
		{Name: "tx", DataType: "text", ColumnType: "text", Nullable: true},
		{Name: "d", DataType: "decimal", ColumnType: "decimal(10,2)", Precision: 10, Scale: 2},
		{Name: "u", DataType: "int", ColumnType: "int(10) unsigned", Unsigned: true},
		{Name: "num", DataType: "int", ColumnType: "int(11)"},
		{Name: "short", DataType: "varchar", ColumnType: "varchar(2)"},
	}
	tc, err := buildTableColumns("db", "t", defs, []int{0}, opt, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	params := func(i int) []change.Param { return tc.cols[i].Schema.Parameters }
	// Truncation comes first: vc is truncated, not masked.
	if !reflect.DeepEqual(params(1), []change.Param{{Key: "truncateLength", Value: "3"}}) {
		t.Errorf("vc params %v", params(1))
	}
	if v, _ := tc.cols[1].Convert("héllo"); v != "hél" {
		t.Errorf("truncated vc = %v", v)
	}
	// A mask replaces nulls too.
	if !reflect.DeepEqual(params(2), []change.Param{{Key: "masked", Value: "true"}}) {
		t.Errorf("tx params %v", params(2))
	}
	if v, _ := tc.cols[2].Convert(nil); v != "****" {
		t.Errorf("masked null tx = %v", v)
	}
	wantD := []change.Param{{Key: "scale", Value: "2"}, {Key: "connect.decimal.precision", Value: "10"},
		{Key: "__debezium.source.column.type", Value: "DECIMAL"}, {Key: "__debezium.source.column.length", Value: "10"},
		{Key: "__debezium.source.column.scale", Value: "2"}, {Key: "__debezium.source.column.name", Value: "d"}}
	if !reflect.DeepEqual(params(3), wantD) {
		t.Errorf("d params %v, want %v", params(3), wantD)
	}
	wantU := []change.Param{{Key: "__debezium.source.column.type", Value: "INT UNSIGNED"}, {Key: "__debezium.source.column.length", Value: "10"},
		{Key: "__debezium.source.column.name", Value: "u"}}
	if !reflect.DeepEqual(params(4), wantU) {
		t.Errorf("u params %v, want %v", params(4), wantU)
	}
	// INT(11) is longer than 3: the parameter, but integers are not cut.
	if !reflect.DeepEqual(params(5), []change.Param{{Key: "truncateLength", Value: "3"}}) {
		t.Errorf("num params %v", params(5))
	}
	if v, _ := tc.cols[5].Convert(int32(123456)); v != int64(123456) {
		t.Errorf("num = %v", v)
	}
	// message.key.columns: u then num, key fields without mapper parameters.
	if !reflect.DeepEqual(tc.key, []int{4, 5}) || tc.keyFields[0].Name != "u" || len(tc.keyFields[0].Schema.Parameters) != 0 ||
		len(tc.keyFields[1].Schema.Parameters) != 0 {
		t.Errorf("key %v fields %+v", tc.key, tc.keyFields)
	}
	// A truncated key column: the row value is cut, the key keeps the
	// value (Debezium's key has no column mappers).
	opt2, _ := NewTypeOptions("", "", "", "", map[string]string{"column.truncate.to.3.chars": `db\.t\.vc`, "message.key.columns": `db\.t:vc`})
	tc2, err := buildTableColumns("db", "t", defs, []int{0}, opt2, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	vc := &tc2.cols[1]
	if v, _ := vc.Convert("abcdef"); v != "abc" {
		t.Errorf("truncated vc in the row value: %v", v)
	}
	if v, _ := vc.KeyConversion()("abcdef"); v != "abcdef" || len(tc2.keyFields[0].Schema.Parameters) != 0 {
		t.Errorf("truncated vc in the key: %v, params %v; want the value as it is, no parameters", v, tc2.keyFields[0].Schema.Parameters)
	}
	// No message.key.columns match: the primary key.
	tc3, _ := buildTableColumns("db", "other", defs, []int{0}, opt, zap.NewNop())
	if !reflect.DeepEqual(tc3.key, []int{0}) {
		t.Errorf("table without message.key.columns match: key %v", tc3.key)
	}
}

func TestTypeOptionErrors(t *testing.T) {
	for props, wantProp := range map[string]string{
		"column.exclude.list=db.t.(":                     "column.exclude.list",
		"column.mask.hash.MD2.with.salt.x=.*":            "column.mask.hash.MD2.with.salt.x",
		"column.mask.hash.SHA-256=.*":                    "column.mask.hash.SHA-256",
		"message.key.columns=db.t":                       "message.key.columns",
		"column.truncate.to.5.chars=(":                   "column.truncate.to.5.chars",
		"enable.time.adjuster=maybe":                     "enable.time.adjuster",
		"event.converting.failure.handling.mode=explode": "event.converting.failure.handling.mode",
		`column.mask.with.2.chars=db\`:                   "column.mask.with.2.chars",
	} {
		k, v, _ := strings.Cut(props, "=")
		_, err := NewTypeOptions("", "", "", "", map[string]string{k: v})
		if err == nil || !strings.Contains(err.Error(), `"`+wantProp+`"`) {
			t.Errorf("%s: err %v, want one naming %q", props, err, wantProp)
		}
	}
	if _, err := NewTypeOptions("exact", "", "", "", nil); err == nil || !strings.Contains(err.Error(), "decimal.handling.mode") {
		t.Errorf("bad decimal mode: %v", err)
	}
	pats, err := compileRegexList(`a\,b, c.*`)
	if err != nil || len(pats) != 2 || !pats[0].MatchString("A,B") || !pats[1].MatchString("cde") || pats[1].MatchString("xcde") {
		t.Errorf("regex list: %v %v", pats, err)
	}
}

func TestConversionFailures(t *testing.T) {
	opt := TypeOptions{TimePrecisionMode: config.TimeConnect}
	defs := []ColumnDef{{Name: "n", DataType: "time", Nullable: true}, {Name: "nn", DataType: "time"}}
	tc, err := buildTableColumns("db", "t", defs, nil, opt, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	// warn (the default): null in a nullable column; a NOT NULL column fails.
	if v, err := tc.cols[0].Convert("-01:00:00"); v != nil || err != nil {
		t.Errorf("nullable: %v %v, want null", v, err)
	}
	if _, err := tc.cols[1].Convert("-01:00:00"); err == nil {
		t.Error("NOT NULL column took an unconvertible value")
	}
	opt.ConvertFailure = config.FailureFail
	tc, _ = buildTableColumns("db", "t", defs, nil, opt, zap.NewNop())
	if _, err := tc.cols[0].Convert("-01:00:00"); err == nil {
		t.Error("fail mode: no error")
	}
}

func TestColumnSourceTypes(t *testing.T) {
	for _, tc := range []struct {
		d            ColumnDef
		name         string
		length       int
		scale        int
		scalePresent bool
		jsonTyped    bool
	}{
		{ColumnDef{DataType: "int", ColumnType: "int(10) unsigned zerofill"}, "INT UNSIGNED ZEROFILL", 10, 0, false, false},
		{ColumnDef{DataType: "decimal", ColumnType: "decimal(10,2)"}, "DECIMAL", 10, 2, true, false},
		{ColumnDef{DataType: "enum", ColumnType: "enum('a','b')", EnumValues: []string{"a", "b"}}, "ENUM", 1, 0, false, false},
		{ColumnDef{DataType: "set", ColumnType: "set('a','b','c')", EnumValues: []string{"a", "b", "c"}}, "SET", 5, 0, false, false},
		{ColumnDef{DataType: "text", ColumnType: "text"}, "TEXT", -1, 0, false, false},
		{ColumnDef{DataType: "double", ColumnType: "double unsigned"}, "DOUBLE UNSIGNED", -1, 0, false, false},
		{ColumnDef{DataType: "longtext", ColumnType: "longtext", JSON: true}, "JSON", -1, 0, false, true},
		// MariaDB JSON as the plain string Debezium writes: its LONGTEXT.
		{ColumnDef{DataType: "longtext", ColumnType: "longtext", JSON: true}, "LONGTEXT", -1, 0, false, false},
		// INT declared without a width: Debezium has no length.
		{ColumnDef{DataType: "int", ColumnType: "int(11)", NoWidth: true}, "INT", -1, 0, false, false},
		{ColumnDef{DataType: "datetime", FSP: 3}, "DATETIME", 3, 0, false, false},
	} {
		l := tc.d.sourceLength()
		s, ok := tc.d.sourceScale()
		if got := tc.d.sourceTypeName(tc.jsonTyped); got != tc.name || l != tc.length || s != tc.scale || ok != tc.scalePresent {
			t.Errorf("%+v: %q %d %d %v, want %q %d %d %v", tc.d, got, l, s, ok, tc.name, tc.length, tc.scale, tc.scalePresent)
		}
	}
}

func TestColumnFilterProjection(t *testing.T) {
	defs := []ColumnDef{
		{Name: "id", DataType: "int", ColumnType: "int(11)"},
		{Name: "secret", DataType: "varchar", ColumnType: "varchar(20)", Nullable: true},
		{Name: "name", DataType: "varchar", ColumnType: "varchar(20)", Nullable: true},
	}
	for _, tc := range []struct {
		props      map[string]string
		wantFields []int
		wantNames  []string
	}{
		{map[string]string{"column.exclude.list": "db.t.secret"}, []int{0, 2}, []string{"id", "name"}},
		{map[string]string{"column.exclude.list": "DB.T.SECRET"}, []int{0, 2}, []string{"id", "name"}},
		{map[string]string{"column.include.list": `db\.t\.(id|name)`}, []int{0, 2}, []string{"id", "name"}},
		{map[string]string{"column.exclude.list": "other.t.secret"}, nil, []string{"id", "secret", "name"}},
		// A pattern must match the whole name.
		{map[string]string{"column.exclude.list": "db.t.sec"}, nil, []string{"id", "secret", "name"}},
	} {
		opt, err := NewTypeOptions("", "", "", "", tc.props)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := buildTableColumns("db", "t", defs, []int{0}, opt, zap.NewNop())
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range cols.rowFields {
			names = append(names, f.Name)
		}
		if !reflect.DeepEqual(cols.fields, tc.wantFields) || !reflect.DeepEqual(names, tc.wantNames) {
			t.Errorf("%v: fields %v names %v, want %v %v", tc.props, cols.fields, names, tc.wantFields, tc.wantNames)
		}
		if len(cols.cols) != len(defs) || !reflect.DeepEqual(cols.key, []int{0}) {
			t.Errorf("%v: every column stays decodable and the key stays: cols %d key %v", tc.props, len(cols.cols), cols.key)
		}
	}
	if _, err := NewTypeOptions("", "", "", "", map[string]string{"column.exclude.list": "a.b.c", "column.include.list": "a.b.d"}); err == nil {
		t.Error("both column lists set: no error")
	}
}

func TestMariaDBJSONOption(t *testing.T) {
	for v, want := range map[string]bool{"true": true, " FALSE ": false} {
		opt, err := NewTypeOptions("precise", "long", "adaptive_time_microseconds", "bytes", map[string]string{PropMariaDBJSON: v})
		if err != nil || opt.MariaDBJSON != want {
			t.Errorf("%q: %v, %v", v, opt.MariaDBJSON, err)
		}
	}
	if _, err := NewTypeOptions("precise", "long", "adaptive_time_microseconds", "bytes", map[string]string{PropMariaDBJSON: "yes"}); err == nil || !strings.Contains(err.Error(), PropMariaDBJSON) {
		t.Errorf("a bad value: %v, want an error naming the property", err)
	}
}

// TestKeyColumnsMissingWarned: a message.key.columns entry naming a column
// the table lacks leaves it out of the key (or falls back to the primary
// key), as Debezium does, but says so, naming the table and the column.
func TestKeyColumnsMissingWarned(t *testing.T) {
	defs := []ColumnDef{{Name: "id", DataType: "int", ColumnType: "int(11)"}, {Name: "email", DataType: "varchar", ColumnType: "varchar(20)"}}
	for _, tc := range []struct {
		keys    string
		table   string
		wantKey []int
		warned  string // the columns logged as missing, "" for no warning
	}{
		{`db\.t:email,emial`, "t", []int{1}, "emial"},
		{`db\.t:mail`, "t", []int{0}, "mail"},
		{`db\.t:email`, "t", []int{1}, ""},
		{`db\.other:nope`, "t", []int{0}, ""}, // another table's entry says nothing about t
	} {
		rules, err := ParseColumnRules(map[string]string{"message.key.columns": tc.keys})
		if err != nil {
			t.Fatal(err)
		}
		core, logs := observer.New(zap.WarnLevel)
		got, err := buildTableColumns("db", tc.table, defs, []int{0}, TypeOptions{Columns: rules}, zap.New(core))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.key, tc.wantKey) {
			t.Errorf("%s: key %v, want %v", tc.keys, got.key, tc.wantKey)
		}
		var warned []string
		for _, e := range logs.FilterMessageSnippet("message.key.columns names columns").All() {
			for _, c := range e.ContextMap()["columns"].([]any) {
				warned = append(warned, c.(string))
			}
		}
		if strings.Join(warned, ",") != tc.warned {
			t.Errorf("%s: warned about %v, want %q", tc.keys, warned, tc.warned)
		}
	}
}
