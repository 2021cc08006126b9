package smt

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters/header"
	"github.com/sluice-cdc/sluice/converters/jsonconv"
)

// TestGoldenAgainstKafkaConnect runs every case of testdata/golden/cases.json
// through Sluice's transforms and compares what a consumer would read
// (topic, key and value as JsonConverter with schemas, headers as text)
// with what Kafka Connect's own transforms produced for the same case
// (golden.json, written by testdata/golden/regen.sh). Where Connect fails,
// Sluice must fail too.
func TestGoldenAgainstKafkaConnect(t *testing.T) {
	var cases struct {
		Inputs map[string]json.RawMessage
		Cases  map[string]struct {
			Chain  []map[string]string
			Inputs []string
		}
	}
	var golden map[string]map[string]json.RawMessage
	readJSON(t, "testdata/golden/cases.json", &cases)
	readJSON(t, "testdata/golden/golden.json", &golden)
	conv, err := jsonconv.New(jsonconv.Config{SchemasEnable: true})
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(cases.Cases))
	for n := range cases.Cases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		c := cases.Cases[name]
		t.Run(name, func(t *testing.T) {
			props := map[string]string{}
			var aliases []string
			for i, step := range c.Chain {
				alias := "t" + strconv.Itoa(i)
				aliases = append(aliases, alias)
				for k, v := range step {
					props["transforms."+alias+"."+k] = v
				}
			}
			props["transforms"] = strings.Join(aliases, ",")
			chain, err := Parse(props)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			for _, in := range c.Inputs {
				want := map[string]any{}
				if err := json.Unmarshal(golden[name][in], &want); err != nil {
					t.Fatalf("%s: golden: %v", in, err)
				}
				got := runGolden(t, chain, conv, cases.Inputs[in])
				if wantErr, ok := want["error"]; ok {
					if _, failed := got["error"]; !failed {
						t.Errorf("%s: Kafka Connect fails (%s); Sluice gives %v", in, wantErr, got)
					}
					continue
				}
				if !reflect.DeepEqual(got, want) {
					g, _ := json.Marshal(got)
					w, _ := json.Marshal(want)
					t.Errorf("%s:\n got %s\nwant %s", in, g, w)
				}
			}
		})
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// runGolden applies the chain to one input and describes the result as
// SmtGolden.java does.
func runGolden(t *testing.T, chain Chain, conv *jsonconv.Converter, input json.RawMessage) map[string]any {
	var in struct {
		Topic      string
		Timestamp  int64
		Key, Value json.RawMessage
		Headers    [][2]string
	}
	if err := json.Unmarshal(input, &in); err != nil {
		t.Fatal(err)
	}
	r := &change.Record{Topic: in.Topic, Timestamp: time.UnixMilli(in.Timestamp)}
	r.KeySchema, r.Key = decodeConnect(t, in.Key)
	r.ValueSchema, r.Value = decodeConnect(t, in.Value)
	for _, h := range in.Headers {
		r.Headers = append(r.Headers, change.Header{Key: h[0], Schema: stringSchema, Value: h[1]})
	}
	fail := func(err error) map[string]any { return map[string]any{"error": err.Error()} }
	out, err := chain.Transform(r)
	if err != nil {
		return fail(err)
	}
	if out == nil {
		return map[string]any{"dropped": true}
	}
	got := map[string]any{"topic": out.Topic}
	for _, part := range []struct {
		name string
		s    *change.Schema
		v    any
	}{{"key", out.KeySchema, out.Key}, {"value", out.ValueSchema, out.Value}} {
		b, err := conv.Convert(context.Background(), out.Topic, part.s, part.v)
		if err != nil {
			return fail(err)
		}
		var x any
		if b != nil {
			if err := json.Unmarshal(b, &x); err != nil {
				t.Fatalf("%s: %s: %v", part.name, b, err)
			}
		}
		got[part.name] = x
	}
	hs := []any{}
	for _, h := range out.Headers {
		var v any
		if b := header.String(h.Schema, h.Value); b != nil {
			v = string(b)
		}
		hs = append(hs, []any{h.Key, v})
	}
	got["headers"] = hs
	return got
}

// decodeConnect reads JsonConverter's {"schema":…,"payload":…} into a
// Connect schema and value, for test inputs.
func decodeConnect(t *testing.T, raw json.RawMessage) (*change.Schema, any) {
	t.Helper()
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var env struct {
		Schema  map[string]any
		Payload any
	}
	d := json.NewDecoder(strings.NewReader(string(raw)))
	d.UseNumber()
	if err := d.Decode(&env); err != nil {
		t.Fatal(err)
	}
	if env.Schema == nil {
		return nil, payload(t, nil, env.Payload)
	}
	s := schemaOf(env.Schema)
	return s, payload(t, s, env.Payload)
}

var typeByName = map[string]change.Type{"int8": change.Int8, "int16": change.Int16, "int32": change.Int32, "int64": change.Int64,
	"float": change.Float32, "double": change.Float64, "boolean": change.Boolean, "string": change.String, "bytes": change.Bytes,
	"struct": change.Struct, "array": change.Array, "map": change.Map}

func schemaOf(m map[string]any) *change.Schema {
	s := &change.Schema{Type: typeByName[m["type"].(string)]}
	s.Optional, _ = m["optional"].(bool)
	s.Name, _ = m["name"].(string)
	s.Doc, _ = m["doc"].(string)
	if v, ok := m["version"].(json.Number); ok {
		n, _ := v.Int64()
		s.Version = int(n)
	}
	if p, ok := m["parameters"].(map[string]any); ok {
		keys := make([]string, 0, len(p))
		for k := range p {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s.Parameters = append(s.Parameters, change.Param{Key: k, Value: p[k].(string)})
		}
	}
	for _, f := range asSlice(m["fields"]) {
		fm := f.(map[string]any)
		s.Fields = append(s.Fields, change.Field{Name: fm["field"].(string), Schema: schemaOf(fm)})
	}
	if it, ok := m["items"].(map[string]any); ok {
		s.Items = schemaOf(it)
	}
	if k, ok := m["keys"].(map[string]any); ok {
		s.Keys = schemaOf(k)
	}
	if v, ok := m["values"].(map[string]any); ok {
		s.Values = schemaOf(v)
	}
	if d, ok := m["default"]; ok {
		s.Default, s.HasDefault = payload(nil, s, d), true
	}
	return s
}

func asSlice(v any) []any { x, _ := v.([]any); return x }

func payload(t *testing.T, s *change.Schema, v any) any {
	if v == nil {
		return nil
	}
	if s == nil {
		switch x := v.(type) {
		case json.Number:
			if n, err := x.Int64(); err == nil {
				return n
			}
			f, _ := x.Float64()
			return f
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var out []change.MapEntry
			for _, k := range keys {
				out = append(out, change.MapEntry{Key: k, Value: payload(t, nil, x[k])})
			}
			return out
		case []any:
			for i := range x {
				x[i] = payload(t, nil, x[i])
			}
		}
		return v
	}
	switch s.Type {
	case change.Int8, change.Int16, change.Int32, change.Int64:
		n, _ := v.(json.Number).Int64()
		return n
	case change.Float32, change.Float64:
		f, _ := v.(json.Number).Float64()
		if s.Type == change.Float32 {
			f = float64(float32(f))
		}
		return f
	case change.Bytes:
		b, _ := base64.StdEncoding.DecodeString(v.(string))
		return b
	case change.Struct:
		m := v.(map[string]any)
		out := &change.Value{Schema: s, Values: make([]any, len(s.Fields))}
		for i, f := range s.Fields {
			out.Values[i] = payload(t, f.Schema, m[f.Name])
		}
		return out
	case change.Array:
		var out []any
		for _, e := range v.([]any) {
			out = append(out, payload(t, s.Items, e))
		}
		return out
	case change.Map:
		m := v.(map[string]any)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := []change.MapEntry{}
		for _, k := range keys {
			out = append(out, change.MapEntry{Key: k, Value: payload(t, s.Values, m[k])})
		}
		return out
	}
	if t != nil && s.Type == 0 {
		panic(fmt.Sprint("no type: ", s))
	}
	return v
}
