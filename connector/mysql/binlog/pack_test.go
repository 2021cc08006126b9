package binlog

import (
	"testing"

	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

// pack turns the packed columns' integers into pointers to PackedDecimal
// and PackedDatetime values, every row's in two allocations for the whole
// event, and leaves NULLs and the other columns alone.
func TestPackHandsOverPointersIntoOneArray(t *testing.T) {
	d := &rowsDecoder{decimals: 2, packedCols: []packedColumn{
		{col: 1, precision: 12, scale: 2}, {col: 2, datetime: true, scale: 3}, {col: 3, precision: 5, scale: 0}}}
	rows := func() [][]any {
		return [][]any{
			{int64(1), int64(0x10), int64(0x20), int64(0x30)},
			{int64(2), nil, int64(0x21), int64(0x31)},
			{int64(3), int64(0x12), nil, int64(0x32)},
		}
	}
	got := rows()
	d.pack(got)
	for i, row := range got {
		if row[0] != int64(i+1) {
			t.Errorf("row %d: the unpacked column became %v", i, row[0])
		}
		for _, c := range d.packedCols {
			raw := rows()[i][c.col]
			switch v := row[c.col].(type) {
			case nil:
				if raw != nil {
					t.Errorf("row %d column %d: nil, want %v packed", i, c.col, raw)
				}
			case *mysqltypes.PackedDecimal:
				if c.datetime || *v != (mysqltypes.PackedDecimal{Bits: uint64(raw.(int64)), Precision: c.precision, Scale: c.scale}) {
					t.Errorf("row %d column %d: %+v from %v", i, c.col, *v, raw)
				}
			case *mysqltypes.PackedDatetime:
				if !c.datetime || *v != (mysqltypes.PackedDatetime{Bits: uint64(raw.(int64)), Dec: c.scale}) {
					t.Errorf("row %d column %d: %+v from %v", i, c.col, *v, raw)
				}
			default:
				t.Errorf("row %d column %d: %T", i, c.col, v)
			}
		}
	}
	// Each value its own: the later rows did not overwrite the earlier.
	if a, b := got[0][1].(*mysqltypes.PackedDecimal), got[0][3].(*mysqltypes.PackedDecimal); a == b || a.Bits != 0x10 || b.Bits != 0x30 {
		t.Errorf("row 0's decimals share memory or were overwritten: %+v %+v", *a, *b)
	}
	fresh := make([][][]any, 101)
	for i := range fresh {
		fresh[i] = rows()
	}
	n := 0
	if allocs := testing.AllocsPerRun(100, func() { d.pack(fresh[n]); n++ }); allocs != 2 {
		t.Errorf("pack made %v allocations for an event of 3 rows, want 2 (one array of each type)", allocs)
	}
}
