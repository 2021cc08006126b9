package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"

	"github.com/sluice-cdc/sluice/offsets"
)

// TestCrashKill9 kills the daemon with SIGKILL while about 50,000 row
// changes flow, restarts it, and checks that every change is in Kafka at
// least once, in commit order per key, that the state rebuilt from the topic
// equals the table, and that _connect_offsets holds the connector's key in
// the partition Kafka Connect would choose.
func TestCrashKill9(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL, pad VARCHAR(64))")
	prefix := "e2e" + d.name[4:]
	name := "c-" + d.name
	cfg := connectorFile(t, e, name, prefix, d.name, map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"offset.flush.interval.ms": "200",
		// This test is about a crash while streaming; a crash during a
		// snapshot has its own test (TestSnapshotKill9Resume).
		"snapshot.mode": "no_data",
	})
	topic := prefix + "." + d.name + ".t"
	sl := startDaemon(t, e, cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)

	// The writer: 250 transactions inserting 100 rows each, then 250
	// transactions updating those rows (v = 1 -> 2): 50,000 row changes.
	const rowsPerTxn, txns = 100, 250
	conn, err := client.Connect(e.mysqlAddr, "root", e.rootPass, d.name)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var committed atomic.Int64
	writerDone := make(chan error, 1)
	go func() {
		for phase := 0; phase < 2; phase++ {
			for i := 0; i < txns; i++ {
				lo := i * rowsPerTxn
				var q string
				if phase == 0 {
					var sb strings.Builder
					sb.WriteString("INSERT INTO t VALUES ")
					for j := 0; j < rowsPerTxn; j++ {
						if j > 0 {
							sb.WriteByte(',')
						}
						fmt.Fprintf(&sb, "(%d, 1, 'row %d')", lo+j, lo+j)
					}
					q = sb.String()
				} else {
					q = fmt.Sprintf("UPDATE t SET v = v + 1 WHERE id >= %d AND id < %d", lo, lo+rowsPerTxn)
				}
				if _, err := conn.Execute(q); err != nil {
					writerDone <- err
					return
				}
				committed.Add(rowsPerTxn)
				if i%10 == 0 {
					time.Sleep(5 * time.Millisecond) // keep it flowing for a while
				}
			}
		}
		writerDone <- nil
	}()

	// Kill the daemon once a good part of the changes has been committed
	// at the source, then restart it while the writer is still going.
	for committed.Load() < 15000 {
		time.Sleep(10 * time.Millisecond)
	}
	sl.Kill9()
	t.Logf("killed sluice after %d source row changes", committed.Load())
	time.Sleep(300 * time.Millisecond)
	sl2 := startDaemon(t, e, cfg)
	if err := <-writerDone; err != nil {
		t.Fatalf("writer: %v", err)
	}
	lastWrite := d.str("SELECT @@gtid_binlog_pos")
	const total = 2 * rowsPerTxn * txns
	recs := consume(t, e, total, 120*time.Second, topic)
	sl2.Stop()

	// Every (id, v) the source wrote is there, and per key the versions
	// never go backwards once duplicates from the replay are removed.
	type kv struct{ id, v int }
	seen := map[kv]bool{}
	lastV := map[int]int{}
	dups := 0
	for _, r := range recs {
		var k struct{ ID int }
		if err := json.Unmarshal(r.Key, &k); err != nil {
			t.Fatalf("key %s: %v", r.Key, err)
		}
		p := payload(t, r.Value)
		after := p["after"].(map[string]any)
		x := kv{int(after["id"].(float64)), int(after["v"].(float64))}
		if x.id != k.ID {
			t.Fatalf("record key %d but after.id %d", k.ID, x.id)
		}
		if seen[x] {
			dups++
			continue
		}
		if x.v < lastV[x.id] {
			t.Fatalf("key %d: version %d arrived after version %d", x.id, x.v, lastV[x.id])
		}
		seen[x], lastV[x.id] = true, x.v
	}
	for id := 0; id < rowsPerTxn*txns; id++ {
		for v := 1; v <= 2; v++ {
			if !seen[kv{id, v}] {
				t.Fatalf("change id=%d v=%d is missing from Kafka (%d records consumed)", id, v, len(recs))
			}
		}
	}
	if n := d.str("SELECT COUNT(*) FROM t WHERE v = 2"); n != fmt.Sprint(rowsPerTxn*txns) {
		t.Fatalf("source has %s rows at v=2", n)
	}
	t.Logf("%d records, %d duplicates from the replay after SIGKILL", len(recs), dups)

	key := offsets.Key(name, prefix)
	part, val, ok := storedOffset(t, e, "_connect_offsets", key)
	if !ok {
		t.Fatalf("no offset with key %s in _connect_offsets", key)
	}
	if want := offsets.Partition(key, 25); part != want {
		t.Errorf("offset in partition %d, want %d", part, want)
	}
	pos, err := offsets.ParseMySQL(val)
	if err != nil {
		t.Fatal(err)
	}
	storedReaches(t, d, pos.GTIDs, lastWrite)
}
