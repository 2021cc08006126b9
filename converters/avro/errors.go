package avro

import (
	"fmt"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
)

// TypeError reports a value that does not fit its schema: a Go value of the
// wrong type, a null for a required field without default, an integer out
// of range or a malformed Decimal. The converter marks it definite.
type TypeError struct {
	// Path is the position of the value in the record: "after.id",
	// "tags[2]"; empty for the top-level value.
	Path string
	// Type is the schema type the value was checked against; Name its
	// logical name, if any.
	Type change.Type
	Name string
	Msg  string
}

func (e *TypeError) Error() string {
	var sb strings.Builder
	sb.WriteString("avro: ")
	if e.Path != "" {
		sb.WriteString("field ")
		sb.WriteString(e.Path)
		sb.WriteString(": ")
	}
	sb.WriteString(e.Type.String())
	if e.Name != "" {
		sb.WriteString(" (" + e.Name + ")")
	}
	sb.WriteString(" schema: ")
	sb.WriteString(e.Msg)
	return sb.String()
}

// pathError builds a TypeError's path from the innermost element outwards
// as the encoder unwinds; only failures pay for it.
type pathError struct {
	path []string // innermost first
	typ  change.Type
	name string
	msg  string
}

func (e *pathError) Error() string { return e.public().Error() }

func (e *pathError) public() *TypeError {
	var sb strings.Builder
	for i := len(e.path) - 1; i >= 0; i-- {
		p := e.path[i]
		if sb.Len() > 0 && p[0] != '[' {
			sb.WriteByte('.')
		}
		sb.WriteString(p)
	}
	return &TypeError{Path: sb.String(), Type: e.typ, Name: e.name, Msg: e.msg}
}

func typeErr(s *change.Schema, format string, args ...any) error {
	return &pathError{typ: s.Type, name: s.Name, msg: fmt.Sprintf(format, args...)}
}

func inPath(err error, elem string) error {
	if pe, ok := err.(*pathError); ok {
		pe.path = append(pe.path, elem)
	}
	return err
}

func wrongType(s *change.Schema, v any) error {
	return typeErr(s, "value must be %s, got %T", goType(s), v)
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
