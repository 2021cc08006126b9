package smt

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
)

// insertField is Kafka Connect's InsertField: it adds fields from the
// record's metadata (topic, partition, timestamp) or a static value.
type insertField struct {
	k                                    operand
	topic, partition, offset, ts, static *insertionSpec
	staticValue                          string
	withDefault                          bool
	cache                                schemaCache
}

// insertionSpec is a field name with Connect's optionality suffix: "!"
// required, "?" or none optional.
type insertionSpec struct {
	name     string
	optional bool
}

func parseInsertion(o options, opt string) *insertionSpec {
	v, ok := o.m[opt]
	if !ok {
		return nil
	}
	v = strings.TrimSpace(v)
	if n, ok := strings.CutSuffix(v, "?"); ok {
		return &insertionSpec{n, true}
	}
	if n, ok := strings.CutSuffix(v, "!"); ok {
		return &insertionSpec{n, false}
	}
	return &insertionSpec{v, true}
}

func newInsertField(o options, k operand) (Transform, error) {
	t := &insertField{k: k, topic: parseInsertion(o, "topic.field"), partition: parseInsertion(o, "partition.field"),
		offset: parseInsertion(o, "offset.field"), ts: parseInsertion(o, "timestamp.field"), static: parseInsertion(o, "static.field")}
	var hasStatic bool
	t.staticValue, hasStatic = o.str("static.value")
	var err error
	if t.withDefault, err = o.boolean("replace.null.with.default", true); err != nil {
		return nil, err
	}
	if t.topic == nil && t.partition == nil && t.offset == nil && t.ts == nil && t.static == nil {
		return nil, errors.New("No field insertion configured: set one of topic.field, partition.field, offset.field, timestamp.field, static.field")
	}
	if t.static != nil && !hasStatic {
		return nil, o.invalid("static.value", "null", "No value specified for static field: "+t.static.name)
	}
	return t, nil
}

func (t *insertField) Apply(r *change.Record) (*change.Record, error) {
	s, v := t.k.get(r)
	switch {
	case isNull(v):
		return r, nil
	case s == nil:
		return t.schemaless(r, v)
	}
	sv, err := requireStruct(v, "field insertion")
	if err != nil {
		return nil, err
	}
	if t.offset != nil {
		return nil, errors.New("Only SinkRecord supported for [field insertion], found: org.apache.kafka.connect.source.SourceRecord (offset.field applies to sink connectors)")
	}
	ns, err := t.cache.get(sv.Schema, t.schema)
	if err != nil {
		return nil, err
	}
	out := &change.Value{Schema: ns, Values: make([]any, len(ns.Fields))}
	for i := range sv.Values {
		out.Values[i] = fieldValue(sv, i, t.withDefault)
	}
	n := len(sv.Values)
	put := func(spec *insertionSpec, x any) {
		if spec != nil {
			out.Values[n] = x
			n++
		}
	}
	put(t.topic, r.Topic)
	put(t.partition, partitionOf(r))
	put(t.ts, timestampOf(r))
	put(t.static, t.staticValue)
	t.k.set(r, ns, out)
	return r, nil
}

func (t *insertField) schemaless(r *change.Record, v any) (*change.Record, error) {
	m, err := requireMap(v, "field insertion")
	if err != nil {
		return nil, err
	}
	if t.topic != nil {
		m = mapPut(m, t.topic.name, r.Topic)
	}
	if p := partitionOf(r); t.partition != nil && p != nil {
		m = mapPut(m, t.partition.name, p)
	}
	if t.offset != nil {
		return nil, errors.New("Only SinkRecord supported for [field insertion], found: org.apache.kafka.connect.source.SourceRecord (offset.field applies to sink connectors)")
	}
	if ts := timestampOf(r); t.ts != nil && ts != nil {
		m = mapPut(m, t.ts.name, ts)
	}
	if t.static != nil {
		m = mapPut(m, t.static.name, t.staticValue)
	}
	t.k.set(r, nil, m)
	return r, nil
}

// partitionOf is the record's partition as Connect's transforms see it:
// null unless the source fixed it.
func partitionOf(r *change.Record) any {
	if r.FixedPartition {
		return int64(r.Partition)
	}
	return nil
}

// timestampOf is the record timestamp in ms, or nil when it has none.
func timestampOf(r *change.Record) any {
	if r.Timestamp.IsZero() {
		return nil
	}
	return r.Timestamp.UnixMilli()
}

func (t *insertField) schema(in *change.Schema) (*change.Schema, error) {
	out := copyBasics(in, change.Struct)
	out.Fields = append(make([]change.Field, 0, len(in.Fields)+5), in.Fields...)
	add := func(spec *insertionSpec, req, opt *change.Schema) error {
		if spec == nil {
			return nil
		}
		if in.FieldIndex(spec.name) >= 0 || out.FieldIndex(spec.name) >= 0 {
			return fmt.Errorf("Cannot create field because of field name duplication %s", spec.name)
		}
		fs := req
		if spec.optional {
			fs = opt
		}
		out.Fields = append(out.Fields, change.Field{Name: spec.name, Schema: fs})
		return nil
	}
	return out, errors.Join(add(t.topic, stringSchema, optionalStringSchema), add(t.partition, int32Schema, optionalInt32Schema),
		add(t.ts, timestampSchema, optionalTimestampSchema), add(t.static, stringSchema, optionalStringSchema))
}
