package smt

import (
	"fmt"
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
	if r.Value == nil || !isEnvelope(r.ValueSchema) {
		return r, nil
	}
	value, ok := r.Value.(*change.Value)
	if !ok {
		return nil, fmt.Errorf("transform %s (ReadToInsertEvent): record for %s: the record value should be a struct, not %T", t.alias, r.Topic, r.Value)
	}
	op, _, err := getString(value, "op")
	if err != nil {
		return nil, fmt.Errorf("transform %s (ReadToInsertEvent): record for %s: %w", t.alias, r.Topic, err)
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
