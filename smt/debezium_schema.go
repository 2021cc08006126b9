package smt

import (
	"fmt"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
)

// Helpers for the schema work Debezium's transforms share. They mirror
// Kafka Connect's SchemaUtil and Struct on purpose: what a Java helper drops
// (a copied struct schema is no longer optional, say) shows up in the
// records consumers read, so the copies drop it too.

// copyBasics is SchemaUtil.copySchemaBasics into a struct builder: the
// name, version, doc and parameters, but not optionality or the default.
func structBasics(s *change.Schema) *change.Schema {
	return &change.Schema{Type: change.Struct, Name: s.Name, Version: s.Version, Doc: s.Doc, Parameters: s.Parameters}
}

// optionalCopy is SchemaUtil.copySchemaBasics(s).optional().build(): the
// schema of a value copied out of an envelope into a field or header. Like
// Connect's, it keeps no default.
func optionalCopy(s *change.Schema) *change.Schema {
	return &change.Schema{Type: s.Type, Optional: true, Name: s.Name, Version: s.Version, Doc: s.Doc,
		Parameters: s.Parameters, Items: s.Items, Keys: s.Keys, Values: s.Values}
}

// withField returns a copy of s's basics and fields with more fields at the
// end.
func withFields(s *change.Schema, extra ...change.Field) *change.Schema {
	out := structBasics(s)
	out.Fields = make([]change.Field, 0, len(s.Fields)+len(extra))
	out.Fields = append(append(out.Fields, s.Fields...), extra...)
	return out
}

// getWithDefault is Connect's Struct.get: a null field reads as its
// schema's default when it has a non-null one.
func getWithDefault(v *change.Value, i int) any {
	x := v.Values[i]
	if x == nil {
		if fs := v.Schema.Fields[i].Schema; fs.HasDefault && fs.Default != nil {
			return fs.Default
		}
	}
	return x
}

// onStruct runs apply over the struct value of a record whose value schema
// matches (a change event's envelope, a schema change event), as Debezium's
// transforms that check it with SmtManager; any other record, a tombstone
// included, passes unchanged. apply's failure is worded with the transform
// (name, alias) and the record's topic.
func onStruct(r *change.Record, matches func(*change.Schema) bool, name, alias string,
	apply func(v *change.Value) (*change.Record, error)) (*change.Record, error) {
	if r.Value == nil || !matches(r.ValueSchema) {
		return r, nil
	}
	var out *change.Record
	v, ok := r.Value.(*change.Value)
	err := fmt.Errorf("the record value should be a struct, not %T", r.Value)
	if ok {
		out, err = apply(v)
	}
	if err != nil {
		return nil, fmt.Errorf("transform %s (%s): record for %s: %w", alias, name, r.Topic, err)
	}
	return out, nil
}

// isEnvelope is Debezium's Envelope.isEnvelopeSchema: a change event is
// recognised by its value schema's name alone.
func isEnvelope(s *change.Schema) bool {
	return s != nil && strings.HasSuffix(s.Name, ".Envelope")
}

// schemaCache maps an input schema to the schema a transform derived from
// it, so converters (which cache by pointer) see one pointer per input.
// Schemas change only with DDL; the bound guards against a leak, like
// Debezium's bounded caches, at the price of a rebuild.
type dbzSchemaCache[K comparable] map[K]*change.Schema

const maxSchemaCache = 1024

func (c *dbzSchemaCache[K]) get(k K, build func() (*change.Schema, error)) (*change.Schema, error) {
	if s, ok := (*c)[k]; ok {
		return s, nil
	}
	s, err := build()
	if err != nil {
		return nil, err
	}
	if *c == nil || len(*c) >= maxSchemaCache {
		*c = make(dbzSchemaCache[K])
	}
	(*c)[k] = s
	return s, nil
}
