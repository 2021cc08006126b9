package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"

	"github.com/sluice-cdc/sluice/offsets"
)

// TestTransactionMetadataEndToEnd: with provide.transaction.metadata=true
// a multi-statement transaction over two tables, with a primary-key change
// in it, shows up as Debezium writes it: BEGIN and END records keyed by the
// MariaDB GTID on <prefix>.transaction, the END counting the events per
// table, and each data record's transaction block numbering the events.
func TestTransactionMetadataEndToEnd(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.execAll("CREATE TABLE a (id INT PRIMARY KEY, v INT)", "CREATE TABLE b (id INT PRIMARY KEY)")
	prefix := "e2e" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{"provide.transaction.metadata": "true"})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)

	d.execAll("BEGIN",
		"INSERT INTO a VALUES (1, 1), (2, 2)",
		"INSERT INTO b VALUES (1)",
		"UPDATE a SET id = 3 WHERE id = 1", // a delete and a create: two events
		"COMMIT")
	gtid := d.str("SELECT @@last_gtid")

	// a: c, c, d, tombstone, c; b: c.
	data := consume(t, e, 6, 60*time.Second, prefix+"."+d.name+".a", prefix+"."+d.name+".b")
	var orders []string
	for _, r := range data {
		p := payload(t, r.Value)
		if p == nil {
			continue // the tombstone has no block
		}
		tx, _ := p["transaction"].(map[string]any)
		if tx == nil || tx["id"] != gtid {
			t.Fatalf("record %s of %s: transaction %v, want id %s", r.Value, r.Topic, p["transaction"], gtid)
		}
		orders = append(orders, fmt.Sprintf("%s:%v/%v", r.Topic[strings.LastIndex(r.Topic, ".")+1:], tx["total_order"], tx["data_collection_order"]))
	}
	sort.Strings(orders)
	// total_order follows the statements; data_collection_order counts per table.
	if got, want := strings.Join(orders, " "), "a:1/1 a:2/2 a:4/3 a:5/4 b:3/1"; got != want {
		t.Errorf("transaction blocks (table:total/per table) %s, want %s", got, want)
	}

	var begin, end map[string]any
	for _, r := range consume(t, e, 2, 30*time.Second, prefix+".transaction") {
		k, v := payload(t, r.Key), payload(t, r.Value)
		if k["id"] != gtid {
			continue // the CREATE TABLEs' GTIDs begin transactions too, as in Debezium
		}
		switch v["status"] {
		case "BEGIN":
			begin = v
		case "END":
			end = v
		}
	}
	if begin == nil || end == nil {
		t.Fatalf("no BEGIN and END records for %s on %s.transaction (begin %v, end %v)", gtid, prefix, begin, end)
	}
	if begin["event_count"] != nil || begin["data_collections"] != nil || begin["ts_ms"] == nil {
		t.Errorf("BEGIN %v: want no counts and a ts_ms", begin)
	}
	counts := map[string]any{}
	cols, _ := end["data_collections"].([]any)
	for _, c := range cols {
		m := c.(map[string]any)
		counts[m["data_collection"].(string)] = m["event_count"]
	}
	if end["event_count"] != 5.0 || len(counts) != 2 || counts[d.name+".a"] != 4.0 || counts[d.name+".b"] != 1.0 {
		t.Errorf("END %v: want event_count 5, %s.a 4 and %s.b 1", end, d.name, d.name)
	}
}

// TestHeartbeatEndToEnd: with heartbeat.interval.ms, a connector whose
// tables see no writes still writes heartbeats (Debezium's key and value
// on __debezium-heartbeat.<prefix>, partition 0) as other tables' writes
// and, on an idle server, the binlog keepalives pass; and its stored
// offset moves with those writes.
func TestHeartbeatEndToEnd(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.execAll("CREATE TABLE captured (id INT PRIMARY KEY)", "CREATE TABLE other (id INT PRIMARY KEY AUTO_INCREMENT)")
	prefix := "e2e" + d.name[4:]
	name := "c-" + d.name
	cfg := connectorFile(t, e, name, prefix, d.name, map[string]string{
		"heartbeat.interval.ms": "300", "table.include.list": d.name + ".captured"})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	for i := 0; i < 10; i++ {
		d.exec("INSERT INTO other VALUES ()")
		time.Sleep(100 * time.Millisecond)
	}
	last := d.str("SELECT @@last_gtid")

	topic := "__debezium-heartbeat." + prefix
	beats := consume(t, e, 1, 30*time.Second, topic)
	for _, r := range beats {
		k, v := payload(t, r.Key), payload(t, r.Value)
		ts, _ := v["ts_ms"].(float64)
		if r.Partition != 0 || k["serverName"] != prefix || len(k) != 1 || len(v) != 1 || ts < float64(time.Now().Add(-time.Minute).UnixMilli()) {
			t.Errorf("heartbeat in partition %d: key %s value %s; want partition 0, {serverName: %s}, {ts_ms: now}", r.Partition, r.Key, r.Value, prefix)
		}
		if len(r.Headers) != 0 {
			t.Errorf("heartbeat headers %v, want none (Debezium's carry none)", r.Headers)
		}
	}
	if !strings.Contains(string(beats[0].Value), `"name":"io.debezium.connector.common.Heartbeat"`) {
		t.Errorf("heartbeat value %s: want the io.debezium.connector.common.Heartbeat schema", beats[0].Value)
	}
	waitStored(t, e, offsets.Key(name, prefix), last)

	// Idle: the server's keepalive heartbeats (every 10 s by default) keep them coming.
	time.Sleep(12 * time.Second)
	if more := consume(t, e, len(beats)+1, 20*time.Second, topic); len(more) <= len(beats) {
		t.Errorf("%d heartbeats after 12 idle seconds, %d before: want more", len(more), len(beats))
	}
}

// waitStored waits until the stored offset's MariaDB GTID set holds gtid
// (its domain at gtid's sequence number or later).
func waitStored(t *testing.T, e env, key []byte, gtid string) {
	t.Helper()
	want, err := gmysql.ParseMariadbGTIDSet(gtid)
	if err != nil {
		t.Fatal(err)
	}
	var val []byte
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		_, val, _ = storedOffset(t, e, "_connect_offsets", key)
		var m map[string]any
		if json.Unmarshal(val, &m) == nil {
			g, _ := m["gtids"].(string)
			if have, err := gmysql.ParseMariadbGTIDSet(g); err == nil && have.Contain(want) {
				return
			}
		}
	}
	t.Errorf("stored offset %s does not reach %s", val, gtid)
}

// TestHeartbeatActionQuery: heartbeat.action.query runs on the database
// with each heartbeat, as the connector's user: its writes to a captured
// table arrive as change records (the first an insert, then updates). A
// statement the server refuses stops the connector with a message that
// names the property and the statement.
func TestHeartbeatActionQuery(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.execAll("CREATE TABLE hb (id INT PRIMARY KEY, ts DATETIME(6) NOT NULL)", "CREATE TABLE other (id INT PRIMARY KEY AUTO_INCREMENT)")
	d.grantSluice("INSERT, UPDATE", "hb")
	prefix := "e2e" + d.name[4:]
	extra := map[string]string{"heartbeat.interval.ms": "300", "table.include.list": d.name + ".hb",
		"value.converter.schemas.enable": "false",
		"heartbeat.action.query":         "INSERT INTO " + d.name + ".hb VALUES (1, NOW(6)) ON DUPLICATE KEY UPDATE ts = NOW(6)"}
	// flow writes to the uncaptured table: binlog events, so heartbeats.
	flow := func() {
		for i := 0; i < 10; i++ {
			d.exec("INSERT INTO other VALUES ()")
			time.Sleep(100 * time.Millisecond)
		}
	}
	sl := startDaemon(t, e, "--log-format", "console", connectorFile(t, e, "c-"+d.name, prefix, d.name, extra))
	sl.WaitLog("binlog streaming from", 30*time.Second)
	flow()
	var ops []string
	for _, r := range consume(t, e, 2, 30*time.Second, prefix+"."+d.name+".hb") {
		p := payload(t, r.Value)
		after, _ := p["after"].(map[string]any)
		ops = append(ops, fmt.Sprintf("%v:%v", p["op"], after["id"]))
	}
	if ops[0] != "c:1" || ops[1] != "u:1" {
		t.Errorf("hb records %v, want c:1 then u:1 (the action query's insert, then its updates)", ops)
	}
	sl.Stop()

	extra["heartbeat.action.query"] = "SELEC 1"
	bad := startDaemon(t, e, "--log-format", "console", connectorFile(t, e, "c-"+d.name, prefix, d.name, extra))
	bad.WaitLog("binlog streaming from", 30*time.Second)
	flow()
	log := bad.WaitExit(30 * time.Second)
	if bad.Err == nil || !strings.Contains(log, `heartbeat.action.query \"SELEC 1\": the server refused it`) {
		t.Errorf("exit %v; want a failure naming heartbeat.action.query and the statement:\n%s", bad.Err, tail(log, 3000))
	}
}
