package smt

import (
	"strings"
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
)

// Converters cache by schema pointer: the schemas these transforms derive
// must come out as one pointer per input schema (per shape, for expanded
// JSON payloads), round after round.
func TestNewDebeziumTransformsKeepSchemaPointers(t *testing.T) {
	inputs := loadInputs(t)
	cases := []struct {
		typ   string
		opts  map[string]string
		input string
	}{
		{"io.debezium.transforms.outbox.EventRouter", map[string]string{"table.expand.json.payload": "true", "table.fields.additional.placement": "type:envelope"}, "outbox_create"},
		{"io.debezium.transforms.outbox.EventRouter", map[string]string{"table.fields.additional.placement": "type:envelope", "table.field.event.schema.version": "version"}, "outbox_create"},
		{"io.debezium.transforms.HeaderToValue", map[string]string{"headers": "seq,tenant", "fields": "source.seq,tenant", "operation": "move"}, "update_with_headers"},
		{"io.debezium.connector.vitess.transforms.RemoveField", map[string]string{"field_names": "source.vgtid,before.name"}, "vitess_update"},
	}
	for _, c := range cases {
		tr, err := debeziumTransforms[c.typ]("t", c.opts)
		if err != nil {
			t.Fatalf("%s: %v", c.typ, err)
		}
		first := inputRecord(t, inputs[c.input])
		seen := map[*change.Schema]bool{}
		var payloads = map[*change.Schema]bool{}
		for round := 0; round < 3; round++ {
			r := inputRecord(t, inputs[c.input])
			if c.typ != "io.debezium.transforms.outbox.EventRouter" && c.typ != "io.debezium.transforms.HeaderToValue" {
				// Pointer-keyed caches: the same input schema pointer.
				r.ValueSchema = first.ValueSchema
				rewireSchemas(r.Value.(*change.Value), first.ValueSchema)
			}
			out, err := tr.Apply(&r)
			if err != nil || out == nil {
				t.Fatalf("%s round %d: %v %v", c.typ, round, out, err)
			}
			seen[out.ValueSchema] = true
			v := out.Value.(*change.Value)
			if v.Schema != out.ValueSchema {
				t.Errorf("%s: the value's schema is not the record's value schema", c.typ)
			}
			if p, ok := v.Get("payload").(*change.Value); ok {
				payloads[p.Schema] = true
			}
		}
		if len(seen) != 1 || len(payloads) > 1 {
			t.Errorf("%s: %d value schema pointers, %d payload schema pointers over 3 rounds; want 1", c.typ, len(seen), len(payloads))
		}
	}
}

func TestEventRouterRefusesWhatItDoesNotDo(t *testing.T) {
	for _, opts := range []map[string]string{
		{"tracing.span.context.field": "span"},
		{"tracing.with.context.field.only": "true"},
		{"table.fields.additional.placement": "type:somewhere"},
		{"table.fields.additional.placement": "type:header,:"},
		{"route.topic.regex": "(?=x)y"},
		{"field.name.adjustment.mode": "avro"},
		{"table.json.payload.null.behavior": "zero"},
	} {
		if _, err := newEventRouter("outbox", opts); err == nil {
			t.Errorf("%v: accepted", opts)
		} else if !strings.Contains(err.Error(), "transforms.outbox.") {
			t.Errorf("%v: the error does not name the property: %v", opts, err)
		}
	}
}

// Debezium merges the schemas of an array's objects in a HashSet's order,
// which changes from run to run; Sluice takes them in the order they come,
// and a field of one element missing from another is null there.
func TestOutboxJSONArrayOfDifferentObjects(t *testing.T) {
	j := jsonSchemaData{keys: &schemaKeys{}}
	node, err := parseJSONPayload(`{"a":[{"x":1},{"y":"s","x":2},{"x":null}]}`)
	if err != nil {
		t.Fatal(err)
	}
	s, err := j.schema("payload", node)
	if err != nil {
		t.Fatal(err)
	}
	items := s.Fields[0].Schema.Items
	if items.Optional || len(items.Fields) != 2 || items.Fields[0].Name != "x" || items.Fields[1].Name != "y" || items.Name != "payload.a" {
		t.Fatalf("merged element schema %+v", items)
	}
	v, err := j.value(node, s)
	if err != nil {
		t.Fatal(err)
	}
	got := change.Format(v)
	for _, want := range []string{"1", "2", `s`} {
		if !strings.Contains(got, want) {
			t.Errorf("value %s lacks %s", got, want)
		}
	}
	// A number too large for a long: Debezium's BigDecimal fits no schema.
	node, _ = parseJSONPayload(`{"n":[1,99999999999999999999]}`)
	if _, err := j.schema("payload", node); err == nil {
		t.Error("an int and a big integer in one array: accepted")
	}
}

func TestReplaceFieldValueLeavesTheInputAlone(t *testing.T) {
	inputs := loadInputs(t)
	tr, err := newReplaceFieldValue("r", map[string]string{"field_names": "source.vgtid,before.name", "field_value": "x"})
	if err != nil {
		t.Fatal(err)
	}
	r := inputRecord(t, inputs["vitess_update"])
	before := change.Format(r.Value)
	out, err := tr.Apply(&r)
	if err != nil {
		t.Fatal(err)
	}
	if change.Format(r.Value) != before {
		t.Error("the input record's value was changed")
	}
	src := out.Value.(*change.Value).Get("source").(*change.Value)
	if src.Get("vgtid") != "x" || out.Value.(*change.Value).Get("before").(*change.Value).Get("name") != "x" {
		t.Errorf("not replaced: %s", change.Format(out.Value))
	}
	if _, err := newReplaceFieldValue("r", map[string]string{"field_names": "op,,source.shard"}); err == nil {
		t.Error("an empty field name: accepted")
	}
}
