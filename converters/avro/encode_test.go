package avro

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters"
	"github.com/sluice-cdc/sluice/converters/jsonconv"
	"github.com/sluice-cdc/sluice/internal/fault"
)

// memRegistry is an in-memory registry: one id per distinct schema text,
// versions per subject, a call counter, and an optional failure.
type memRegistry struct {
	mu       sync.Mutex
	ids      map[string]int
	subjects map[string][]string
	calls    int
	fail     error
}

func newMemRegistry() *memRegistry {
	return &memRegistry{ids: map[string]int{}, subjects: map[string][]string{}}
}

func (m *memRegistry) Register(_ context.Context, subject, schema string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.fail != nil {
		return 0, m.fail
	}
	id, ok := m.ids[schema]
	if !ok {
		id = len(m.ids) + 1
		m.ids[schema] = id
	}
	for _, s := range m.subjects[subject] {
		if s == schema {
			return id, nil
		}
	}
	m.subjects[subject] = append(m.subjects[subject], schema)
	return id, nil
}

func (m *memRegistry) Lookup(_ context.Context, subject, schema string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	for _, s := range m.subjects[subject] {
		if s == schema {
			return m.ids[s], nil
		}
	}
	return 0, fault.Definite(notFoundErr{})
}

func (m *memRegistry) Latest(_ context.Context, subject string) (int, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	v := m.subjects[subject]
	if len(v) == 0 {
		return 0, "", fault.Definite(notFoundErr{})
	}
	return m.ids[v[len(v)-1]], v[len(v)-1], nil
}

type notFoundErr struct{}

func (notFoundErr) Error() string  { return "subject not found" }
func (notFoundErr) NotFound() bool { return true }

func newConv(t testing.TB, reg Registry, isKey bool) *Converter {
	t.Helper()
	opts := DefaultOptions()
	opts.IsKey = isKey
	c, err := New(reg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// decodeFramed checks the Confluent framing and decodes the body with
// goavro from the registered schema text, read without its logical types
// so that values come back as the bytes and numbers on the wire.
func decodeFramed(t *testing.T, reg *memRegistry, out []byte) (int, any) {
	t.Helper()
	if len(out) < 5 || out[0] != 0 {
		t.Fatalf("not Confluent framing: % x", out[:min(len(out), 8)])
	}
	id := int(binary.BigEndian.Uint32(out[1:5]))
	var text string
	reg.mu.Lock()
	for s, i := range reg.ids {
		if i == id {
			text = s
		}
	}
	reg.mu.Unlock()
	if text == "" {
		t.Fatalf("schema id %d was never registered", id)
	}
	codec, err := goavro.NewCodec(logicalTypes.ReplaceAllString(text, ""))
	if err != nil {
		t.Fatalf("goavro: %v\n%s", err, text)
	}
	native, rest, err := codec.NativeFromBinary(out[5:])
	if err != nil || len(rest) != 0 {
		t.Fatalf("goavro decode: %v (%d bytes left)", err, len(rest))
	}
	return id, native
}

var logicalTypes = regexp.MustCompile(`,"logicalType":"[a-z-]+"`)

// canon turns a decoded value (from Avro when avro is set, else from
// JsonConverter's JSON) into one comparable form, walking s: integers as
// int64, floats as float64 (float32 precision for float), bytes and
// Decimals as []byte, structs and string-keyed maps as map[string]any,
// other maps as [][2]any.
func canon(t *testing.T, path string, s *change.Schema, v any, avro bool) any {
	t.Helper()
	if avro && s.Optional && v != nil {
		// Every optional schema is a union: goavro wraps the value in a
		// map keyed by the branch's name.
		m, ok := v.(map[string]any)
		if !ok || len(m) != 1 {
			t.Fatalf("%s: union value %#v", path, v)
		}
		for _, inner := range m {
			v = inner
		}
	}
	if v == nil {
		return nil
	}
	switch s.Type {
	case change.Int8, change.Int16, change.Int32, change.Int64:
		switch n := v.(type) {
		case int32:
			return int64(n)
		case int64:
			return n
		case json.Number:
			i, err := n.Int64()
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			return i
		}
	case change.Float32:
		switch f := v.(type) {
		case float32:
			return float64(f)
		case json.Number:
			x, _ := f.Float64()
			return float64(float32(x))
		}
	case change.Float64:
		if n, ok := v.(json.Number); ok {
			x, _ := n.Float64()
			return x
		}
		return v
	case change.Boolean, change.String:
		return v
	case change.Bytes:
		if avro {
			return v
		}
		b, err := base64.StdEncoding.DecodeString(v.(string))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return b
	case change.Array:
		out := []any{}
		for i, it := range v.([]any) {
			out = append(out, canon(t, fmt.Sprintf("%s[%d]", path, i), s.Items, it, avro))
		}
		return out
	case change.Map:
		if s.Keys.Type == change.String && !s.Keys.Optional {
			out := map[string]any{}
			for k, e := range v.(map[string]any) {
				out[k] = canon(t, path+"."+k, s.Values, e, avro)
			}
			return out
		}
		var out [][2]any
		for _, e := range v.([]any) {
			var k, val any
			if avro {
				rec := e.(map[string]any)
				k, val = rec["key"], rec["value"]
			} else {
				pair := e.([]any)
				k, val = pair[0], pair[1]
			}
			out = append(out, [2]any{canon(t, path+".key", s.Keys, k, avro), canon(t, path+".value", s.Values, val, avro)})
		}
		return out
	case change.Struct:
		m := v.(map[string]any)
		out := map[string]any{}
		for _, f := range s.Fields {
			out[f.Name] = canon(t, path+"."+f.Name, f.Schema, m[f.Name], avro)
		}
		return out
	}
	t.Fatalf("%s: unexpected %T for %s", path, v, s.Type)
	return nil
}

func TestEncodeMatchesJSONConverter(t *testing.T) {
	f := newFixture()
	reg := newMemRegistry()
	kc, vc := newConv(t, reg, true), newConv(t, reg, false)
	jc, err := jsonconv.New(jsonconv.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for name, mk := range map[string]func(int64) (*change.Value, *change.Value){"full": f.full, "sparse": f.sparse} {
		key, val := mk(1001)
		for _, c := range []struct {
			what string
			conv *Converter
			s    *change.Schema
			v    *change.Value
		}{{"key", kc, f.key, key}, {"value", vc, f.env, val}} {
			out, err := c.conv.Convert(bg, "dbserver1.inventory.customers", c.s, c.v)
			if err != nil {
				t.Fatalf("%s %s: %v", name, c.what, err)
			}
			_, native := decodeFramed(t, reg, out)
			js, err := jc.Convert(bg, "dbserver1.inventory.customers", c.s, c.v)
			if err != nil {
				t.Fatal(err)
			}
			var fromJSON any
			dec := json.NewDecoder(bytes.NewReader(js))
			dec.UseNumber()
			if err := dec.Decode(&fromJSON); err != nil {
				t.Fatal(err)
			}
			a, j := canon(t, c.what, c.s, native, true), canon(t, c.what, c.s, fromJSON, false)
			for _, fld := range c.s.Fields {
				if !reflect.DeepEqual(a.(map[string]any)[fld.Name], j.(map[string]any)[fld.Name]) {
					t.Errorf("%s %s.%s:\navro %#v\njson %#v", name, c.what, fld.Name, a.(map[string]any)[fld.Name], j.(map[string]any)[fld.Name])
				}
			}
		}
	}
}

// TestLogicalTypesDecode reads a record with the logical types on, as a
// consumer's Avro library would: a Decimal is the number it stands for, a
// Connect Date the day.
func TestLogicalTypesDecode(t *testing.T) {
	reg := newMemRegistry()
	s := &change.Schema{Type: change.Struct, Name: "r", Fields: []change.Field{
		field("balance", named(change.Bytes, change.DecimalName, true, change.Param{Key: "scale", Value: "2"}, change.Param{Key: "connect.decimal.precision", Value: "10"})),
		field("price", named(change.Bytes, change.DecimalName, false, change.Param{Key: "scale", Value: "3"})),
		field("day", named(change.Int32, change.ConnectDateName, false)),
	}}
	out, err := newConv(t, reg, false).Convert(bg, "t", s, value(s, []byte{0x30, 0x39}, []byte{0xff, 0x85}, int64(19782)))
	if err != nil {
		t.Fatal(err)
	}
	var text string
	for s := range reg.ids {
		text = s
	}
	codec, err := goavro.NewCodec(text)
	if err != nil {
		t.Fatal(err)
	}
	native, _, err := codec.NativeFromBinary(out[5:])
	if err != nil {
		t.Fatal(err)
	}
	rec := native.(map[string]any)
	if bal := rec["balance"].(map[string]any)["bytes.decimal"].(*big.Rat); bal.FloatString(2) != "123.45" {
		t.Errorf("balance = %s, want 123.45", bal.FloatString(2))
	}
	if price := rec["price"].(*big.Rat); price.FloatString(3) != "-0.123" {
		t.Errorf("price = %s, want -0.123", price.FloatString(3))
	}
	if day := rec["day"].(time.Time); day.Format("2006-01-02") != "2024-02-29" {
		t.Errorf("day = %v, want 2024-02-29", day)
	}
}

func TestRegistryCalledOncePerSchema(t *testing.T) {
	f := newFixture()
	reg := newMemRegistry()
	c := newConv(t, reg, false)
	for i := range 100 {
		_, v := f.full(int64(i))
		if _, err := c.Convert(bg, "dbserver1.inventory.customers", f.env, v); err != nil {
			t.Fatal(err)
		}
	}
	if reg.calls != 1 {
		t.Fatalf("registry calls for 100 records of one schema = %d, want 1", reg.calls)
	}
	// The same table rebuilt (a new *Schema with the same content, as after
	// a TABLE_MAP that changed nothing Avro shows) reuses the id.
	f2 := newFixture()
	_, v := f2.full(1)
	out, err := c.Convert(bg, "dbserver1.inventory.customers", f2.env, v)
	if err != nil {
		t.Fatal(err)
	}
	if reg.calls != 1 {
		t.Fatalf("registry calls after an identical schema = %d, want 1", reg.calls)
	}
	// Another topic is another subject: one more call.
	if _, err := c.Convert(bg, "other", f2.env, v); err != nil {
		t.Fatal(err)
	}
	if reg.calls != 2 || len(reg.subjects["other-value"]) != 1 || len(reg.subjects["dbserver1.inventory.customers-value"]) != 1 {
		t.Fatalf("calls %d, subjects %v", reg.calls, keys(reg.subjects))
	}
	if id, _ := decodeFramed(t, reg, out); id != 1 {
		t.Fatalf("id %d", id)
	}
}

func keys(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestSchemaEvolutionRegistersNewVersion(t *testing.T) {
	reg := newMemRegistry()
	c := newConv(t, reg, false)
	v1 := &change.Schema{Type: change.Struct, Name: "p.db.t.Value", Fields: []change.Field{field("id", prim(change.Int32))}}
	v2 := &change.Schema{Type: change.Struct, Name: "p.db.t.Value", Fields: []change.Field{field("id", prim(change.Int32)), field("note", optPrim(change.String))}}
	out1, err := c.Convert(bg, "p.db.t", v1, value(v1, int64(1)))
	if err != nil {
		t.Fatal(err)
	}
	out2, err := c.Convert(bg, "p.db.t", v2, value(v2, int64(2), "hi"))
	if err != nil {
		t.Fatal(err)
	}
	id1, _ := decodeFramed(t, reg, out1)
	id2, rec := decodeFramed(t, reg, out2)
	if id1 == id2 || len(reg.subjects["p.db.t-value"]) != 2 {
		t.Fatalf("ids %d %d, versions %d", id1, id2, len(reg.subjects["p.db.t-value"]))
	}
	if got := rec.(map[string]any)["note"]; !reflect.DeepEqual(got, map[string]any{"string": "hi"}) {
		t.Fatalf("note = %#v", got)
	}
	// Interleaved, each record keeps its own schema id.
	for i, s := range []*change.Schema{v1, v1, v2, v1, v2, v2} {
		vals := []any{int64(i)}
		want := id1
		if s == v2 {
			vals, want = append(vals, "x"), id2
		}
		out, err := c.Convert(bg, "p.db.t", s, value(s, vals...))
		if err != nil {
			t.Fatal(err)
		}
		if id, _ := decodeFramed(t, reg, out); id != want {
			t.Fatalf("record %d: schema id %d, want %d", i, id, want)
		}
	}
}

func TestErrors(t *testing.T) {
	reg := newMemRegistry()
	c := newConv(t, reg, false)
	s := &change.Schema{Type: change.Struct, Name: "p.db.t.Value", Fields: []change.Field{field("id", prim(change.Int16)), field("n", prim(change.String))}}
	cases := []struct {
		v    *change.Value
		want string
	}{
		{value(s, int64(70000), "x"), "field id: int16 schema: value 70000 out of range"},
		{value(s, int64(1), nil), "field n: string schema: null value for a required field with no default"},
		{value(s, "1", "x"), "field id: int16 schema: value must be int64, got string"},
	}
	for _, tc := range cases {
		_, err := c.Convert(bg, "p.db.t", s, tc.v)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !fault.IsDefinite(err) {
			t.Errorf("err = %v, want definite %q", err, tc.want)
		}
	}
	bad := &change.Schema{Type: change.Struct, Name: "p.db.my-table.Value", Fields: []change.Field{field("id", prim(change.Int32))}}
	_, err := c.Convert(bg, "p.db.my-table", bad, value(bad, int64(1)))
	if err == nil || !fault.IsDefinite(err) || !strings.Contains(err.Error(), "schema.name.adjustment.mode") {
		t.Errorf("invalid name: %v", err)
	}
	reg.fail = fmt.Errorf("connection refused")
	_, err = c.Convert(bg, "q", s, value(s, int64(1), "x"))
	if err == nil || fault.IsDefinite(err) || !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), "value.converter.schema.registry.url") {
		t.Errorf("registry down: %v, want a transient error", err)
	}
}

func TestNameAdjustment(t *testing.T) {
	reg := newMemRegistry()
	opts := DefaultOptions()
	opts.SchemaNameAdjustment, opts.FieldNameAdjustment = AdjustAvro, AdjustAvroUnicode
	c, err := New(reg, opts)
	if err != nil {
		t.Fatal(err)
	}
	s := &change.Schema{Type: change.Struct, Name: "p.db.my-table.Value", Fields: []change.Field{field("1st col", prim(change.Int32))}}
	out, err := c.Convert(bg, "p.db.my-table", s, value(s, int64(5)))
	if err != nil {
		t.Fatal(err)
	}
	_, rec := decodeFramed(t, reg, out)
	if !reflect.DeepEqual(rec, map[string]any{"_u0031st_u0020col": int32(5)}) {
		t.Fatalf("record = %#v", rec)
	}
	for text := range reg.ids {
		if !strings.Contains(text, `"name":"Value","namespace":"p.db.my_table"`) {
			t.Fatalf("schema = %s", text)
		}
	}
}

func TestNaNAndInfinity(t *testing.T) {
	reg := newMemRegistry()
	c := newConv(t, reg, false)
	s := &change.Schema{Type: change.Struct, Name: "r", Fields: []change.Field{field("d", prim(change.Float64)), field("f", prim(change.Float32))}}
	out, err := c.Convert(bg, "t", s, value(s, math.Inf(-1), math.NaN()))
	if err != nil {
		t.Fatal(err)
	}
	_, rec := decodeFramed(t, reg, out)
	m := rec.(map[string]any)
	if !math.IsInf(m["d"].(float64), -1) || !math.IsNaN(float64(m["f"].(float32))) {
		t.Fatalf("%v", m)
	}
}

func TestSubjectStrategies(t *testing.T) {
	s := &change.Schema{Type: change.Struct, Name: "p.db.t.Value", Fields: []change.Field{field("id", prim(change.Int32))}}
	for strategy, want := range map[string]string{
		"":                 "p.db.t-value",
		TopicNameStrategy:  "p.db.t-value",
		RecordNameStrategy: "p.db.t.Value",
		"io.confluent.kafka.serializers.subject.TopicRecordNameStrategy": "p.db.t-p.db.t.Value",
	} {
		reg := newMemRegistry()
		opts := DefaultOptions()
		opts.SubjectStrategy = strategy
		c, err := New(reg, opts)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Convert(bg, "p.db.t", s, value(s, int64(1))); err != nil {
			t.Fatal(err)
		}
		if len(reg.subjects[want]) != 1 || len(reg.subjects) != 1 {
			t.Errorf("strategy %q: subjects %v, want %s", strategy, keys(reg.subjects), want)
		}
	}
	if _, err := New(newMemRegistry(), Options{SubjectStrategy: "Nope"}); err == nil {
		t.Error("an unknown strategy was accepted")
	}
}

// TestNoAutoRegister: with auto.register.schemas=false the schema must be in
// the subject already; use.latest.version takes the latest version's id
// only when it is the record's schema.
func TestNoAutoRegister(t *testing.T) {
	s := &change.Schema{Type: change.Struct, Name: "r", Fields: []change.Field{field("id", prim(change.Int32))}}
	other := &change.Schema{Type: change.Struct, Name: "r", Fields: []change.Field{field("x", prim(change.String))}}
	reg := newMemRegistry()
	opts := DefaultOptions()
	opts.AutoRegister = false
	c, _ := New(reg, opts)
	_, err := c.Convert(bg, "t", s, value(s, int64(1)))
	if err == nil || !fault.IsDefinite(err) || !strings.Contains(err.Error(), "auto.register.schemas") {
		t.Fatalf("unregistered schema: %v", err)
	}
	text := schemaText(mustDerive(t, s))
	id, _ := reg.Register(bg, "t-value", text)
	c, _ = New(reg, opts) // a fresh cache
	out, err := c.Convert(bg, "t", s, value(s, int64(1)))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := decodeFramed(t, reg, out); got != id {
		t.Fatalf("id %d, want the registered %d", got, id)
	}

	opts.UseLatestVersion = true
	c, _ = New(reg, opts)
	if out, err = c.Convert(bg, "t", s, value(s, int64(2))); err != nil {
		t.Fatal(err)
	}
	if got, _ := decodeFramed(t, reg, out); got != id {
		t.Fatalf("use.latest.version: id %d, want %d", got, id)
	}
	reg.Register(bg, "t-value", schemaText(mustDerive(t, other)))
	c, _ = New(reg, opts)
	_, err = c.Convert(bg, "t", s, value(s, int64(3)))
	if err == nil || !fault.IsDefinite(err) || !strings.Contains(err.Error(), "use.latest.version") {
		t.Fatalf("latest version differs: %v", err)
	}
}

func mustDerive(t *testing.T, s *change.Schema) *node {
	t.Helper()
	opts := DefaultOptions()
	opts.schemaNames, _ = newAdjuster("", "schema.name.adjustment.mode")
	opts.fieldNames, _ = newAdjuster("", "field.name.adjustment.mode")
	n, err := derive(s, &opts)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSharedSchemaAcrossTopics: one schema written to two topics in turn
// keeps one id per subject, without asking the registry again.
func TestSharedSchemaAcrossTopics(t *testing.T) {
	s := &change.Schema{Type: change.Struct, Name: "r", Fields: []change.Field{field("id", prim(change.Int32))}}
	reg := newMemRegistry()
	c := newConv(t, reg, false)
	for i := range 10 {
		topic := []string{"a", "b"}[i%2]
		if _, err := c.Convert(bg, topic, s, value(s, int64(i))); err != nil {
			t.Fatal(err)
		}
	}
	if reg.calls != 2 {
		t.Fatalf("registry calls %d, want 2 (one per subject)", reg.calls)
	}
}

// Under converters.CachedOnly a schema whose id the converter has not
// learned is refused without a registry call (ErrNotCached, transient),
// and converted once a plain conversion has registered it.
func TestCachedOnlyAsksNoRegistry(t *testing.T) {
	reg := newMemRegistry()
	opts := DefaultOptions()
	opts.AutoRegister = true
	c, err := New(reg, opts)
	if err != nil {
		t.Fatal(err)
	}
	s := &change.Schema{Type: change.Struct, Name: "r", Fields: []change.Field{field("id", prim(change.Int64))}}
	v := value(s, int64(7))
	cached := converters.CachedOnly(context.Background())
	if _, err := c.Convert(cached, "t", s, v); !errors.Is(err, converters.ErrNotCached) || fault.IsDefinite(err) {
		t.Fatalf("first conversion under CachedOnly: %v, want the transient ErrNotCached", err)
	}
	if reg.calls != 0 {
		t.Fatalf("%d registry calls under CachedOnly, want none", reg.calls)
	}
	want, err := c.Convert(context.Background(), "t", s, v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Convert(cached, "t", s, v)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("under CachedOnly once registered: %x, %v; want %x", got, err, want)
	}
	if _, err := c.Convert(cached, "other", s, v); !errors.Is(err, converters.ErrNotCached) {
		t.Fatalf("another topic's subject under CachedOnly: %v, want ErrNotCached", err)
	}
}
