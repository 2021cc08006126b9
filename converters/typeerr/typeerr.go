// Package typeerr is the error both converters (jsonconv, avro) give for a
// value that does not fit its schema, with the value's path in the record.
// The path is built from the innermost element outwards as an encoder
// unwinds, so only failures pay for it.
package typeerr

import (
	"fmt"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
)

// Error reports a value that does not fit its schema: a Go value of the
// wrong type, a null for a required field without default, an integer out
// of range or a malformed Decimal.
type Error struct {
	// Converter names the converter in the message ("jsonconv", "avro").
	Converter string
	// Path is the position of the value in the record: "after.id",
	// "tags[2]", "attrs[\"k\"]"; empty for the top-level value.
	Path string
	// Type is the schema type the value was checked against (0: none);
	// Name its logical name, if any.
	Type change.Type
	Name string
	// Msg says what is wrong.
	Msg string
}

func (e *Error) Error() string {
	var sb strings.Builder
	sb.WriteString(e.Converter)
	sb.WriteString(": ")
	if e.Path != "" {
		sb.WriteString("field ")
		sb.WriteString(e.Path)
		sb.WriteString(": ")
	}
	if e.Type == 0 {
		sb.WriteString("no schema: ")
	} else {
		sb.WriteString(e.Type.String())
		if e.Name != "" {
			sb.WriteString(" (" + e.Name + ")")
		}
		sb.WriteString(" schema: ")
	}
	sb.WriteString(e.Msg)
	return sb.String()
}

// partial is an Error whose path is still being built.
type partial struct {
	path []string // innermost first
	typ  change.Type
	name string
	msg  string
}

func (e *partial) Error() string { return e.finish("").Error() }

func (e *partial) finish(converter string) *Error {
	var sb strings.Builder
	for i := len(e.path) - 1; i >= 0; i-- {
		p := e.path[i]
		if sb.Len() > 0 && p[0] != '[' {
			sb.WriteByte('.')
		}
		sb.WriteString(p)
	}
	return &Error{Converter: converter, Path: sb.String(), Type: e.typ, Name: e.name, Msg: e.msg}
}

// New is a value of schema s that does not fit it.
func New(s *change.Schema, format string, args ...any) error {
	return &partial{typ: s.Type, name: s.Name, msg: fmt.Sprintf(format, args...)}
}

// Schemaless is a value without a schema that cannot be written.
func Schemaless(msg string) error { return &partial{msg: msg} }

// Wrong is a Go value of another type than change.Schema documents for s.
func Wrong(s *change.Schema, v any) error {
	return New(s, "value must be %s, got %T", goType(s), v)
}

// In adds one path element (a field name, "[2]") to err when New made it.
func In(err error, elem string) error {
	if pe, ok := err.(*partial); ok {
		pe.path = append(pe.path, elem)
	}
	return err
}

// Prefix puts text before the message of an error New made.
func Prefix(err error, text string) error {
	if pe, ok := err.(*partial); ok {
		pe.msg = text + pe.msg
	}
	return err
}

// Finish turns an error New made into the *Error the converter returns;
// other errors pass unchanged.
func Finish(converter string, err error) error {
	if pe, ok := err.(*partial); ok {
		return pe.finish(converter)
	}
	return err
}

// goType names the Go type change.Schema documents for s.
func goType(s *change.Schema) string {
	if s.Name == change.DecimalName {
		return "[]byte (unscaled two's complement)"
	}
	switch s.Type {
	case change.Int8, change.Int16, change.Int32, change.Int64:
		return "int64"
	case change.Float32, change.Float64:
		return "float64"
	case change.Boolean:
		return "bool"
	case change.String:
		return "string"
	case change.Bytes:
		return "[]byte"
	case change.Struct:
		return "*change.Value"
	case change.Array:
		return "[]any"
	case change.Map:
		return "[]change.MapEntry"
	}
	return "?"
}

// CheckStruct is nil when a struct value built against got may be written
// as s: the same schema, or one equal to it held by another pointer (the
// cheap part of Connect's Struct schema check: name, field names and
// types); otherwise the error.
func CheckStruct(s, got *change.Schema) error {
	if got == s || sameFields(got, s) {
		return nil
	}
	name := "<nil>"
	if got != nil {
		name = got.Name
	}
	return New(s, "struct value has a mismatching schema %q", name)
}

func sameFields(a, b *change.Schema) bool {
	if a == nil || a.Type != change.Struct || len(a.Fields) != len(b.Fields) || a.Name != b.Name {
		return false
	}
	for i := range a.Fields {
		fa, fb := a.Fields[i].Schema, b.Fields[i].Schema
		if a.Fields[i].Name != b.Fields[i].Name || fa == nil || fb == nil || fa.Type != fb.Type {
			return false
		}
	}
	return true
}
