package mysqltypes

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFromText(t *testing.T) {
	for _, tc := range []struct {
		def  ColumnDef
		in   string
		want any
	}{
		{ColumnDef{DataType: "int"}, "-7", int64(-7)},
		{ColumnDef{DataType: "bigint", Unsigned: true}, "18446744073709551615", uint64(18446744073709551615)},
		{ColumnDef{DataType: "year"}, "2024", int64(2024)},
		{ColumnDef{DataType: "float"}, "0.1", float64(float32(0.1))},
		{ColumnDef{DataType: "double"}, "0.1", 0.1},
		{ColumnDef{DataType: "bit"}, "\x01\x02", int64(0x0102)},
		// DATETIME read packed, as the binlog's (TestDatetimeTextReadPacked);
		// TIMESTAMP as the time.Time go-mysql gives.
		{ColumnDef{DataType: "datetime"}, "2020-01-02 03:04:05.5", packedDatetimeOf(2020, 1, 2, 3, 4, 5, 500000)},
		{ColumnDef{DataType: "timestamp"}, "2020-01-02 03:04:05.5", time.Date(2020, 1, 2, 3, 4, 5, 5e8, time.UTC)},
		// Zero dates stay text, as go-mysql hands them over.
		{ColumnDef{DataType: "timestamp"}, "0000-00-00 00:00:00", "0000-00-00 00:00:00"},
		{ColumnDef{DataType: "blob"}, "\x00\xff", []byte{0, 0xff}},
		{ColumnDef{DataType: "decimal"}, "-1.50", "-1.50"},
		{ColumnDef{DataType: "enum"}, "b", "b"},
	} {
		got, err := FromText(tc.def, []byte(tc.in))
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("FromText(%s, %q) = %#v, %v; want %#v", tc.def.DataType, tc.in, got, err, tc.want)
		}
	}
	for _, def := range []ColumnDef{
		{Name: "i", DataType: "int"}, {Name: "u", DataType: "int", Unsigned: true}, {Name: "f", DataType: "double"},
	} {
		if _, err := FromText(def, []byte("x1")); err == nil || !strings.Contains(err.Error(), `"`+def.Name+`"`) {
			t.Errorf("FromText(%s, x1): err %v, want one naming the column", def.DataType, err)
		}
	}
}

// FromText's values must convert as the binlog's do.
func TestFromTextConverts(t *testing.T) {
	for _, tc := range []struct {
		def  ColumnDef
		in   string
		want any
	}{
		{ColumnDef{Name: "u", DataType: "int", Unsigned: true}, "4294967295", int64(4294967295)},
		{ColumnDef{Name: "b", DataType: "bit", Precision: 10}, "\x02\x01", []byte{0x01, 0x02}},
		{ColumnDef{Name: "dt", DataType: "datetime", FSP: 6}, "1969-12-31 23:59:59.000001", int64(-999999)},
		{ColumnDef{Name: "d", DataType: "decimal", Precision: 5, Scale: 2, Nullable: true}, "1.50", []byte{0x00, 0x96}},
	} {
		v, err := FromText(tc.def, []byte(tc.in))
		if err != nil {
			t.Fatal(err)
		}
		got, err := mustBuild(t, tc.def, TypeOptions{}).Convert(v)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %q: %#v, %v; want %#v", tc.def.DataType, tc.in, got, err, tc.want)
		}
	}
}

type jsonDoc struct {
	text string
	err  error
}

func (d jsonDoc) JSONText() (string, error) { return d.text, d.err }

func TestJSONDocument(t *testing.T) {
	j := mustBuild(t, ColumnDef{Name: "j", DataType: "json", Nullable: true}, TypeOptions{})
	checkConv(t, j, []conv{{jsonDoc{text: `{"a":1}`}, `{"a":1}`}, {jsonDoc{}, nil}})
	jn := mustBuild(t, ColumnDef{Name: "jn", DataType: "json"}, TypeOptions{})
	checkConv(t, jn, []conv{{jsonDoc{}, "{}"}})
	if _, err := jn.Convert(jsonDoc{err: errors.New("truncated")}); err == nil || !strings.Contains(err.Error(), `"jn"`) {
		t.Errorf("undecodable document: err %v, want one naming the column", err)
	}
}
