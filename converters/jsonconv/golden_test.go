package jsonconv

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
)

// loadGolden reads ../testdata/connect.golden, written by Kafka Connect 4.1.1
// (JsonConverter, Jackson 2.19) running ../testdata/ConnectGolden.java on
// JDK 17. Keys are "<case>\t<mode>".
func loadGolden(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("../testdata/connect.golden")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), "\t", 3)
		if len(parts) == 3 {
			m[parts[0]+"\t"+parts[1]] = parts[2]
		}
	}
	return m
}

// jdk17Differs lists the cases where JDK 17's Double.toString is not the
// shortest representation and JDK 19+ (which javafmt follows) prints
// something else; the value is what JDK 19+ prints.
var jdk17Differs = map[string]string{
	"double11": "1.0E23", // JDK 17: 9.999999999999999E22
}

func TestConnectGolden(t *testing.T) {
	golden := loadGolden(t)
	type gcase struct {
		name string
		s    *change.Schema
		v    any
	}
	var cases []gcase
	add := func(name string, s *change.Schema, v any) { cases = append(cases, gcase{name, s, v}) }

	add("int8", prim(change.Int8), int64(-128))
	add("int16", prim(change.Int16), int64(32767))
	add("int32", prim(change.Int32), int64(math.MinInt32))
	add("int64", prim(change.Int64), int64(math.MaxInt64))
	floats := []float32{1.1, 1e10, math.SmallestNonzeroFloat32, math.MaxFloat32, 0.1, 16777216, 3.0e-5, 100, 1.0e-3, 1234567.9, -2.5}
	for i, f := range floats {
		add("float"+strconv.Itoa(i), prim(change.Float32), float64(f))
	}
	a, b := 0.1, 0.2
	doubles := []float64{1.5, 1.0, 1e10, 1e7, 9999999.0, 0.001, 0.0001, math.Copysign(0, -1), a + b, math.MaxFloat64,
		math.SmallestNonzeroFloat64, 1e23, 2e-3, math.Pi, 9.223372036854776e18, 123456.789, -1.25e-8, 1e21, 5e-324, 4.35,
		math.NaN(), math.Inf(1), math.Inf(-1)}
	for i, d := range doubles {
		add("double"+strconv.Itoa(i), prim(change.Float64), d)
	}
	add("boolean", prim(change.Boolean), true)
	add("string", prim(change.String), "q\"b\\s/\n\r\t\b\f\x00\x01\x1f\x7f é€😀\u2028")
	add("bytes", prim(change.Bytes), []byte{0, 1, 2, 0xfb, 0xff})
	add("bytes-empty", prim(change.Bytes), []byte{})
	decimals := []struct {
		scale    string
		unscaled []byte
	}{
		{"2", []byte{0x30, 0x39}}, {"2", []byte{0x04, 0xd2}}, {"2", []byte{0x00, 0x96}}, {"2", []byte{0xff}},
		{"2", []byte{0xcf, 0xc7}}, {"10", []byte{0}}, {"10", []byte{1}}, {"6", []byte{1}}, {"8", []byte{15}},
		{"0", []byte{0x30, 0x39}}, {"4", []byte{0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{"0", []byte{0xff, 0, 0, 0, 0, 0, 0, 0, 1}}, {"0", []byte{0x80, 0, 0, 0, 0, 0, 0, 0}},
		{"2", []byte{}}, {"3", []byte{0xff, 0xff, 0xfc, 0x18}}, // 0.00 (empty = zero), -1.000 (sign-padded)
	}
	for i, d := range decimals {
		add("decimal"+strconv.Itoa(i), decimalSchema(d.scale, false), d.unscaled)
	}
	add("array", &change.Schema{Type: change.Array, Items: prim(change.Int32)}, []any{int64(1), int64(2), int64(3)})
	add("array-optional", &change.Schema{Type: change.Array, Optional: true, Items: optPrim(change.String)}, []any{"a", nil})
	add("map-string", &change.Schema{Type: change.Map, Keys: prim(change.String), Values: optPrim(change.Int64)},
		[]change.MapEntry{{Key: "a", Value: int64(1)}, {Key: "b\"", Value: nil}})
	add("map-int", &change.Schema{Type: change.Map, Keys: prim(change.Int32), Values: prim(change.String)},
		[]change.MapEntry{{Key: int64(1), Value: "x"}, {Key: int64(2), Value: "y"}})
	r := structSchema("r", false, field("a", prim(change.Int32)), field("b", optPrim(change.String)), field("c", decimalSchema("1", true)))
	add("struct", r, value(r, int64(1), nil, []byte{0x0f}))
	add("attrs", &change.Schema{Type: change.String, Optional: true, Name: change.EnumName, Version: 1, Doc: "the \"kind\"",
		Parameters: []change.Param{{Key: "allowed", Value: "a,b"}, {Key: "x", Value: "1"}, {Key: "allowed", Value: "a,b,c"}},
		HasDefault: true, Default: "a"}, "b")
	nd := structSchema("r", false,
		field("a", &change.Schema{Type: change.Int32, Optional: true, HasDefault: true, Default: int64(7)}),
		field("b", &change.Schema{Type: change.String, HasDefault: true, Default: "dflt"}))
	add("null-default", nd, value(nd, nil, nil))
	fx := newEnvelopeFixture()
	key, env := fx.create(1004)
	add("envelope", fx.env, env)
	add("key", fx.key, key)

	convs := map[string]*Converter{
		"plain":   conv(t, Config{}),
		"schema":  conv(t, Config{SchemasEnable: true}),
		"numeric": conv(t, Config{DecimalFormat: DecimalNumeric}),
	}
	checked := 0
	for _, c := range cases {
		for mode, cv := range convs {
			want, ok := golden[c.name+"\t"+mode]
			if !ok {
				t.Errorf("%s %s: not in connect.golden", c.name, mode)
				continue
			}
			if jdk19, ok := jdk17Differs[c.name]; ok {
				want = strings.Replace(want, "9.999999999999999E22", jdk19, 1)
			}
			got, err := cv.Convert(bg, "t", c.s, c.v)
			if err != nil {
				t.Errorf("%s %s: %v", c.name, mode, err)
				continue
			}
			if string(got) != want {
				t.Errorf("%s %s\n got %s\nwant %s", c.name, mode, got, want)
			}
			checked++
		}
	}
	jsonLines := 0
	for k := range golden {
		if !strings.HasSuffix(k, "\theader") {
			jsonLines++
		}
	}
	if checked != jsonLines {
		t.Errorf("checked %d of %d golden lines", checked, jsonLines)
	}
}
