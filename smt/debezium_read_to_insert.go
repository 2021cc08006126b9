package smt

import (
	"slices"

	"github.com/sluice-cdc/sluice/connector/change"
)

// readToInsertEvent is io.debezium.connector.mysql.transforms.ReadToInsertEvent:
// a snapshot's read event (op r) becomes a create (op c); every other record
// passes unchanged.
type readToInsertEvent struct{ alias string }

func newReadToInsertEvent(alias string, _ map[string]string) (Transform, error) {
	return &readToInsertEvent{alias: alias}, nil
}

func (t *readToInsertEvent) Apply(r *change.Record) (*change.Record, error) {
	return onStruct(r, isEnvelope, "ReadToInsertEvent", t.alias, func(v *change.Value) (*change.Record, error) { return t.apply(r, v) })
}

func (t *readToInsertEvent) apply(r *change.Record, value *change.Value) (*change.Record, error) {
	op, _, err := getString(value, "op")
	if err != nil {
		return nil, err
	}
	if op != "r" {
		return r, nil
	}
	// A copy: the envelope may be shared with another record.
	out := &change.Value{Schema: value.Schema, Values: slices.Clone(value.Values)}
	out.Values[value.Schema.FieldIndex("op")] = "c"
	r.Value = out
	return r, nil
}
