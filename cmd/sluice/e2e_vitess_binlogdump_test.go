package main

import (
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"

	"github.com/sluice-cdc/sluice/internal/conformance"
	"github.com/sluice-cdc/sluice/offsets"
)

// These tests read one shard's binlog through VTGate's binlog dump
// (sluice.vitess.target) on the cluster of deploy/local/vitess-cluster.sh,
// whose vtgate runs with --enable-binlog-dump and whose tablets run
// MariaDB 10.11. They need only its MySQL port (and Kafka).

type vtDumpEnv struct {
	env
	mysql, keyspace string
}

func needVtBinlogDump(t *testing.T) vtDumpEnv {
	t.Helper()
	e := vtDumpEnv{mysql: os.Getenv("SLUICE_TEST_VTCLUSTER_MYSQL"), keyspace: os.Getenv("SLUICE_TEST_VTCLUSTER_KEYSPACE")}
	if e.mysql == "" {
		t.Skip("binlog dump through VTGate: set SLUICE_TEST_VTCLUSTER_MYSQL (deploy/local/vitess-cluster.sh start prints it)")
	}
	if e.keyspace == "" {
		e.keyspace = "rs_keyspace"
	}
	if os.Getenv("SLUICE_TEST_VTCLUSTER_GRPC") != "" {
		// Shard 0 must serve: a cluster an earlier test resharded is
		// started again (as test.sh allows).
		needFreshVtCluster(t)
	}
	e.env = needServers(t)
	return e
}

// vtDumpTable creates a private table in the keyspace's shard 0 (the
// cluster's keyspace is unsharded until the reshard test reshards it).
func vtDumpTable(t *testing.T, e vtDumpEnv) (conn *client.Conn, table string) {
	t.Helper()
	conn, err := client.Connect(e.mysql, "root", "", e.keyspace+":0@primary")
	if err != nil {
		t.Fatalf("connecting to VTGate's MySQL port %s with target %s:0@primary: %v (the binlog dump tests need the keyspace unsharded, shard 0 serving: start a fresh cluster)", e.mysql, e.keyspace, err)
	}
	t.Cleanup(func() { conn.Close() })
	table = fmt.Sprintf("bd%d", rand.Intn(1_000_000_000))
	if _, err := conn.Execute(fmt.Sprintf("CREATE TABLE %s (id INT NOT NULL PRIMARY KEY, v VARCHAR(32) NOT NULL)", table)); err != nil {
		t.Fatal(err)
	}
	// The reshard tests that may follow on this cluster copy every table
	// of the keyspace: leave none behind.
	t.Cleanup(func() { _, _ = conn.Execute("DROP TABLE IF EXISTS " + table) })
	return conn, table
}

func vtDumpConnector(e vtDumpEnv, prefix, table string, extra map[string]string) map[string]string {
	host, port, _ := strings.Cut(e.mysql, ":")
	cfg := withE2EThreads(map[string]string{
		"connector.class":   "io.debezium.connector.mariadb.MariaDbConnector",
		"database.hostname": host, "database.port": port, "database.user": "root", "database.password": "",
		"database.server.id": fmt.Sprint(nextServerID()), "topic.prefix": prefix,
		"sluice.vitess.target": e.keyspace + ":0@primary", "snapshot.mode": "never",
		"table.include.list":                                     "vt_" + e.keyspace + "\\." + table,
		"schema.history.internal.kafka.topic":                    prefix + ".history",
		"offset.flush.interval.ms":                               "300",
		"key.converter.schemas.enable":                           "false",
		"value.converter.schemas.enable":                         "false",
		"schema.history.internal.store.only.captured.tables.ddl": "true",
	})
	for k, v := range extra {
		cfg[k] = v
	}
	return cfg
}

type dumpChange struct {
	op, before, after string
	id                int
}

// dumpChanges decodes the data records (tombstones skipped) and checks
// each one's source block.
func dumpChanges(t *testing.T, e vtDumpEnv, table string, recs []conformance.Record) []dumpChange {
	t.Helper()
	var out []dumpChange
	for _, r := range recs {
		if r.Value == nil {
			continue
		}
		p := payload(t, r.Value)
		src, _ := p["source"].(map[string]any)
		if src["connector"] != "mariadb" || src["db"] != "vt_"+e.keyspace || src["table"] != table {
			t.Errorf("source block %v: want connector mariadb, db vt_%s, table %s", src, e.keyspace, table)
		}
		if g, _ := src["gtid"].(string); !strings.HasPrefix(g, "0-") {
			t.Errorf("source.gtid %q: want the tablet's MariaDB GTID", g)
		}
		c := dumpChange{op: p["op"].(string)}
		for _, side := range []string{"before", "after"} {
			if row, ok := p[side].(map[string]any); ok {
				c.id = int(row["id"].(float64))
				if side == "before" {
					c.before = row["v"].(string)
				} else {
					c.after = row["v"].(string)
				}
			}
		}
		out = append(out, c)
	}
	return out
}

func wantChanges(t *testing.T, got []dumpChange, want ...dumpChange) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("changes:\n got %v\nwant %v", got, want)
	}
}

// TestVitessBinlogDump streams a shard through VTGate from an empty GTID
// set (the tablet's oldest binlog: changes made before the connector
// started arrive), goes on while running, then resumes from the stored
// GTID set after a stop: with MariaDB tablets VTGate cannot take a stored
// set (see TestVitessBinlogDumpStoredSetRefused), so Sluice reads from the
// oldest binlog again and drops what the set holds; no change repeats.
func TestVitessBinlogDump(t *testing.T) {
	e := needVtBinlogDump(t)
	conn, table := vtDumpTable(t, e)
	exec := func(qs ...string) {
		t.Helper()
		for _, q := range qs {
			if _, err := conn.Execute(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	exec("INSERT INTO "+table+" VALUES (1,'a'),(2,'b')",
		"UPDATE "+table+" SET v='a2' WHERE id=1",
		"DELETE FROM "+table+" WHERE id=2")
	prefix := "bd" + table
	topic := prefix + ".vt_" + e.keyspace + "." + table
	name := "bd-" + table
	file := conformance.WriteConnector(t, name, vtDumpConnector(e, prefix, table, nil))

	d := startDaemon(t, e.env, file)
	recs := consume(t, e.env, 5, 90*time.Second, topic) // 4 changes and the delete's tombstone
	wantChanges(t, dumpChanges(t, e, table, recs),
		dumpChange{op: "c", after: "a", id: 1}, dumpChange{op: "c", after: "b", id: 2},
		dumpChange{op: "u", before: "a", after: "a2", id: 1}, dumpChange{op: "d", before: "b", id: 2})

	exec("INSERT INTO " + table + " VALUES (3,'c')")
	recs = consume(t, e.env, 6, 60*time.Second, topic)
	if got := dumpChanges(t, e, table, recs); len(got) != 5 || got[4] != (dumpChange{op: "c", after: "c", id: 3}) {
		t.Fatalf("after an insert while running: %v", got)
	}
	d.Stop()

	key := offsets.Key(name, prefix)
	_, stored, found := storedOffset(t, e.env, "_connect_offsets", key)
	if !found {
		t.Fatal("no offset stored")
	}
	off, err := offsets.ParseMySQL(stored)
	if err != nil || !strings.HasPrefix(off.GTIDs, "0-") {
		t.Fatalf("stored offset %s (%v): want the tablet's MariaDB GTID set", stored, err)
	}
	t.Logf("stored offset: %s", stored)

	exec("INSERT INTO "+table+" VALUES (4,'d')", "UPDATE "+table+" SET v='c2' WHERE id=3")
	d = startDaemon(t, e.env, file)
	d.WaitLog("skipping_stored_gtids", 60*time.Second)
	recs = consume(t, e.env, 8, 90*time.Second, topic)
	got := dumpChanges(t, e, table, recs)
	wantChanges(t, got[5:], dumpChange{op: "c", after: "d", id: 4}, dumpChange{op: "u", before: "c", after: "c2", id: 3})
	d.Stop()
	// The restart rebuilt the table from the schema history (whose
	// CREATE came from the binlog), not from information_schema.
	if log := d.Stderr.String(); strings.Contains(log, "does not describe this table") || !strings.Contains(log, "schema rebuilt from the schema history") {
		t.Errorf("after the restart the schema history did not describe the table:\n%s", tail(log, 3000))
	}
}

// TestVitessBinlogDumpRefusals: sluice validate passes a good connector
// (its check opens a dump through VTGate) and refuses, naming the setting,
// what cannot work through VTGate's binlog dump.
func TestVitessBinlogDumpRefusals(t *testing.T) {
	e := needVtBinlogDump(t)
	base := vtDumpConnector(e, "bdrefuse", "t", nil)

	out, code := validateVt(t, base, "bd-ok")
	if code != 0 || strings.Contains(out, "sluice.vitess.target") {
		t.Fatalf("sluice validate of a good connector: exit %d\n%s", code, out)
	}

	cases := []struct {
		name  string
		extra map[string]string
		want  []string
	}{
		{"snapshot", map[string]string{"snapshot.mode": "initial"}, []string{`property "snapshot.mode": "initial" is not available with sluice.vitess.target`, "set snapshot.mode=never"}},
		{"target", map[string]string{"sluice.vitess.target": e.keyspace}, []string{`property "sluice.vitess.target": "` + e.keyspace + `" is not keyspace:shard[@type]`}},
		{"keyspace", map[string]string{"sluice.vitess.target": "nosuch:0"}, []string{"unknown database 'nosuch' in vschema", "set sluice.vitess.target to a keyspace VTGate serves"}},
		{"class", map[string]string{"connector.class": "io.debezium.connector.mysql.MySqlConnector"}, []string{"connector.class", "runs MariaDB", "use io.debezium.connector.mariadb.MariaDbConnector"}},
	}
	for _, c := range cases {
		cfg := map[string]string{}
		for k, v := range base {
			cfg[k] = v
		}
		for k, v := range c.extra {
			cfg[k] = v
		}
		out, code := validateVt(t, cfg, "bd-"+c.name)
		t.Logf("%s: exit %d\n%s", c.name, code, out)
		if code == 0 {
			t.Errorf("%s: sluice validate exited 0", c.name)
		}
		wantLines(t, out, c.want...)
	}
}

// TestVitessBinlogDumpKill9 kills the daemon while a writer commits one
// row a transaction, once an offset is stored, restarts it, and checks
// that every row arrives and that rows at or before the stored GTID set
// arrive once: the restart resumes from the set (on MariaDB tablets by
// reading from the oldest binlog and dropping what the set holds), so only
// changes after it may come twice.
func TestVitessBinlogDumpKill9(t *testing.T) {
	e := needVtBinlogDump(t)
	conn, table := vtDumpTable(t, e)
	prefix := "bd" + table
	topic := prefix + ".vt_" + e.keyspace + "." + table
	name := "bd-" + table
	file := conformance.WriteConnector(t, name, vtDumpConnector(e, prefix, table, nil))
	insert := func(from, to int) {
		t.Helper()
		for i := from; i <= to; i++ {
			if _, err := conn.Execute(fmt.Sprintf("INSERT INTO %s VALUES (%d,'r%d')", table, i, i)); err != nil {
				t.Fatal(err)
			}
		}
	}

	const rows = 400
	d := startDaemon(t, e.env, file)
	d.WaitLog("binlog dump through VTGate started", 60*time.Second)
	insert(1, rows/2)
	key := offsets.Key(name, prefix)
	var stored offsets.MySQL
	for deadline := time.Now().Add(30 * time.Second); ; {
		if _, v, found := storedOffset(t, e.env, "_connect_offsets", key); found {
			if stored, _ = offsets.ParseMySQL(v); stored.GTIDs != "" {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no offset stored within 30 s")
		}
		time.Sleep(200 * time.Millisecond)
	}
	insert(rows/2+1, rows/2+50) // past the stored offset when killed
	d.Kill9()
	<-d.Done
	_, v, _ := storedOffset(t, e.env, "_connect_offsets", key)
	stored, _ = offsets.ParseMySQL(v)
	insert(rows/2+51, rows)

	d = startDaemon(t, e.env, file)
	recs := consume(t, e.env, rows, 120*time.Second, topic)
	storedSeq := gtidSeq(t, stored.GTIDs)
	seen := map[int]int{}
	dups, dupsBefore := 0, 0
	for _, r := range recs {
		if r.Value == nil {
			continue
		}
		p := payload(t, r.Value)
		after, _ := p["after"].(map[string]any)
		id := int(after["id"].(float64))
		if p["op"] != "c" || after["v"] != fmt.Sprintf("r%d", id) {
			t.Errorf("unexpected change %v", p)
		}
		if seen[id]++; seen[id] == 2 {
			dups++
			if gtidSeq(t, p["source"].(map[string]any)["gtid"].(string)) <= storedSeq {
				dupsBefore++
			}
		}
	}
	for i := 1; i <= rows; i++ {
		if seen[i] == 0 {
			t.Errorf("row %d never arrived", i)
		}
	}
	if dupsBefore > 0 {
		t.Errorf("%d rows at or before the stored GTID set %s arrived twice", dupsBefore, stored.GTIDs)
	}
	t.Logf("%d records for %d rows; stored offset at the kill %s; %d rows after it twice", len(recs), rows, stored.GTIDs, dups)
	d.Stop()
}

// gtidSeq is the sequence number of a one-domain MariaDB GTID or set
// (domain-server-seq), as the cluster's tablets write them.
func gtidSeq(t *testing.T, g string) int64 {
	t.Helper()
	parts := strings.Split(g, "-")
	var n int64
	if _, err := fmt.Sscan(parts[len(parts)-1], &n); err != nil || len(parts) != 3 {
		t.Fatalf("GTID %q is not one domain-server-seq", g)
	}
	return n
}
