package smt

import (
	"fmt"

	"github.com/sluice-cdc/sluice/connector/change"
)

// flatten is Kafka Connect's Flatten: nested structs become top-level
// fields named parent<delimiter>child. A field under an optional struct
// becomes optional; defaults carry down from a parent's default.
type flatten struct {
	k         operand
	delimiter string
	cache     schemaCache
}

func newFlatten(o options, k operand) (Transform, error) {
	t := &flatten{k: k, delimiter: "."}
	if v, ok := o.m["delimiter"]; ok {
		t.delimiter = v
	}
	return t, nil
}

func (t *flatten) name(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + t.delimiter + field
}

func (t *flatten) Apply(r *change.Record) (*change.Record, error) {
	s, v := t.k.get(r)
	switch {
	case isNull(v):
		return r, nil
	case s == nil:
		m, err := requireMap(v, "flattening")
		if err != nil {
			return nil, err
		}
		out, err := t.schemaless(m, "", nil)
		if err != nil {
			return nil, err
		}
		t.k.set(r, nil, out)
		return r, nil
	}
	sv, err := requireStruct(v, "flattening")
	if err != nil {
		return nil, err
	}
	ns, err := t.cache.get(s, func(in *change.Schema) (*change.Schema, error) {
		out := copyBasics(in, change.Struct)
		def, _ := in.Default.(*change.Value)
		return out, t.buildSchema(in, "", out, in.Optional, def)
	})
	if err != nil {
		return nil, err
	}
	out := &change.Value{Schema: ns, Values: make([]any, 0, len(ns.Fields))}
	t.values(sv, &out.Values)
	t.k.set(r, ns, out)
	return r, nil
}

func (t *flatten) buildSchema(s *change.Schema, prefix string, out *change.Schema, optional bool, parentDefault *change.Value) error {
	for i, f := range s.Fields {
		name := t.name(prefix, f.Name)
		fieldOptional := optional || f.Schema.Optional
		var def any
		if f.Schema.HasDefault && f.Schema.Default != nil {
			def = f.Schema.Default
		} else if parentDefault != nil {
			def = fieldValue(parentDefault, i, true)
		}
		switch f.Schema.Type {
		case change.Struct:
			d, _ := def.(*change.Value)
			if err := t.buildSchema(f.Schema, name, out, fieldOptional, d); err != nil {
				return err
			}
		case change.Map:
			return fmt.Errorf("Flatten transformation does not support MAP for record with schemas (for field %s).", name)
		default:
			fs := copyBasics(f.Schema, f.Schema.Type)
			fs.Optional = fieldOptional
			if def != nil {
				fs.Default, fs.HasDefault = def, true
			}
			if out.FieldIndex(name) >= 0 {
				return fmt.Errorf("Cannot create field because of field name duplication %s", name)
			}
			out.Fields = append(out.Fields, change.Field{Name: name, Schema: fs})
		}
	}
	return nil
}

func (t *flatten) values(v *change.Value, out *[]any) {
	for i, f := range v.Schema.Fields {
		x := fieldValue(v, i, true)
		if f.Schema.Type != change.Struct {
			*out = append(*out, x)
			continue
		}
		if sub, _ := x.(*change.Value); sub != nil {
			t.values(sub, out)
		} else {
			*out = append(*out, make([]any, countLeaves(f.Schema))...)
		}
	}
}

func countLeaves(s *change.Schema) int {
	n := 0
	for _, f := range s.Fields {
		if f.Schema.Type == change.Struct {
			n += countLeaves(f.Schema)
		} else {
			n++
		}
	}
	return n
}

func (t *flatten) schemaless(m []change.MapEntry, prefix string, out []change.MapEntry) ([]change.MapEntry, error) {
	for _, e := range m {
		k, _ := e.Key.(string)
		name := t.name(prefix, k)
		switch x := e.Value.(type) {
		case nil, int64, float64, bool, string, []byte, []any:
			out = append(out, change.MapEntry{Key: name, Value: x})
		case []change.MapEntry:
			var err error
			if out, err = t.schemaless(x, name, out); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("Flatten transformation does not support %s for record without schemas (for field %s).", javaClass(x), name)
		}
	}
	return out, nil
}
