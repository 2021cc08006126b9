package jsonconv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"github.com/sluice-cdc/sluice/connector/change"
)

// The expected strings below are written from Kafka Connect's source
// (JsonConverter.asJsonSchema / convertToJson, Jackson's UTF8JsonGenerator,
// Java's Double/Float/BigDecimal.toString) and checked against Kafka Connect
// 4.1.1 itself by testdata/ConnectGolden.java (see golden_test.go).

func conv(t *testing.T, cfg Config) *Converter {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPayloadAndSchema(t *testing.T) {
	type tc struct {
		name    string
		s       *change.Schema
		v       any
		payload string // schemas.enable=false, decimal.format=BASE64
		schema  string // the "schema" part with schemas.enable=true
		numeric string // payload with decimal.format=NUMERIC, when it differs
	}
	cases := []tc{
		{"int8", prim(change.Int8), int64(-128), `-128`, `{"type":"int8","optional":false}`, ""},
		{"int16", prim(change.Int16), int64(32767), `32767`, `{"type":"int16","optional":false}`, ""},
		{"int32", prim(change.Int32), int64(-2147483648), `-2147483648`, `{"type":"int32","optional":false}`, ""},
		{"int64", prim(change.Int64), int64(math.MaxInt64), `9223372036854775807`, `{"type":"int64","optional":false}`, ""},
		{"float", prim(change.Float32), 1.1, `1.1`, `{"type":"float","optional":false}`, ""},
		{"float big", prim(change.Float32), 1e10, `1.0E10`, `{"type":"float","optional":false}`, ""},
		{"float min", prim(change.Float32), float64(math.SmallestNonzeroFloat32), `1.4E-45`, `{"type":"float","optional":false}`, ""},
		{"double 1.5", prim(change.Float64), 1.5, `1.5`, `{"type":"double","optional":false}`, ""},
		{"double 1.0", prim(change.Float64), 1.0, `1.0`, `{"type":"double","optional":false}`, ""},
		{"double 1e10", prim(change.Float64), 1e10, `1.0E10`, `{"type":"double","optional":false}`, ""},
		{"double 1e7", prim(change.Float64), 1e7, `1.0E7`, `{"type":"double","optional":false}`, ""},
		{"double 9999999", prim(change.Float64), 9999999.0, `9999999.0`, `{"type":"double","optional":false}`, ""},
		{"double 0.001", prim(change.Float64), 0.001, `0.001`, `{"type":"double","optional":false}`, ""},
		{"double 1e-4", prim(change.Float64), 0.0001, `1.0E-4`, `{"type":"double","optional":false}`, ""},
		{"double -0", prim(change.Float64), math.Copysign(0, -1), `-0.0`, `{"type":"double","optional":false}`, ""},
		{"double 0.1+0.2", prim(change.Float64), func() float64 { a, b := 0.1, 0.2; return a + b }(), `0.30000000000000004`, `{"type":"double","optional":false}`, ""},
		{"double max", prim(change.Float64), math.MaxFloat64, `1.7976931348623157E308`, `{"type":"double","optional":false}`, ""},
		{"double NaN", prim(change.Float64), math.NaN(), `"NaN"`, `{"type":"double","optional":false}`, ""},
		{"double +Inf", prim(change.Float64), math.Inf(1), `"Infinity"`, `{"type":"double","optional":false}`, ""},
		{"double -Inf", prim(change.Float64), math.Inf(-1), `"-Infinity"`, `{"type":"double","optional":false}`, ""},
		{"boolean", prim(change.Boolean), true, `true`, `{"type":"boolean","optional":false}`, ""},
		{"string escapes", prim(change.String), "q\"b\\s/\n\r\t\b\f\x00\x01\x1f\x7f é€😀",
			`"q\"b\\s/\n\r\t\b\f\u0000\u0001\u001F` + "\x7f é€" + `\uD83D\uDE00"`, `{"type":"string","optional":false}`, ""},
		{"string invalid utf8", prim(change.String), "a\xffb\xc3", "\"a\uFFFDb\uFFFD\"", `{"type":"string","optional":false}`, ""},
		{"string U+2028", prim(change.String), "a\u2028b", "\"a\u2028b\"", `{"type":"string","optional":false}`, ""},
		{"bytes", prim(change.Bytes), []byte{0, 1, 2, 0xfb, 0xff}, `"AAEC+/8="`, `{"type":"bytes","optional":false}`, ""},
		{"bytes empty", prim(change.Bytes), []byte{}, `""`, `{"type":"bytes","optional":false}`, ""},
		{"decimal", decimalSchema("2", false), []byte{0x30, 0x39}, `"MDk="`,
			`{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2","connect.decimal.precision":"10"}}`, `123.45`},
		{"decimal trailing zero", decimalSchema("2", false), []byte{0x04, 0xd2}, `"BNI="`, "", `12.34`},
		{"decimal 1.50", decimalSchema("2", false), []byte{0x00, 0x96}, `"AJY="`, "", `1.50`},
		{"decimal non-minimal bytes", decimalSchema("2", false), []byte{0, 0, 0x30, 0x39}, `"MDk="`, "", `123.45`},
		{"decimal negative", decimalSchema("2", false), []byte{0xff}, `"/w=="`, "", `-0.01`},
		{"decimal negative padded", decimalSchema("2", false), []byte{0xff, 0xff, 0xcf, 0xc7}, `"z8c="`, "", `-123.45`},
		{"decimal zero scale 10", decimalSchema("10", false), []byte{0}, `"AA=="`, "", `0E-10`},
		{"decimal empty is zero", decimalSchema("10", false), []byte{}, `"AA=="`, "", `0E-10`},
		{"decimal 1E-10", decimalSchema("10", false), []byte{1}, `"AQ=="`, "", `1E-10`},
		{"decimal 0.000001", decimalSchema("6", false), []byte{1}, `"AQ=="`, "", `0.000001`},
		{"decimal 1.5E-7", decimalSchema("8", false), []byte{15}, `"Dw=="`, "", `1.5E-7`},
		{"decimal scale 0", decimalSchema("0", false), []byte{0x30, 0x39}, `"MDk="`, "", `12345`},
		{"decimal big", decimalSchema("4", false),
			[]byte{0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, // 2^64-1
			`"AP//////////"`, "", `1844674407370955.1615`},
		{"decimal big negative", decimalSchema("0", false),
			[]byte{0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01}, // -(2^64-1)
			`"/wAAAAAAAAAB"`, "", `-18446744073709551615`},
		{"decimal int64 min", decimalSchema("0", false),
			[]byte{0x80, 0, 0, 0, 0, 0, 0, 0}, `"gAAAAAAAAAA="`, "", `-9223372036854775808`},
		{"optional null", optPrim(change.String), nil, `null`, ``, ""}, // a null with a schema is written, as Connect does
		{"array", &change.Schema{Type: change.Array, Items: prim(change.Int32)}, []any{int64(1), int64(2), int64(3)},
			`[1,2,3]`, `{"type":"array","items":{"type":"int32","optional":false},"optional":false}`, ""},
		{"array optional items", &change.Schema{Type: change.Array, Optional: true, Items: optPrim(change.String)}, []any{"a", nil},
			`["a",null]`, `{"type":"array","items":{"type":"string","optional":true},"optional":true}`, ""},
		{"array empty", &change.Schema{Type: change.Array, Items: prim(change.Int32)}, []any{}, `[]`, "", ""},
		{"map string keys", &change.Schema{Type: change.Map, Keys: prim(change.String), Values: optPrim(change.Int64)},
			[]change.MapEntry{{Key: "a", Value: int64(1)}, {Key: "b\"", Value: nil}},
			`{"a":1,"b\"":null}`, `{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int64","optional":true},"optional":false}`, ""},
		{"map int keys", &change.Schema{Type: change.Map, Keys: prim(change.Int32), Values: prim(change.String)},
			[]change.MapEntry{{Key: int64(1), Value: "x"}, {Key: int64(2), Value: "y"}},
			`[[1,"x"],[2,"y"]]`, `{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"string","optional":false},"optional":false}`, ""},
		{"map empty string keys", &change.Schema{Type: change.Map, Keys: prim(change.String), Values: prim(change.String)},
			[]change.MapEntry{}, `{}`, "", ""},
		{"map decimal values", &change.Schema{Type: change.Map, Keys: prim(change.String), Values: decimalSchema("1", false)},
			[]change.MapEntry{{Key: "p", Value: []byte{0x0f}}}, `{"p":"Dw=="}`, "", `{"p":1.5}`},
		{"struct", structSchema("r", false, field("a", prim(change.Int32)), field("b", optPrim(change.String)), field("c", decimalSchema("1", true))),
			value(nil, int64(1), nil, []byte{0x0f}), // Schema set below
			`{"a":1,"b":null,"c":"Dw=="}`,
			`{"type":"struct","fields":[{"type":"int32","optional":false,"field":"a"},{"type":"string","optional":true,"field":"b"},{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"1","connect.decimal.precision":"10"},"field":"c"}],"optional":false,"name":"r"}`,
			`{"a":1,"b":null,"c":1.5}`},
		{"schema attributes", &change.Schema{Type: change.String, Optional: true, Name: change.EnumName, Version: 1, Doc: "the \"kind\"",
			Parameters: []change.Param{{Key: "allowed", Value: "a,b"}, {Key: "x", Value: "1"}, {Key: "allowed", Value: "a,b,c"}},
			HasDefault: true, Default: "a"}, "b", `"b"`,
			`{"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,"doc":"the \"kind\"","parameters":{"allowed":"a,b,c","x":"1"},"default":"a"}`, ""},
		{"null replaced by default", &change.Schema{Type: change.Int32, Optional: true, HasDefault: true, Default: int64(7)}, nil, `7`, ``, ""},
		{"decimal default", &change.Schema{Type: change.Bytes, Name: change.DecimalName, Version: 1,
			Parameters: []change.Param{{Key: "scale", Value: "1"}}, HasDefault: true, Default: []byte{0x0f}}, []byte{0x10}, `"EA=="`,
			`{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"1"},"default":"Dw=="}`, `1.6`},
		{"explicit null default", &change.Schema{Type: change.String, Optional: true, HasDefault: true}, "x", `"x"`,
			`{"type":"string","optional":true}`, ""},
		{"nested array of structs", &change.Schema{Type: change.Array, Items: structSchema("p", true, field("x", prim(change.Float32)))},
			[]any{}, "[]", `{"type":"array","items":{"type":"struct","fields":[{"type":"float","optional":false,"field":"x"}],"optional":true,"name":"p"},"optional":false}`, ""},
	}
	// Fill in struct values whose schema is the case's own.
	for i := range cases {
		if v, ok := cases[i].v.(*change.Value); ok && v.Schema == nil {
			v.Schema = cases[i].s
		}
	}
	plain := conv(t, Config{})
	numeric := conv(t, Config{DecimalFormat: "NUMERIC"})
	withSchema := conv(t, Config{SchemasEnable: true})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := plain.Convert(bg, "t", c.s, c.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.payload {
				t.Errorf("payload\n got %s\nwant %s", got, c.payload)
			}
			wantNum := c.numeric
			if wantNum == "" {
				wantNum = c.payload
			}
			if got, err := numeric.Convert(bg, "t", c.s, c.v); err != nil || string(got) != wantNum {
				t.Errorf("numeric payload\n got %s (%v)\nwant %s", got, err, wantNum)
			}
			if c.schema == "" || c.v == nil {
				if c.schema != "" { // check the schema through a value-less schema build
					cs, err := withSchema.compiled(c.s)
					if err != nil {
						t.Fatal(err)
					}
					want := `{"schema":` + c.schema + `,"payload":`
					if string(cs.prefix) != want {
						t.Errorf("schema\n got %s\nwant %s", cs.prefix, want)
					}
				}
				return
			}
			got, err = withSchema.Convert(bg, "t", c.s, c.v)
			if err != nil {
				t.Fatal(err)
			}
			want := `{"schema":` + c.schema + `,"payload":` + c.payload + `}`
			if string(got) != want {
				t.Errorf("with schema\n got %s\nwant %s", got, want)
			}
			if !json.Valid(got) {
				t.Errorf("invalid JSON: %s", got)
			}
		})
	}
}

func TestNullWithDefault(t *testing.T) {
	s := structSchema("r", false,
		field("a", &change.Schema{Type: change.Int32, Optional: true, HasDefault: true, Default: int64(7)}),
		field("b", &change.Schema{Type: change.String, HasDefault: true, Default: "dflt"}))
	v := value(s, nil, nil)
	got, err := conv(t, Config{}).Convert(bg, "t", s, v)
	if err != nil || string(got) != `{"a":7,"b":"dflt"}` {
		t.Errorf("replace.null.with.default=true: got %s, %v", got, err)
	}
	// replace.null.with.default=false: optional fields go null, a required
	// one is an error as in Connect.
	c := conv(t, Config{KeepNullsWithDefault: true})
	_, err = c.Convert(bg, "t", s, v)
	var te *TypeError
	if !errors.As(err, &te) || te.Path != "b" {
		t.Fatalf("KeepNulls, required null: got %v", err)
	}
	v.Values[1] = "x"
	got, err = c.Convert(bg, "t", s, v)
	if err != nil || string(got) != `{"a":null,"b":"x"}` {
		t.Errorf("KeepNulls: got %s, %v", got, err)
	}
}

func TestEnvelope(t *testing.T) {
	f := newEnvelopeFixture()
	key, val := f.create(1004)

	const rowSchema = `{"type":"struct","fields":[` +
		`{"type":"int32","optional":false,"field":"id"},` +
		`{"type":"string","optional":false,"field":"first_name"},` +
		`{"type":"string","optional":false,"field":"last_name"},` +
		`{"type":"string","optional":false,"field":"email"},` +
		`{"type":"int16","optional":true,"default":18,"field":"age"},` +
		`{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2","connect.decimal.precision":"10"},"field":"balance"},` +
		`{"type":"double","optional":true,"field":"score"},` +
		`{"type":"boolean","optional":false,"field":"active"},` +
		`{"type":"int32","optional":true,"name":"io.debezium.time.Date","version":1,"field":"birth_date"},` +
		`{"type":"string","optional":true,"name":"io.debezium.time.ZonedTimestamp","version":1,"field":"created_at"}` +
		`],"optional":true,"name":"dbserver1.inventory.customers.Value","field":"%s"}`
	wantSchema := `{"type":"struct","fields":[` +
		strings.Replace(rowSchema, "%s", "before", 1) + `,` +
		strings.Replace(rowSchema, "%s", "after", 1) + `,` +
		`{"type":"struct","fields":[` +
		`{"type":"string","optional":false,"field":"version"},` +
		`{"type":"string","optional":false,"field":"connector"},` +
		`{"type":"string","optional":false,"field":"name"},` +
		`{"type":"int64","optional":false,"field":"ts_ms"},` +
		`{"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"},"default":"false","field":"snapshot"},` +
		`{"type":"string","optional":false,"field":"db"},` +
		`{"type":"string","optional":true,"field":"sequence"},` +
		`{"type":"int64","optional":true,"field":"ts_us"},` +
		`{"type":"int64","optional":true,"field":"ts_ns"},` +
		`{"type":"string","optional":true,"field":"table"},` +
		`{"type":"int64","optional":false,"field":"server_id"},` +
		`{"type":"string","optional":true,"field":"gtid"},` +
		`{"type":"string","optional":false,"field":"file"},` +
		`{"type":"int64","optional":false,"field":"pos"},` +
		`{"type":"int32","optional":false,"field":"row"},` +
		`{"type":"int64","optional":true,"field":"thread"},` +
		`{"type":"string","optional":true,"field":"query"}` +
		`],"optional":false,"name":"io.debezium.connector.mysql.Source","field":"source"},` +
		`{"type":"struct","fields":[` +
		`{"type":"string","optional":false,"field":"id"},` +
		`{"type":"int64","optional":false,"field":"total_order"},` +
		`{"type":"int64","optional":false,"field":"data_collection_order"}` +
		`],"optional":true,"name":"event.block","version":1,"field":"transaction"},` +
		`{"type":"string","optional":false,"field":"op"},` +
		`{"type":"int64","optional":true,"field":"ts_ms"},` +
		`{"type":"int64","optional":true,"field":"ts_us"},` +
		`{"type":"int64","optional":true,"field":"ts_ns"}` +
		`],"optional":false,"name":"dbserver1.inventory.customers.Envelope","version":2}`
	const wantPayload = `{"before":null,` +
		`"after":{"id":1004,"first_name":"Anne","last_name":"Kretchmar","email":"annek@noanswer.org","age":18,"balance":"MDk=","score":4.5,"active":true,"birth_date":19000,"created_at":"2024-01-02T03:04:05Z"},` +
		`"source":{"version":"3.0.0.Final","connector":"mysql","name":"dbserver1","ts_ms":1700000000000,"snapshot":"false","db":"inventory","sequence":null,"ts_us":1700000000000000,"ts_ns":1700000000000000000,"table":"customers","server_id":223344,"gtid":"0-1-48","file":"mysql-bin.000003","pos":154,"row":0,"thread":7,"query":null},` +
		`"transaction":null,"op":"c","ts_ms":1700000000123,"ts_us":1700000000123456,"ts_ns":1700000000123456789}`

	off := conv(t, Config{})
	got, err := off.Convert(bg, "dbserver1.inventory.customers", f.env, val)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != wantPayload {
		t.Errorf("schemas off\n got %s\nwant %s", got, wantPayload)
	}
	on := conv(t, Config{SchemasEnable: true})
	for range 2 { // second round comes from the cache
		got, err = on.Convert(bg, "dbserver1.inventory.customers", f.env, val)
		if err != nil {
			t.Fatal(err)
		}
		want := `{"schema":` + wantSchema + `,"payload":` + wantPayload + `}`
		if string(got) != want {
			t.Errorf("schemas on\n got %s\nwant %s", got, want)
		}
		if !json.Valid(got) {
			t.Errorf("invalid JSON")
		}
	}
	got, err = on.Convert(bg, "dbserver1.inventory.customers", f.key, key)
	wantKey := `{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,"name":"dbserver1.inventory.customers.Key"},"payload":{"id":1004}}`
	if err != nil || string(got) != wantKey {
		t.Errorf("key\n got %s (%v)\nwant %s", got, err, wantKey)
	}
	// Tombstone and null key.
	if got, err := on.Convert(bg, "t", nil, nil); got != nil || err != nil {
		t.Errorf("tombstone: %q %v", got, err)
	}
	// A null for a required schema without default fails, as Connect's
	// "null value for field that is required" does.
	if got, err := on.Convert(bg, "t", f.env, nil); got != nil || err == nil {
		t.Errorf("nil value with a required schema: %q %v", got, err)
	}
}

func TestSchemaCachedOnce(t *testing.T) {
	f := newEnvelopeFixture()
	_, val := f.create(1)
	c := conv(t, Config{SchemasEnable: true})
	if _, err := c.Convert(bg, "t", f.env, val); err != nil {
		t.Fatal(err)
	}
	p1, _ := c.cache.Load(f.env)
	if _, err := c.Convert(bg, "t", f.env, val); err != nil {
		t.Fatal(err)
	}
	p2, _ := c.cache.Load(f.env)
	if p1.(*compiled) != p2.(*compiled) || &p1.(*compiled).prefix[0] != &p2.(*compiled).prefix[0] {
		t.Error("schema JSON rebuilt")
	}
	if n := c.entries.Load(); n != 1 {
		t.Errorf("entries = %d", n)
	}
	// Results are independent copies.
	a, _ := c.Convert(bg, "t", f.env, val)
	b, _ := c.Convert(bg, "t", f.env, val)
	a[0] = 'X'
	if b[0] != '{' || cap(a) != len(a) {
		t.Error("result slices share memory or are oversized")
	}
}

func TestSchemaless(t *testing.T) {
	c := conv(t, Config{SchemasEnable: true})
	got, err := c.Convert(bg, "t", nil, []change.MapEntry{{Key: "a", Value: []any{int64(1), 2.5, "x", true, nil, []byte{1}}}})
	want := `{"schema":null,"payload":{"a":[1,2.5,"x",true,null,"AQ=="]}}`
	if err != nil || string(got) != want {
		t.Errorf("got %s (%v), want %s", got, err, want)
	}
	got, err = conv(t, Config{}).Convert(bg, "t", nil, []change.MapEntry{{Key: int64(1), Value: "x"}})
	if err != nil || string(got) != `[[1,"x"]]` {
		t.Errorf("got %s (%v)", got, err)
	}
	if _, err := c.Convert(bg, "t", nil, &change.Value{}); err == nil {
		t.Error("struct without schema accepted")
	}
}

func TestErrors(t *testing.T) {
	f := newEnvelopeFixture()
	c := conv(t, Config{})
	cases := []struct {
		name     string
		s        *change.Schema
		v        func() any
		path     string
		typ      change.Type
		contains string
	}{
		{"wrong Go type in row", f.env, func() any {
			_, v := f.create(1)
			v.Values[1].(*change.Value).Values[0] = int32(5)
			return v
		}, "after.id", change.Int32, "value must be int64, got int32"},
		{"required null", f.env, func() any {
			_, v := f.create(1)
			v.Values[1].(*change.Value).Values[1] = nil
			return v
		}, "after.first_name", change.String, "null value for a required field with no default"},
		{"nested source", f.env, func() any {
			_, v := f.create(1)
			v.Values[2].(*change.Value).Values[13] = "154"
			return v
		}, "source.pos", change.Int64, "value must be int64, got string"},
		{"decimal not bytes", f.env, func() any {
			_, v := f.create(1)
			v.Values[1].(*change.Value).Values[5] = "12.34"
			return v
		}, "after.balance", change.Bytes, "[]byte"},
		{"out of range", prim(change.Int8), func() any { return int64(128) }, "", change.Int8, "out of range"},
		{"struct arity", f.row, func() any { return value(f.row, int64(1)) }, "", change.Struct, "1 values for 10 fields"},
		{"struct schema mismatch", f.row, func() any { return value(f.key, int64(1)) }, "", change.Struct, "mismatching schema"},
		{"array element", &change.Schema{Type: change.Array, Items: prim(change.String)}, func() any { return []any{"a", 1.0} },
			"[1]", change.String, "got float64"},
		{"map value", &change.Schema{Type: change.Map, Keys: prim(change.String), Values: prim(change.Boolean)},
			func() any { return []change.MapEntry{{Key: "k", Value: "true"}} }, `["k"]`, change.Boolean, "bool"},
		{"decimal without scale", &change.Schema{Type: change.Bytes, Name: change.DecimalName}, func() any { return []byte{1} },
			"", change.Bytes, "scale parameter not found"},
		{"not a struct value", f.key, func() any { return map[string]any{"id": 1} }, "", change.Struct, "*change.Value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Convert(bg, "t", tc.s, tc.v())
			var te *TypeError
			if !errors.As(err, &te) {
				t.Fatalf("got %v, want a *TypeError", err)
			}
			if te.Path != tc.path || te.Type != tc.typ || !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("got %q (path %q, type %s)", err, te.Path, te.Type)
			}
			if tc.path != "" && !strings.Contains(err.Error(), "field "+tc.path+": "+tc.typ.String()) {
				t.Errorf("message %q does not name the path and type", err)
			}
		})
	}
	if _, err := New(Config{DecimalFormat: "string"}); err == nil {
		t.Error("bad decimal.format accepted")
	}
	// A bad default fails the schema build, and is not cached.
	bad := &change.Schema{Type: change.Int32, HasDefault: true, Default: "x"}
	on := conv(t, Config{SchemasEnable: true})
	if _, err := on.Convert(bg, "t", bad, int64(1)); err == nil || !strings.Contains(err.Error(), "schema default") {
		t.Errorf("bad default: %v", err)
	}
	if _, ok := on.cache.Load(bad); ok {
		t.Error("failed schema cached")
	}
}

func TestConcurrent(t *testing.T) {
	f := newEnvelopeFixture()
	c := conv(t, Config{SchemasEnable: true})
	_, val := f.create(1)
	want, err := c.Convert(bg, "t", f.env, val)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				// Fresh schema pointers too, to exercise the cache.
				ff := newEnvelopeFixture()
				_, v := ff.create(1)
				got, err := c.Convert(bg, "t", ff.env, v)
				if err != nil || string(got) != string(want) {
					t.Errorf("concurrent result differs: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// refString is a plain byte-by-byte version of appendString's rules.
func refString(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, r := range s { // invalid bytes come out as U+FFFD
		switch {
		case r == '"':
			sb.WriteString(`\"`)
		case r == '\\':
			sb.WriteString(`\\`)
		case r == '\b':
			sb.WriteString(`\b`)
		case r == '\t':
			sb.WriteString(`\t`)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\f':
			sb.WriteString(`\f`)
		case r == '\r':
			sb.WriteString(`\r`)
		case r < 0x20:
			fmt.Fprintf(&sb, `\u%04X`, r)
		case r > 0xFFFF:
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&sb, `\u%04X\u%04X`, hi, lo)
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

func TestAppendStringRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "Z", "0", " ", "/", "\"", "\\", "\n", "\x00", "\x1f", "\x7f", "é", "€", "😀", "\xff", "\xe2\x82", "\u2028"}
	for i := 0; i < 100000; i++ {
		var sb strings.Builder
		n := r.IntN(40)
		for j := 0; j < n; j++ {
			if r.IntN(4) == 0 {
				sb.WriteString(alphabet[r.IntN(len(alphabet))])
			} else {
				sb.WriteString(alphabet[r.IntN(4)]) // long plain runs for the 8-byte path
			}
		}
		s := sb.String()
		if got, want := string(appendString(nil, s)), refString(s); got != want {
			t.Fatalf("appendString(%q)\n got %s\nwant %s", s, got, want)
		}
	}
}

func TestAllocations(t *testing.T) {
	f := newEnvelopeFixture()
	key, val := f.create(1004)
	for _, cfg := range []Config{{}, {SchemasEnable: true}, {DecimalFormat: DecimalNumeric}} {
		c := conv(t, cfg)
		if _, err := c.Convert(bg, "t", f.env, val); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(200, func() { _, _ = c.Convert(bg, "t", f.env, val) }); n > 1 {
			t.Errorf("%+v: Convert makes %v allocations, want 1", cfg, n)
		}
		buf := make([]byte, 0, 8192)
		if n := testing.AllocsPerRun(200, func() { buf, _ = c.Append(buf[:0], "t", f.env, val) }); n != 0 {
			t.Errorf("%+v: Append makes %v allocations, want 0", cfg, n)
		}
		// Two schemas in turn (one converter for keys and values, or two
		// tables' records interleaved): each a cache hit, none a new form.
		if _, err := c.Append(buf[:0], "t", f.key, key); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(200, func() {
			buf, _ = c.Append(buf[:0], "t", f.key, key)
			buf, _ = c.Append(buf[:0], "t", f.env, val)
		}); n != 0 {
			t.Errorf("%+v: Append of a key and a value in turn makes %v allocations, want 0", cfg, n)
		}
	}
}

// bg is the context of conversions that make no remote call.
var bg = context.Background()

// An update's after image shares the before image's values for the columns
// it left alone (the record builder's doing); the converter copies their
// text from the before image's. The result must be what writing each image
// on its own gives, whichever values are shared and whatever they are.
func TestUpdateCopiesSharedValuesText(t *testing.T) {
	f := newEnvelopeFixture()
	_, env := f.create(1004)
	before := env.Values[1].(*change.Value)
	long := strings.Repeat("a\"b", 40) // the string memo's range
	rows := map[string]*change.Value{
		"all shared": value(f.row, before.Values...),
		"some changed": value(f.row, before.Values[0], "Anna", before.Values[2], long, int64(40),
			[]byte{0x31}, before.Values[6], false, before.Values[8], nil),
		"nulls shared": value(f.row, before.Values[0], before.Values[1], before.Values[2], before.Values[3], nil,
			nil, nil, before.Values[7], nil, nil),
		"copies, not shared": value(f.row, int64(1004), "Anne", "Kretchmar", "annek@noanswer.org", nil,
			[]byte{0x30, 0x39}, 4.5, true, int64(19000), "2024-01-02T03:04:05Z"),
	}
	for _, schemas := range []bool{false, true} {
		c := conv(t, Config{SchemasEnable: schemas})
		for name, after := range rows {
			for _, b := range []*change.Value{before, value(f.row, before.Values[0], "B", "C", long, int64(3), nil, nil, true, nil, nil)} {
				upd := value(f.env, b, after, env.Values[2], nil, "u", int64(1), int64(2), int64(3))
				got, err := c.Convert(bg, "t", f.env, upd)
				if err != nil {
					t.Fatal(err)
				}
				bj, _ := conv(t, Config{}).Convert(bg, "t", f.row, b)
				aj, _ := conv(t, Config{}).Convert(bg, "t", f.row, after)
				want := `{"before":` + string(bj) + `,"after":` + string(aj) + `,"source":`
				payload := string(got)
				if schemas {
					payload = payload[strings.Index(payload, `,"payload":`)+len(`,"payload":`):]
				}
				if !strings.HasPrefix(payload, want) {
					t.Errorf("schemas %v, %s:\n got %s\nwant %s...", schemas, name, payload, want)
				}
			}
		}
	}
}
