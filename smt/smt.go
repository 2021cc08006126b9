// Package smt holds single message transforms: what Kafka Connect's
// transforms= and predicates= do to a record between the connector and the
// converters. The poller applies a Chain to every record it builds, rows and
// schema change events alike, before converting it.
package smt

import "github.com/sluice-cdc/sluice/connector/change"

// Transform changes one record. It returns the record to go on with (r
// itself, edited, or a new one) or nil to drop it. A transform that changes
// a schema must return the same *change.Schema for the same input schema, so
// that converters, which cache by schema pointer, do their schema work once
// per schema and not per record. A record's Headers slice may be shared
// with other records: a transform that changes headers builds a new slice.
// Apply is called from one goroutine at a
// time; an error stops the task before the record's offset (Kafka Connect's
// errors.tolerance=none).
type Transform interface {
	Apply(r *change.Record) (*change.Record, error)
}

// Chain applies transforms in order, as transforms=a,b lists them. The zero
// Chain passes every record through unchanged.
type Chain []Transform

// Apply runs the chain over records in place and returns the records kept,
// in order; dropped records are left out.
func (c Chain) Apply(records []change.Record) ([]change.Record, error) {
	if len(c) == 0 {
		return records, nil
	}
	kept := records[:0]
	for i := range records {
		r, err := c.Transform(&records[i])
		if err != nil {
			return nil, err
		}
		if r != nil {
			kept = append(kept, *r)
		}
	}
	return kept, nil
}

// Transform runs the chain over one record: the record to go on with, or
// nil when a transform dropped it. The poller calls it record by record
// when errors.tolerance or a dead letter queue must see each failure.
func (c Chain) Transform(r *change.Record) (*change.Record, error) {
	for _, t := range c {
		var err error
		if r, err = t.Apply(r); err != nil || r == nil {
			return nil, err
		}
	}
	return r, nil
}

// Factory builds one configured transform. alias is its name in
// transforms=; opts are its transforms.<alias>.* properties with that prefix
// removed, without type, predicate and negate, which Parse handles. A
// factory checks every option it reads and returns an error naming the
// property (transforms.<alias>.<option>) and what it accepts.
type Factory func(alias string, opts map[string]string) (Transform, error)
