package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sluice-cdc/sluice/offsets"
)

// TestReconnectAfterKilledConnection kills the daemon's binlog dump
// connection on the server, in the middle of a stream of changes: the daemon
// logs the reconnect, and every change arrives exactly once in order.
func TestReconnectAfterKilledConnection(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)")
	prefix := "e2e" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false", "snapshot.mode": "no_data"})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	for i := 0; i < 50; i++ {
		d.exec(fmt.Sprintf("INSERT INTO t VALUES (%d, 0)", i))
	}
	consume(t, e, 50, 30*time.Second, prefix+"."+d.name+".t")
	// Kill every binlog dump thread of user sluice.
	r := d.exec("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'sluice' AND COMMAND LIKE 'Binlog Dump%'")
	if r.RowNumber() == 0 {
		t.Fatal("no binlog dump connection of user sluice on the server")
	}
	for i := 0; i < r.RowNumber(); i++ {
		id, _ := r.GetInt(i, 0)
		d.exec(fmt.Sprintf("KILL %d", id))
	}
	for i := 50; i < 100; i++ {
		d.exec(fmt.Sprintf("INSERT INTO t VALUES (%d, 0)", i))
	}
	sl.WaitLog("binlog stream interrupted; reconnecting", 30*time.Second)
	recs := consume(t, e, 100, 60*time.Second, prefix+"."+d.name+".t")
	seen := map[string]int{}
	var order []string
	for _, r := range recs {
		seen[string(r.Key)]++
		order = append(order, string(r.Key))
	}
	for i := 0; i < 100; i++ {
		k := fmt.Sprintf(`{"id":%d}`, i)
		if seen[k] != 1 {
			t.Errorf("key %s arrived %d times, want once", k, seen[k])
		}
		if i < len(order) && order[i] != k {
			t.Fatalf("record %d has key %s, want %s (order kept across the reconnect)", i, order[i], k)
		}
	}
	sl.Stop()
}

// TestKafkaRejectsRecord writes a row whose change event is larger than the
// producer may send: the daemon stops with an error naming the topic, the
// changes before it are in Kafka, and the stored offset does not pass it.
func TestKafkaRejectsRecord(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, b LONGBLOB)")
	prefix := "e2e" + d.name[4:]
	name := "c-" + d.name
	cfg := connectorFile(t, e, name, prefix, d.name, map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"snapshot.mode": "no_data", "offset.flush.interval.ms": "100"})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	d.exec("INSERT INTO t VALUES (1, 'small')")
	consume(t, e, 1, 30*time.Second, prefix+"."+d.name+".t")
	before := d.str("SELECT @@gtid_binlog_pos")
	time.Sleep(time.Second) // let the offset of the first change be stored
	d.exec("INSERT INTO t VALUES (2, REPEAT('x', 3000000))")
	select {
	case <-sl.Done:
	case <-time.After(60 * time.Second):
		t.Fatal("sluice kept running after Kafka refused a record")
	}
	if sl.Err == nil {
		t.Fatal("sluice exited 0 after Kafka refused a record")
	}
	log := sl.Stderr.String()
	if !strings.Contains(log, "kafka did not accept a record") || !strings.Contains(log, prefix+"."+d.name+".t") && !strings.Contains(log, "too large") {
		t.Errorf("the error does not say what Kafka refused:\n%s", tail(log, 2000))
	}
	_, val, ok := storedOffset(t, e, "_connect_offsets", offsets.Key(name, prefix))
	if !ok {
		t.Fatal("no stored offset")
	}
	pos, err := offsets.ParseMySQL(val)
	if err != nil {
		t.Fatal(err)
	}
	if pos.GTIDs != before {
		t.Errorf("stored gtids %q, want %q: the offset must stop before the refused change", pos.GTIDs, before)
	}
}
