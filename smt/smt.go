// Package smt holds single message transforms: what Kafka Connect's
// transforms= and predicates= do to a record between the connector and the
// converters. The poller applies a Chain to every record it builds, rows and
// schema change events alike, before converting it.
package smt

import (
	"fmt"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
)

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
		r := &records[i]
		for _, t := range c {
			var err error
			if r, err = t.Apply(r); err != nil {
				return nil, err
			}
			if r == nil {
				break
			}
		}
		if r != nil {
			kept = append(kept, *r)
		}
	}
	return kept, nil
}

// Parse builds the chain a connector file's transforms= and predicates=
// describe. This version has no transforms yet, so a file that names any is
// refused rather than run without them: a file that flattens records with
// ExtractNewRecordState would otherwise get full envelopes without a word.
func Parse(props map[string]string) (Chain, error) {
	for _, prop := range []string{"transforms", "predicates"} {
		if v := strings.TrimSpace(props[prop]); v != "" {
			return nil, fmt.Errorf("property %q: %q: transforms and predicates are not supported by this version of Sluice; remove %s= (and its %s.* settings) and apply them in the consumer, or wait for a version that has them", prop, v, prop, prop)
		}
	}
	return nil, nil
}
