package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sluice-cdc/sluice/offsets"
)

// TestBlockingSnapshot sends an execute-snapshot signal of type
// "blocking", as Debezium 2.4+ takes it (its data-collections and the
// condition's regular expressions, as Debezium reads them, and a name no
// table has): the stream stops at the end of the
// signal's transaction, the named table's structure goes to the schema
// history, its rows that the signal's additional-conditions SELECT selects
// are read as a snapshot's (op "r"), and streaming goes on from the
// signal. So the
// changes made before the signal, its own transaction's included, come
// first, the read events next, and the changes made after the snapshot
// last; the table the signal does not name gets no read events, and the
// stored offset ends with no snapshot in progress. A second signal, whose
// SELECT the server refuses, is dropped with an error in the log, and
// streaming goes on.
func TestBlockingSnapshot(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	snapshotTable(t, d, 20)
	d.exec("CREATE TABLE u (id INT PRIMARY KEY)")
	signalTable(d)
	prefix := "e2e" + d.name[4:]
	name := "c-" + d.name
	cfg := connectorFile(t, e, name, prefix, d.name, map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"snapshot.mode": "no_data", "signal.data.collection": d.name + ".debezium_signal",
	})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	d.exec("UPDATE t SET v = 2 WHERE id = 1")
	d.exec("INSERT INTO u VALUES (1)")
	// The signal, in one transaction with a change: the change is before
	// the pause.
	d.execAll("BEGIN", "UPDATE t SET v = 3 WHERE id = 2",
		fmt.Sprintf(`INSERT INTO debezium_signal VALUES ('blk-1', 'execute-snapshot', '{"data-collections": ["%[1]s\\\\.(t|v)", "%[1]s.nosuch"], "type": "blocking", "additional-conditions": [{"data-collection": "%[1]s\\\\.t", "filter": "SELECT * FROM %[1]s.t WHERE id > 14"}]}')`, d.name),
		"COMMIT")
	sl.WaitLog("blocking snapshot finished", time.Minute)
	// One whose SELECT the server refuses is dropped, and streaming goes on.
	d.exec(fmt.Sprintf(`INSERT INTO debezium_signal VALUES ('blk-2', 'execute-snapshot', '{"data-collections": ["%[1]s.t"], "type": "blocking", "additional-conditions": [{"data-collection": "%[1]s.t", "filter": "SELECT * FROM %[1]s.t WHERE nosuch > 1"}]}')`, d.name))
	sl.WaitLog("blocking snapshot failed and is dropped", time.Minute)
	d.exec("DELETE FROM t WHERE id = 20")
	d.exec("INSERT INTO u VALUES (2)")

	var got []string
	for _, r := range consume(t, e, 10, 60*time.Second, prefix+"."+d.name+".t") {
		if r.Value == nil {
			got = append(got, "tombstone")
			continue
		}
		p := payload(t, r.Value)
		row, _ := p["after"].(map[string]any)
		if row == nil {
			row, _ = p["before"].(map[string]any)
		}
		s := fmt.Sprintf("%s:%v", p["op"], row["id"])
		if p["op"] == "r" {
			s += "/" + fmt.Sprint(p["source"].(map[string]any)["snapshot"])
		}
		got = append(got, s)
	}
	want := "u:1 u:2 r:15/first r:16/true r:17/true r:18/true r:19/true r:20/last d:20 tombstone"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("records of t:\n got %s\nwant %s", g, want)
	}
	for _, r := range consume(t, e, 2, 30*time.Second, prefix+"."+d.name+".u") {
		if op := payload(t, r.Value)["op"]; op != "c" {
			t.Errorf("table u, which the signal does not name, has a record of op %v", op)
		}
	}
	// Streaming goes on, and the stored offset shows no snapshot.
	d.exec("UPDATE t SET v = 4 WHERE id = 3")
	last := d.str("SELECT @@last_gtid")
	waitFor(t, 30*time.Second, "the offset past the last change", func() bool {
		_, v, ok := storedOffset(t, e, "_connect_offsets", offsets.Key(name, prefix))
		return ok && coversGTID(t, v, last)
	})
	_, v, _ := storedOffset(t, e, "_connect_offsets", offsets.Key(name, prefix))
	var off map[string]any
	if err := json.Unmarshal(v, &off); err != nil {
		t.Fatal(err)
	}
	if off["snapshot"] != nil || off["sluice_snapshot"] != nil {
		t.Errorf("stored offset %s still has a snapshot in progress", v)
	}
	// The structure, as Debezium's blocking snapshot writes it.
	var ddls []string
	for _, r := range consume(t, e, 1, 30*time.Second, prefix+".schema-history") {
		var rec struct{ DDL string }
		if err := json.Unmarshal(r.Value, &rec); err == nil && strings.Contains(rec.DDL, "`t`") {
			ddls = append(ddls, strings.Fields(rec.DDL)[0]+" "+strings.Fields(rec.DDL)[1])
		}
	}
	if got := strings.Join(ddls, ", "); !strings.HasSuffix(got, "DROP TABLE, CREATE TABLE") {
		t.Errorf("schema history statements of t: %s; want the blocking snapshot's DROP TABLE, CREATE TABLE last", got)
	}
	sl.Stop()
}

// TestBlockingSnapshotKill9Resume kills the daemon with SIGKILL in the
// middle of a blocking snapshot while another connection keeps changing
// the table: the restart resumes the snapshot after its last finished
// range (not the signal, not a new snapshot), streams on from the signal,
// and the table rebuilt from Kafka equals the database's, deletes made
// during the snapshot included. An on-demand snapshot of another table,
// paused when the blocking one starts, outlives the kill: its resume
// after the restart reads that table's rows.
func TestBlockingSnapshotKill9Resume(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	// As in TestSnapshotKill9Resume: the kill lands after a range or more.
	rows, killAt, rangeRows := 1_000_000, int64(250_000), "200000"
	if os.Getenv("SLUICE_E2E_RACE") == "1" {
		rows, killAt, rangeRows = 200_000, 60_000, "20000"
	}
	snapshotTable(t, d, rows)
	signalTable(d)
	d.exec("CREATE TABLE u (id INT PRIMARY KEY)")
	d.exec("INSERT INTO u SELECT seq FROM seq_1_to_50")
	prefix := "e2e" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"snapshot.mode": "no_data", "signal.data.collection": d.name + ".debezium_signal",
		"sluice.snapshot.range.rows": rangeRows, "offset.flush.interval.ms": "200",
		"incremental.snapshot.chunk.size": "10",
	})
	topic := prefix + "." + d.name + ".t"
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)

	d.execAll("BEGIN",
		fmt.Sprintf(`INSERT INTO debezium_signal VALUES ('ad-hoc-u', 'execute-snapshot', '{"data-collections": ["%s.u"]}')`, d.name),
		`INSERT INTO debezium_signal VALUES ('pause-u', 'pause-snapshot', '{"type": "incremental"}')`,
		"COMMIT")
	sl.WaitLog("on-demand snapshot paused", 30*time.Second)
	stopChurn := churnTable(t, e, d.name, rows)
	d.exec(fmt.Sprintf(`INSERT INTO debezium_signal VALUES ('blk-kill', 'execute-snapshot', '{"data-collections": ["%s.t"], "type": "blocking"}')`, d.name))
	sl.WaitLog("blocking snapshot starting", 30*time.Second)
	if n := topicRecords(t, e.kafka, topic, killAt, 3*time.Minute); n < killAt {
		t.Fatalf("%d records in %s after 3 minutes, want %d before the kill", n, topic, killAt)
	}
	sl.Kill9()
	if strings.Contains(sl.Stderr.String(), "blocking snapshot finished") {
		t.Fatal("the blocking snapshot finished before the kill: nothing to resume")
	}

	sl2 := startDaemon(t, e, "--log-format", "console", cfg)
	sl2.WaitLog("resuming the snapshot after its last finished chunk", 30*time.Second)
	sl2.WaitLog("snapshot finished", 5*time.Minute)
	t.Logf("churn made %d changes", stopChurn())
	st := follow(t, e, d, topic, 3*time.Minute, nil)
	t.Logf("rebuilt %d rows from %d records (ops %v)", len(st.rows), st.records, st.ops)
	// Per key, a read event can be newer than changes after it: the
	// stream goes on from the signal, so the changes made while the
	// snapshot read are written after its read events, as Debezium writes
	// them. What must hold is that nothing is lost: follow has rebuilt
	// the table.
	if st.ops["r"] < rows/2 {
		t.Errorf("only %d snapshot (op r) records of %d rows", st.ops["r"], rows)
	}
	if strings.Contains(sl2.Stderr.String(), "blocking snapshot starting") {
		t.Errorf("the restart took the blocking snapshot again from its start instead of resuming it")
	}
	d.exec(`INSERT INTO debezium_signal VALUES ('resume-u', 'resume-snapshot', '{"type": "incremental"}')`)
	reads := map[any]bool{}
	for _, r := range consume(t, e, 50, time.Minute, prefix+"."+d.name+".u") {
		if p := payload(t, r.Value); p["op"] == "r" {
			reads[p["after"].(map[string]any)["id"]] = true
		}
	}
	if len(reads) != 50 {
		t.Errorf("%d rows of u read after the restart and the resume-snapshot signal, want its 50: the on-demand snapshot under way at the kill was forgotten", len(reads))
	}
	sl2.Stop()
}

// TestBlockingSnapshotDuringInitialFilterKill9 asks for a blocking snapshot
// of u while the initial snapshot of t is still being read and churn
// changes t, so that the stream meets the signal while it still filters
// the changes t's ranges hold; the daemon is killed with SIGKILL in the
// middle of the blocking snapshot. After the restart the stream goes on
// with that filter: no change older than t's read events follows them, and
// t rebuilt from Kafka equals the database's.
func TestBlockingSnapshotDuringInitialFilterKill9(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	// u is large enough for the kill to land in the middle of its read.
	rows, uRows, rangeRows := 200_000, 400_000, "20000"
	if os.Getenv("SLUICE_E2E_RACE") == "1" {
		rows, rangeRows = 100_000, "10000"
	}
	snapshotTable(t, d, rows)
	d.exec("CREATE TABLE u (id INT PRIMARY KEY, v INT NOT NULL)")
	d.exec(fmt.Sprintf("INSERT INTO u SELECT seq, 0 FROM seq_1_to_%d", uRows))
	signalTable(d)
	prefix := "e2e" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"signal.data.collection":     d.name + ".debezium_signal",
		"sluice.snapshot.range.rows": rangeRows, "offset.flush.interval.ms": "200",
		"snapshot.include.collection.list": d.name + ".t",
	})
	tTopic, uTopic := prefix+"."+d.name+".t", prefix+"."+d.name+".u"
	stopChurn := churnTable(t, e, d.name, rows)
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	// The signal goes into the binlog while t's ranges are read, before the
	// last range's position: the stream meets it still filtering.
	sl.WaitLog("snapshot chunks planned", time.Minute)
	time.Sleep(500 * time.Millisecond)
	d.exec(fmt.Sprintf(`INSERT INTO debezium_signal VALUES ('blk-1', 'execute-snapshot', '{"data-collections": ["%s.u"], "type": "blocking"}')`, d.name))
	sl.WaitLog("blocking snapshot starting", 3*time.Minute)
	if n := topicRecords(t, e.kafka, uTopic, int64(uRows/10), 3*time.Minute); n < int64(uRows/10) {
		t.Fatalf("%d records of u after 3 minutes, want a tenth of its rows before the kill", n)
	}
	sl.Kill9()
	if strings.Contains(sl.Stderr.String(), "blocking snapshot finished") {
		t.Fatal("the blocking snapshot finished before the kill: nothing to resume")
	}
	if strings.Contains(sl.Stderr.String(), "stream has passed every snapshot chunk") {
		t.Fatal("the stream had passed t's ranges before the kill: the signal came too late for what this test checks")
	}
	sl2 := startDaemon(t, e, "--log-format", "console", cfg)
	sl2.WaitLog("resuming the snapshot after its last finished chunk", 30*time.Second)
	sl2.WaitLog("snapshot finished", 5*time.Minute)
	time.Sleep(time.Second)
	t.Logf("churn made %d changes", stopChurn())
	st := follow(t, e, d, tTopic, 3*time.Minute, nil)
	t.Logf("rebuilt %d rows of t from %d records (ops %v)", len(st.rows), st.records, st.ops)
	if len(st.reordered) > 0 {
		t.Errorf("changes of t older than its read events follow them after the restart: %v", st.reordered)
	}
	sl2.Stop()
}

// TestBlockingSnapshotAcrossDDL: a DDL between two ranges of a blocking
// snapshot. The next range finds the table changed and fails; the retry
// reads the table as it is now. An ALTER: every row is read, the ranges
// after it with the new column. A RENAME: the retry finds the table gone
// and skips it; when the stream, going on after the snapshot, reads the
// RENAME, Sluice takes a blocking snapshot of the new name, so that every
// row is read under one name or the other. Before, the retry took the
// columns cached before the DDL (the stream, paused at the signal, had not
// read it) and failed the same way for good, the stream held up; and the
// rows of a renamed table's ranges after the RENAME reached no topic.
func TestBlockingSnapshotAcrossDDL(t *testing.T) {
	for _, tc := range []struct {
		name, ddl string
		tables    []string // whose read events hold every row
		finished  int      // blocking snapshots
		logged    string
	}{
		{"alter", "ALTER TABLE t ADD COLUMN extra INT NOT NULL DEFAULT 5", []string{"t"}, 1, ""},
		{"rename", "RENAME TABLE t TO t_renamed", []string{"t", "t_renamed"}, 2, "taking a snapshot of it under its new name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := needServers(t)
			d := newDB(t, e)
			rows := betweenRangesRows
			snapshotTable(t, d, rows)
			sl, prefix := startSignalled(t, e, d, map[string]string{"sluice.snapshot.range.rows": fmt.Sprint(betweenRangesRange)})
			d.exec(fmt.Sprintf(`INSERT INTO debezium_signal VALUES ('blk-r', 'execute-snapshot', '{"data-collections": ["%s.t"], "type": "blocking"}')`, d.name))
			topic := prefix + "." + d.name + ".t"
			waitFor(t, 60*time.Second, "the first range", func() bool { return topicRecords(t, e.kafka, topic, 1, 100*time.Millisecond) > 0 })
			d.exec(tc.ddl)
			waitLogCount(t, sl, "blocking snapshot finished", tc.finished, 2*time.Minute)
			extra := 0
			for _, after := range waitAllRead(t, e, d, prefix, tc.tables, rows) {
				if after["extra"] == float64(5) {
					extra++
				}
			}
			if tc.name == "alter" && extra < betweenRangesRange {
				t.Errorf("%d read events with the added column, want the ranges after the ALTER's", extra)
			}
			log := sl.Stderr.String()
			if !strings.Contains(log, "its columns changed since the snapshot began") {
				t.Errorf("no range failed after the DDL; the test needs it between two ranges:\n%s", tail(log, 3000))
			}
			if tc.logged != "" && !strings.Contains(log, tc.logged) {
				t.Errorf("no %q in the log:\n%s", tc.logged, tail(log, 3000))
			}
			sl.Stop()
		})
	}
}
