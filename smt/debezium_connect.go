package smt

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
)

// Connect's schema equality and value validation, which several of
// Debezium's transforms lean on: their caches are Java HashMaps keyed by
// Schema, so two equal schemas share an entry, and Struct.put checks each
// value against its field's schema.

// schemaKeys gives each schema a string equal for schemas Connect's
// ConnectSchema.equals finds equal (type, optionality, default, name,
// version, doc, parameters, fields, items, keys and values). It remembers
// the string per pointer: schemas change only with DDL.
type schemaKeys map[*change.Schema]string

func (k *schemaKeys) key(s *change.Schema) string {
	if s == nil {
		return "nil"
	}
	if v, ok := (*k)[s]; ok {
		return v
	}
	var b strings.Builder
	writeSchemaKey(&b, s)
	if *k == nil || len(*k) >= maxSchemaCache {
		*k = make(schemaKeys)
	}
	(*k)[s] = b.String()
	return b.String()
}

func writeSchemaKey(b *strings.Builder, s *change.Schema) {
	if s == nil {
		b.WriteString("nil")
		return
	}
	fmt.Fprintf(b, "{%d %v %q %d %q [", s.Type, s.Optional, s.Name, s.Version, s.Doc)
	for _, p := range s.Parameters {
		fmt.Fprintf(b, "%q=%q ", p.Key, p.Value)
	}
	b.WriteString("] ")
	if s.HasDefault && s.Default != nil {
		b.WriteString("default=" + change.Format(s.Default))
	}
	b.WriteString(" [")
	for _, f := range s.Fields {
		b.WriteString(strconv.Quote(f.Name) + ":")
		writeSchemaKey(b, f.Schema)
	}
	b.WriteString("] ")
	writeSchemaKey(b, s.Items)
	writeSchemaKey(b, s.Keys)
	writeSchemaKey(b, s.Values)
	b.WriteByte('}')
}

// validateValue is ConnectSchema.validateValue: the check Struct.put makes.
// A struct value must carry a schema equal to s; other values must be of
// the Go type Sluice holds for s's type.
func (k *schemaKeys) validateValue(what string, s *change.Schema, v any) error {
	if v == nil {
		if s.Optional {
			return nil
		}
		return fmt.Errorf("invalid value: null used for required field %q, schema type %s", what, s.Type)
	}
	ok := false
	switch s.Type {
	case change.Int8, change.Int16, change.Int32, change.Int64:
		_, ok = v.(int64)
	case change.Float32, change.Float64:
		_, ok = v.(float64)
	case change.Boolean:
		_, ok = v.(bool)
	case change.String:
		_, ok = v.(string)
	case change.Bytes:
		_, ok = v.([]byte)
	case change.Struct:
		sv, isStruct := v.(*change.Value)
		if isStruct && sv != nil && sv.Schema != s && k.key(sv.Schema) != k.key(s) {
			return fmt.Errorf("struct schemas do not match for field %q", what)
		}
		ok = isStruct
	case change.Array:
		var items []any
		if items, ok = v.([]any); ok {
			for _, x := range items {
				if err := k.validateValue(what, s.Items, x); err != nil {
					return err
				}
			}
		}
	case change.Map:
		var entries []change.MapEntry
		if entries, ok = v.([]change.MapEntry); ok {
			for _, e := range entries {
				if err := k.validateValue(what, s.Keys, e.Key); err != nil {
					return err
				}
				if err := k.validateValue(what, s.Values, e.Value); err != nil {
					return err
				}
			}
		}
	}
	if !ok {
		return fmt.Errorf("invalid value for field %q: a %T for a schema of type %s", what, v, s.Type)
	}
	return nil
}

// getString is Connect's Struct.getString: the field must exist and be a
// string; a null reads as the field's default.
func getString(v *change.Value, field string) (string, bool, error) {
	i := v.Schema.FieldIndex(field)
	if i < 0 {
		return "", false, fmt.Errorf("%s is not a valid field name", field)
	}
	if t := v.Schema.Fields[i].Schema.Type; t != change.String {
		return "", false, fmt.Errorf("field %q is not of type STRING but %s", field, t)
	}
	s, ok := getWithDefault(v, i).(string)
	return s, ok, nil
}

// getField is Connect's Struct.get(String): an unknown field is an error.
func getField(v *change.Value, field string) (any, *change.Schema, error) {
	i := v.Schema.FieldIndex(field)
	if i < 0 {
		return nil, nil, fmt.Errorf("%s is not a valid field name", field)
	}
	return getWithDefault(v, i), v.Schema.Fields[i].Schema, nil
}
