package vitess

import (
	"bytes"
	"testing"

	"go.uber.org/zap"
	querypb "vitess.io/vitess/go/vt/proto/query"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

// fields are what VTGate v0.24 sent for
//
//	CREATE TABLE t1 (id BIGINT NOT NULL, name VARCHAR(64), d DECIMAL(10,2), f FLOAT, b BIT(3),
//	  e ENUM('a','b c'), s SET('x','y'), ts TIMESTAMP(3) NULL, dt DATETIME, j JSON,
//	  u BIGINT UNSIGNED, bin VARBINARY(4), PRIMARY KEY (id))
//
// on MariaDB 10.11 (JSON is LONGTEXT there).
var fields = []*querypb.Field{
	{Name: "id", Type: querypb.Type_INT64, ColumnLength: 20, Charset: 63, Flags: 53251, ColumnType: "bigint(20)"},
	{Name: "name", Type: querypb.Type_VARCHAR, ColumnLength: 192, Charset: 33, ColumnType: "varchar(64)"},
	{Name: "d", Type: querypb.Type_DECIMAL, ColumnLength: 12, Decimals: 2, Charset: 63, Flags: 32768, ColumnType: "decimal(10,2)"},
	{Name: "f", Type: querypb.Type_FLOAT32, ColumnLength: 12, Decimals: 31, Charset: 63, Flags: 32768, ColumnType: "float"},
	{Name: "b", Type: querypb.Type_BIT, ColumnLength: 3, Charset: 63, Flags: 32, ColumnType: "bit(3)"},
	{Name: "e", Type: querypb.Type_ENUM, ColumnLength: 9, Charset: 33, Flags: 256, ColumnType: "enum('a','b c')"},
	{Name: "s", Type: querypb.Type_SET, ColumnLength: 9, Charset: 33, Flags: 2048, ColumnType: "set('x','y')"},
	{Name: "ts", Type: querypb.Type_TIMESTAMP, ColumnLength: 23, Decimals: 3, Charset: 63, Flags: 160, ColumnType: "timestamp(3)"},
	{Name: "dt", Type: querypb.Type_DATETIME, ColumnLength: 19, Charset: 63, Flags: 128, ColumnType: "datetime"},
	{Name: "j", Type: querypb.Type_BLOB, ColumnLength: 4294967295, Charset: 46, Flags: 144, ColumnType: "longtext"},
	{Name: "u", Type: querypb.Type_UINT64, ColumnLength: 20, Charset: 63, Flags: 32800, ColumnType: "bigint(20) unsigned"},
	{Name: "bin", Type: querypb.Type_VARBINARY, ColumnLength: 4, Charset: 63, Flags: 128, ColumnType: "varbinary(4)"},
}

func builder(t testing.TB) mysqltypes.TableBuilder {
	types, err := mysqltypes.NewTypeOptions(config.DecimalString, config.BigIntUnsignedLong, "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return mysqltypes.TableBuilder{Prefix: "p", Source: sourceSchema, Types: types, Log: zap.NewNop()}
}

func TestFieldsToTable(t *testing.T) {
	tf, err := buildTable(builder(t), "ks", "t1", fields, true)
	if err != nil {
		t.Fatal(err)
	}
	tb := tf.table
	if tb.Topic != "p.ks.t1" || len(tb.Key) != 1 || tb.Key[0] != 0 {
		t.Fatalf("topic %q key %v", tb.Topic, tb.Key)
	}
	// Debezium Vitess's schemas (VitessType.resolve + VitessValueConverter).
	want := []struct {
		typ      change.Type
		name     string
		optional bool
	}{
		{change.Int64, "", false}, {change.String, "", true}, {change.String, "", true}, {change.Float64, "", true},
		{change.Bytes, change.BitsName, true}, {change.String, change.EnumName, true}, {change.String, change.EnumSetName, true},
		{change.String, change.ZonedTimestampName, true}, {change.Int64, change.TimestampName, true}, {change.String, "", true},
		{change.String, "", true}, {change.Bytes, "", true},
	}
	for i, w := range want {
		s := tb.Columns[i].Schema
		if s.Type != w.typ || s.Name != w.name || s.Optional != w.optional {
			t.Errorf("column %s: %s %q optional=%v, want %s %q optional=%v", fields[i].Name, s.Type, s.Name, s.Optional, w.typ, w.name, w.optional)
		}
	}
	if v, _ := tb.Columns[5].Schema.Param("allowed"); v != "a,b c" {
		t.Errorf("enum allowed %q", v)
	}
}

func TestUniqueKeyFallback(t *testing.T) {
	fs := []*querypb.Field{
		{Name: "a", Type: querypb.Type_INT32, Flags: 1, ColumnType: "int(11)"},
		{Name: "b", Type: querypb.Type_INT32, Flags: 1 | 4, ColumnType: "int(11)"},
		{Name: "c", Type: querypb.Type_INT32, Flags: 4, ColumnType: "int(11)"},
	}
	tf, err := buildTable(builder(t), "ks", "t", fs, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(tf.table.Key) != 1 || tf.table.Key[0] != 1 {
		t.Errorf("key %v, want the first unique column [1]", tf.table.Key)
	}
	if _, err := buildTable(builder(t), "ks", "t", []*querypb.Field{{Name: "@1", Type: querypb.Type_INT32}}, true); err == nil {
		t.Error("anonymised column names accepted")
	}
}

// A row as VTGate sent it (copy phase), converted to Connect values.
func TestRowText(t *testing.T) {
	tf, err := buildTable(builder(t), "ks", "t1", fields, true)
	if err != nil {
		t.Fatal(err)
	}
	row := testRow()
	row.Lengths[1] = -1 // name NULL
	row.Values = bytes.Replace(row.Values, []byte("n1"), nil, 1)
	native, _, err := tf.decodeRow(mysqltypes.NewBoxes(), row)
	if err != nil {
		t.Fatal(err)
	}
	clear(row.Values) // the values keep their own bytes: gRPC's buffer goes on
	// As Debezium's Vitess connector writes them: DECIMAL and TIMESTAMP
	// as VStream's text, FLOAT as a float32 widened.
	want := []any{int64(1), nil, "-.50", 0.10000000149011612, []byte{5}, "b c", "x,y", "2024-01-02 03:04:05.678", int64(1704164645000), `{"a":1}`, "18446744073709551615", []byte{1, 2}}
	for i, col := range tf.table.Columns {
		got, err := col.Convert(native[i])
		if err != nil {
			t.Fatalf("column %s: %v", col.Name, err)
		}
		if b, ok := want[i].([]byte); ok {
			if !bytes.Equal(got.([]byte), b) {
				t.Errorf("column %s: %v, want %v", col.Name, got, b)
			}
			continue
		}
		if got != want[i] {
			t.Errorf("column %s: %#v, want %#v", col.Name, got, want[i])
		}
	}
	short := &querypb.Row{Lengths: []int64{5}, Values: []byte("1")}
	if _, _, err := tf.decodeRow(nil, short); err == nil {
		t.Error("a row with the wrong number of values was accepted")
	}
}

// BenchmarkDecodeRow decodes 1,000 VStream rows of the test table, with
// values from shared arrays (a reader's Boxes) and each boxed on its own.
func BenchmarkDecodeRow(b *testing.B) {
	tf, err := buildTable(builder(b), "ks", "t1", fields, true)
	if err != nil {
		b.Fatal(err)
	}
	row := testRow()
	for _, shared := range []bool{true, false} {
		b.Run(map[bool]string{true: "shared", false: "own"}[shared], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var bx *mysqltypes.Boxes
				if shared {
					bx = mysqltypes.NewBoxes()
				}
				for range 1000 {
					if _, _, err := tf.decodeRow(bx, row); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// testRow is a VStream row of the test table's fields.
func testRow() *querypb.Row {
	vals := [][]byte{[]byte("1"), []byte("n1"), []byte("-.50"), []byte("0.1"), {0x05}, []byte("b c"), []byte("x,y"),
		[]byte("2024-01-02 03:04:05.678"), []byte("2024-01-02 03:04:05"), []byte(`{"a":1}`), []byte("18446744073709551615"), {1, 2}}
	row := &querypb.Row{}
	for _, v := range vals {
		row.Lengths = append(row.Lengths, int64(len(v)))
		row.Values = append(row.Values, v...)
	}
	return row
}

// A column of a type Debezium's VitessType does not map (GEOMETRY) is left
// out of the table and of every row, as Debezium's value converter leaves
// it out; the key keeps pointing at its own column.
func TestUnknownTypeColumnLeftOut(t *testing.T) {
	fs := []*querypb.Field{
		{Name: "g", Type: querypb.Type_GEOMETRY, ColumnType: "geometry"},
		{Name: "id", Type: querypb.Type_INT64, Flags: uint32(querypb.MySqlFlag_PRI_KEY_FLAG), ColumnType: "bigint(20)"},
		{Name: "v", Type: querypb.Type_VARCHAR, ColumnType: "varchar(10)"},
	}
	tf, err := buildTable(builder(t), "ks", "t", fs, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(tf.table.Columns) != 2 || tf.table.Columns[0].Name != "id" || tf.table.Columns[1].Name != "v" ||
		len(tf.table.Key) != 1 || tf.table.Key[0] != 0 {
		t.Fatalf("columns %v key %v, want id and v, keyed by id", tf.table.Columns, tf.table.Key)
	}
	geo := []byte{0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 240, 63, 0, 0, 0, 0, 0, 0, 0, 64}
	row := &querypb.Row{Lengths: []int64{int64(len(geo)), 1, 2}, Values: append(append(geo, '7'), "ab"...)}
	native, n, err := tf.decodeRow(mysqltypes.NewBoxes(), row)
	if err != nil {
		t.Fatal(err)
	}
	if len(native) != 2 || n != len(row.Values) {
		t.Fatalf("row %v (%d bytes read of %d), want 2 values", native, n, len(row.Values))
	}
	id, _ := tf.table.Columns[0].Convert(native[0])
	v, _ := tf.table.Columns[1].Convert(native[1])
	if id != int64(7) || v != "ab" {
		t.Errorf("row %v %v, want 7 and ab", id, v)
	}
}
