package smt

import (
	"strings"
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
)

func loadInputs(t *testing.T) map[string]goldenInput {
	var inputs map[string]goldenInput
	readDebeziumJSON(t, "inputs.json", &inputs)
	return inputs
}

// The converters cache by schema pointer: records of one table must come
// out of a chain with one key and one value schema pointer, whatever the op.
func TestDebeziumChainKeepsSchemaPointers(t *testing.T) {
	inputs := loadInputs(t)
	unwrap, err := newExtractNewRecordState("unwrap", map[string]string{
		"add.fields": "op,table,source.ts_ms", "delete.tombstone.handling.mode": "rewrite"})
	if err != nil {
		t.Fatal(err)
	}
	route, err := newByLogicalTableRouter("route", map[string]string{
		"topic.regex": `srv\.inv\.customers_(\d+)`, "topic.replacement": "srv.inv.customers"})
	if err != nil {
		t.Fatal(err)
	}
	chain := Chain{unwrap, route}
	// One input schema per op in the inputs: decode once, reuse the
	// pointers as a source would.
	create := inputRecord(t, inputs["create"])
	// As in change.EnvelopeSchema, before and after share the row schema.
	create.ValueSchema.Fields[0].Schema = create.ValueSchema.Fields[1].Schema
	var keys, values = map[*change.Schema]bool{}, map[*change.Schema]bool{}
	for round := 0; round < 3; round++ {
		for _, name := range []string{"create", "update", "read", "delete"} {
			r := inputRecord(t, inputs[name])
			r.KeySchema, r.ValueSchema = create.KeySchema, create.ValueSchema
			rewireSchemas(r.Key.(*change.Value), create.KeySchema)
			rewireSchemas(r.Value.(*change.Value), create.ValueSchema)
			out, err := chain.Apply([]change.Record{r})
			if err != nil || len(out) != 1 {
				t.Fatalf("%s: %v %v", name, out, err)
			}
			if out[0].Topic != "srv.inv.customers" {
				t.Errorf("%s: topic %s", name, out[0].Topic)
			}
			keys[out[0].KeySchema], values[out[0].ValueSchema] = true, true
			v := out[0].Value.(*change.Value)
			if got := v.Get("__op"); got != map[string]string{"create": "c", "update": "u", "read": "r", "delete": "d"}[name] {
				t.Errorf("%s: __op %v", name, got)
			}
			if v.Schema != out[0].ValueSchema {
				t.Errorf("%s: value's schema is not the record's value schema", name)
			}
		}
	}
	if len(keys) != 1 || len(values) != 1 {
		t.Errorf("%d key schemas and %d value schemas for one table; want 1 and 1", len(keys), len(values))
	}
}

// rewireSchemas points a decoded value (and its nested structs) at an
// equal schema decoded earlier.
func rewireSchemas(v *change.Value, s *change.Schema) {
	v.Schema = s
	for i, x := range v.Values {
		if sv, ok := x.(*change.Value); ok && sv != nil {
			rewireSchemas(sv, s.Fields[i].Schema)
		}
	}
}

func TestDebeziumOptionErrors(t *testing.T) {
	for _, c := range []struct {
		class string
		opts  map[string]string
		want  []string
	}{
		{"io.debezium.transforms.ExtractNewRecordState", map[string]string{"delete.tombstone.handling.mode": "purge"},
			[]string{"transforms.x.delete.tombstone.handling.mode", `"purge"`, "drop, tombstone, rewrite, rewrite-with-tombstone, delete-to-tombstone"}},
		{"io.debezium.transforms.ExtractNewRecordState", map[string]string{"replace.null.with.default": "yes"},
			[]string{"transforms.x.replace.null.with.default", "true or false"}},
		{"io.debezium.transforms.ExtractNewRecordState", map[string]string{"add.fields": "a:b:c"},
			[]string{"transforms.x.add.fields", "a:b:c"}},
		{"io.debezium.transforms.ByLogicalTableRouter", map[string]string{"topic.replacement": "x"},
			[]string{"transforms.x.topic.regex", "required"}},
		{"io.debezium.transforms.ByLogicalTableRouter", map[string]string{"topic.regex": "x"},
			[]string{"transforms.x.topic.replacement", "required"}},
		{"io.debezium.transforms.ByLogicalTableRouter", map[string]string{"topic.regex": "(?<=a)b", "topic.replacement": "x"},
			[]string{"transforms.x.topic.regex", "RE2"}},
		{"io.debezium.transforms.ByLogicalTableRouter", map[string]string{"topic.regex": "x", "topic.replacement": "x", "schema.name.adjustment.mode": "java"},
			[]string{"transforms.x.schema.name.adjustment.mode", "none, avro, avro_unicode"}},
	} {
		_, err := debeziumTransforms[c.class]("x", c.opts)
		if err == nil {
			t.Errorf("%s %v: accepted", c.class, c.opts)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s %v: error %q does not say %q", c.class, c.opts, err, w)
			}
		}
	}
}
