package snapshot

import (
	gmysql "github.com/go-mysql-org/go-mysql/mysql"

	"github.com/sluice-cdc/sluice/connector/mysqltypes"
	"github.com/sluice-cdc/sluice/internal/box"
)

// valueBoxes makes a snapshot range's row values out of arrays shared by
// many rows (package box), as the binlog's own row decoding does: a row's
// cells, its integers and floats, and the bytes of its text values, which
// go-mysql's buffer for the next row would overwrite. Boxing each value on
// its own was two allocations a string and one an integer past 255. A
// valueBoxes is for one goroutine (one range's reader); the zero value is
// ready.
type valueBoxes struct {
	ints  *box.Arena[int64]
	uints *box.Arena[uint64]
	f64   *box.Arena[float64]
	strs  *box.Arena[string]
	cells box.Cells
	text  box.Text
	// textFn is b.boxText, made once: a method value is an allocation.
	textFn func([]byte) any
}

// boxChunk is how many values one shared array holds; textChunk how many
// bytes. An array lives as long as any of its values does.
const (
	boxChunk  = 1024
	textChunk = 16 << 10
)

// row turns a text-protocol row into the Go values go-mysql's binlog
// decoder gives for the same columns, so that the column converters built
// for streaming apply unchanged. go-mysql has already parsed integers and
// floats; the rest is text for mysqltypes.FromTextBoxed.
func (b *valueBoxes) row(defs []mysqltypes.ColumnDef, row []gmysql.FieldValue) ([]any, error) {
	if b.ints == nil {
		b.ints, b.uints = box.NewArena[int64](boxChunk), box.NewArena[uint64](boxChunk)
		b.f64, b.strs = box.NewArena[float64](boxChunk), box.NewArena[string](boxChunk)
		b.cells.Chunk, b.text.Chunk, b.textFn = boxChunk, textChunk, b.boxText
	}
	vals := b.cells.Cut(len(row))
	for i := range row {
		fv := &row[i]
		switch fv.Type {
		case gmysql.FieldValueTypeNull:
		case gmysql.FieldValueTypeSigned:
			vals[i] = b.ints.Box(fv.AsInt64())
		case gmysql.FieldValueTypeUnsigned:
			vals[i] = b.uints.Box(fv.AsUint64())
		case gmysql.FieldValueTypeFloat:
			vals[i] = b.f64.Box(mysqltypes.FromFloat(defs[i], fv.AsFloat64()))
		default:
			v, err := mysqltypes.FromTextBoxed(defs[i], fv.AsString(), b.textFn)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
	}
	return vals, nil
}

// boxText copies a text value into the shared bytes and boxes it.
func (b *valueBoxes) boxText(t []byte) any {
	if len(t) == 0 {
		return ""
	}
	if len(t) > textChunk/4 {
		return string(t) // a long one gets its own allocation
	}
	return b.strs.Box(b.text.Copy(t))
}
