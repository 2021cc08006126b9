package smt

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
)

// maskField is Kafka Connect's MaskField: listed fields get the zero of
// their type (0, false, "", an empty array or map, the epoch for dates) or
// the replacement, converted to their type (numbers and strings only).
type maskField struct {
	k           operand
	fields      []string
	replacement *string
	withDefault bool
}

func newMaskField(o options, k operand) (Transform, error) {
	fields, err := o.requiredList("fields")
	if err != nil {
		return nil, err
	}
	t := &maskField{k: k, fields: fields}
	if v, ok := o.str("replacement"); ok {
		if v == "" {
			return nil, o.invalid("replacement", "", "String must be non-empty")
		}
		t.replacement = &v
	}
	t.withDefault, err = o.boolean("replace.null.with.default", true)
	return t, err
}

func (t *maskField) Apply(r *change.Record) (*change.Record, error) {
	s, v := t.k.get(r)
	if s == nil {
		m, err := requireMap(v, "mask fields")
		if err != nil {
			return nil, err
		}
		for _, f := range t.fields {
			x, err := t.mask(nil, mapGet(m, f))
			if err != nil {
				return nil, err
			}
			m = mapPut(m, f, x)
		}
		t.k.set(r, nil, m)
		return r, nil
	}
	sv, err := requireStruct(v, "mask fields")
	if err != nil {
		return nil, err
	}
	out := &change.Value{Schema: sv.Schema, Values: make([]any, len(sv.Values))}
	for i, f := range sv.Schema.Fields {
		x := fieldValue(sv, i, t.withDefault)
		if slices.Contains(t.fields, f.Name) {
			if x, err = t.mask(f.Schema, x); err != nil {
				return nil, err
			}
		}
		out.Values[i] = x
	}
	t.k.set(r, sv.Schema, out)
	return r, nil
}

// maskKind is the Java class Connect holds a value as, which is what
// MaskField dispatches on.
func maskKind(s *change.Schema, v any) string {
	if s == nil {
		return javaClass(v)
	}
	switch s.Name {
	case change.ConnectDateName, change.ConnectTimeName, change.ConnectTimestamp:
		return "java.util.Date"
	case change.DecimalName:
		return "java.math.BigDecimal"
	}
	switch s.Type {
	case change.Int8:
		return "java.lang.Byte"
	case change.Int16:
		return "java.lang.Short"
	case change.Int32:
		return "java.lang.Integer"
	case change.Float32:
		return "java.lang.Float"
	case change.Map:
		return "java.util.HashMap"
	}
	return javaClass(v)
}

func (t *maskField) mask(s *change.Schema, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	kind := maskKind(s, v)
	if t.replacement != nil {
		return maskWith(kind, s, *t.replacement)
	}
	switch kind {
	case "java.lang.Boolean":
		return false, nil
	case "java.lang.Byte", "java.lang.Short", "java.lang.Integer", "java.lang.Long", "java.util.Date":
		return int64(0), nil
	case "java.lang.Float", "java.lang.Double":
		return float64(0), nil
	case "java.math.BigDecimal":
		// BigDecimal.ZERO has scale 0, which Connect's converters refuse
		// for any other scale: the task fails there.
		if sc := decimalScale(s); sc != 0 {
			return nil, fmt.Errorf("Decimal value has mismatching scale for given Decimal schema. Schema has scale %d, value has scale 0.", sc)
		}
		return []byte{0}, nil
	case "java.lang.String":
		return "", nil
	case "java.util.ArrayList":
		return []any{}, nil
	case "java.util.HashMap":
		return []change.MapEntry{}, nil
	}
	return nil, fmt.Errorf("Cannot mask value of type: class %s", kind)
}

func maskWith(kind string, s *change.Schema, rep string) (any, error) {
	bad := func() error {
		return fmt.Errorf("Unable to convert %s (class java.lang.String) to number", rep)
	}
	switch kind {
	case "java.lang.String":
		return rep, nil
	case "java.lang.Byte", "java.lang.Short", "java.lang.Integer", "java.lang.Long":
		n, err := strconv.ParseInt(strings.TrimSpace(rep), 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(strings.TrimSpace(rep), 64)
			if ferr != nil {
				return nil, bad()
			}
			n = javaD2L(f)
		}
		return narrow(kind, n), nil
	case "java.lang.Float", "java.lang.Double":
		f, err := strconv.ParseFloat(strings.TrimSpace(rep), 64)
		if err != nil {
			return nil, bad()
		}
		if kind == "java.lang.Float" {
			f = float64(float32(f))
		}
		return f, nil
	case "java.math.BigDecimal":
		return decimalFromString(s, rep)
	}
	return nil, fmt.Errorf("Cannot mask value of type class %s with custom replacement.", kind)
}

// narrow truncates n as Java's byte/short/int casts do.
func narrow(kind string, n int64) int64 {
	switch kind {
	case "java.lang.Byte":
		return int64(int8(n))
	case "java.lang.Short":
		return int64(int16(n))
	case "java.lang.Integer":
		return int64(int32(n))
	}
	return n
}

// javaD2L is Java's (long) cast of a double: saturating, NaN is 0.
func javaD2L(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

// decimalFromString is new BigDecimal(text) at the scale of a Connect
// Decimal schema, as its unscaled big-endian bytes.
func decimalFromString(s *change.Schema, text string) ([]byte, error) {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(text))
	if !ok {
		return nil, fmt.Errorf("Unable to convert %s (class java.lang.String) to number", text)
	}
	scale := decimalScale(s)
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
	if !r.IsInt() {
		return nil, fmt.Errorf("BigDecimal has mismatching scale value for given Decimal schema: %s does not fit scale %d", text, scale)
	}
	return twosComplement(r.Num()), nil
}

func decimalScale(s *change.Schema) int {
	if s == nil {
		return 0
	}
	v, _ := s.Param("scale")
	n, _ := strconv.Atoi(v)
	return n
}

// twosComplement is BigInteger.toByteArray: minimal big-endian two's
// complement.
func twosComplement(n *big.Int) []byte {
	if n.Sign() >= 0 {
		b := n.Bytes()
		if len(b) == 0 || b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return b
	}
	// -n-1 in bytes, inverted.
	m := new(big.Int).Neg(n)
	m.Sub(m, big.NewInt(1))
	b := m.Bytes()
	if len(b) == 0 || b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	for i := range b {
		b[i] = ^b[i]
	}
	return b
}

// decimalValue reads a Connect Decimal value.
func decimalValue(s *change.Schema, b []byte) *big.Rat {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return new(big.Rat).SetFrac(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimalScale(s))), nil))
}
