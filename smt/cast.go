package smt

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
)

// cast is Kafka Connect's Cast: listed fields (field:type) or the whole
// key or value (a lone type) become int8..int64, float32, float64, boolean
// or string. Inputs are the primitive types; bytes cast only to string
// (base64), Decimal as its number.
type cast struct {
	k           operand
	fields      map[string]change.Type
	whole       change.Type // 0: per field
	withDefault bool
	cache       schemaCache
}

var castTypes = map[string]change.Type{"INT8": change.Int8, "INT16": change.Int16, "INT32": change.Int32, "INT64": change.Int64,
	"FLOAT32": change.Float32, "FLOAT64": change.Float64, "BOOLEAN": change.Boolean, "STRING": change.String}

var otherTypes = map[string]bool{"BYTES": true, "ARRAY": true, "MAP": true, "STRUCT": true}

const castOutputs = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]"

func newCast(o options, k operand) (Transform, error) {
	spec, err := o.required("spec")
	if err != nil {
		return nil, err
	}
	items := splitList(spec)
	if len(items) == 0 {
		return nil, o.invalid("spec", "[]", "Must specify at least one field to cast.")
	}
	t := &cast{k: k, fields: map[string]change.Type{}}
	for _, item := range items {
		parts := strings.Split(item, ":")
		if len(parts) > 2 {
			return nil, o.invalid("spec", spec, "Invalid cast mapping: "+item+" (expected field:type pairs, e.g. foo:int32,bar:string, or one type)")
		}
		typ, err := castType(parts[len(parts)-1])
		if err != nil {
			return nil, o.invalid("spec", spec, err.Error())
		}
		if len(parts) == 1 {
			t.whole = typ
		} else {
			t.fields[strings.TrimSpace(parts[0])] = typ
		}
	}
	if t.whole != 0 && len(items) > 1 {
		return nil, o.invalid("spec", spec, "Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec")
	}
	t.withDefault, err = o.boolean("replace.null.with.default", true)
	return t, err
}

func castType(name string) (change.Type, error) {
	n := strings.ToUpper(strings.TrimSpace(name))
	if typ, ok := castTypes[n]; ok {
		return typ, nil
	}
	if otherTypes[n] {
		return 0, fmt.Errorf("Cast transformation does not support casting to %s; supported types are %s", n, castOutputs)
	}
	return 0, fmt.Errorf("Invalid type found in casting spec: %s", strings.TrimSpace(name))
}

func (t *cast) Apply(r *change.Record) (*change.Record, error) {
	s, v := t.k.get(r)
	if isNull(v) {
		return r, nil
	}
	if s == nil {
		return t.schemaless(r, v)
	}
	ns, err := t.cache.get(s, t.schema)
	if err != nil {
		return nil, err
	}
	if t.whole != 0 {
		x, err := castValue(s, v, t.whole)
		if err != nil {
			return nil, err
		}
		t.k.set(r, ns, x)
		return r, nil
	}
	sv, err := requireStruct(v, "cast types")
	if err != nil {
		return nil, err
	}
	out := &change.Value{Schema: ns, Values: make([]any, len(sv.Values))}
	for i, f := range sv.Schema.Fields {
		x := fieldValue(sv, i, t.withDefault)
		if typ, ok := t.fields[f.Name]; ok {
			if x, err = castValue(f.Schema, x, typ); err != nil {
				return nil, err
			}
		}
		out.Values[i] = x
	}
	t.k.set(r, ns, out)
	return r, nil
}

func (t *cast) schemaless(r *change.Record, v any) (*change.Record, error) {
	if t.whole != 0 {
		x, err := castValue(nil, v, t.whole)
		if err != nil {
			return nil, err
		}
		t.k.set(r, nil, x)
		return r, nil
	}
	m, err := requireMap(v, "cast types")
	if err != nil {
		return nil, err
	}
	for f, typ := range t.fields {
		x, err := castValue(nil, mapGet(m, f), typ)
		if err != nil {
			return nil, err
		}
		m = mapPut(m, f, x)
	}
	t.k.set(r, nil, m)
	return r, nil
}

func (t *cast) schema(in *change.Schema) (*change.Schema, error) {
	var out *change.Schema
	if t.whole != 0 {
		out = copyBasics(in, t.whole)
	} else {
		out = copyBasics(in, change.Struct)
		for _, f := range in.Fields {
			typ, ok := t.fields[f.Name]
			if !ok {
				out.Fields = append(out.Fields, f)
				continue
			}
			fs := &change.Schema{Type: typ, Optional: f.Schema.Optional}
			if f.Schema.HasDefault && f.Schema.Default != nil {
				d, err := castValue(f.Schema, f.Schema.Default, typ)
				if err != nil {
					return nil, err
				}
				fs.Default, fs.HasDefault = d, true
			}
			out.Fields = append(out.Fields, change.Field{Name: f.Name, Schema: fs})
		}
	}
	out.Optional = in.Optional
	if in.HasDefault && in.Default != nil {
		d, err := castValue(in, in.Default, out.Type)
		if err != nil {
			return nil, err
		}
		out.Default, out.HasDefault = d, true
	}
	return out, nil
}

var errOutOfRange = errors.New("out of range")

// castValue is Cast.castValueToType for one value of schema s (nil:
// schemaless, the type inferred from the value).
func castValue(s *change.Schema, v any, to change.Type) (any, error) {
	if v == nil {
		return nil, nil
	}
	from, err := inputType(s, v)
	if err != nil {
		return nil, err
	}
	switch from {
	case change.Struct, change.Array, change.Map:
		return nil, fmt.Errorf("Cast transformation does not support casting from %s; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]", schemaTypeName(from))
	}
	x, err := castTo(s, v, to)
	if errors.Is(err, errOutOfRange) {
		return nil, fmt.Errorf("Value (%s) was out of range for requested data type", fmt.Sprint(v))
	}
	return x, err
}

func inputType(s *change.Schema, v any) (change.Type, error) {
	if s != nil {
		return s.Type, nil
	}
	switch v.(type) {
	case int64:
		return change.Int64, nil
	case float64:
		return change.Float64, nil
	case bool:
		return change.Boolean, nil
	case string:
		return change.String, nil
	case []byte:
		return change.Bytes, nil
	case *change.Value:
		return change.Struct, nil
	case []any:
		return change.Array, nil
	case []change.MapEntry:
		return change.Map, nil
	}
	return 0, fmt.Errorf("Cast transformation was passed a value of type %T which is not supported by Connect's data API", v)
}

// number is a value as Java's Number: an integer, a floating point or a
// BigDecimal; ok is false for booleans, strings and bytes.
type number struct {
	i       int64
	f       float64
	dec     *big.Rat
	isFloat bool
}

func asNumber(s *change.Schema, v any) (number, bool) {
	switch x := v.(type) {
	case int64:
		return number{i: x}, true
	case float64:
		return number{f: x, isFloat: true}, true
	case []byte:
		if s != nil && s.Name == change.DecimalName {
			return number{dec: decimalValue(s, x)}, true
		}
	}
	return number{}, false
}

// long is Number.longValue; Byte/Short/Int values narrow it further.
func (n number) long() int64 {
	switch {
	case n.dec != nil:
		// BigDecimal.longValue: the fraction truncated, then the low 64
		// bits of the two's complement (big.Int.And works on that form).
		q := new(big.Int).Quo(n.dec.Num(), n.dec.Denom())
		return int64(new(big.Int).And(q, new(big.Int).SetUint64(math.MaxUint64)).Uint64())
	case n.isFloat:
		return javaD2L(n.f)
	}
	return n.i
}

// int is Number.intValue: a float saturates to int32 first.
func (n number) int() int64 {
	if n.isFloat {
		switch {
		case math.IsNaN(n.f):
			return 0
		case n.f >= math.MaxInt32:
			return math.MaxInt32
		case n.f <= math.MinInt32:
			return math.MinInt32
		}
		return int64(int32(n.f))
	}
	return int64(int32(n.long()))
}

func (n number) double() float64 {
	switch {
	case n.dec != nil:
		f, _ := n.dec.Float64()
		return f
	case n.isFloat:
		return n.f
	}
	return float64(n.i)
}

func castTo(s *change.Schema, v any, to change.Type) (any, error) {
	unexpected := fmt.Errorf("Unexpected type in Cast transformation: class %s", maskKind(s, v))
	if to == change.String {
		return castToString(s, v), nil
	}
	if n, ok := asNumber(s, v); ok {
		switch to {
		case change.Int8:
			return int64(int8(n.int())), nil
		case change.Int16:
			return int64(int16(n.int())), nil
		case change.Int32:
			return n.int(), nil
		case change.Int64:
			return n.long(), nil
		case change.Float32:
			return float64(float32(n.double())), nil
		case change.Float64:
			return n.double(), nil
		case change.Boolean:
			return n.long() != 0, nil
		}
	}
	switch x := v.(type) {
	case bool:
		if to == change.Boolean {
			return x, nil
		}
		if to == change.Float32 || to == change.Float64 {
			return map[bool]float64{true: 1, false: 0}[x], nil
		}
		return map[bool]int64{true: 1, false: 0}[x], nil
	case string:
		return parseAs(x, to)
	}
	return nil, unexpected
}

func parseAs(x string, to change.Type) (any, error) {
	bits := map[change.Type]int{change.Int8: 8, change.Int16: 16, change.Int32: 32, change.Int64: 64}
	switch to {
	case change.Boolean:
		return strings.EqualFold(x, "true"), nil
	case change.Float32, change.Float64:
		f, ok := javaParseFloat(x)
		if !ok {
			return nil, errOutOfRange
		}
		if to == change.Float32 {
			f = float64(float32(f))
		}
		return f, nil
	}
	if strings.HasPrefix(x, "+") && len(x) > 1 && x[1] == '-' {
		return nil, errOutOfRange
	}
	n, err := strconv.ParseInt(x, 10, bits[to])
	if err != nil {
		return nil, errOutOfRange
	}
	return n, nil
}

func castToString(s *change.Schema, v any) string {
	if ms, ok := logicalMillis(s, v); ok {
		return javaDateString(ms)
	}
	switch x := v.(type) {
	case []byte:
		if s != nil && s.Name == change.DecimalName {
			return bigDecimalString(s, x)
		}
		return base64.StdEncoding.EncodeToString(x)
	case float64:
		if s != nil && s.Type == change.Float32 {
			return javaFloatString(x, 32)
		}
		return javaFloatString(x, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}
