package smt

import (
	"errors"

	"github.com/sluice-cdc/sluice/connector/change"
)

// setSchemaMetadata is Kafka Connect's SetSchemaMetadata: it sets the key
// or value schema's name and/or version, keeping everything else.
type setSchemaMetadata struct {
	k           operand
	name        *string
	version     *int
	withDefault bool
	cache       schemaCache
}

func newSetSchemaMetadata(o options, k operand) (Transform, error) {
	t := &setSchemaMetadata{k: k}
	if v, ok := o.str("schema.name"); ok {
		t.name = &v
	}
	n, ok, err := o.integer("schema.version")
	if err != nil {
		return nil, err
	}
	if ok {
		t.version = &n
	}
	if t.name == nil && t.version == nil {
		return nil, errors.New("Neither schema name nor version configured: set schema.name or schema.version")
	}
	t.withDefault, err = o.boolean("replace.null.with.default", true)
	return t, err
}

func (t *setSchemaMetadata) Apply(r *change.Record) (*change.Record, error) {
	s, v := t.k.get(r)
	if isNull(v) && s == nil {
		return r, nil
	}
	if s == nil {
		return nil, errors.New("Schema required for [updating schema metadata]")
	}
	ns, _ := t.cache.get(s, func(in *change.Schema) (*change.Schema, error) {
		c := *in
		if t.name != nil {
			c.Name = *t.name
		}
		if t.version != nil {
			c.Version = *t.version
		}
		return &c, nil
	})
	if sv, ok := v.(*change.Value); ok && sv != nil {
		out := &change.Value{Schema: ns, Values: make([]any, len(sv.Values))}
		for i := range sv.Values {
			out.Values[i] = fieldValue(sv, i, t.withDefault)
		}
		v = out
	}
	t.k.set(r, ns, v)
	return r, nil
}
