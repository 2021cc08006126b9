package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// historyDoc is one record of the schema history topic, as Debezium's
// KafkaSchemaHistory writes it.
type historyDoc struct {
	Source struct {
		Server string `json:"server"`
	} `json:"source"`
	Position     map[string]any   `json:"position"`
	TsMs         int64            `json:"ts_ms"`
	DatabaseName string           `json:"databaseName"`
	DDL          string           `json:"ddl"`
	TableChanges []map[string]any `json:"tableChanges"`
}

func readHistory(t *testing.T, e env, topic string) []historyDoc {
	t.Helper()
	var out []historyDoc
	for _, r := range consume(t, e, 1, 30*time.Second, topic) {
		if r.Key != nil {
			t.Errorf("history record at offset %d has key %q; Debezium writes a null key", r.Offset, r.Key)
		}
		if r.Partition != 0 {
			t.Errorf("history record in partition %d; the topic must have one partition", r.Partition)
		}
		var h historyDoc
		if err := json.Unmarshal(r.Value, &h); err != nil {
			t.Fatalf("history record %s: %v", r.Value, err)
		}
		out = append(out, h)
	}
	return out
}

// fieldDefault returns the Connect schema default of a row field, and
// whether it has one.
func fieldDefault(c changeRec, field string) (any, bool) {
	f, ok := c.rowSchema[field]
	if !ok {
		return nil, false
	}
	v, has := f["default"]
	return v, has
}

// TestSchemaHistoryReplay stops the daemon, changes the schema several times
// with rows between the changes, and restarts it from its offset before all
// of them: every row must carry the structure it was written under (column
// defaults, MariaDB's JSON and UUID), which information_schema no longer
// shows, and the history topic must hold each statement once, in Debezium's
// record format. A kill -9 before the offset passes a DDL must not record
// it twice.
func TestSchemaHistoryReplay(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	prefix := "e2e" + d.name[4:]
	hist := prefix + ".schema-history"
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{
		"schema.history.internal.kafka.topic": hist,
		// Offsets are committed only at shutdown, so that the kill -9 below
		// always comes before the commit that passes the last DDL.
		"offset.flush.interval.ms": "600000",
		// JSON typed, so that each row's type shows which version wrote it.
		"sluice.mariadb.json.as.json": "true",
	})
	topic := prefix + "." + d.name + ".t"
	d.execAll(
		"CREATE TABLE t (id INT PRIMARY KEY, v INT DEFAULT 5, s VARCHAR(10) DEFAULT 'a')",
		"INSERT INTO t VALUES (1, 1, 'x')",
	)
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	consume(t, e, 1, 60*time.Second, topic)
	sl.Stop()

	// While Sluice is stopped the table changes under it.
	d.execAll(
		"INSERT INTO t (id) VALUES (2)",
		"ALTER TABLE t ALTER COLUMN v SET DEFAULT 7",
		"INSERT INTO t (id) VALUES (3)",
		"ALTER TABLE t ADD COLUMN j JSON, ADD COLUMN u UUID DEFAULT '6ccd780c-baba-1026-9564-5b8c656024db'",
		`INSERT INTO t (id, j) VALUES (4, '{"a": 1}')`,
		"ALTER TABLE t MODIFY j LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, MODIFY u BINARY(16), ALTER s SET DEFAULT 'b'",
		`INSERT INTO t (id, j, u) VALUES (5, '{"b": 2}', x'00112233445566778899aabbccddeeff')`,
	)
	sl = startDaemon(t, e, "--log-format", "console", cfg)
	recs := consume(t, e, 5, 60*time.Second, topic)
	sl.Stop()

	rows := map[int]changeRec{}
	for _, r := range recs {
		c := decodeChange(t, r)
		if c.after != nil {
			rows[int(c.after["id"].(float64))] = c
		}
	}
	for id := 2; id <= 5; id++ {
		if _, ok := rows[id]; !ok {
			t.Fatalf("no change event for row %d; got %d records", id, len(recs))
		}
	}
	wantDefault := func(id int, field string, want any) {
		t.Helper()
		got, has := fieldDefault(rows[id], field)
		if !has || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("row %d: field %q has default %v (set: %v), want %v: the structure it was written under", id, field, got, has, want)
		}
	}
	wantDefault(2, "v", 5)
	wantDefault(3, "v", 7)
	wantDefault(4, "s", "a")
	wantDefault(5, "s", "b")
	wantDefault(4, "u", "6ccd780c-baba-1026-9564-5b8c656024db")
	if name := rows[4].rowSchema["j"]["name"]; name != "io.debezium.data.Json" {
		t.Errorf("row 4: j has schema name %v, want io.debezium.data.Json (it was MariaDB's JSON when written)", name)
	}
	if name := rows[4].rowSchema["u"]["name"]; name != "io.debezium.data.Uuid" {
		t.Errorf("row 4: u has schema name %v, want io.debezium.data.Uuid (it was UUID when written)", name)
	}
	if name, ok := rows[5].rowSchema["j"]["name"]; ok {
		t.Errorf("row 5: j has schema name %v, want a plain string (LONGTEXT since the ALTER)", name)
	}
	if typ := rows[5].rowSchema["u"]["type"]; typ != "bytes" {
		t.Errorf("row 5: u has type %v, want bytes (BINARY(16) since the ALTER)", typ)
	}

	// The schema change events describe each version too, starting with
	// the structure the snapshot started from, as Debezium's snapshot
	// emits it.
	byDDL := map[string]schemaRec{}
	var seeded []string
	for _, r := range consume(t, e, 3, 30*time.Second, prefix) {
		s := decodeSchemaChange(t, r)
		byDDL[s.ddl] = s
		if s.db == d.name && s.source["snapshot"] == "true" {
			seeded = append(seeded, strings.Fields(s.ddl)[0]+" "+strings.Fields(s.ddl)[1])
			if strings.HasPrefix(s.ddl, "CREATE TABLE `t`") {
				if len(s.changes) != 1 || s.changes[0]["type"] != "CREATE" || columnNamed(s.changes[0], "v")["defaultValueExpression"] != "5" {
					t.Errorf("snapshot schema change of t: tableChanges %v, want a CREATE with v's default 5", s.changes)
				}
			}
		}
	}
	// Debezium 3.5's snapshot emits USE after CREATE DATABASE (seen side
	// by side), and its CREATE DATABASE is "CREATE DATABASE `db` CHARSET
	// ... COLLATE ...".
	if strings.Join(seeded, ",") != "DROP TABLE,DROP DATABASE,CREATE DATABASE,USE `"+d.name+"`,CREATE TABLE" {
		t.Errorf("snapshot schema changes of %s: %q, want DROP TABLE, DROP DATABASE, CREATE DATABASE, USE, CREATE TABLE as Debezium's snapshot emits them", d.name, seeded)
	}
	setDefault, ok := byDDL["ALTER TABLE t ALTER COLUMN v SET DEFAULT 7"]
	if !ok || len(setDefault.changes) != 1 {
		t.Fatalf("no schema change event for the SET DEFAULT; got %v", keysOf(byDDL))
	}
	if cols := strings.Join(columnsOf(setDefault.changes[0]), ","); cols != "id:INT,v:INT,s:VARCHAR" {
		t.Errorf("SET DEFAULT schema change lists columns %s, want id:INT,v:INT,s:VARCHAR (not the later j and u)", cols)
	}
	if def := columnNamed(setDefault.changes[0], "v")["defaultValueExpression"]; def != "7" {
		t.Errorf("SET DEFAULT schema change: v defaultValueExpression %v, want 7", def)
	}

	// The history topic: the snapshot's structure, then each DDL once, in
	// order, in Debezium's record format.
	docs := readHistory(t, e, hist)
	var ddls []string
	createAt := -1
	for i, h := range docs {
		if h.Source.Server != prefix {
			t.Errorf("history record %d: source.server %q, want %q", i, h.Source.Server, prefix)
		}
		if h.Position["file"] == nil || h.Position["pos"] == nil || h.TsMs == 0 {
			t.Errorf("history record %d: position %v, ts_ms %d; want file, pos and a time", i, h.Position, h.TsMs)
		}
		if h.DatabaseName != d.name {
			continue
		}
		ddls = append(ddls, h.DDL)
		if strings.HasPrefix(h.DDL, "CREATE TABLE `t`") {
			createAt = i
			// Debezium 3.5 writes the snapshot kind here, not true (seen
			// side by side).
			if h.Position["snapshot"] != "INITIAL" {
				t.Errorf("history record of the snapshot's CREATE TABLE has position %v, want snapshot \"INITIAL\"", h.Position)
			}
			if len(h.TableChanges) != 1 || h.TableChanges[0]["type"] != "CREATE" {
				t.Errorf("snapshot CREATE TABLE record has tableChanges %v", h.TableChanges)
			}
		}
	}
	if createAt < 0 {
		t.Fatalf("history has no CREATE TABLE `t` from the snapshot; records of %s: %q", d.name, ddls)
	}
	wantOnce := []string{
		"ALTER TABLE t ALTER COLUMN v SET DEFAULT 7",
		"ALTER TABLE t ADD COLUMN j JSON, ADD COLUMN u UUID DEFAULT '6ccd780c-baba-1026-9564-5b8c656024db'",
		"ALTER TABLE t MODIFY j LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, MODIFY u BINARY(16), ALTER s SET DEFAULT 'b'",
	}
	checkOnce := func(ddls []string, want []string) {
		t.Helper()
		last := -1
		for _, w := range want {
			n, at := 0, -1
			for i, s := range ddls {
				if s == w {
					n, at = n+1, i
				}
			}
			if n != 1 || at < last {
				t.Errorf("history holds %q %d times (at %d, previous at %d), want once and in order; history of %s: %q", w, n, at, last, d.name, ddls)
			}
			last = at
		}
	}
	checkOnce(ddls, wantOnce)

	// kill -9 after a DDL was recorded but before the offset passed it:
	// the restarted daemon reads the DDL again and must not record it twice.
	sl = startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 60*time.Second)
	d.execAll(
		"ALTER TABLE t ADD COLUMN w INT DEFAULT 9",
		"INSERT INTO t (id) VALUES (6)",
	)
	waitFor(t, 60*time.Second, "row 6", func() bool {
		for _, r := range consume(t, e, 6, 30*time.Second, topic) {
			if c := decodeChange(t, r); c.after != nil && c.after["id"] == float64(6) {
				return true
			}
		}
		return false
	})
	sl.Kill9()
	sl = startDaemon(t, e, "--log-format", "console", cfg)
	d.exec("INSERT INTO t (id) VALUES (7)")
	var row7 changeRec
	waitFor(t, 60*time.Second, "row 7", func() bool {
		for _, r := range consume(t, e, 7, 30*time.Second, topic) {
			if c := decodeChange(t, r); c.after != nil && c.after["id"] == float64(7) {
				row7 = c
				return true
			}
		}
		return false
	})
	sl.Stop()
	if def, _ := fieldDefault(row7, "w"); fmt.Sprint(def) != "9" {
		t.Errorf("row 7 after kill -9: w default %v, want 9", def)
	}
	ddls = ddls[:0]
	for _, h := range readHistory(t, e, hist) {
		if h.DatabaseName == d.name {
			ddls = append(ddls, h.DDL)
		}
	}
	checkOnce(ddls, append(wantOnce, "ALTER TABLE t ADD COLUMN w INT DEFAULT 9"))
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", timeout, what)
}

// TestSchemaHistoryLostAndRecovered: a connector with an offset but an empty
// schema history (the topic was deleted, or the setting changed) must stop
// and say how to recover, not guess; snapshot.mode=recovery rebuilds the
// history from the current structures and streaming goes on from the
// stored offset without losing a change. A file history
// (FileSchemaHistory) keeps the same records.
func TestSchemaHistoryLostAndRecovered(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	prefix := "e2e" + d.name[4:]
	topic := prefix + "." + d.name + ".t"
	file := t.TempDir() + "/history.dat"
	fileCfg := map[string]string{
		"schema.history.internal":               "io.debezium.storage.file.history.FileSchemaHistory",
		"schema.history.internal.file.filename": file,
	}
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10) DEFAULT 'd1')")
	sl := startDaemon(t, e, "--log-format", "console", connectorFile(t, e, "c-"+d.name, prefix, d.name, fileCfg))
	sl.WaitLog("binlog streaming from", 60*time.Second)
	d.execAll("INSERT INTO t (id) VALUES (1)", "ALTER TABLE t ALTER v SET DEFAULT 'd2'")
	consume(t, e, 1, 30*time.Second, topic)
	waitFor(t, 30*time.Second, "the ALTER in the history file", func() bool {
		b, _ := os.ReadFile(file)
		return strings.Contains(string(b), "SET DEFAULT 'd2'")
	})
	sl.Stop()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var ddls []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var h historyDoc
		if err := json.Unmarshal([]byte(line), &h); err != nil {
			t.Fatalf("history file line %q: %v", line, err)
		}
		if h.DatabaseName == d.name {
			ddls = append(ddls, h.DDL)
		}
	}
	if len(ddls) == 0 || ddls[len(ddls)-1] != "ALTER TABLE t ALTER v SET DEFAULT 'd2'" || !strings.HasPrefix(ddls[len(ddls)-2], "CREATE TABLE `t`") {
		t.Errorf("history file statements of %s: %q; want the snapshot's CREATE TABLE `t` then the ALTER", d.name, ddls)
	}

	// The history is lost: the connector now names an empty topic.
	d.exec("INSERT INTO t (id) VALUES (2)")
	lost := startDaemon(t, e, "--log-format", "console", connectorFile(t, e, "c-"+d.name, prefix, d.name, nil))
	log := lost.WaitExit(60 * time.Second)
	if lost.Err == nil || !strings.Contains(log, "schema history holds no records") || !strings.Contains(log, "snapshot.mode=recovery") {
		t.Fatalf("with an offset and an empty history: exit %v, log does not say the history is empty and how to recover:\n%s", lost.Err, tail(log, 3000))
	}
	if n := len(consume(t, e, 1, 5*time.Second, topic)); n != 1 {
		t.Errorf("%d records after the refused start, want still 1", n)
	}

	rec := startDaemon(t, e, "--log-format", "console", connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{"snapshot.mode": "recovery"}))
	rec.WaitLog("rebuilding the schema history", 60*time.Second)
	d.exec("INSERT INTO t (id) VALUES (3)")
	recs := consume(t, e, 3, 60*time.Second, topic)
	rec.Stop()
	var ids []string
	for _, r := range recs {
		c := decodeChange(t, r)
		ids = append(ids, fmt.Sprintf("%s:%v", c.op, c.after["id"]))
		if def, _ := fieldDefault(c, "v"); c.after["id"] != float64(1) && def != "d2" {
			t.Errorf("row %v: v default %v, want d2", c.after["id"], def)
		}
	}
	if strings.Join(ids, " ") != "c:1 c:2 c:3" {
		t.Errorf("records %v, want c:1 c:2 c:3: the change made while the history was missing is not lost", ids)
	}
	var created bool
	for _, h := range readHistory(t, e, prefix+".schema-history") {
		created = created || (h.DatabaseName == d.name && strings.HasPrefix(h.DDL, "CREATE TABLE `t`"))
	}
	if !created {
		t.Errorf("snapshot.mode=recovery wrote no CREATE TABLE `t` to %s.schema-history", prefix)
	}
}

// TestDDLOutOfStepStops: a DDL that does not fit the structure Sluice
// holds (here because an earlier ALTER ran with sql_log_bin=0 and never
// reached the binlog) stops the connector with the statement and its
// binlog position, without moving the offset past it; a restart stops
// again, and schema.history.internal.skip.unparseable.ddl=true goes on
// without losing a row.
func TestDDLOutOfStepStops(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	prefix := "e2e" + d.name[4:]
	topic := prefix + "." + d.name + ".t"
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, a INT)")
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{"snapshot.mode": "no_data"})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 60*time.Second)
	d.execAll(
		"INSERT INTO t VALUES (1, 1)",
		"SET SESSION sql_log_bin = 0",
		"ALTER TABLE t ADD COLUMN x INT DEFAULT 3",
		"SET SESSION sql_log_bin = 1",
		"INSERT INTO t VALUES (2, 2, 2)",
		"ALTER TABLE t DROP COLUMN x",
		"INSERT INTO t VALUES (3, 3)",
	)
	log := sl.WaitExit(60 * time.Second)
	wantMsg := func(log string) {
		t.Helper()
		if !strings.Contains(log, `cannot apply the DDL statement \"ALTER TABLE t DROP COLUMN x\" at binlog position mariadb-bin.`) &&
			!strings.Contains(log, `cannot apply the DDL statement "ALTER TABLE t DROP COLUMN x" at binlog position mariadb-bin.`) {
			t.Fatalf("exit %v; the log does not name the statement and its binlog position:\n%s", sl.Err, tail(log, 3000))
		}
		if !strings.Contains(log, "schema.history.internal.skip.unparseable.ddl=true") || !strings.Contains(log, "GTID ") {
			t.Errorf("the error does not say how to go on or the GTID:\n%s", tail(log, 3000))
		}
	}
	if sl.Err == nil {
		t.Fatalf("sluice exited 0 after a DDL it could not apply:\n%s", tail(log, 3000))
	}
	wantMsg(log)
	ids := func() []string {
		var out []string
		for _, r := range consume(t, e, 0, 5*time.Second, topic) {
			c := decodeChange(t, r)
			out = append(out, fmt.Sprintf("%s:%v", c.op, c.after["id"]))
		}
		return out
	}
	if got := strings.Join(ids(), " "); got != "c:1 c:2" {
		t.Errorf("records before the stop: %s, want c:1 c:2 (row 3 comes after the DDL)", got)
	}

	again := startDaemon(t, e, "--log-format", "console", cfg)
	log = again.WaitExit(60 * time.Second)
	if again.Err == nil {
		t.Fatalf("the restarted sluice went past the DDL:\n%s", tail(log, 3000))
	}
	wantMsg(log)

	skip := startDaemon(t, e, "--log-format", "console", connectorFile(t, e, "c-"+d.name, prefix, d.name,
		map[string]string{"snapshot.mode": "no_data", "schema.history.internal.skip.unparseable.ddl": "true"}))
	skip.WaitLog("skipping a DDL statement Sluice cannot apply", 60*time.Second)
	d.exec("INSERT INTO t VALUES (4, 4)")
	waitFor(t, 60*time.Second, "row 4", func() bool { return strings.HasSuffix(strings.Join(ids(), " "), "c:3 c:4") })
	skip.Stop()
}
