package change

// NewValue returns a value of schema s with n nil field values. The Value
// and its Values share one allocation (up to 64 fields), which halves the
// allocations of the records built for every row: rows, keys, envelopes
// and source blocks all go through it.
func NewValue(s *Schema, n int) *Value {
	switch {
	case n <= 1:
		b := new(struct {
			v Value
			a [1]any
		})
		b.v = Value{Schema: s, Values: b.a[:n:n]}
		return &b.v
	case n <= 2:
		b := new(struct {
			v Value
			a [2]any
		})
		b.v = Value{Schema: s, Values: b.a[:n:n]}
		return &b.v
	case n <= 3:
		b := new(struct {
			v Value
			a [3]any
		})
		b.v = Value{Schema: s, Values: b.a[:n:n]}
		return &b.v
	case n <= 4:
		b := new(struct {
			v Value
			a [4]any
		})
		b.v = Value{Schema: s, Values: b.a[:n:n]}
		return &b.v
	case n <= 5:
		b := new(struct {
			v Value
			a [5]any
		})
		b.v = Value{Schema: s, Values: b.a[:n:n]}
		return &b.v
	case n <= 6:
		b := new(struct {
			v Value
			a [6]any
		})
		b.v = Value{Schema: s, Values: b.a[:n:n]}
		return &b.v
	case n <= 7:
		b := new(struct {
			v Value
			a [7]any
		})
		b.v = Value{Schema: s, Values: b.a[:n:n]}
		return &b.v
	case n <= 8:
		b := new(struct {
			v Value
			a [8]any
		})
		b.v = Value{Schema: s, Values: b.a[:n:n]}
		return &b.v
	case n <= 10:
		b := new(struct {
			v Value
			a [10]any
		})
		b.v = Value{Schema: s, Values: b.a[:n:n]}
		return &b.v
	case n <= 12:
		b := new(struct {
			v Value
			a [12]any
		})
		b.v = Value{Schema: s, Values: b.a[:n:n]}
		return &b.v
	case n <= 14:
		b := new(struct {
			v Value
			a [14]any
		})
		b.v = Value{Schema: s, Values: b.a[:n:n]}
		return &b.v
	case n <= 16:
		b := new(struct {
			v Value
			a [16]any
		})
		b.v = Value{Schema: s, Values: b.a[:n:n]}
		return &b.v
	case n <= 20:
		b := new(struct {
			v Value
			a [20]any
		})
		b.v = Value{Schema: s, Values: b.a[:n:n]}
		return &b.v
	case n <= 24:
		b := new(struct {
			v Value
			a [24]any
		})
		b.v = Value{Schema: s, Values: b.a[:n:n]}
		return &b.v
	case n <= 32:
		b := new(struct {
			v Value
			a [32]any
		})
		b.v = Value{Schema: s, Values: b.a[:n:n]}
		return &b.v
	case n <= 40:
		b := new(struct {
			v Value
			a [40]any
		})
		b.v = Value{Schema: s, Values: b.a[:n:n]}
		return &b.v
	case n <= 48:
		b := new(struct {
			v Value
			a [48]any
		})
		b.v = Value{Schema: s, Values: b.a[:n:n]}
		return &b.v
	case n <= 64:
		b := new(struct {
			v Value
			a [64]any
		})
		b.v = Value{Schema: s, Values: b.a[:n:n]}
		return &b.v
	}
	return &Value{Schema: s, Values: make([]any, n)}
}
