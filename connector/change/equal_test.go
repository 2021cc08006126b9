package change

import (
	"math"
	"testing"
)

// SameValue follows Java's equals where Go's == differs: floats by their
// bits, byte arrays by content with null apart from empty, nested structs
// field by field, and values of different types never equal.
func TestSameValue(t *testing.T) {
	nested := func(v any) *Value { return &Value{Values: []any{v}} }
	cases := []struct {
		a, b any
		want bool
	}{
		{int64(1), int64(1), true},
		{int64(1), int32(1), false},
		{"a", "a", true},
		{math.NaN(), math.NaN(), true},
		{0.0, math.Copysign(0, -1), false},
		{float32(1.5), float32(1.5), true},
		{[]byte("x"), []byte("x"), true},
		{[]byte{}, []byte(nil), false},
		{nil, nil, true},
		{nil, int64(0), false},
		{nested([]byte("p")), nested([]byte("p")), true},
		{nested(int64(1)), nested(int64(2)), false},
		{[]any{"a", "b"}, []any{"a", "b"}, true},
		{[]any{"a"}, []any{"b"}, false},
	}
	for _, c := range cases {
		if got := SameValue(c.a, c.b); got != c.want {
			t.Errorf("SameValue(%#v, %#v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
