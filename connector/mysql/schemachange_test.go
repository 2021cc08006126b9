package mysql

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
	"github.com/sluice-cdc/sluice/internal/fault"
)

func TestParseSkippedOperations(t *testing.T) {
	cases := []struct {
		in   string
		want []change.Op
		err  bool
	}{
		{"t", []change.Op{change.OpTruncate}, false},
		{"none", nil, false},
		{" none ", nil, false},
		{"c, d,u", []change.Op{change.OpCreate, change.OpDelete, change.OpUpdate}, false},
		{"t,", []change.Op{change.OpTruncate}, false},
		{"x", nil, true},
		{"T", nil, true},
		{",t", nil, true},
		{"none,t", nil, true},
		{"c,truncate", nil, true},
	}
	for _, c := range cases {
		got, err := ParseSkippedOperations(c.in)
		if (err != nil) != c.err {
			t.Errorf("ParseSkippedOperations(%q) error = %v, want error %v", c.in, err, c.err)
			continue
		}
		if c.err {
			continue
		}
		want := map[change.Op]bool{}
		for _, op := range c.want {
			want[op] = true
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ParseSkippedOperations(%q) = %v, want %v", c.in, got, want)
		}
	}
}

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
		ic := &infoColumn{def: c.def, hasDefault: c.has, extra: c.extra}
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
		ic   infoColumn
		want map[string]any
	}{
		{infoColumn{name: "id", dataType: "int", columnType: "int(10) unsigned", extra: "auto_increment", position: 1},
			map[string]any{"typeName": "INT UNSIGNED", "typeExpression": "INT UNSIGNED", "jdbcType": int64(4), "length": int64(10),
				"scale": nil, "autoIncremented": true, "generated": true, "optional": false, "charsetName": nil, "position": int64(1)}},
		{infoColumn{name: "name", dataType: "varchar", columnType: "varchar(40)", charset: "utf8mb4", nullable: true, position: 2},
			map[string]any{"typeName": "VARCHAR", "jdbcType": int64(12), "length": int64(40), "charsetName": "utf8mb4", "optional": true,
				"autoIncremented": false}},
		{infoColumn{name: "d", dataType: "decimal", columnType: "decimal(10,2)", hasDefault: true, def: "1.50"},
			map[string]any{"typeName": "DECIMAL", "jdbcType": int64(3), "length": int64(10), "scale": int64(2), "defaultValueExpression": "1.50"}},
		{infoColumn{name: "e", dataType: "enum", columnType: "enum('a','b''c')", charset: "latin1", hasDefault: true, def: "'a'"},
			map[string]any{"typeName": "ENUM", "jdbcType": int64(1), "length": int64(1), "charsetName": "latin1",
				"enumValues": []any{"'a'", "'b''c'"}, "defaultValueExpression": "a"}},
		{infoColumn{name: "s", dataType: "set", columnType: "set('x','y','z')", charset: "utf8mb4"},
			map[string]any{"typeName": "SET", "length": int64(5), "enumValues": []any{"'x'", "'y'", "'z'"}}},
		{infoColumn{name: "doc", dataType: "longtext", columnType: "longtext", charset: "utf8mb4", json: true, nullable: true},
			map[string]any{"typeName": "JSON", "jdbcType": int64(1111), "charsetName": nil, "length": nil}},
		{infoColumn{name: "t", dataType: "longtext", columnType: "longtext", charset: "utf8mb4"},
			map[string]any{"typeName": "LONGTEXT", "jdbcType": int64(12), "charsetName": "utf8mb4", "length": nil}},
		{infoColumn{name: "at", dataType: "datetime", columnType: "datetime(3)"},
			map[string]any{"typeName": "DATETIME", "jdbcType": int64(93), "length": int64(3)}},
		{infoColumn{name: "ts", dataType: "timestamp", columnType: "timestamp", hasDefault: true, def: "current_timestamp()"},
			map[string]any{"typeName": "TIMESTAMP", "jdbcType": int64(2014), "length": nil, "defaultValueExpression": "1970-01-01 00:00:00"}},
		{infoColumn{name: "b", dataType: "varbinary", columnType: "varbinary(16)"},
			map[string]any{"typeName": "VARBINARY", "jdbcType": int64(-3), "length": int64(16), "charsetName": nil}},
		{infoColumn{name: "g", dataType: "point", columnType: "point"},
			map[string]any{"typeName": "POINT", "jdbcType": int64(1111)}},
	}
	for _, c := range cases {
		got := columnFields(c.ic.value("mariadb"))
		for k, want := range c.want {
			if !reflect.DeepEqual(got[k], want) {
				t.Errorf("column %s: %s = %#v, want %#v", c.ic.name, k, got[k], want)
			}
		}
	}
}

type testFilter struct {
	dbs    map[string]bool
	tables map[string]bool
}

func (f testFilter) DatabaseIncluded(db string) bool { return f.dbs[db] }
func (f testFilter) TableIncluded(db, table string) bool {
	return f.dbs[db] && f.tables[db+"."+table]
}

func TestSchemaChangeWanted(t *testing.T) {
	f := testFilter{dbs: map[string]bool{"app": true}, tables: map[string]bool{"app.t": true}}
	app, appOther, other := tableName{"app", "t"}, tableName{"app", "u"}, tableName{"x", "t"}
	cases := []struct {
		include, onlyTables, onlyDBs bool
		db                           string
		table                        *tableName
		want                         bool
	}{
		{false, false, false, "app", &app, false},
		// Debezium's defaults record every database's DDL.
		{true, false, false, "app", &app, true},
		{true, false, false, "x", &other, true},
		{true, false, false, "x", nil, true},
		{true, false, true, "x", &other, false},
		{true, false, true, "x", nil, false},
		{true, false, true, "", nil, true},
		{true, false, true, "app", &appOther, true},
		{true, true, false, "app", &appOther, false},
		{true, true, false, "app", &app, true},
		{true, true, false, "app", nil, true},
		{true, true, false, "x", nil, false},
	}
	for i, c := range cases {
		s := NewStreamer(Config{Flavor: "mariadb", Filter: f, IncludeSchemaChanges: c.include,
			StoreOnlyCapturedTablesDDL: c.onlyTables, StoreOnlyCapturedDatabasesDDL: c.onlyDBs})
		if got := s.schemaChangeWanted(c.db, c.table); got != c.want {
			t.Errorf("case %d: schemaChangeWanted(%q, %v) = %v, want %v", i, c.db, c.table, got, c.want)
		}
	}
}

// queryEventFor runs queryEvent on one statement without a server: only
// statements that need no catalog lookups.
func queryEventFor(t *testing.T, s *Streamer, sql, schema string) ([]change.Event, error) {
	t.Helper()
	st := &txnState{file: "mariadb-bin.000007", gtid: "0-1-42", thread: -1}
	h := &replication.EventHeader{Timestamp: 1700000000, ServerID: 1, LogPos: 1500, EventSize: 100}
	e := &replication.QueryEvent{Query: []byte(sql), Schema: []byte(schema), SlaveProxyID: 77}
	return s.queryEvent(context.Background(), st, h, e, nil)
}

func TestQueryEventDropTable(t *testing.T) {
	f := testFilter{dbs: map[string]bool{"app": true}, tables: map[string]bool{"app.t1": true}}
	s := NewStreamer(Config{Flavor: "mariadb", TopicPrefix: "srv", Filter: f, IncludeSchemaChanges: true})
	s.schemaChanges().now = func() time.Time { return time.UnixMilli(1234) }
	evs, err := queryEventFor(t, s, "DROP TABLE `t1`,`t2` /* generated by server */", "app")
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 {
		t.Fatalf("got %d events, want a schema change record per dropped table", len(evs))
	}
	for i, tbl := range []string{"t1", "t2"} {
		ev := evs[i]
		if ev.Kind != change.KindRecord || ev.Record.Topic != "srv" {
			t.Fatalf("event %d: op %c topic %q, want a record on srv", i, ev.Op, ev.Record.Topic)
		}
		if ev.Record.KeySchema.Name != "io.debezium.connector.mariadb.SchemaChangeKey" || ev.Record.Key.(*change.Value).Get("databaseName") != "app" {
			t.Errorf("event %d key: %s %v", i, ev.Record.KeySchema.Name, ev.Record.Key)
		}
		v := ev.Record.Value.(*change.Value)
		if v.Schema.Name != "io.debezium.connector.mariadb.SchemaChangeValue" {
			t.Errorf("value schema %s", v.Schema.Name)
		}
		if v.Get("ddl") != "DROP TABLE `app`.`"+tbl+"`" || v.Get("databaseName") != "app" || v.Get("ts_ms") != int64(1234) {
			t.Errorf("event %d: ddl %q db %v ts %v", i, v.Get("ddl"), v.Get("databaseName"), v.Get("ts_ms"))
		}
		src := v.Get("source").(*change.Value)
		if src.Get("table") != "t1,t2" || src.Get("db") != "app" || src.Get("pos") != int64(1400) || src.Get("gtid") != "0-1-42" ||
			src.Get("file") != "mariadb-bin.000007" || src.Get("thread") != int64(77) || src.Get("row") != int64(0) {
			t.Errorf("event %d source: %v", i, src.Values)
		}
		changes := v.Get("tableChanges").([]any)
		tc := changes[0].(*change.Value)
		if len(changes) != 1 || tc.Get("type") != "DROP" || tc.Get("id") != `"app"."`+tbl+`"` || tc.Get("table") != nil {
			t.Errorf("event %d tableChanges: %v", i, tc.Values)
		}
	}
}

func TestQueryEventFilteringAndIgnored(t *testing.T) {
	f := testFilter{dbs: map[string]bool{"app": true}, tables: map[string]bool{"app.t1": true}}
	s := NewStreamer(Config{Flavor: "mariadb", TopicPrefix: "srv", Filter: f, IncludeSchemaChanges: true,
		StoreOnlyCapturedDatabasesDDL: true})
	for _, sql := range []string{"DROP TABLE other.t", "GRANT SELECT ON *.* TO u", "INSERT INTO t VALUES (1)", "CREATE TEMPORARY TABLE x (a INT)"} {
		evs, err := queryEventFor(t, s, sql, "app")
		if err != nil || len(evs) != 0 {
			t.Errorf("%q: %d events, error %v; want none", sql, len(evs), err)
		}
	}
	evs, err := queryEventFor(t, s, "CREATE DATABASE shop2", "")
	if err != nil || len(evs) != 0 {
		t.Errorf("CREATE DATABASE of an excluded database: %d events, %v", len(evs), err)
	}
	evs, err = queryEventFor(t, s, "FLUSH PRIVILEGES", "app")
	if err != nil || len(evs) != 1 {
		t.Fatalf("FLUSH PRIVILEGES: %d events, %v; want a database-level event", len(evs), err)
	}
	v := evs[0].Record.Value.(*change.Value)
	if v.Get("ddl") != "FLUSH PRIVILEGES" || len(v.Get("tableChanges").([]any)) != 0 || v.Get("source").(*change.Value).Get("table") != nil {
		t.Errorf("database-level event: %v", v.Values)
	}
	s.cfg.IncludeSchemaChanges = false
	if evs, err := queryEventFor(t, s, "DROP TABLE t1", "app"); err != nil || len(evs) != 0 {
		t.Errorf("include.schema.changes=false: %d events, %v", len(evs), err)
	}
}

func TestQueryEventUnparseable(t *testing.T) {
	f := testFilter{dbs: map[string]bool{"app": true}, tables: map[string]bool{"app.t1": true}}
	s := NewStreamer(Config{Flavor: "mariadb", TopicPrefix: "srv", Filter: f, IncludeSchemaChanges: true})
	s.tables.entries["app.t1"] = &tableEntry{included: true}
	_, err := queryEventFor(t, s, "ALTER TABLE t1 ADD c VARCHAR(10) 'oops", "app")
	if !fault.IsDefinite(err) {
		t.Fatalf("unparseable DDL: error %v, want a Definite error", err)
	}
	for _, want := range []string{"ALTER TABLE t1 ADD c VARCHAR(10) 'oops", "mariadb-bin.000007:1400", "GTID 0-1-42", "schema.history.internal.skip.unparseable.ddl=true"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	s.cfg.SkipUnparseableDDL = true
	evs, err := queryEventFor(t, s, "ALTER TABLE t1 ADD c VARCHAR(10) 'oops", "app")
	if err != nil || len(evs) != 0 {
		t.Errorf("skip.unparseable.ddl: %d events, %v", len(evs), err)
	}
	if len(s.tables.entries) != 0 {
		t.Errorf("a skipped statement must forget every table version, %d left", len(s.tables.entries))
	}
}

func TestQueryEventTruncate(t *testing.T) {
	f := testFilter{dbs: map[string]bool{"app": true}, tables: map[string]bool{"app.t1": true}}
	s := NewStreamer(Config{Flavor: "mariadb", TopicPrefix: "srv", Filter: f, IncludeSchemaChanges: true,
		SkippedOperations: map[change.Op]bool{}})
	tbl, err := s.tables.assemble("app", "t1", []mysqltypes.ColumnDef{{Name: "id", DataType: "int"}}, []int{0})
	if err != nil {
		t.Fatal(err)
	}
	s.tables.entries["app.t1"] = &tableEntry{included: true, table: tbl}
	evs, err := queryEventFor(t, s, "TRUNCATE TABLE t1", "app")
	if err != nil || len(evs) != 1 {
		t.Fatalf("TRUNCATE of a captured table: %d events, %v", len(evs), err)
	}
	if ev := evs[0]; ev.Op != change.OpTruncate || ev.Table != tbl || ev.Source.Get("table") != "t1" || ev.Source.Get("pos") != int64(1400) {
		t.Errorf("truncate event: op %c table %p source %v", ev.Op, ev.Table, ev.Source.Values)
	}
	// Debezium's default skipped.operations=t, and tables not captured.
	s.cfg.SkippedOperations = map[change.Op]bool{change.OpTruncate: true}
	if evs, err := queryEventFor(t, s, "TRUNCATE TABLE t1", "app"); err != nil || len(evs) != 0 {
		t.Errorf("skipped truncate: %d events, %v", len(evs), err)
	}
	s.cfg.SkippedOperations = nil
	if evs, err := queryEventFor(t, s, "TRUNCATE TABLE t2", "app"); err != nil || len(evs) != 0 {
		t.Errorf("truncate of a table not captured: %d events, %v", len(evs), err)
	}
}
