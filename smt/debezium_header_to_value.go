package smt

import (
	"fmt"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
)

// headerToValue is io.debezium.transforms.HeaderToValue: the headers named
// by headers= become value fields named by fields= (a dotted name goes
// into a nested struct), copied or moved out of the headers.
//
// Debezium builds the new value schema from the first record of each value
// schema, with the headers that record carries, and reuses it: a later
// record with a header the first lacked fails, one lacking a header the
// first had leaves its field null. This transform does the same.
type headerToValue struct {
	alias   string
	headers []string
	fields  []string
	move    bool

	keys    schemaKeys
	schemas map[string]*change.Schema // value schema -> with the header fields
}

// headerEntry is ConnectRecordUtil.NewEntry: a field to add.
type headerEntry struct {
	name   string
	schema *change.Schema
	value  any
}

func newHeaderToValue(alias string, opts map[string]string) (Transform, error) {
	o := dbzOptions{alias, opts}
	t := &headerToValue{alias: alias, schemas: map[string]*change.Schema{}}
	var err error
	if t.headers, err = debeziumList(o, "headers"); err != nil {
		return nil, err
	}
	if t.fields, err = debeziumList(o, "fields"); err != nil {
		return nil, err
	}
	switch op := o.m["operation"]; op {
	case "move":
		t.move = true
	case "copy":
	default:
		return nil, fmt.Errorf("%s: %q must be move or copy", o.name("operation"), op)
	}
	if len(t.headers) != len(t.fields) {
		return nil, fmt.Errorf("%s: must have as many elements as %s", o.name("fields"), o.name("headers"))
	}
	return t, nil
}

// debeziumList reads a required Debezium LIST setting as Configuration
// does (split at commas, trailing empty items dropped, items trimmed) and
// checks it as HeaderToValue's validators do: no empty item, no space.
func debeziumList(o dbzOptions, key string) ([]string, error) {
	v, ok := o.m[key]
	if !ok || v == "" {
		return nil, fmt.Errorf("%s: missing; it is required", o.name(key))
	}
	items := javaSplit(v, ",")
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
		if items[i] == "" {
			return nil, fmt.Errorf("%s: %q: empty elements are not permitted", o.name(key), v)
		}
		if strings.Contains(items[i], " ") {
			return nil, fmt.Errorf("%s: %q: elements containing a space are not permitted", o.name(key), v)
		}
	}
	return items, nil
}

// javaSplit is String.split with a literal separator: trailing empty
// strings are dropped.
func javaSplit(s, sep string) []string {
	parts := strings.Split(s, sep)
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) == 0 && s == "" {
		return []string{""}
	}
	return parts
}

func (t *headerToValue) Apply(r *change.Record) (*change.Record, error) {
	if isNull(r.Value) {
		return r, nil
	}
	value, ok := r.Value.(*change.Value)
	if !ok {
		return nil, fmt.Errorf("transform %s (HeaderToValue): record for %s: only struct values are supported, found a %T", t.alias, r.Topic, r.Value)
	}
	var entries []headerEntry
	for _, h := range r.Headers {
		for i, name := range t.headers {
			if name == h.Key {
				entries = append(entries, headerEntry{name: t.fields[i], schema: h.Schema, value: h.Value})
				break
			}
		}
	}
	if len(entries) == 0 {
		return r, nil
	}
	var nested []string
	for _, e := range entries {
		if strings.Contains(e.name, ".") {
			nested = append(nested, e.name)
		}
	}
	k := t.keys.key(value.Schema)
	s, ok := t.schemas[k]
	if !ok {
		var err error
		if s, err = t.newSchema(value.Schema, entries, nested); err != nil {
			return nil, fmt.Errorf("transform %s (HeaderToValue): record for %s: %w", t.alias, r.Topic, err)
		}
		if len(t.schemas) >= maxSchemaCache {
			t.schemas = map[string]*change.Schema{}
		}
		t.schemas[k] = s
	}
	v, err := t.updatedValue("payload", value, entries, s, nested, 0)
	if err != nil {
		return nil, fmt.Errorf("transform %s (HeaderToValue): record for %s: %w", t.alias, r.Topic, err)
	}
	out := *r
	out.ValueSchema, out.Value = s, v
	if t.move {
		out.Headers = make([]change.Header, 0, len(r.Headers))
		for _, h := range r.Headers {
			moved := false
			for _, name := range t.headers {
				moved = moved || name == h.Key
			}
			if !moved {
				out.Headers = append(out.Headers, h)
			}
		}
	}
	return &out, nil
}

// newSchema is ConnectRecordUtil.makeNewSchema.
func (t *headerToValue) newSchema(s *change.Schema, entries []headerEntry, nested []string) (*change.Schema, error) {
	for _, n := range nested {
		parts := javaSplit(n, ".")
		cur := s
		for _, p := range parts[:len(parts)-1] {
			if cur.Type != change.Struct {
				return nil, fmt.Errorf("cannot look up field %q in a %s", p, cur.Type)
			}
			i := cur.FieldIndex(p)
			if i < 0 {
				return nil, fmt.Errorf("field '%s' does not exist in the schema. Cannot add nested field '%s'", p, n)
			}
			if cur = cur.Fields[i].Schema; cur.Type != change.Struct && cur.Type != change.Array && cur.Type != change.Map {
				return nil, fmt.Errorf("field '%s' is a primitive type, not a struct. Cannot add nested field '%s'", p, n)
			}
		}
	}
	return buildHeaderSchema("payload", s, entries, nested, 0)
}

func buildHeaderSchema(fieldName string, s *change.Schema, entries []headerEntry, nested []string, level int) (*change.Schema, error) {
	switch s.Type {
	case change.Struct:
	case change.Array, change.Map:
		return nil, fmt.Errorf("cannot add fields to a %s", s.Type)
	default:
		return s, nil
	}
	out := structBasics(s) // Connect's copySchemaBasics: a rebuilt struct is no longer optional
	for _, f := range s.Fields {
		if containedIn(f.Name, nested) {
			fs, err := buildHeaderSchema(f.Name, f.Schema, entries, nested, level+1)
			if err != nil {
				return nil, err
			}
			f = change.Field{Name: f.Name, Schema: fs}
		}
		out.Fields = append(out.Fields, f)
	}
	for _, e := range entries {
		if name, ok := entryFieldName(e.name, fieldName, level); ok {
			if out.FieldIndex(name) >= 0 {
				return nil, fmt.Errorf("cannot create field because of field name duplication %s", name)
			}
			if e.schema == nil {
				return nil, fmt.Errorf("header for field %s has no schema", name)
			}
			out.Fields = append(out.Fields, change.Field{Name: name, Schema: e.schema})
		}
	}
	return out, nil
}

func (t *headerToValue) updatedValue(fieldName string, orig *change.Value, entries []headerEntry, s *change.Schema, nested []string, level int) (*change.Value, error) {
	out := &change.Value{Schema: s, Values: make([]any, len(s.Fields))}
	put := func(name string, v any) error {
		i := s.FieldIndex(name)
		if i < 0 {
			return fmt.Errorf("%s is not a valid field name", name)
		}
		if err := t.keys.validateValue(name, s.Fields[i].Schema, v); err != nil {
			return err
		}
		out.Values[i] = v
		return nil
	}
	for i, f := range orig.Schema.Fields {
		v := getWithDefault(orig, i)
		if v == nil {
			continue
		}
		if containedIn(f.Name, nested) {
			sv, ok := v.(*change.Value)
			if !ok || sv == nil {
				return nil, fmt.Errorf("nested field %s is a %T, not a struct", f.Name, v)
			}
			j := s.FieldIndex(f.Name)
			if j < 0 {
				return nil, fmt.Errorf("%s is not a valid field name", f.Name)
			}
			var err error
			if v, err = t.updatedValue(f.Name, sv, entries, s.Fields[j].Schema, nested, level+1); err != nil {
				return nil, err
			}
		}
		if err := put(f.Name, v); err != nil {
			return nil, err
		}
	}
	for _, e := range entries {
		if name, ok := entryFieldName(e.name, fieldName, level); ok {
			if err := put(name, e.value); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// entryFieldName is ConnectRecordUtil.getFieldName: the name an entry
// takes in the struct at fieldName (depth level), if it belongs there.
func entryFieldName(dest, fieldName string, level int) (string, bool) {
	names := javaSplit(dest, ".")
	if len(names) == 1 && fieldName == "payload" {
		return names[0], true
	}
	parent := 0
	if level > 0 {
		parent = level - 1
	}
	if len(names) == level+1 && names[parent] == fieldName {
		return names[level], true
	}
	return "", false
}

// containedIn is ConnectRecordUtil.isContainedIn: does any nested name
// contain "field." (anywhere, as Debezium checks).
func containedIn(field string, nested []string) bool {
	for _, n := range nested {
		if strings.Contains(n, field+".") {
			return true
		}
	}
	return false
}
