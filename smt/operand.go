package smt

import (
	"fmt"
	"sync"

	"github.com/sluice-cdc/sluice/connector/change"
)

// operand is the half of a record a $Key or $Value transform works on.
type operand bool

const (
	onValue operand = false
	onKey   operand = true
)

func (k operand) get(r *change.Record) (*change.Schema, any) {
	if k == onKey {
		return r.KeySchema, r.Key
	}
	return r.ValueSchema, r.Value
}

// set replaces the operand. A nil *change.Value is stored as nil, so that
// converters and predicates see a null, not a typed nil.
func (k operand) set(r *change.Record, s *change.Schema, v any) {
	if sv, ok := v.(*change.Value); ok && sv == nil {
		v = nil
	}
	if k == onKey {
		r.KeySchema, r.Key = s, v
	} else {
		r.ValueSchema, r.Value = s, v
	}
}

// isNull reports a null key or value: nil or a nil *change.Value.
func isNull(v any) bool {
	if v == nil {
		return true
	}
	sv, ok := v.(*change.Value)
	return ok && sv == nil
}

// schemaCache maps an input schema to the schema a transform derives from
// it. Converters cache by schema pointer, so a transform must hand out one
// derived schema per input schema; schemas are immutable, so the pointer is
// the key.
type schemaCache struct{ m sync.Map }

func (c *schemaCache) get(in *change.Schema, build func(*change.Schema) (*change.Schema, error)) (*change.Schema, error) {
	if s, ok := c.m.Load(in); ok {
		return s.(*change.Schema), nil
	}
	s, err := build(in)
	if err != nil {
		return nil, err
	}
	actual, _ := c.m.LoadOrStore(in, s)
	return actual.(*change.Schema), nil
}

// copyBasics is Connect's SchemaUtil.copySchemaBasics: a schema of type t
// with the source's name, version, doc and parameters, and (for an array
// source) its items. Optionality and default are not copied.
func copyBasics(src *change.Schema, t change.Type) *change.Schema {
	s := &change.Schema{Type: t, Name: src.Name, Version: src.Version, Doc: src.Doc, Parameters: src.Parameters}
	if src.Type == change.Array && t == change.Array {
		s.Items = src.Items
	}
	return s
}

// fieldValue is Struct.get (a null field reads as its schema's default)
// or, without withDefault, Struct.getWithoutDefault.
func fieldValue(v *change.Value, i int, withDefault bool) any {
	x := v.Values[i]
	if x == nil && withDefault {
		if fs := v.Schema.Fields[i].Schema; fs.HasDefault {
			return fs.Default
		}
	}
	return x
}

// requireStruct is Connect's Requirements.requireStruct.
func requireStruct(v any, purpose string) (*change.Value, error) {
	if sv, ok := v.(*change.Value); ok && sv != nil {
		return sv, nil
	}
	return nil, fmt.Errorf("Only Struct objects supported for [%s], found: %s", purpose, javaClass(v))
}

// requireMap is Connect's Requirements.requireMap: schemaless data is a map
// with string keys, which Sluice holds as []change.MapEntry.
func requireMap(v any, purpose string) ([]change.MapEntry, error) {
	if m, ok := v.([]change.MapEntry); ok {
		return m, nil
	}
	return nil, fmt.Errorf("Only Map objects supported in absence of schema for [%s], found: %s", purpose, javaClass(v))
}

// mapGet returns the value of key in a schemaless map.
func mapGet(m []change.MapEntry, key string) any {
	for _, e := range m {
		if e.Key == key {
			return e.Value
		}
	}
	return nil
}

// mapPut returns m with key set, m itself unchanged.
func mapPut(m []change.MapEntry, key string, v any) []change.MapEntry {
	out := make([]change.MapEntry, len(m), len(m)+1)
	copy(out, m)
	for i := range out {
		if out[i].Key == key {
			out[i].Value = v
			return out
		}
	}
	return append(out, change.MapEntry{Key: key, Value: v})
}

// javaClass names the Java class Connect would hold a Sluice value as, for
// messages that match Kafka Connect's.
func javaClass(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case *change.Value:
		if x == nil {
			return "null"
		}
		return "org.apache.kafka.connect.data.Struct"
	case []change.MapEntry:
		return "java.util.HashMap"
	case []any:
		return "java.util.ArrayList"
	case int64:
		return "java.lang.Long"
	case float64:
		return "java.lang.Double"
	case bool:
		return "java.lang.Boolean"
	case string:
		return "java.lang.String"
	case []byte:
		return "[B"
	}
	return fmt.Sprintf("%T", v)
}

// schemaTypeName is Connect's Schema.Type name (upper case) as its
// messages print it.
func schemaTypeName(t change.Type) string {
	switch t {
	case change.Float32:
		return "FLOAT32"
	case change.Float64:
		return "FLOAT64"
	}
	return upper(t.String())
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}
