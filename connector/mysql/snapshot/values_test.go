package snapshot

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"

	"github.com/sluice-cdc/sluice/connector/mysqltypes"
	"github.com/sluice-cdc/sluice/internal/fault"
)

// BenchmarkRowValues turns 1,000 text-protocol rows of the bench suite's
// table (INT key, BIGINT, VARCHAR(40), DECIMAL(12,2), DATETIME(3)) into
// the values the column converters take, as a snapshot range does.
func BenchmarkRowValues(b *testing.B) {
	defs := []mysqltypes.ColumnDef{{Name: "id", DataType: "int"}, {Name: "a", DataType: "bigint"},
		{Name: "b", DataType: "varchar"}, {Name: "c", DataType: "decimal", Precision: 12, Scale: 2},
		{Name: "d", DataType: "datetime", FSP: 3}}
	rows := make([][]gmysql.FieldValue, 1000)
	for i := range rows {
		rows[i] = []gmysql.FieldValue{
			gmysql.NewFieldValue(gmysql.FieldValueTypeSigned, uint64(i), nil),
			gmysql.NewFieldValue(gmysql.FieldValueTypeSigned, uint64(i)*7919, nil),
			gmysql.NewFieldValue(gmysql.FieldValueTypeString, 0, []byte("row "+strconv.Itoa(i)+" of the bench table")),
			gmysql.NewFieldValue(gmysql.FieldValueTypeString, 0, []byte(strconv.Itoa(i)+".25")),
			gmysql.NewFieldValue(gmysql.FieldValueTypeString, 0, []byte("2026-12-04 12:34:56.789")),
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		vb := mysqltypes.NewBoxes()
		for _, row := range rows {
			if _, err := rowValues(vb, defs, row); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// rowValues gives every value snapshotValue gives, type and all, for
// every kind of column and field, rows after rows (so that the shared
// arrays fill and are replaced), and the values stay as they were when
// later rows are read.
func TestValueBoxesMatchSnapshotValue(t *testing.T) {
	long := strings.Repeat("long text ", 600)
	cases := []struct {
		def mysqltypes.ColumnDef
		fv  gmysql.FieldValue
	}{
		{mysqltypes.ColumnDef{Name: "i", DataType: "int"}, gmysql.NewFieldValue(gmysql.FieldValueTypeSigned, uint64(1<<63|5), nil)},
		{mysqltypes.ColumnDef{Name: "u", DataType: "bigint", Unsigned: true}, gmysql.NewFieldValue(gmysql.FieldValueTypeUnsigned, 1<<64-1, nil)},
		{mysqltypes.ColumnDef{Name: "f", DataType: "float"}, gmysql.NewFieldValue(gmysql.FieldValueTypeFloat, math.Float64bits(1.1), nil)},
		{mysqltypes.ColumnDef{Name: "d", DataType: "double"}, gmysql.NewFieldValue(gmysql.FieldValueTypeFloat, math.Float64bits(-2.5e300), nil)},
		{mysqltypes.ColumnDef{Name: "n", DataType: "varchar"}, gmysql.NewFieldValue(gmysql.FieldValueTypeNull, 0, nil)},
		{mysqltypes.ColumnDef{Name: "v", DataType: "varchar"}, gmysql.NewFieldValue(gmysql.FieldValueTypeString, 0, []byte("héllo"))},
		{mysqltypes.ColumnDef{Name: "e", DataType: "varchar"}, gmysql.NewFieldValue(gmysql.FieldValueTypeString, 0, []byte{})},
		{mysqltypes.ColumnDef{Name: "l", DataType: "longtext"}, gmysql.NewFieldValue(gmysql.FieldValueTypeString, 0, []byte(long))},
		{mysqltypes.ColumnDef{Name: "dec", DataType: "decimal", Precision: 30, Scale: 8}, gmysql.NewFieldValue(gmysql.FieldValueTypeString, 0, []byte("-1234567890123456789012.12345678"))},
		{mysqltypes.ColumnDef{Name: "dt", DataType: "datetime", FSP: 3}, gmysql.NewFieldValue(gmysql.FieldValueTypeString, 0, []byte("2026-12-04 12:34:56.789"))},
		{mysqltypes.ColumnDef{Name: "dz", DataType: "datetime"}, gmysql.NewFieldValue(gmysql.FieldValueTypeString, 0, []byte("0000-00-00 00:00:00"))},
		{mysqltypes.ColumnDef{Name: "ts", DataType: "timestamp"}, gmysql.NewFieldValue(gmysql.FieldValueTypeString, 0, []byte("2026-12-04 12:34:56"))},
		{mysqltypes.ColumnDef{Name: "tz", DataType: "timestamp"}, gmysql.NewFieldValue(gmysql.FieldValueTypeString, 0, []byte("0000-00-00 00:00:00"))},
		{mysqltypes.ColumnDef{Name: "date", DataType: "date"}, gmysql.NewFieldValue(gmysql.FieldValueTypeString, 0, []byte("2026-12-04"))},
		{mysqltypes.ColumnDef{Name: "time", DataType: "time"}, gmysql.NewFieldValue(gmysql.FieldValueTypeString, 0, []byte("-838:59:59.000000"))},
		{mysqltypes.ColumnDef{Name: "bit", DataType: "bit", Precision: 13}, gmysql.NewFieldValue(gmysql.FieldValueTypeString, 0, []byte{0x15, 0x55})},
		{mysqltypes.ColumnDef{Name: "blob", DataType: "blob"}, gmysql.NewFieldValue(gmysql.FieldValueTypeString, 0, []byte{0, 1, 2})},
		{mysqltypes.ColumnDef{Name: "enum", DataType: "enum"}, gmysql.NewFieldValue(gmysql.FieldValueTypeString, 0, []byte("b,c"))},
		{mysqltypes.ColumnDef{Name: "text int", DataType: "int"}, gmysql.NewFieldValue(gmysql.FieldValueTypeString, 0, []byte("-42"))},
	}
	var defs []mysqltypes.ColumnDef
	var row []gmysql.FieldValue
	for _, c := range cases {
		defs = append(defs, c.def)
		row = append(row, c.fv)
	}
	vb := mysqltypes.NewBoxes()
	var got [][]any
	for range 3000 {
		// The reader's buffer: go-mysql reuses it for the next row.
		buf := make([]gmysql.FieldValue, len(row))
		for i, fv := range row {
			buf[i] = gmysql.NewFieldValue(fv.Type, fv.AsUint64(), append([]byte(nil), fv.AsString()...))
		}
		vals, err := rowValues(vb, defs, buf)
		if err != nil {
			t.Fatal(err)
		}
		for i := range buf {
			clear(buf[i].AsString())
		}
		got = append(got, vals)
	}
	for r, vals := range got {
		for i, c := range cases {
			want, err := snapshotValue(c.def, &c.fv)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprintf("%T %#v", vals[i], vals[i]) != fmt.Sprintf("%T %#v", want, want) {
				t.Fatalf("row %d, column %s: %T %#v, snapshotValue gives %T %#v", r, c.def.Name, vals[i], vals[i], want, want)
			}
		}
	}
}

// snapshotValue is what rowValues gives, one value at a time and
// boxed by Go: the Go value go-mysql's binlog decoder gives for the same
// column, so the column converters built for streaming apply unchanged.
// go-mysql has already parsed integers and floats; the rest is text for
// mysqltypes.FromText.
func snapshotValue(d mysqltypes.ColumnDef, fv *gmysql.FieldValue) (any, error) {
	switch fv.Type {
	case gmysql.FieldValueTypeNull:
		return nil, nil
	case gmysql.FieldValueTypeSigned:
		return fv.AsInt64(), nil
	case gmysql.FieldValueTypeUnsigned:
		return fv.AsUint64(), nil
	case gmysql.FieldValueTypeFloat:
		return mysqltypes.FromFloat(d, fv.AsFloat64()), nil
	}
	return mysqltypes.FromText(d, fv.AsString())
}

// A user's SELECT that does not return the table's columns is a definite
// error that says to select every column, not an index out of range.
func TestRowValuesColumnCount(t *testing.T) {
	defs := []mysqltypes.ColumnDef{{Name: "id", DataType: "int"}, {Name: "v", DataType: "varchar"}}
	_, err := rowValues(mysqltypes.NewBoxes(), defs, make([]gmysql.FieldValue, 1))
	if err == nil || !fault.IsDefinite(err) || !strings.Contains(err.Error(), "SELECT *") {
		t.Errorf("one column for two: %v, want a definite error naming SELECT *", err)
	}
}
