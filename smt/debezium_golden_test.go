package smt

// The golden tests run Sluice's Debezium transforms over the records of
// testdata/golden-debezium/inputs.json and compare what they make, written
// by Sluice's JsonConverter, with golden.json: what Debezium 3.5.0.Final's
// own classes made of the same records (regenerate.sh, Java, not run here).

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters/jsonconv"
)

type goldenCase struct {
	Name       string `json:"name"`
	Transforms []struct {
		Type   string            `json:"type"`
		Config map[string]string `json:"config"`
	} `json:"transforms"`
	Inputs []string `json:"inputs"`
}

type goldenResult struct {
	Case        string `json:"case"`
	ConfigError string `json:"config_error"`
	Results     []struct {
		Input  string          `json:"input"`
		Error  string          `json:"error"`
		Record json.RawMessage `json:"record"`
	} `json:"results"`
}

// goldenTimestamp is the timestamp Golden.java gives every input record.
const goldenTimestamp = 1700000000000

type goldenRecord struct {
	Topic     string          `json:"topic"`
	Timestamp *int64          `json:"timestamp"`
	Partition *int32          `json:"partition"`
	Key       json.RawMessage `json:"key"`
	Value     json.RawMessage `json:"value"`
	Headers   []struct {
		Key   string          `json:"key"`
		Value json.RawMessage `json:"value"`
	} `json:"headers"`
}

type connectDoc struct {
	Schema  map[string]any `json:"schema"`
	Payload any            `json:"payload"`
}

type goldenInput struct {
	Topic   string      `json:"topic"`
	Key     *connectDoc `json:"key"`
	Value   *connectDoc `json:"value"`
	Headers []struct {
		Key   string      `json:"key"`
		Value *connectDoc `json:"value"`
	} `json:"headers"`
}

func readDebeziumJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile("testdata/golden-debezium/" + name)
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func TestDebeziumGolden(t *testing.T) {
	var inputs map[string]goldenInput
	var cases []goldenCase
	var golden []goldenResult
	readDebeziumJSON(t, "inputs.json", &inputs)
	readDebeziumJSON(t, "cases.json", &cases)
	readDebeziumJSON(t, "golden.json", &golden)
	if len(cases) != len(golden) {
		t.Fatalf("cases.json has %d cases, golden.json %d: run regenerate.sh", len(cases), len(golden))
	}
	conv, err := jsonconv.New(jsonconv.Config{SchemasEnable: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		want := golden[i]
		t.Run(c.Name, func(t *testing.T) {
			chain, err := buildChain(c)
			if want.ConfigError != "" {
				if err == nil {
					t.Fatalf("Debezium refuses the configuration (%s); Sluice accepted it", want.ConfigError)
				}
				t.Logf("refused as Debezium does: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("building: %v", err)
			}
			for j, name := range c.Inputs {
				res := want.Results[j]
				r := inputRecord(t, inputs[name])
				out, err := chain.Apply([]change.Record{r})
				if res.Error != "" {
					// Some of Debezium's failures come from JsonConverter,
					// printing a record the transform made: Sluice's
					// converter must then fail on Sluice's record.
					if err == nil && (len(out) == 0 || convertRecord(conv, out[0]) == nil) {
						t.Errorf("%s: Debezium fails (%s); Sluice gave %d records", name, res.Error, len(out))
					}
					continue
				}
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				compareRecord(t, conv, name, res.Record, out)
			}
		})
	}
}

func buildChain(c goldenCase) (Chain, error) {
	var chain Chain
	for i, tr := range c.Transforms {
		f, ok := debeziumTransforms[tr.Type]
		if !ok {
			return nil, fmt.Errorf("no transform %s", tr.Type)
		}
		t, err := f(fmt.Sprint("t", i), tr.Config)
		if err != nil {
			return nil, err
		}
		chain = append(chain, t)
	}
	return chain, nil
}

func compareRecord(t *testing.T, conv *jsonconv.Converter, name string, raw json.RawMessage, out []change.Record) {
	t.Helper()
	if string(raw) == "null" || len(raw) == 0 {
		if len(out) != 0 {
			t.Errorf("%s: Debezium drops the record; Sluice kept %+v", name, out[0])
		}
		return
	}
	if len(out) != 1 {
		t.Errorf("%s: Sluice dropped the record Debezium keeps: %s", name, raw)
		return
	}
	var want goldenRecord
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	got := out[0]
	if got.Topic != want.Topic {
		t.Errorf("%s: topic %q, Debezium %q", name, got.Topic, want.Topic)
	}
	if want.Timestamp != nil && got.Timestamp.UnixMilli() != *want.Timestamp || want.Timestamp == nil && !got.Timestamp.IsZero() {
		t.Errorf("%s: timestamp %v, Debezium %v", name, got.Timestamp, want.Timestamp)
	}
	if want.Partition != nil && (!got.FixedPartition || got.Partition != *want.Partition) ||
		want.Partition == nil && got.FixedPartition {
		t.Errorf("%s: partition fixed=%v %d, Debezium %v", name, got.FixedPartition, got.Partition, want.Partition)
	}
	sameJSON(t, name+" key", conv, got.KeySchema, got.Key, want.Key)
	sameJSON(t, name+" value", conv, got.ValueSchema, got.Value, want.Value)
	if len(got.Headers) != len(want.Headers) {
		t.Errorf("%s: %d headers, Debezium %d: %+v", name, len(got.Headers), len(want.Headers), got.Headers)
		return
	}
	for i, h := range want.Headers {
		if got.Headers[i].Key != h.Key {
			t.Errorf("%s: header %d is %q, Debezium %q", name, i, got.Headers[i].Key, h.Key)
		}
		sameJSON(t, name+" header "+h.Key, conv, got.Headers[i].Schema, got.Headers[i].Value, h.Value)
	}
}

// convertRecord converts a record's key, value and headers as the
// poller would, for the error it may give.
func convertRecord(conv *jsonconv.Converter, r change.Record) error {
	ctx := context.Background()
	if _, err := conv.Convert(ctx, "t", r.KeySchema, r.Key); err != nil {
		return err
	}
	if _, err := conv.Convert(ctx, "t", r.ValueSchema, r.Value); err != nil {
		return err
	}
	for _, h := range r.Headers {
		if _, err := conv.Convert(ctx, "t", h.Schema, h.Value); err != nil {
			return err
		}
	}
	return nil
}

// sameJSON compares Sluice's JSON form of (s, v) with Debezium's. Where
// Debezium keeps a schema with a null value (ExtractNewRecordState's
// tombstone mode), JsonConverter writes {"schema":…,"payload":null} and
// Sluice a Kafka tombstone: then the schemas are compared.
func sameJSON(t *testing.T, what string, conv *jsonconv.Converter, s *change.Schema, v any, want json.RawMessage) {
	t.Helper()
	var w any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if isNull(v) {
		wm, _ := w.(map[string]any)
		switch {
		case w == nil && s == nil:
		case wm != nil && wm["payload"] == nil && s != nil:
			if g := schemaDoc(s); !reflect.DeepEqual(g, wm["schema"]) {
				t.Errorf("%s: null with schema\n%v\nDebezium\n%v", what, g, wm["schema"])
			}
		default:
			t.Errorf("%s: null (schema %v), Debezium %s", what, s != nil, want)
		}
		return
	}
	b, err := conv.Convert(context.Background(), "t", s, v)
	if err != nil {
		t.Errorf("%s: converting: %v", what, err)
		return
	}
	var g any
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n  sluice   %s\n  debezium %s", what, b, want)
	}
}

// schemaDoc is a schema in JsonConverter's form, as encoding/json reads it.
func schemaDoc(s *change.Schema) map[string]any {
	m := map[string]any{"type": s.Type.String(), "optional": s.Optional}
	if s.Name != "" {
		m["name"] = s.Name
	}
	if s.Version != 0 {
		m["version"] = float64(s.Version)
	}
	if s.Doc != "" {
		m["doc"] = s.Doc
	}
	if len(s.Parameters) > 0 {
		p := map[string]any{}
		for _, kv := range s.Parameters {
			p[kv.Key] = kv.Value
		}
		m["parameters"] = p
	}
	if s.HasDefault {
		m["default"] = s.Default // strings in the inputs
	}
	if s.Type == change.Struct {
		fs := []any{}
		for _, f := range s.Fields {
			d := schemaDoc(f.Schema)
			d["field"] = f.Name
			fs = append(fs, d)
		}
		m["fields"] = fs
	}
	return m
}

func inputRecord(t *testing.T, in goldenInput) change.Record {
	t.Helper()
	r := change.Record{Topic: in.Topic, Timestamp: time.UnixMilli(goldenTimestamp)}
	if in.Key != nil {
		r.KeySchema = decodeSchema(t, in.Key.Schema)
		r.Key = decodeValue(t, r.KeySchema, in.Key.Payload)
	}
	if in.Value != nil {
		r.ValueSchema = decodeSchema(t, in.Value.Schema)
		r.Value = decodeValue(t, r.ValueSchema, in.Value.Payload)
	}
	for _, h := range in.Headers {
		s := decodeSchema(t, h.Value.Schema)
		r.Headers = append(r.Headers, change.Header{Key: h.Key, Schema: s, Value: decodeValue(t, s, h.Value.Payload)})
	}
	return r
}

var connectTypes = map[string]change.Type{"int8": change.Int8, "int16": change.Int16, "int32": change.Int32,
	"int64": change.Int64, "float": change.Float32, "double": change.Float64, "boolean": change.Boolean,
	"string": change.String, "bytes": change.Bytes, "struct": change.Struct, "array": change.Array, "map": change.Map}

// decodeSchema reads a JsonConverter schema. Parameters come out sorted by
// key (the inputs have at most one per schema).
func decodeSchema(t *testing.T, m map[string]any) *change.Schema {
	t.Helper()
	typ, ok := connectTypes[fmt.Sprint(m["type"])]
	if !ok {
		t.Fatalf("schema type %v", m["type"])
	}
	s := &change.Schema{Type: typ, Optional: m["optional"] == true}
	s.Name, _ = m["name"].(string)
	s.Doc, _ = m["doc"].(string)
	if v, ok := m["version"].(json.Number); ok {
		n, _ := v.Int64()
		s.Version = int(n)
	}
	if p, ok := m["parameters"].(map[string]any); ok {
		for k, v := range p {
			s.Parameters = append(s.Parameters, change.Param{Key: k, Value: fmt.Sprint(v)})
		}
		sort.Slice(s.Parameters, func(i, j int) bool { return s.Parameters[i].Key < s.Parameters[j].Key })
	}
	for _, f := range asList(m["fields"]) {
		fm := f.(map[string]any)
		s.Fields = append(s.Fields, change.Field{Name: fm["field"].(string), Schema: decodeSchema(t, fm)})
	}
	if it, ok := m["items"].(map[string]any); ok {
		s.Items = decodeSchema(t, it)
	}
	if d, ok := m["default"]; ok {
		s.HasDefault, s.Default = true, decodeValue(t, s, d)
	}
	return s
}

func asList(v any) []any { l, _ := v.([]any); return l }

func decodeValue(t *testing.T, s *change.Schema, v any) any {
	t.Helper()
	if v == nil {
		return nil
	}
	switch s.Type {
	case change.Int8, change.Int16, change.Int32, change.Int64:
		n, err := v.(json.Number).Int64()
		if err != nil {
			t.Fatal(err)
		}
		return n
	case change.Float32, change.Float64:
		f, _ := v.(json.Number).Float64()
		return f
	case change.Bytes:
		b, err := base64.StdEncoding.DecodeString(v.(string))
		if err != nil {
			t.Fatal(err)
		}
		return b
	case change.Struct:
		m := v.(map[string]any)
		sv := &change.Value{Schema: s, Values: make([]any, len(s.Fields))}
		for i, f := range s.Fields {
			sv.Values[i] = decodeValue(t, f.Schema, m[f.Name])
		}
		return sv
	case change.Array:
		var out []any
		for _, x := range v.([]any) {
			out = append(out, decodeValue(t, s.Items, x))
		}
		return out
	}
	return v
}
