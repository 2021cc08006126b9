package history

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// debeziumFile is a schema history file written by Debezium 2.3.2.Final's
// MySQL connector with FileSchemaHistory (compact JSON, one record a line),
// as published verbatim in devwithpug/devwithpug.github.io
// _posts/2023-9-16-debezium-file-schema-history.md. It has the record kinds
// a binlog connector writes: databaseName "" for a statement without a
// default database, tableChanges [] for statements that change no table,
// and a CREATE with nulls written out (charsetName, comment) and absent
// numbers omitted (no length for BIGINT, no scale, no nativeType).
var debeziumFile = []string{
	`{"source":{"server":"local-test"},"position":{"ts_sec":1694612318,"file":"binlog.000002","pos":3803,"snapshot":true},"ts_ms":1694612319142,"databaseName":"","ddl":"SET character_set_server=utf8mb4, collation_server=utf8mb4_bin","tableChanges":[]}`,
	`{"source":{"server":"local-test"},"position":{"ts_sec":1694612319,"file":"binlog.000002","pos":3803,"snapshot":true},"ts_ms":1694612319160,"databaseName":"debezium","ddl":"DROP TABLE IF EXISTS ` + "`debezium`.`test_table`" + `","tableChanges":[]}`,
	`{"source":{"server":"local-test"},"position":{"ts_sec":1694612319,"file":"binlog.000002","pos":3803,"snapshot":true},"ts_ms":1694612319172,"databaseName":"debezium","ddl":"DROP DATABASE IF EXISTS ` + "`debezium`" + `","tableChanges":[]}`,
	`{"source":{"server":"local-test"},"position":{"ts_sec":1694612319,"file":"binlog.000002","pos":3803,"snapshot":true},"ts_ms":1694612319177,"databaseName":"debezium","ddl":"CREATE DATABASE ` + "`debezium`" + ` CHARSET utf8mb4 COLLATE utf8mb4_bin","tableChanges":[]}`,
	`{"source":{"server":"local-test"},"position":{"ts_sec":1694612319,"file":"binlog.000002","pos":3803,"snapshot":true},"ts_ms":1694612319179,"databaseName":"debezium","ddl":"USE ` + "`debezium`" + `","tableChanges":[]}`,
	`{"source":{"server":"local-test"},"position":{"ts_sec":1694612319,"file":"binlog.000002","pos":3803,"snapshot":true},"ts_ms":1694612319230,"databaseName":"debezium","ddl":"CREATE TABLE ` + "`test_table`" + ` (\n  ` + "`id`" + ` bigint NOT NULL AUTO_INCREMENT,\n  ` + "`msg`" + ` varchar(255) COLLATE utf8mb4_bin NOT NULL,\n  PRIMARY KEY (` + "`id`" + `)\n) ENGINE=InnoDB AUTO_INCREMENT=4 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin","tableChanges":` + goldenTableChanges + `}`,
}

const goldenTableChanges = `[{"type":"CREATE","id":"\"debezium\".\"test_table\"","table":{"defaultCharsetName":"utf8mb4","primaryKeyColumnNames":["id"],"columns":[{"name":"id","jdbcType":-5,"typeName":"BIGINT","typeExpression":"BIGINT","charsetName":null,"position":1,"optional":false,"autoIncremented":true,"generated":true,"comment":null,"hasDefaultValue":false,"enumValues":[]},{"name":"msg","jdbcType":12,"typeName":"VARCHAR","typeExpression":"VARCHAR","charsetName":"utf8mb4","length":255,"position":2,"optional":false,"autoIncremented":false,"generated":false,"comment":null,"hasDefaultValue":false,"enumValues":[]}],"attributes":[]},"comment":null}]`

func ptr[T any](v T) *T { return &v }

func TestDebeziumFileRoundTrip(t *testing.T) {
	for i, line := range debeziumFile {
		r, err := Unmarshal([]byte(line))
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if r.Server != "local-test" {
			t.Errorf("line %d: server %q", i+1, r.Server)
		}
		got, err := r.Marshal()
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if string(got) != line {
			t.Errorf("line %d: Marshal(Unmarshal(x)) differs from what Debezium wrote\n got: %s\nwant: %s", i+1, got, line)
		}
	}
	r, _ := Unmarshal([]byte(debeziumFile[5]))
	if r.TsMs != 1694612319230 || r.DatabaseName != "debezium" || !strings.HasPrefix(r.DDL, "CREATE TABLE `test_table` (\n") ||
		string(r.Position) != `{"ts_sec":1694612319,"file":"binlog.000002","pos":3803,"snapshot":true}` {
		t.Errorf("decoded %+v", r)
	}
	if r, _ := Unmarshal([]byte(debeziumFile[0])); r.DatabaseName != "" || string(r.TableChanges) != "[]" {
		t.Errorf("decoded %+v", r)
	}
}

// The golden CREATE built from typed values encodes byte for byte as
// Debezium's JsonTableChangeSerializer wrote it.
func TestTableChangesGolden(t *testing.T) {
	create := TableChange{
		Type: ChangeCreate,
		ID:   TableID("debezium", "test_table"),
		Table: &Table{
			DefaultCharsetName:    ptr("utf8mb4"),
			PrimaryKeyColumnNames: []string{"id"},
			Columns: []Column{
				{Name: "id", JdbcType: -5, TypeName: "BIGINT", TypeExpression: ptr("BIGINT"), Position: 1, AutoIncremented: true, Generated: true},
				{Name: "msg", JdbcType: 12, TypeName: "VARCHAR", TypeExpression: ptr("VARCHAR"), CharsetName: ptr("utf8mb4"), Length: ptr(255), Position: 2},
			},
		},
	}
	got, err := MarshalTableChanges([]TableChange{create})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != goldenTableChanges {
		t.Fatalf("MarshalTableChanges\n got: %s\nwant: %s", got, goldenTableChanges)
	}
	// Also through encoding/json, as part of a larger value.
	if b, err := json.Marshal([]TableChange{create}); err != nil || string(b) != goldenTableChanges {
		t.Fatalf("json.Marshal = %s, %v", b, err)
	}

	back, err := UnmarshalTableChanges(json.RawMessage(goldenTableChanges))
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := MarshalTableChanges(back); string(again) != goldenTableChanges {
		t.Fatalf("round trip\n got: %s\nwant: %s", again, goldenTableChanges)
	}
	if back[0].Table.Columns[1].Length == nil || *back[0].Table.Columns[1].Length != 255 || back[0].Table.Columns[0].Length != nil {
		t.Errorf("decoded columns %+v", back[0].Table.Columns)
	}
}

// Every optional field, in the order JsonTableChangeSerializer writes it.
func TestTableChangesShapes(t *testing.T) {
	changes := []TableChange{
		{Type: ChangeAlter, ID: TableID("db", "t2"), PreviousID: TableID("db", "t"), Table: &Table{
			Columns: []Column{{
				Name: "e", JdbcType: 1, NativeType: ptr(254), TypeName: "ENUM", TypeExpression: ptr("ENUM"),
				CharsetName: ptr("utf8mb4"), Length: ptr(1), Scale: ptr(0), Position: 1, Optional: true,
				Comment: ptr("a \"c\""), HasDefaultValue: true, DefaultValueExpression: ptr("x"),
				EnumValues: []string{"x", "y"},
			}},
			Attributes: []Attribute{{Name: "object_id", Value: ptr("12345")}, {Name: "n"}},
			Comment:    ptr("table comment"),
		}},
		{Type: ChangeDrop, ID: TableID("db", "t3")},
	}
	want := `[{"type":"ALTER","id":"\"db\".\"t2\"","previousId":"\"db\".\"t\"","table":{"defaultCharsetName":null,"primaryKeyColumnNames":[],` +
		`"columns":[{"name":"e","jdbcType":1,"nativeType":254,"typeName":"ENUM","typeExpression":"ENUM","charsetName":"utf8mb4","length":1,"scale":0,` +
		`"position":1,"optional":true,"autoIncremented":false,"generated":false,"comment":"a \"c\"","hasDefaultValue":true,"defaultValueExpression":"x",` +
		`"enumValues":["x","y"]}],"attributes":[{"name":"object_id","value":"12345"},{"name":"n","value":null}]},"comment":"table comment"},` +
		`{"type":"DROP","id":"\"db\".\"t3\""}]`
	got, err := MarshalTableChanges(changes)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("\n got: %s\nwant: %s", got, want)
	}
	back, err := UnmarshalTableChanges(got)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := MarshalTableChanges(back); string(again) != want {
		t.Fatalf("round trip\n got: %s\nwant: %s", again, want)
	}
	if got, _ := MarshalTableChanges(nil); string(got) != "[]" {
		t.Errorf("no changes: %s", got)
	}

	// A DROP's table is ignored on read, as fromDocument ignores it; an
	// expression without hasDefaultValue (older records) means a default.
	back, err = UnmarshalTableChanges(json.RawMessage(`[{"type":"DROP","id":"\"db\".\"t\"","table":{"columns":[]},"comment":null},` +
		`{"type":"CREATE","id":"\"db\".\"u\"","table":{"defaultCharsetName":"latin1","primaryKeyColumnNames":[],"comment":"in table",` +
		`"columns":[{"name":"a","jdbcType":4,"typeName":"INT","position":1,"optional":true,"defaultValueExpression":"0"}]}}]`))
	if err != nil {
		t.Fatal(err)
	}
	if back[0].Table != nil || back[1].Table.Comment == nil || *back[1].Table.Comment != "in table" ||
		!back[1].Table.Columns[0].HasDefaultValue || back[1].Table.Attributes != nil {
		t.Errorf("decoded %+v / %+v", back[0], back[1].Table)
	}

	for _, bad := range []TableChange{{Type: "RENAME", ID: `"a"."b"`}, {Type: ChangeCreate, ID: `"a"."b"`}} {
		if _, err := MarshalTableChanges([]TableChange{bad}); err == nil {
			t.Errorf("MarshalTableChanges(%+v) succeeded", bad)
		}
	}
	if _, err := UnmarshalTableChanges(json.RawMessage(`[{"type":"ALTER","id":"x"}]`)); err == nil {
		t.Error("ALTER without a table decoded")
	}
}

func TestTableID(t *testing.T) {
	for _, c := range []struct{ db, table, want string }{
		{"inventory", "customers", `"inventory"."customers"`},
		{"db", `we"ird`, `"db"."we""ird"`},
		{"", "t", `"t"`},
		{"db", "", `"db".""`},
		{"db", `"already"`, `"db"."already"`}, // TableId.quote leaves quoted parts alone
	} {
		if got := TableID(c.db, c.table); got != c.want {
			t.Errorf("TableID(%q, %q) = %s, want %s", c.db, c.table, got, c.want)
		}
	}
}

func TestRecordMarshalOmissions(t *testing.T) {
	for _, c := range []struct {
		name string
		r    Record
		want string
	}{
		{"minimal", Record{Server: "s", Position: json.RawMessage(`{"file":"f.000001","pos":4}`)},
			`{"source":{"server":"s"},"position":{"file":"f.000001","pos":4},"databaseName":""}`},
		{"all", Record{Server: "s", Position: json.RawMessage("{\n  \"gtids\" : \"0-1-5\"\n}"), TsMs: 7, DatabaseName: "db",
			SchemaName: "sc", DDL: "DROP TABLE t", TableChanges: json.RawMessage(`[ ]`)},
			`{"source":{"server":"s"},"position":{"gtids":"0-1-5"},"ts_ms":7,"databaseName":"db","schemaName":"sc","ddl":"DROP TABLE t","tableChanges":[]}`},
		// Jackson's escapes: short forms, upper-case \u00XX, nothing
		// HTML-safe, U+2028 and non-BMP characters as they are.
		{"escapes", Record{Server: "a\"b\\c", Position: json.RawMessage(`{}`), DDL: "x\b\t\n\f\r\x01\x1f</é\u2028😀"},
			"{\"source\":{\"server\":\"a\\\"b\\\\c\"},\"position\":{},\"databaseName\":\"\",\"ddl\":\"x\\b\\t\\n\\f\\r\\u0001\\u001F</é\u2028😀\"}"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.r.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Fatalf("\n got: %s\nwant: %s", got, c.want)
			}
			back, err := Unmarshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if back.Server != c.r.Server || back.DDL != c.r.DDL || back.DatabaseName != c.r.DatabaseName ||
				back.SchemaName != c.r.SchemaName || back.TsMs != c.r.TsMs {
				t.Errorf("round trip %+v, want %+v", back, c.r)
			}
		})
	}
	for _, bad := range []Record{
		{Server: "s"},
		{Server: "s", Position: json.RawMessage(`[]`)},
		{Server: "s", Position: json.RawMessage(`{"a":`)},
		{Server: "s", Position: json.RawMessage(`{}`), TableChanges: json.RawMessage(`{}`)},
	} {
		if b, err := bad.Marshal(); err == nil {
			t.Errorf("Marshal(%+v) = %s", bad, b)
		}
	}
}

// Debezium's KafkaSchemaHistory produces HistoryRecord.toString(), which is
// BasicDocument.toString(): Jackson's pretty printer, not the compact
// writer of the file store. Such a record decodes alike.
func TestUnmarshalPrettyKafkaRecord(t *testing.T) {
	pretty := `{
  "source" : {
    "server" : "dbserver1"
  },
  "position" : {
    "transaction_id" : null,
    "ts_sec" : 1700000000,
    "file" : "mysql-bin.000003",
    "pos" : 1234,
    "gtids" : "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-23",
    "server_id" : 223344
  },
  "ts_ms" : 1700000000123,
  "databaseName" : "inventory",
  "ddl" : "DROP TABLE ` + "`inventory`.`t`" + `",
  "tableChanges" : [ {
    "type" : "DROP",
    "id" : "\"inventory\".\"t\""
  } ]
}`
	r, err := Unmarshal([]byte(pretty))
	if err != nil {
		t.Fatal(err)
	}
	if r.Server != "dbserver1" || r.TsMs != 1700000000123 || r.DatabaseName != "inventory" || r.DDL != "DROP TABLE `inventory`.`t`" {
		t.Fatalf("decoded %+v", r)
	}
	changes, err := UnmarshalTableChanges(r.TableChanges)
	if err != nil || len(changes) != 1 || changes[0].Type != ChangeDrop || changes[0].ID != `"inventory"."t"` {
		t.Fatalf("tableChanges %+v, %v", changes, err)
	}
	b, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"source":{"server":"dbserver1"},"position":{"transaction_id":null,"ts_sec":1700000000,"file":"mysql-bin.000003","pos":1234,` +
		`"gtids":"3e11fa47-71ca-11e1-9e33-c80aa9429562:1-23","server_id":223344},"ts_ms":1700000000123,"databaseName":"inventory",` +
		`"ddl":"DROP TABLE ` + "`inventory`.`t`" + `","tableChanges":[{"type":"DROP","id":"\"inventory\".\"t\""}]}`
	if string(b) != want {
		t.Fatalf("re-encoded\n got: %s\nwant: %s", b, want)
	}
}

func TestUnmarshalTolerance(t *testing.T) {
	// Old records: no ts_ms, no tableChanges; unknown fields; nulls.
	r, err := Unmarshal([]byte(`{"source":{"server":"s","extra":1},"position":{"file":"f.1","pos":1},"databaseName":null,"ddl":"X","future":{"a":[1]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.Server != "s" || r.TsMs != 0 || r.DatabaseName != "" || r.DDL != "X" || r.TableChanges != nil {
		t.Errorf("decoded %+v", r)
	}
	if r, err := Unmarshal([]byte(`{"source":{"server":"s"},"position":{},"tableChanges":null}`)); err != nil || r.TableChanges != nil {
		t.Errorf("null tableChanges: %+v, %v", r, err)
	}

	for _, doc := range []string{
		`{"position":{"file":"f.1","pos":1}}`,
		`{"source":{"server":"s"}}`,
		`{"source":null,"position":{}}`,
		`{"source":"s","position":{}}`,
		`{}`,
	} {
		if _, err := Unmarshal([]byte(doc)); !errors.Is(err, ErrInvalidRecord) {
			t.Errorf("Unmarshal(%s) = %v, want ErrInvalidRecord", doc, err)
		}
	}
	for _, doc := range []string{
		`{"source":{"server":"s"},"position":{}`,
		`not json`,
		`{"source":{"server":"s"},"position":{},"ts_ms":"soon"}`,
		`{"source":{"server":"s"},"position":{},"tableChanges":{}}`,
		`{"source":{"server":5},"position":{}}`,
	} {
		if _, err := Unmarshal([]byte(doc)); err == nil || errors.Is(err, ErrInvalidRecord) {
			t.Errorf("Unmarshal(%s) = %v, want a decoding error", doc, err)
		}
	}
}
