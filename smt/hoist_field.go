package smt

import (
	"fmt"

	"github.com/sluice-cdc/sluice/connector/change"
)

// hoistField is Kafka Connect's HoistField: the key or value becomes the
// one field of a new struct (a map when it has no schema).
type hoistField struct {
	k     operand
	field string
	cache schemaCache
}

func newHoistField(o options, k operand) (Transform, error) {
	f, err := o.required("field")
	return &hoistField{k: k, field: f}, err
}

func (t *hoistField) Apply(r *change.Record) (*change.Record, error) {
	s, v := t.k.get(r)
	if isNull(v) {
		v = nil
	}
	if s == nil {
		t.k.set(r, nil, []change.MapEntry{{Key: t.field, Value: v}})
		return r, nil
	}
	if v == nil && !s.Optional {
		return nil, fmt.Errorf("Invalid value: null used for required field: %q, schema type: %s", t.field, schemaTypeName(s.Type))
	}
	ns, _ := t.cache.get(s, func(in *change.Schema) (*change.Schema, error) {
		return &change.Schema{Type: change.Struct, Fields: []change.Field{{Name: t.field, Schema: in}}}, nil
	})
	t.k.set(r, ns, &change.Value{Schema: ns, Values: []any{v}})
	return r, nil
}
