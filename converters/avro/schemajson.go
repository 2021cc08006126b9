package avro

import (
	"fmt"
	"strconv"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/internal/javafmt"
)

// schemaText writes n as Avro's Schema.toString does: compact JSON, a
// record in full where it first appears and by name after that, a
// namespace written only where it differs from the enclosing one.
func schemaText(n *node) string {
	w := &textWriter{defined: map[string]bool{}}
	return string(w.node(nil, n))
}

type textWriter struct {
	space   string // the enclosing record's namespace
	defined map[string]bool
}

// primitiveNames are the names a record reference must not shorten to.
var primitiveNames = map[string]bool{
	"null": true, "boolean": true, "int": true, "long": true, "float": true, "double": true,
	"bytes": true, "string": true, "record": true, "enum": true, "array": true, "map": true, "union": true, "fixed": true,
}

func (w *textWriter) node(b []byte, n *node) []byte {
	switch {
	case n.typ == "":
		b = append(b, '[')
		for i, br := range n.branches {
			if i > 0 {
				b = append(b, ',')
			}
			b = w.node(b, br)
		}
		return append(b, ']')
	case n.typ == "record":
		return w.record(b, n)
	case n.typ == "array":
		b = append(b, `{"type":"array","items":`...)
		b = w.node(b, n.items)
	case n.typ == "map":
		b = append(b, `{"type":"map","values":`...)
		b = w.node(b, n.values)
	case len(n.props) == 0:
		return jsonAppendString(b, n.typ)
	default:
		b = append(b, `{"type":`...)
		b = jsonAppendString(b, n.typ)
	}
	b = appendProps(b, n.props)
	return append(b, '}')
}

func (w *textWriter) record(b []byte, n *node) []byte {
	full := n.fullName()
	if w.defined[full] {
		if n.ns == w.space && !primitiveNames[n.name] {
			return jsonAppendString(b, n.name)
		}
		return jsonAppendString(b, full)
	}
	w.defined[full] = true
	b = append(b, `{"type":"record","name":`...)
	b = jsonAppendString(b, n.name)
	switch {
	case n.ns != "" && n.ns != w.space:
		b = append(b, `,"namespace":`...)
		b = jsonAppendString(b, n.ns)
	case n.ns == "" && w.space != "":
		b = append(b, `,"namespace":""`...)
	}
	saved := w.space
	w.space = n.ns
	b = append(b, `,"fields":[`...)
	for i, f := range n.fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		b = jsonAppendString(b, f.name)
		b = append(b, `,"type":`...)
		b = w.node(b, f.typ)
		if f.def != nil {
			b = append(b, `,"default":`...)
			b = append(b, f.def...)
		}
		b = append(b, '}')
	}
	b = append(b, ']')
	w.space = saved
	b = appendProps(b, n.props)
	return append(b, '}')
}

func appendProps(b []byte, props []prop) []byte {
	for _, p := range props {
		b = append(b, ',')
		b = jsonAppendString(b, p.key)
		b = append(b, ':')
		b = append(b, p.val...)
	}
	return b
}

func jsonString(s string) []byte { return jsonAppendString(nil, s) }

// jsonAppendString writes s as Jackson does (non-ASCII characters as they
// are, not escaped).
func jsonAppendString(b []byte, s string) []byte { return javafmt.AppendJSONString(b, s, false) }

func paramsJSON(ps []change.Param) []byte {
	b := []byte{'{'}
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonAppendString(b, p.Key)
		b = append(b, ':')
		b = jsonAppendString(b, p.Value)
	}
	return append(b, '}')
}

// defaultJSON is AvroData.defaultValueFromConnect: the JSON of a default
// value, bytes (and Decimals) as ISO-8859-1 strings, maps with string keys
// as objects and others as arrays of [key, value] pairs.
func defaultJSON(s *change.Schema, v any) ([]byte, error) {
	return appendDefault(nil, s, v)
}

func appendDefault(b []byte, s *change.Schema, v any) ([]byte, error) {
	if v == nil {
		return append(b, "null"...), nil
	}
	bad := func() ([]byte, error) {
		return nil, fmt.Errorf("default %v (%T) does not fit a %s schema", v, v, s.Type)
	}
	switch s.Type {
	case change.Int8, change.Int16, change.Int32, change.Int64:
		n, ok := v.(int64)
		if !ok {
			return bad()
		}
		return strconv.AppendInt(b, n, 10), nil
	case change.Float32, change.Float64:
		f, ok := v.(float64)
		if !ok {
			return bad()
		}
		if s.Type == change.Float32 {
			return javafmt.AppendFloat(b, f), nil
		}
		return javafmt.AppendDouble(b, f), nil
	case change.Boolean:
		t, ok := v.(bool)
		if !ok {
			return bad()
		}
		return strconv.AppendBool(b, t), nil
	case change.String:
		str, ok := v.(string)
		if !ok {
			return bad()
		}
		return jsonAppendString(b, str), nil
	case change.Bytes:
		raw, ok := v.([]byte)
		if !ok {
			return bad()
		}
		if s.Name == change.DecimalName {
			raw = minimalTwosComplement(raw)
		}
		return jsonAppendString(b, latin1(raw)), nil
	case change.Array:
		items, ok := v.([]any)
		if !ok {
			return bad()
		}
		b = append(b, '[')
		for i, it := range items {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendDefault(b, s.Items, it); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case change.Map:
		return appendMapDefault(b, s, v)
	case change.Struct:
		sv, ok := v.(*change.Value)
		if !ok || len(sv.Values) != len(s.Fields) {
			return bad()
		}
		b = append(b, '{')
		for i, f := range s.Fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonAppendString(b, f.Name)
			b = append(b, ':')
			fv := sv.Values[i]
			if fv == nil && f.Schema.HasDefault {
				fv = f.Schema.Default
			}
			var err error
			if b, err = appendDefault(b, f.Schema, fv); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	return bad()
}

func appendMapDefault(b []byte, s *change.Schema, v any) ([]byte, error) {
	entries, ok := v.([]change.MapEntry)
	if !ok {
		return nil, fmt.Errorf("default %T does not fit a map schema", v)
	}
	var err error
	if s.Keys.Type == change.String && !s.Keys.Optional {
		b = append(b, '{')
		for i, e := range entries {
			if i > 0 {
				b = append(b, ',')
			}
			k, _ := e.Key.(string)
			b = jsonAppendString(b, k)
			b = append(b, ':')
			if b, err = appendDefault(b, s.Values, e.Value); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	b = append(b, '[')
	for i, e := range entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		if b, err = appendDefault(b, s.Keys, e.Key); err != nil {
			return nil, err
		}
		b = append(b, ',')
		if b, err = appendDefault(b, s.Values, e.Value); err != nil {
			return nil, err
		}
		b = append(b, ']')
	}
	return append(b, ']'), nil
}

// latin1 reads bytes as ISO-8859-1, as AvroData writes a bytes default.
func latin1(p []byte) string {
	r := make([]rune, len(p))
	for i, c := range p {
		r[i] = rune(c)
	}
	return string(r)
}
