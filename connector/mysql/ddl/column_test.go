package ddl

import (
	"reflect"
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
)

func TestDefaultExpression(t *testing.T) {
	cases := []struct {
		flavor, def, extra string
		has                bool
		want               string
		ok                 bool
	}{
		{"mariadb", "'x''y'", "", true, "x'y", true},
		{"mariadb", `'a\\b'`, "", true, `a\b`, true},
		{"mariadb", "NULL", "", true, "", false},
		{"mariadb", "", "", false, "", false},
		{"mariadb", "current_timestamp()", "", true, "1970-01-01 00:00:00", true},
		{"mariadb", "current_timestamp(3)", "", true, "1970-01-01 00:00:00", true},
		{"mariadb", "1.50", "", true, "1.50", true},
		{"mariadb", "-7", "", true, "-7", true},
		{"mariadb", "b'101'", "", true, "101", true},
		{"mariadb", "curdate()", "", true, "", false},
		{"mariadb", "(1 + 2)", "", true, "", false},
		{"mysql", "abc", "", true, "abc", true},
		{"mysql", "CURRENT_TIMESTAMP", "DEFAULT_GENERATED", true, "1970-01-01 00:00:00", true},
		{"mysql", "(now() + interval 1 day)", "DEFAULT_GENERATED", true, "", false},
	}
	for _, c := range cases {
		ic := &InfoColumn{Default: c.def, HasDefault: c.has, Extra: c.extra}
		got, ok := defaultExpression(ic, c.flavor)
		if got != c.want || ok != c.ok {
			t.Errorf("%s default %q: got %q/%v, want %q/%v", c.flavor, c.def, got, ok, c.want, c.ok)
		}
	}
}

// columnFields maps a schema.Column value's fields by name.
func columnFields(v *change.Value) map[string]any {
	m := map[string]any{}
	for i, f := range v.Schema.Fields {
		m[f.Name] = v.Values[i]
	}
	return m
}

func TestInfoColumnValue(t *testing.T) {
	cases := []struct {
		ic   InfoColumn
		want map[string]any
	}{
		{InfoColumn{Name: "id", DataType: "int", ColumnType: "int(10) unsigned", Extra: "auto_increment", Position: 1},
			map[string]any{"typeName": "INT UNSIGNED", "typeExpression": "INT UNSIGNED", "jdbcType": int64(4), "length": int64(10),
				"scale": nil, "autoIncremented": true, "generated": true, "optional": false, "charsetName": nil, "position": int64(1)}},
		{InfoColumn{Name: "name", DataType: "varchar", ColumnType: "varchar(40)", Charset: "utf8mb4", Nullable: true, Position: 2},
			map[string]any{"typeName": "VARCHAR", "jdbcType": int64(12), "length": int64(40), "charsetName": "utf8mb4", "optional": true,
				"autoIncremented": false}},
		{InfoColumn{Name: "d", DataType: "decimal", ColumnType: "decimal(10,2)", HasDefault: true, Default: "1.50"},
			map[string]any{"typeName": "DECIMAL", "jdbcType": int64(3), "length": int64(10), "scale": int64(2), "defaultValueExpression": "1.50"}},
		{InfoColumn{Name: "e", DataType: "enum", ColumnType: "enum('a','b''c')", Charset: "latin1", HasDefault: true, Default: "'a'"},
			map[string]any{"typeName": "ENUM", "jdbcType": int64(1), "length": int64(1), "charsetName": "latin1",
				"enumValues": []any{"'a'", "'b''c'"}, "defaultValueExpression": "a"}},
		{InfoColumn{Name: "s", DataType: "set", ColumnType: "set('x','y','z')", Charset: "utf8mb4"},
			map[string]any{"typeName": "SET", "length": int64(5), "enumValues": []any{"'x'", "'y'", "'z'"}}},
		{InfoColumn{Name: "doc", DataType: "longtext", ColumnType: "longtext", Charset: "utf8mb4", JSON: true, Nullable: true},
			map[string]any{"typeName": "JSON", "jdbcType": int64(1111), "charsetName": nil, "length": nil}},
		{InfoColumn{Name: "t", DataType: "longtext", ColumnType: "longtext", Charset: "utf8mb4"},
			map[string]any{"typeName": "LONGTEXT", "jdbcType": int64(12), "charsetName": "utf8mb4", "length": nil}},
		{InfoColumn{Name: "at", DataType: "datetime", ColumnType: "datetime(3)"},
			map[string]any{"typeName": "DATETIME", "jdbcType": int64(93), "length": int64(3)}},
		{InfoColumn{Name: "ts", DataType: "timestamp", ColumnType: "timestamp", HasDefault: true, Default: "current_timestamp()"},
			map[string]any{"typeName": "TIMESTAMP", "jdbcType": int64(2014), "length": nil, "defaultValueExpression": "1970-01-01 00:00:00"}},
		{InfoColumn{Name: "b", DataType: "varbinary", ColumnType: "varbinary(16)"},
			map[string]any{"typeName": "VARBINARY", "jdbcType": int64(-3), "length": int64(16), "charsetName": nil}},
		{InfoColumn{Name: "g", DataType: "point", ColumnType: "point"},
			map[string]any{"typeName": "POINT", "jdbcType": int64(1111)}},
	}
	for _, c := range cases {
		got := columnFields(c.ic.Value("mariadb"))
		for k, want := range c.want {
			if !reflect.DeepEqual(got[k], want) {
				t.Errorf("column %s: %s = %#v, want %#v", c.ic.Name, k, got[k], want)
			}
		}
	}
}
