package change

import (
	"bytes"
	"math"
	"reflect"
)

// SameValues reports whether two Connect structs hold equal values, as
// Connect's Struct.equals compares them (byte arrays by content, as the
// ByteBuffers Debezium's values are).
func SameValues(a, b *Value) bool {
	if a == nil || b == nil {
		return a == b
	}
	if len(a.Values) != len(b.Values) {
		return false
	}
	for i := range a.Values {
		if !SameValue(a.Values[i], b.Values[i]) {
			return false
		}
	}
	return true
}

// SameValue compares one Connect value as Java's equals would: floats by
// their bits (Double.equals: NaN equals NaN, 0.0 not -0.0), byte arrays by
// content with null apart from empty, nested structs field by field, values
// of different types never. The kinds a conversion makes are compared
// without reflection; anything else falls back to DeepEqual.
func SameValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case float32:
		y, ok := b.(float32)
		return ok && math.Float32bits(x) == math.Float32bits(y)
	case []byte:
		y, ok := b.([]byte)
		return ok && (x == nil) == (y == nil) && bytes.Equal(x, y)
	case int32, int16, int8, bool:
		return a == b // same dynamic type and value; these never panic
	case *Value:
		y, ok := b.(*Value)
		return ok && SameValues(x, y)
	}
	return reflect.DeepEqual(a, b)
}
