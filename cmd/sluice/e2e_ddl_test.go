package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/sluice-cdc/sluice/internal/conformance"
)

// changeRec is a decoded data change record (schemas enabled).
type changeRec struct {
	op            string // c u d t, or "tombstone"
	key           map[string]any
	before, after map[string]any
	// rowSchema maps each field of the row struct to its Connect schema.
	rowSchema map[string]map[string]any
	source    map[string]any
}

func decodeChange(t *testing.T, r record) changeRec {
	t.Helper()
	var c changeRec
	if r.Key != nil {
		var k struct{ Payload map[string]any }
		if err := json.Unmarshal(r.Key, &k); err != nil {
			t.Fatalf("key %s: %v", r.Key, err)
		}
		c.key = k.Payload
	}
	if r.Value == nil {
		c.op = "tombstone"
		return c
	}
	var v struct {
		Schema struct {
			Fields []struct {
				Field  string
				Fields []map[string]any
			}
		}
		Payload struct {
			Op            string
			Before, After map[string]any
			Source        map[string]any
		}
	}
	if err := json.Unmarshal(r.Value, &v); err != nil {
		t.Fatalf("value %s: %v", r.Value, err)
	}
	c.op, c.before, c.after, c.source = v.Payload.Op, v.Payload.Before, v.Payload.After, v.Payload.Source
	c.rowSchema = map[string]map[string]any{}
	for _, f := range v.Schema.Fields {
		if f.Field == "after" {
			for _, col := range f.Fields {
				c.rowSchema[col["field"].(string)] = col
			}
		}
	}
	return c
}

// schemaRec is a decoded schema change record.
type schemaRec struct {
	keySchema, valueSchema string
	key                    map[string]any
	db, ddl                string
	source                 map[string]any
	changes                []map[string]any
}

func decodeSchemaChange(t *testing.T, r record) schemaRec {
	t.Helper()
	var k struct {
		Schema  struct{ Name string }
		Payload map[string]any
	}
	if err := json.Unmarshal(r.Key, &k); err != nil {
		t.Fatalf("schema change key %s: %v", r.Key, err)
	}
	var v struct {
		Schema  struct{ Name string }
		Payload struct {
			DatabaseName string
			SchemaName   any
			DDL          string
			Source       map[string]any
			TableChanges []map[string]any
			TsMs         int64 `json:"ts_ms"`
		}
	}
	if err := json.Unmarshal(r.Value, &v); err != nil {
		t.Fatalf("schema change value %s: %v", r.Value, err)
	}
	if v.Payload.SchemaName != nil || v.Payload.TsMs == 0 {
		t.Errorf("schema change %q: schemaName %v, ts_ms %d; want null and the processing time", v.Payload.DDL, v.Payload.SchemaName, v.Payload.TsMs)
	}
	return schemaRec{keySchema: k.Schema.Name, valueSchema: v.Schema.Name, key: k.Payload, db: v.Payload.DatabaseName,
		ddl: v.Payload.DDL, source: v.Payload.Source, changes: v.Payload.TableChanges}
}

// columnsOf lists the columns of a tableChanges entry as "name:typeName".
func columnsOf(tc map[string]any) []string {
	table, _ := tc["table"].(map[string]any)
	if table == nil {
		return nil
	}
	var out []string
	for _, c := range table["columns"].([]any) {
		col := c.(map[string]any)
		out = append(out, fmt.Sprintf("%v:%v", col["name"], col["typeName"]))
	}
	return out
}

func columnNamed(tc map[string]any, name string) map[string]any {
	for _, c := range tc["table"].(map[string]any)["columns"].([]any) {
		if col := c.(map[string]any); col["name"] == name {
			return col
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string { return conformance.SortedKeys(m) }

// wantRow checks that a row image has exactly the given columns and values.
func wantRow(t *testing.T, what string, got map[string]any, want map[string]any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: row %v (columns %v), want %v (columns %v)", what, got, sortedKeys(got), want, sortedKeys(want))
	}
}

// TestDDLTorture runs a scripted series of DDL and DML with the daemon
// running, stopped and restarted, so that it reads rows written before DDL
// that has since run, and checks that every change event carries exactly
// the columns, values and column types of the row as it was written, and
// that the schema change topic records each DDL.
func TestDDLTorture(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	other := d.name + "_x" // a database outside database.include.list
	d.exec("CREATE DATABASE " + other)
	t.Cleanup(func() { d.exec("DROP DATABASE IF EXISTS " + other) })
	prefix := "e2e" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{
		"snapshot.mode":      "no_data",
		"skipped.operations": "none", // emit truncates
		// JSON typed, so that each row's type shows which version wrote it.
		"sluice.mariadb.json.as.json": "true",
	})
	topic := func(table string) string { return prefix + "." + d.name + "." + table }

	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)

	// Phase 1, daemon running: each DDL is read before the next statement
	// runs, so its schema change event describes exactly that version.
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20) NOT NULL, e ENUM('x','y') DEFAULT 'x', doc JSON)")
	consume(t, e, 1, 30*time.Second, prefix)
	d.exec(`INSERT INTO t VALUES (1, 'a1', 'x', '{"k": 1}')`)
	d.exec("ALTER TABLE t ADD COLUMN b INT DEFAULT 7")
	consume(t, e, 2, 30*time.Second, prefix)
	d.exec(`INSERT INTO t (id, a, e, doc) VALUES (2, 'a2', 'y', '{}')`)
	consume(t, e, 2, 30*time.Second, topic("t"))
	sl.Stop()

	// Phase 2, daemon stopped: several DDL and DML steps, so that the
	// restarted daemon reads rows written under structures that no longer
	// exist.
	d.execAll(
		"ALTER TABLE t DROP COLUMN a",
		`INSERT INTO t VALUES (3, 'y', '[1]', 9)`,
		"ALTER TABLE t MODIFY e ENUM('x','y','z') DEFAULT 'z'",
		"INSERT INTO t (id, doc, b) VALUES (4, NULL, 10)",
		"ALTER TABLE t CHANGE b bb BIGINT",
		"UPDATE t SET bb = 100 WHERE id = 3",
		"ALTER TABLE t MODIFY doc LONGTEXT",
		"INSERT INTO t VALUES (5, 'x', 'plain text', 11)",
		"RENAME TABLE t TO t2",
		"INSERT INTO t2 VALUES (6, 'z', 'p6', 12)",
		"DELETE FROM t2 WHERE id = 1",
		"CREATE TABLE n (id INT PRIMARY KEY, v VARCHAR(5))",
		"INSERT INTO n VALUES (1, 'v1')",
		"TRUNCATE TABLE n",
		"INSERT INTO n VALUES (2, 'v2')",
		"DROP TABLE n",
		// Outside the included database: no data topic, but Debezium's
		// defaults record the DDL of every database.
		"CREATE TABLE "+other+".o (id INT PRIMARY KEY)",
		"INSERT INTO "+other+".o VALUES (1)",
		"DROP TABLE "+other+".o",
		// sql_mode travels with each statement: 'x\' is a whole string
		// under NO_BACKSLASH_ESCAPES.
		"SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')",
		`CREATE TABLE nb (id INT PRIMARY KEY, s VARCHAR(5) DEFAULT 'x\')`,
		"SET SESSION sql_mode = DEFAULT",
	)
	sl2 := startDaemon(t, e, "--log-format", "console", cfg)
	sl2.WaitLog("resuming from stored offset", 30*time.Second)

	// Phase 3, live again: one more DDL, read while current.
	schemaChanges := func(n int) []schemaRec {
		t.Helper()
		// Debezium's defaults record the DDL of every database on the
		// server: keep this test's two. Other tests' databases (packages
		// run in parallel) add records of their own, so read on until n
		// are this test's.
		var out []schemaRec
		for total := n; len(out) < n; {
			recs := consume(t, e, total, 60*time.Second, prefix)
			out = out[:0]
			for _, r := range recs {
				// The structures the connector started from come first, marked
				// as snapshot records; this test follows the streamed DDL.
				if s := decodeSchemaChange(t, r); (s.db == d.name || s.db == other) && s.source["snapshot"] != "true" {
					out = append(out, s)
				}
			}
			total = len(recs) + n - len(out)
		}
		return out
	}
	if got := schemaChanges(12); len(got) < 12 {
		t.Fatalf("%d schema changes after the restart, want 12", len(got))
	}
	d.exec("ALTER TABLE t2 ADD COLUMN c2 VARCHAR(3) DEFAULT 'q'")
	d.exec("INSERT INTO t2 (id, e, doc, bb) VALUES (7, 'y', NULL, 13)")

	// Rows of t, each with the columns it was written with.
	recs := consume(t, e, 6, 60*time.Second, topic("t"))
	var got []changeRec
	for _, r := range recs {
		got = append(got, decodeChange(t, r))
	}
	if len(got) != 6 {
		t.Fatalf("topic %s has %d records, want 6", topic("t"), len(got))
	}
	jsonName := func(c changeRec) any { return c.rowSchema["doc"]["name"] }
	allowed := func(c changeRec) any {
		p, _ := c.rowSchema["e"]["parameters"].(map[string]any)
		return p["allowed"]
	}
	wantRow(t, "t row 1", got[0].after, map[string]any{"id": 1.0, "a": "a1", "e": "x", "doc": `{"k": 1}`})
	wantRow(t, "t row 2", got[1].after, map[string]any{"id": 2.0, "a": "a2", "e": "y", "doc": "{}", "b": 7.0})
	wantRow(t, "t row 3 (after DROP COLUMN a)", got[2].after, map[string]any{"id": 3.0, "e": "y", "doc": "[1]", "b": 9.0})
	wantRow(t, "t row 4 (enum extended)", got[3].after, map[string]any{"id": 4.0, "e": "z", "doc": nil, "b": 10.0})
	wantRow(t, "t update of row 3 (b renamed bb) before", got[4].before, map[string]any{"id": 3.0, "e": "y", "doc": "[1]", "bb": 9.0})
	wantRow(t, "t update of row 3 (b renamed bb) after", got[4].after, map[string]any{"id": 3.0, "e": "y", "doc": "[1]", "bb": 100.0})
	wantRow(t, "t row 5 (doc now LONGTEXT)", got[5].after, map[string]any{"id": 5.0, "e": "x", "doc": "plain text", "bb": 11.0})
	for i, w := range []struct {
		op, doc, allowed, b string
	}{
		{"c", "io.debezium.data.Json", "x,y", ""}, {"c", "io.debezium.data.Json", "x,y", "int32"},
		{"c", "io.debezium.data.Json", "x,y", "int32"}, {"c", "io.debezium.data.Json", "x,y,z", "int32"},
		{"u", "io.debezium.data.Json", "x,y,z", "int64"}, {"c", "", "x,y,z", "int64"},
	} {
		c := got[i]
		if c.op != w.op {
			t.Errorf("t record %d: op %s, want %s", i, c.op, w.op)
		}
		wantDoc := any(nil)
		if w.doc != "" {
			wantDoc = w.doc
		}
		if jsonName(c) != wantDoc {
			t.Errorf("t record %d: doc schema name %v, want %q (JSON until MODIFY doc LONGTEXT)", i, jsonName(c), w.doc)
		}
		if allowed(c) != w.allowed {
			t.Errorf("t record %d: enum e allows %v, want %s", i, allowed(c), w.allowed)
		}
		bType := ""
		for _, name := range []string{"b", "bb"} {
			if s, ok := c.rowSchema[name]; ok {
				bType = s["type"].(string)
			}
		}
		if bType != w.b {
			t.Errorf("t record %d: b/bb type %q, want %q", i, bType, w.b)
		}
		if c.source["table"] != "t" || c.source["db"] != d.name {
			t.Errorf("t record %d: source names %v.%v", i, c.source["db"], c.source["table"])
		}
	}

	// t2: rows after the rename, and a delete of a row written long before.
	recs = consume(t, e, 4, 60*time.Second, topic("t2"))
	got = got[:0]
	for _, r := range recs {
		got = append(got, decodeChange(t, r))
	}
	if len(got) != 4 || got[0].op != "c" || got[1].op != "d" || got[2].op != "tombstone" || got[3].op != "c" {
		var ops []string
		for _, g := range got {
			ops = append(ops, g.op)
		}
		t.Fatalf("topic %s ops %v, want c d tombstone c", topic("t2"), ops)
	}
	wantRow(t, "t2 row 6", got[0].after, map[string]any{"id": 6.0, "e": "z", "doc": "p6", "bb": 12.0})
	wantRow(t, "t2 delete of row 1", got[1].before, map[string]any{"id": 1.0, "e": "x", "doc": `{"k": 1}`, "bb": 7.0})
	wantRow(t, "t2 row 7 (after ADD COLUMN c2)", got[3].after, map[string]any{"id": 7.0, "e": "y", "doc": nil, "bb": 13.0, "c2": "q"})

	// n: create, truncate (no key, no before/after), create.
	recs = consume(t, e, 3, 60*time.Second, topic("n"))
	if len(recs) != 3 {
		t.Fatalf("topic %s has %d records, want 3", topic("n"), len(recs))
	}
	tr := decodeChange(t, recs[1])
	if tr.op != "t" || recs[1].Key != nil || tr.before != nil || tr.after != nil || tr.source["table"] != "n" {
		t.Errorf("truncate record: op %s key %s before %v after %v source %v", tr.op, recs[1].Key, tr.before, tr.after, tr.source)
	}
	wantRow(t, "n row 2 after the truncate", decodeChange(t, recs[2]).after, map[string]any{"id": 2.0, "v": "v2"})

	// The schema change topic, in binlog order.
	sc := schemaChanges(13)
	type wantChange struct {
		db, ddl, typ, id string
		columns          []string // nil: "table": null
	}
	q := func(db, table string) string { return `"` + db + `"."` + table + `"` }
	wants := []wantChange{
		{d.name, "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20) NOT NULL, e ENUM('x','y') DEFAULT 'x', doc JSON)", "CREATE", q(d.name, "t"),
			[]string{"id:INT", "a:VARCHAR", "e:ENUM", "doc:JSON"}},
		{d.name, "ALTER TABLE t ADD COLUMN b INT DEFAULT 7", "ALTER", q(d.name, "t"), []string{"id:INT", "a:VARCHAR", "e:ENUM", "doc:JSON", "b:INT"}},
		// Read after the restart, when table t no longer exists (renamed):
		// the schema history still knows each version.
		{d.name, "ALTER TABLE t DROP COLUMN a", "ALTER", q(d.name, "t"), []string{"id:INT", "e:ENUM", "doc:JSON", "b:INT"}},
		{d.name, "ALTER TABLE t MODIFY e ENUM('x','y','z') DEFAULT 'z'", "ALTER", q(d.name, "t"), []string{"id:INT", "e:ENUM", "doc:JSON", "b:INT"}},
		{d.name, "ALTER TABLE t CHANGE b bb BIGINT", "ALTER", q(d.name, "t"), []string{"id:INT", "e:ENUM", "doc:JSON", "bb:BIGINT"}},
		{d.name, "ALTER TABLE t MODIFY doc LONGTEXT", "ALTER", q(d.name, "t"), []string{"id:INT", "e:ENUM", "doc:LONGTEXT", "bb:BIGINT"}},
		{d.name, "RENAME TABLE t TO t2", "ALTER", q(d.name, "t2"), []string{"id:INT", "e:ENUM", "doc:LONGTEXT", "bb:BIGINT"}},
		{d.name, "CREATE TABLE n (id INT PRIMARY KEY, v VARCHAR(5))", "CREATE", q(d.name, "n"), []string{"id:INT", "v:VARCHAR"}},
		{d.name, "DROP TABLE `" + d.name + "`.`n`", "DROP", q(d.name, "n"), nil},
		{other, "CREATE TABLE " + other + ".o (id INT PRIMARY KEY)", "CREATE", q(other, "o"), []string{"id:INT"}},
		{other, "DROP TABLE `" + other + "`.`o`", "DROP", q(other, "o"), nil},
		{d.name, `CREATE TABLE nb (id INT PRIMARY KEY, s VARCHAR(5) DEFAULT 'x\')`, "CREATE", q(d.name, "nb"), []string{"id:INT", "s:VARCHAR"}},
		{d.name, "ALTER TABLE t2 ADD COLUMN c2 VARCHAR(3) DEFAULT 'q'", "ALTER", q(d.name, "t2"),
			[]string{"id:INT", "e:ENUM", "doc:LONGTEXT", "bb:BIGINT", "c2:VARCHAR"}},
	}
	if len(sc) != len(wants) {
		for _, s := range sc {
			t.Logf("schema change: %s", s.ddl)
		}
		t.Fatalf("topic %s has %d schema changes, want %d", prefix, len(sc), len(wants))
	}
	for i, w := range wants {
		s := sc[i]
		if s.ddl != w.ddl || s.db != w.db || s.key["databaseName"] != w.db {
			t.Errorf("schema change %d: ddl %q db %q key %v, want ddl %q db %q", i, s.ddl, s.db, s.key, w.ddl, w.db)
		}
		if s.keySchema != "io.debezium.connector.mariadb.SchemaChangeKey" || s.valueSchema != "io.debezium.connector.mariadb.SchemaChangeValue" {
			t.Errorf("schema change %d: schemas %s / %s", i, s.keySchema, s.valueSchema)
		}
		if len(s.changes) != 1 || s.changes[0]["type"] != w.typ || s.changes[0]["id"] != w.id {
			t.Errorf("schema change %d (%s): tableChanges %v, want one %s of %s", i, w.ddl, s.changes, w.typ, w.id)
			continue
		}
		if cols := columnsOf(s.changes[0]); !slices.Equal(cols, w.columns) {
			t.Errorf("schema change %d (%s): columns %v, want %v", i, w.ddl, cols, w.columns)
		}
		if s.source["db"] != w.db || s.source["connector"] != "mariadb" || s.source["name"] != prefix {
			t.Errorf("schema change %d: source %v", i, s.source)
		}
	}
	// Details of a table structure read while current.
	first := sc[1].changes[0]
	tbl := first["table"].(map[string]any)
	if !reflect.DeepEqual(tbl["primaryKeyColumnNames"], []any{"id"}) || tbl["defaultCharsetName"] == nil {
		t.Errorf("ALTER ADD b table: %v", tbl)
	}
	for name, want := range map[string]map[string]any{
		// id INT has no declared width: no length, as in Debezium 3.5's
		// records (seen side by side).
		"id":  {"jdbcType": 4.0, "optional": false, "position": 1.0, "length": nil, "autoIncremented": false},
		"a":   {"jdbcType": 12.0, "length": 20.0, "optional": false, "position": 2.0},
		"e":   {"jdbcType": 1.0, "enumValues": []any{"'x'", "'y'"}, "defaultValueExpression": "x", "optional": true, "length": 1.0},
		"doc": {"jdbcType": 1111.0, "charsetName": nil, "optional": true},
		"b":   {"jdbcType": 4.0, "defaultValueExpression": "7", "position": 5.0},
	} {
		col := columnNamed(first, name)
		for k, v := range want {
			if !reflect.DeepEqual(col[k], v) {
				t.Errorf("ALTER ADD b: column %s %s = %#v, want %#v", name, k, col[k], v)
			}
		}
	}
	if src := sc[8].source; src["table"] != "n" || src["file"] == nil || src["pos"] == nil {
		t.Errorf("DROP TABLE n source: %v", src)
	}
	if def := columnNamed(sc[11].changes[0], "s")["defaultValueExpression"]; def != `x\` {
		t.Errorf("nb.s defaultValueExpression %q, want x\\", def)
	}

	// Nothing was captured from the excluded database.
	adm := kadm.NewClient(newKafkaClient(t, e))
	topics, err := adm.ListTopics(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range topics.Names() {
		if strings.HasPrefix(name, prefix+"."+other) {
			t.Errorf("topic %s exists for a database outside database.include.list", name)
		}
	}
	sl2.Stop()
}

// TestDDLDefaults checks Debezium's defaults: truncates are skipped
// (skipped.operations=t) and schema changes are written.
func TestDDLDefaults(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	prefix := "e2e" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{"snapshot.mode": "no_data"})
	w := prefix + "." + d.name + ".w"

	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	d.execAll(
		"CREATE TABLE w (id INT PRIMARY KEY)",
		"INSERT INTO w VALUES (1)",
		"TRUNCATE TABLE w",
		"INSERT INTO w VALUES (2)",
	)
	recs := consume(t, e, 2, 30*time.Second, w)
	var ops []string
	for _, r := range recs {
		c := decodeChange(t, r)
		ops = append(ops, fmt.Sprintf("%s:%v", c.op, c.after["id"]))
	}
	if strings.Join(ops, " ") != "c:1 c:2" {
		t.Errorf("records %v, want c:1 c:2 (skipped.operations defaults to t)", ops)
	}
	var ddls []string
	for _, r := range consume(t, e, 1, 30*time.Second, prefix) {
		if s := decodeSchemaChange(t, r); s.db == d.name && s.source["snapshot"] != "true" {
			ddls = append(ddls, s.ddl)
		}
	}
	if strings.Join(ddls, "|") != "CREATE TABLE w (id INT PRIMARY KEY)" {
		t.Errorf("schema changes %q, want only CREATE TABLE w (a TRUNCATE is not a schema change)", ddls)
	}
	sl.Stop()
}

// TestTableSwapThroughTemporaryName: "RENAME TABLE a TO tmp, b TO a, tmp TO
// b", a common way to swap tables, once stalled the stream for ever
// (tmp, gone after the statement, could not be described in the schema
// history), whether the tables were captured or in another database.
func TestTableSwapThroughTemporaryName(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	other := d.name + "_x" // a database outside database.include.list
	d.exec("CREATE DATABASE " + other)
	t.Cleanup(func() { d.exec("DROP DATABASE IF EXISTS " + other) })
	prefix := "e2e" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{"snapshot.mode": "no_data"})
	d.execAll(
		"CREATE TABLE a (id INT PRIMARY KEY, tag VARCHAR(5))",
		"CREATE TABLE b (id INT PRIMARY KEY, n INT)",
		"CREATE TABLE "+other+".a (id INT PRIMARY KEY)",
		"CREATE TABLE "+other+".b (id INT PRIMARY KEY, n INT)",
	)
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	d.execAll(
		"RENAME TABLE "+other+".a TO "+other+".tmp, "+other+".b TO "+other+".a, "+other+".tmp TO "+other+".b",
		"RENAME TABLE a TO tmp, b TO a, tmp TO b",
		"INSERT INTO a VALUES (1, 10)",
		"INSERT INTO b VALUES (2, 'x')",
	)
	recs := consume(t, e, 1, 30*time.Second, prefix+"."+d.name+".a")
	if c := decodeChange(t, recs[0]); c.after["n"] != float64(10) {
		t.Errorf("a's record %v: want the swapped-in structure (id, n)", c.after)
	}
	recs = consume(t, e, 1, 30*time.Second, prefix+"."+d.name+".b")
	if c := decodeChange(t, recs[0]); c.after["tag"] != "x" {
		t.Errorf("b's record %v: want the swapped-in structure (id, tag)", c.after)
	}
	var swap *schemaRec
	for _, r := range consume(t, e, 1, 30*time.Second, prefix) {
		if s := decodeSchemaChange(t, r); s.db == d.name && strings.HasPrefix(s.ddl, "RENAME") {
			swap = &s
		}
	}
	if swap == nil {
		t.Fatal("no schema change event for the swap")
	}
	if strings.Contains(sl.Stderr.String(), "binlog stream interrupted") {
		t.Errorf("the stream was interrupted by the swap:\n%s", tail(sl.Stderr.String(), 2000))
	}
}

// TestRecoveryReplaysDDLOfTablesMadeWhileStopped: snapshot.mode=recovery
// seeds the schema model with today's tables, then replays the DDL made
// while the connector was stopped (here on a table in a database it does
// not capture, created and altered after the offset): the replay must not
// stop the connector, and the captured table's change arrives.
func TestRecoveryReplaysDDLOfTablesMadeWhileStopped(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	other := d.name + "_x" // a database outside database.include.list
	d.exec("CREATE DATABASE " + other)
	t.Cleanup(func() { d.exec("DROP DATABASE IF EXISTS " + other) })
	prefix := "e2e" + d.name[4:]
	topic := prefix + "." + d.name + ".t"
	file := t.TempDir() + "/history.dat"
	cfg := map[string]string{"snapshot.mode": "no_data",
		"schema.history.internal":               "io.debezium.storage.file.history.FileSchemaHistory",
		"schema.history.internal.file.filename": file}
	d.exec("CREATE TABLE t (id INT PRIMARY KEY)")
	sl := startDaemon(t, e, "--log-format", "console", connectorFile(t, e, "c-"+d.name, prefix, d.name, cfg))
	sl.WaitLog("binlog streaming from", 30*time.Second)
	sl.Stop()
	d.execAll(
		"CREATE TABLE "+other+".o (id INT PRIMARY KEY)",
		"ALTER TABLE "+other+".o ADD COLUMN b INT",
		"INSERT INTO t VALUES (1)",
	)
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	cfg["snapshot.mode"] = "recovery"
	rec := startDaemon(t, e, "--log-format", "console", connectorFile(t, e, "c-"+d.name, prefix, d.name, cfg))
	recs := consume(t, e, 1, 30*time.Second, topic)
	if c := decodeChange(t, recs[0]); c.after["id"] != float64(1) {
		t.Errorf("record %v, want the insert of id 1", c.after)
	}
	rec.Stop()
	if log := rec.Stderr.String(); strings.Contains(log, "connector stopped") || strings.Contains(log, "no table") {
		t.Errorf("the DDL on the table without a structure stopped the connector:\n%s", tail(log, 2000))
	}
}
