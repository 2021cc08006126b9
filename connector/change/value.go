package change

import "github.com/sluice-cdc/sluice/internal/box"

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

// Values hands out values of NewValue's kind whose structs and field
// slots are cut from arrays made for many of them: one allocation per
// chunk instead of one per value. A Values is for one goroutine; its zero
// value is ready. A value it handed out stays valid for as long as it is
// referenced (it keeps its chunk alive), whatever the Values does next.
// Copy a Values only before it hands anything out: copies made after
// would cut the same free slots.
type Values struct {
	vals  []Value
	cells box.Cells
}

const (
	valuesChunk = 64   // Value structs a chunk
	cellsChunk  = 1024 // field slots a chunk: 25 rows of 40 columns
)

// New returns a value of schema s with n nil field values, as NewValue.
func (a *Values) New(s *Schema, n int) *Value {
	if len(a.vals) == cap(a.vals) {
		a.vals = make([]Value, 0, valuesChunk)
		a.cells.Chunk = cellsChunk
	}
	a.vals = append(a.vals, Value{Schema: s, Values: a.cells.Cut(n)})
	return &a.vals[len(a.vals)-1]
}
