package mysqltypes

import "github.com/sluice-cdc/sluice/internal/box"

// Boxes makes the values of text-protocol rows (a snapshot's SELECT, a
// VStream row) from arrays shared by many rows (package box), as the
// binlog's own row decoding does: rows of cells, integers, floats, packed
// DATETIMEs, and the bytes of text values, which the reader's buffer for
// the next row would overwrite. Boxing each value on its own cost one or
// two allocations a value. A Boxes is for one goroutine (one reader); make
// it with NewBoxes. A nil *Boxes boxes each value on its own.
type Boxes struct {
	ints  *box.Arena[int64]
	uints *box.Arena[uint64]
	f64   *box.Arena[float64]
	strs  *box.Arena[string]
	dts   *box.Arena[PackedDatetime]
	cells box.Cells
	text  box.Text
}

// boxChunk is how many values one shared array holds; textChunk how many
// bytes. An array lives as long as any of its values does.
const (
	boxChunk  = 1024
	textChunk = 16 << 10
)

// NewBoxes returns a Boxes with its arrays' sizes set.
func NewBoxes() *Boxes {
	return &Boxes{ints: box.NewArena[int64](boxChunk), uints: box.NewArena[uint64](boxChunk),
		f64: box.NewArena[float64](boxChunk), strs: box.NewArena[string](boxChunk),
		dts: box.NewArena[PackedDatetime](boxChunk), cells: box.Cells{Chunk: boxChunk}, text: box.Text{Chunk: textChunk}}
}

// Row returns n nil cells for a row's values.
func (bx *Boxes) Row(n int) []any {
	if bx == nil {
		return make([]any, n)
	}
	return bx.cells.Cut(n)
}

// Int boxes an integer.
func (bx *Boxes) Int(n int64) any {
	if bx == nil {
		return n
	}
	return bx.ints.Box(n)
}

// Uint boxes an unsigned integer.
func (bx *Boxes) Uint(n uint64) any {
	if bx == nil {
		return n
	}
	return bx.uints.Box(n)
}

// Float boxes a float.
func (bx *Boxes) Float(f float64) any {
	if bx == nil {
		return f
	}
	return bx.f64.Box(f)
}

// Datetime boxes a packed DATETIME.
func (bx *Boxes) Datetime(d PackedDatetime) any {
	if bx == nil {
		return d
	}
	return bx.dts.Box(d)
}

// Text copies t and boxes it as a string; a long one (over a quarter of
// the shared array) gets an allocation of its own.
func (bx *Boxes) Text(t []byte) any {
	if len(t) == 0 {
		return ""
	}
	if bx == nil || len(t) > textChunk/4 {
		return string(t)
	}
	return bx.strs.Box(bx.text.Copy(t))
}
