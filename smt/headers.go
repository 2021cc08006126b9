package smt

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"slices"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
)

// insertHeader is Kafka Connect's InsertHeader: every record gets a header
// with a literal value, typed as Connect's Values.parseString types it
// (booleans and integers; other text, floats included, stays a string).
type insertHeader struct {
	header change.Header
}

func newInsertHeader(o options) (Transform, error) {
	name, err := o.required("header")
	if err != nil {
		return nil, err
	}
	lit, err := o.required("value.literal")
	if err != nil {
		return nil, err
	}
	s, v := parseLiteral(lit)
	return &insertHeader{change.Header{Key: name, Schema: s, Value: v}}, nil
}

// numberLiteral is what Java's BigDecimal parses.
var numberLiteral = regexp.MustCompile(`^[-+]?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$`)

var (
	float32Schema = &change.Schema{Type: change.Float32}
	float64Schema = &change.Schema{Type: change.Float64}
	booleanSchema = &change.Schema{Type: change.Boolean}
	int8Schema    = &change.Schema{Type: change.Int8}
	int16Schema   = &change.Schema{Type: change.Int16}
)

// parseLiteral types a literal as Values.parseString does for booleans and
// numbers: a whole number (1e3 too) is the smallest integer type that holds
// it, a fraction a float (float32 when in its range, as Connect picks it,
// so 3.14159265358979 prints as 3.1415927). Anything else (arrays, maps,
// dates, numbers beyond a long) stays the string as written, whose header
// text is what Connect prints for them too.
func parseLiteral(s string) (*change.Schema, any) {
	t := strings.TrimSpace(s)
	switch t {
	case "true":
		return booleanSchema, true
	case "false":
		return booleanSchema, false
	}
	// Connect's parser reads one token: a number ends at the first
	// delimiter and the rest is dropped ("1,5" is the number 1).
	if i := strings.IndexAny(t, `,:[]{}"`); i > 0 {
		t = strings.TrimSpace(t[:i])
	}
	if !numberLiteral.MatchString(t) {
		return stringSchema, s
	}
	r, ok := new(big.Rat).SetString(t)
	if !ok {
		return stringSchema, s
	}
	if r.IsInt() {
		if !r.Num().IsInt64() {
			return stringSchema, s
		}
		n := r.Num().Int64()
		switch {
		case n >= math.MinInt8 && n <= math.MaxInt8:
			return int8Schema, n
		case n >= math.MinInt16 && n <= math.MaxInt16:
			return int16Schema, n
		case n >= math.MinInt32 && n <= math.MaxInt32:
			return int32Schema, n
		}
		return int64Schema, n
	}
	if f, _ := r.Float32(); !math.IsInf(float64(f), 0) {
		return float32Schema, float64(f)
	}
	if f, _ := r.Float64(); !math.IsInf(f, 0) {
		return float64Schema, f
	}
	return stringSchema, s
}

func (t *insertHeader) Apply(r *change.Record) (*change.Record, error) {
	hs := make([]change.Header, len(r.Headers), len(r.Headers)+1)
	copy(hs, r.Headers)
	r.Headers = append(hs, t.header)
	return r, nil
}

// dropHeaders is Kafka Connect's DropHeaders: headers of the listed names
// are removed.
type dropHeaders struct{ names []string }

func newDropHeaders(o options) (Transform, error) {
	names, err := o.requiredList("headers")
	return &dropHeaders{names}, err
}

func (t *dropHeaders) Apply(r *change.Record) (*change.Record, error) {
	var hs []change.Header
	for _, h := range r.Headers {
		if !slices.Contains(t.names, h.Key) {
			hs = append(hs, h)
		}
	}
	r.Headers = hs
	return r, nil
}

// headerFrom is Kafka Connect's HeaderFrom: fields of the key or value are
// copied (operation=copy) or moved (move) to headers, fields[i] to
// headers[i].
type headerFrom struct {
	k               operand
	fields, headers []string
	move            bool
	withDefault     bool
	cache           schemaCache
}

func newHeaderFrom(o options, k operand) (Transform, error) {
	t := &headerFrom{k: k}
	var err error
	if t.fields, err = o.requiredList("fields"); err != nil {
		return nil, err
	}
	if t.headers, err = o.requiredList("headers"); err != nil {
		return nil, err
	}
	op, err := o.required("operation")
	if err != nil {
		return nil, err
	}
	switch op {
	case "move":
		t.move = true
	case "copy":
	default:
		return nil, o.invalid("operation", op, "String must be one of: move, copy")
	}
	if len(t.fields) != len(t.headers) {
		return nil, fmt.Errorf("'fields' config must have the same number of elements as 'headers' config.")
	}
	t.withDefault, err = o.boolean("replace.null.with.default", true)
	return t, err
}

func (t *headerFrom) purpose() string {
	if t.move {
		return "header move"
	}
	return "header copy"
}

func (t *headerFrom) Apply(r *change.Record) (*change.Record, error) {
	s, v := t.k.get(r)
	hs := make([]change.Header, len(r.Headers), len(r.Headers)+len(t.fields))
	copy(hs, r.Headers)
	if s == nil {
		m, err := requireMap(v, t.purpose())
		if err != nil {
			return nil, err
		}
		kept := m
		if t.move {
			kept = nil
			for _, e := range m {
				if k, _ := e.Key.(string); !slices.Contains(t.fields, k) {
					kept = append(kept, e)
				}
			}
		}
		for i, f := range t.fields {
			hs = append(hs, change.Header{Key: t.headers[i], Value: mapGet(m, f)})
		}
		t.k.set(r, nil, kept)
		r.Headers = hs
		return r, nil
	}
	sv, err := requireStruct(v, t.purpose())
	if err != nil {
		return nil, err
	}
	for i, f := range t.fields {
		j := s.FieldIndex(f)
		if j < 0 {
			return nil, fmt.Errorf("%s: field %q does not exist in schema %s", t.purpose(), f, s.Name)
		}
		hs = append(hs, change.Header{Key: t.headers[i], Schema: s.Fields[j].Schema, Value: fieldValue(sv, sv.Schema.FieldIndex(f), t.withDefault)})
	}
	if t.move {
		ns, _ := t.cache.get(s, func(in *change.Schema) (*change.Schema, error) {
			out := copyBasics(in, change.Struct)
			for _, f := range in.Fields {
				if !slices.Contains(t.fields, f.Name) {
					out.Fields = append(out.Fields, f)
				}
			}
			return out, nil
		})
		out := &change.Value{Schema: ns, Values: make([]any, len(ns.Fields))}
		for i, f := range ns.Fields {
			out.Values[i] = fieldValue(sv, sv.Schema.FieldIndex(f.Name), t.withDefault)
		}
		t.k.set(r, ns, out)
	}
	r.Headers = hs
	return r, nil
}
