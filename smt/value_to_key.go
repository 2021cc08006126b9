package smt

import (
	"fmt"

	"github.com/sluice-cdc/sluice/connector/change"
)

// valueToKey is Kafka Connect's ValueToKey: the key becomes a struct of
// the listed value fields. Like Connect, it fails on a record without a
// value (a tombstone): put it behind a negated RecordIsTombstone predicate.
type valueToKey struct {
	fields      []string
	withDefault bool
	cache       schemaCache
}

func newValueToKey(o options) (Transform, error) {
	fields, err := o.requiredList("fields")
	if err != nil {
		return nil, err
	}
	t := &valueToKey{fields: fields}
	t.withDefault, err = o.boolean("replace.null.with.default", true)
	return t, err
}

const valueToKeyPurpose = "copying fields from value to key"

func (t *valueToKey) Apply(r *change.Record) (*change.Record, error) {
	if r.ValueSchema == nil {
		m, err := requireMap(r.Value, valueToKeyPurpose)
		if err != nil {
			return nil, err
		}
		key := make([]change.MapEntry, len(t.fields))
		for i, f := range t.fields {
			key[i] = change.MapEntry{Key: f, Value: mapGet(m, f)}
		}
		r.KeySchema, r.Key = nil, key
		return r, nil
	}
	sv, err := requireStruct(r.Value, valueToKeyPurpose)
	if err != nil {
		return nil, err
	}
	ks, err := t.cache.get(sv.Schema, t.schema)
	if err != nil {
		return nil, err
	}
	key := &change.Value{Schema: ks, Values: make([]any, len(t.fields))}
	for i, f := range t.fields {
		key.Values[i] = fieldValue(sv, sv.Schema.FieldIndex(f), t.withDefault)
	}
	r.KeySchema, r.Key = ks, key
	return r, nil
}

func (t *valueToKey) schema(in *change.Schema) (*change.Schema, error) {
	out := &change.Schema{Type: change.Struct}
	for _, f := range t.fields {
		i := in.FieldIndex(f)
		if i < 0 {
			return nil, fmt.Errorf("Field does not exist: %s", f)
		}
		if out.FieldIndex(f) >= 0 {
			return nil, fmt.Errorf("Cannot create field because of field name duplication %s", f)
		}
		out.Fields = append(out.Fields, change.Field{Name: f, Schema: in.Fields[i].Schema})
	}
	return out, nil
}
