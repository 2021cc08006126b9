package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/internal/conformance"
	"github.com/sluice-cdc/sluice/offsets"
)

// TestCrashKill9 kills the daemon with SIGKILL while about 50,000 row
// changes flow, restarts it, and checks that every change is in Kafka at
// least once, in commit order per key, that the state rebuilt from the topic
// equals the table, and that _connect_offsets holds the connector's key in
// the partition Kafka Connect would choose.
func TestCrashKill9(t *testing.T) {
	crashKill9(t, map[string]string{"offset.flush.interval.ms": "200"}, false)
}

// TestCrashKill9ExactlyOnce is TestCrashKill9 with exactly.once.support=required:
// records and offsets are written in Kafka transactions, so a consumer
// reading committed records finds every change exactly once, the kill
// notwithstanding. Offsets are stored once a minute outside transactions,
// so at least once the kill would leave a minute of changes to be written
// again. Kafka transactions end after every batch (transaction.boundary=poll)
// or every half second (interval), each at a source transaction's end.
func TestCrashKill9ExactlyOnce(t *testing.T) {
	for _, boundary := range []string{"poll", "interval"} {
		t.Run(boundary, func(t *testing.T) {
			crashKill9(t, map[string]string{"exactly.once.support": "required", "offset.flush.interval.ms": "60000",
				"transaction.boundary": boundary, "transaction.boundary.interval.ms": "500"}, true)
		})
	}
}

func crashKill9(t *testing.T, extra map[string]string, exactly bool) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL, pad VARCHAR(64))")
	prefix := "e2e" + d.name[4:]
	name := "c-" + d.name
	props := map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		// This test is about a crash while streaming; a crash during a
		// snapshot has its own test (TestSnapshotKill9Resume).
		"snapshot.mode": "no_data",
	}
	maps.Copy(props, extra)
	cfg := connectorFile(t, e, name, prefix, d.name, props)
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
	var recs []record
	if exactly {
		recs = conformance.ConsumeWith(t, e.kafka, total, 120*time.Second, []kgo.Opt{kgo.FetchIsolationLevel(kgo.ReadCommitted())}, topic)
	} else {
		recs = consume(t, e, total, 120*time.Second, topic)
	}
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
	if exactly {
		if dups > 0 {
			t.Fatalf("%d changes were read twice by a consumer reading committed records", dups)
		}
		committedReaches(t, e, d, key, lastWrite)
		if !strings.Contains(sl2.Stderr.String(), `"transactional_id":"sluice-`+name+`-0"`) {
			t.Errorf("the restarted daemon did not log its transactional id:\n%s", tail(sl2.Stderr.String(), 3000))
		}
		return
	}

	part, val, ok := storedOffset(t, e, "_connect_offsets", key)
	if !ok {
		t.Fatalf("no offset with key %s in _connect_offsets", key)
	}
	if want := offsets.Partition(key, 25); part != want {
		t.Errorf("offset in partition %d, want %d", part, want)
	}
	offsetReaches(t, d, val, lastWrite)
}

// TestExactlyOnceSnapshot runs an initial snapshot read in ranges by two
// threads (each range at its own position, emitted in order by the one
// reader) and then streams, exactly once: a consumer reading committed
// records finds every row once, the snapshot's reads then the stream's
// inserts, and the offset committed with them is past the last insert.
func TestExactlyOnceSnapshot(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)")
	const rows, more = 20000, 500
	var sb strings.Builder
	for i := range rows {
		if i%1000 == 0 {
			if sb.Len() > 0 {
				d.exec(sb.String())
			}
			sb.Reset()
			sb.WriteString("INSERT INTO t VALUES ")
		} else {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, "(%d, 1)", i)
	}
	d.exec(sb.String())
	prefix := "e2e" + d.name[4:]
	name := "c-" + d.name
	cfg := connectorFile(t, e, name, prefix, d.name, map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"exactly.once.support": "required", "snapshot.max.threads": "2", "sluice.snapshot.range.rows": "2000",
		"provide.transaction.metadata": "true",
	})
	sl := startDaemon(t, e, cfg)
	sl.WaitLog("binlog streaming from", 60*time.Second)
	for i := range more {
		d.exec(fmt.Sprintf("INSERT INTO t VALUES (%d, 2)", rows+i))
	}
	lastWrite := d.str("SELECT @@gtid_binlog_pos")
	topic := prefix + "." + d.name + ".t"
	recs := conformance.ConsumeWith(t, e.kafka, rows+more, 60*time.Second, []kgo.Opt{kgo.FetchIsolationLevel(kgo.ReadCommitted())}, topic)
	sl.Stop()
	readOnceEach(t, recs, 0, rows, more)
	// The transaction metadata's BEGIN and END records are in the same
	// Kafka transactions: one of each per streamed insert.
	meta := conformance.ConsumeWith(t, e.kafka, 2*more, 30*time.Second, []kgo.Opt{kgo.FetchIsolationLevel(kgo.ReadCommitted())}, prefix+".transaction")
	if len(meta) != 2*more {
		t.Errorf("%d transaction metadata records, want %d", len(meta), 2*more)
	}
	committedReaches(t, e, d, offsets.Key(name, prefix), lastWrite)
}

// committedReaches checks that the offset stored under key in Kafka
// transactions, the value committed last as Sluice reads it, is at or past
// the GTID position lastWrite.
func committedReaches(t *testing.T, e env, d *db, key []byte, lastWrite string) {
	t.Helper()
	val, err := offsets.LoadStored(context.Background(), offsets.KafkaStoreConfig{Brokers: []string{e.kafka}}, key)
	if err != nil || val == nil {
		t.Fatalf("stored offset: %s, %v", val, err)
	}
	offsetReaches(t, d, val, lastWrite)
}

// offsetReaches checks that a MySQL offset value's GTID set is at or past
// lastWrite.
func offsetReaches(t *testing.T, d *db, val []byte, lastWrite string) {
	t.Helper()
	pos, err := offsets.ParseMySQL(val)
	if err != nil {
		t.Fatal(err)
	}
	storedReaches(t, d, pos.GTIDs, lastWrite)
}

// TestExactlyOnceFencing starts a second daemon with the same exactly-once
// connector while the first streams (a task that lost its worker but still
// runs, a zombie): the second's transactional producer fences the first,
// which stops with an error naming why, and a consumer reading committed
// records finds every change once.
func TestExactlyOnceFencing(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY)")
	prefix := "e2e" + d.name[4:]
	name := "c-" + d.name
	props := map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"exactly.once.support": "required", "snapshot.mode": "no_data",
	}
	cfgA := connectorFile(t, e, name, prefix, d.name, props)
	sl := startDaemon(t, e, cfgA)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	for i := range 100 {
		d.exec(fmt.Sprintf("INSERT INTO t VALUES (%d)", i))
	}
	topic := prefix + "." + d.name + ".t"
	committed := []kgo.Opt{kgo.FetchIsolationLevel(kgo.ReadCommitted())}
	conformance.ConsumeWith(t, e.kafka, 100, 30*time.Second, committed, topic)

	// The same connector (name, so transactional id and offset key) under
	// another replica id, as a second worker would run it.
	props["database.server.id"] = fmt.Sprint(nextServerID())
	cfgB := connectorFile(t, e, name, prefix, d.name, props)
	sl2 := startDaemon(t, e, cfgB)
	sl2.WaitLog("binlog streaming from", 30*time.Second)
	for i := 100; i < 300; i++ {
		d.exec(fmt.Sprintf("INSERT INTO t VALUES (%d)", i))
	}
	log := sl.WaitExit(60 * time.Second)
	if sl.Err == nil || !strings.Contains(log, "another producer with this transactional id") {
		t.Fatalf("the fenced daemon exited with %v; its log:\n%s", sl.Err, tail(log, 4000))
	}
	recs := conformance.ConsumeWith(t, e.kafka, 300, 60*time.Second, committed, topic)
	sl2.Stop()
	seen := map[int]bool{}
	for _, r := range recs {
		id := int(payload(t, r.Value)["after"].(map[string]any)["id"].(float64))
		if seen[id] {
			t.Fatalf("row %d read twice (%d records)", id, len(recs))
		}
		seen[id] = true
	}
	if len(seen) != 300 {
		t.Fatalf("%d rows of 300 read", len(seen))
	}
}

// TestExactlyOnceSnapshotKill9: the daemon killed with SIGKILL in the
// middle of an exactly-once initial snapshot read by two threads. The
// range being written when it died had its records in a Kafka transaction
// never committed; the restart resumes after the last range committed with
// its offset and reads that range again, so a consumer reading committed
// records finds every row once. At least once, the rows of that range
// already in Kafka are there twice.
func TestExactlyOnceSnapshotKill9(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	const rows, more = 60_000, 100
	snapshotTable(t, d, rows)
	prefix, name := "e2e"+d.name[4:], "c-"+d.name
	cfg := connectorFile(t, e, name, prefix, d.name, map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"exactly.once.support": "required", "snapshot.max.threads": "2", "sluice.snapshot.range.rows": "5000",
	})
	topic := prefix + "." + d.name + ".t"
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	// End offsets count records of open transactions too: the kill lands
	// with a range partly written.
	if n := topicRecords(t, e.kafka, topic, rows/3, 3*time.Minute); n < rows/3 {
		t.Fatalf("%d snapshot records in Kafka after 3 minutes", n)
	}
	sl.Kill9()
	if strings.Contains(sl.Stderr.String(), "snapshot finished") {
		t.Fatal("the snapshot finished before the kill: nothing to resume")
	}
	sl2 := startDaemon(t, e, "--log-format", "console", cfg)
	sl2.WaitLog("resuming the snapshot after its last finished chunk", 30*time.Second)
	sl2.WaitLog("binlog streaming from", 3*time.Minute)
	for i := range more {
		d.exec(fmt.Sprintf("INSERT INTO t VALUES (%d, 2, 'new')", rows+1+i))
	}
	lastWrite := d.str("SELECT @@gtid_binlog_pos")
	recs := conformance.ConsumeWith(t, e.kafka, rows+more, 2*time.Minute, []kgo.Opt{kgo.FetchIsolationLevel(kgo.ReadCommitted())}, topic)
	sl2.Stop()
	readOnceEach(t, recs, 1, rows, more)
	committedReaches(t, e, d, offsets.Key(name, prefix), lastWrite)
}

// readOnceEach checks records of rows ids from first on: each id once, the
// first rows ids read by a snapshot (op r) and the more after them
// inserted (c).
func readOnceEach(t *testing.T, recs []record, first, rows, more int) {
	t.Helper()
	seen := map[int]string{}
	for _, r := range recs {
		p := payload(t, r.Value)
		id := int(p["after"].(map[string]any)["id"].(float64))
		if op, ok := seen[id]; ok {
			t.Fatalf("row %d read twice (%s, then %s) by a consumer reading committed records", id, op, p["op"])
		}
		seen[id] = p["op"].(string)
	}
	for id := first; id < first+rows+more; id++ {
		if want := map[bool]string{true: "r", false: "c"}[id < first+rows]; seen[id] != want {
			t.Fatalf("row %d: op %q, want %q (%d records)", id, seen[id], want, len(recs))
		}
	}
}

// TestExactlyOnceTransactionTimeout: one source transaction that takes
// longer to write than the worker's producer.transaction.timeout.ms (the
// daemon is stopped with SIGSTOP for 3 s while it writes it). With
// the MySQL connector class (no offsets inside a transaction) a Kafka
// transaction must hold it whole, so the broker aborts it and fences the
// producer. The task stops saying so and naming the setting (before, it
// said another producer had taken over), nothing of it is committed, and
// the offset stays before it; restarted with a longer timeout, the task
// writes every row once.
func TestExactlyOnceTransactionTimeout(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL, pad VARCHAR(40) NOT NULL)")
	// Long enough to write (a race-built daemon takes some 1.5 s for 60,000
	// rows) that the daemon is stopped for 3 s in the middle: past the 1 s
	// timeout and the broker's scan for timed-out transactions (each second,
	// deploy/local/kafka.sh), however fast it writes.
	rows := 250_000
	if os.Getenv("SLUICE_E2E_RACE") == "1" {
		rows = 60_000
	}
	prefix, name := "e2e"+d.name[4:], "c-"+d.name
	cfg := connectorFile(t, e, name, prefix, d.name, map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"exactly.once.support": "required", "snapshot.mode": "no_data",
		"connector.class": "io.debezium.connector.mysql.MySqlConnector",
	})
	worker := func(timeoutMs int) string {
		f := filepath.Join(t.TempDir(), "worker.properties")
		if err := os.WriteFile(f, []byte(fmt.Sprintf("producer.transaction.timeout.ms=%d\n", timeoutMs)), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	// An interval boundary at or above the timeout would have every Kafka
	// transaction aborted: sluice validate and run refuse it, naming both.
	bad := connectorFile(t, e, name+"i", prefix+"i", d.name, map[string]string{"exactly.once.support": "required",
		"transaction.boundary": "interval", "transaction.boundary.interval.ms": "5000"})
	v := exec.Command(binPath, "validate", "--worker-config", worker(1000), bad)
	v.Env = append(os.Environ(), "SLUICE_BOOTSTRAP_SERVERS=")
	const refusal = "transaction.boundary.interval.ms: 5000 (or offset.flush.interval.ms when unset) keeps each Kafka transaction open at least that long, and the broker aborts one open longer than the worker's producer.transaction.timeout.ms (1000)"
	if out, err := v.CombinedOutput(); err == nil || !strings.Contains(string(out), refusal) {
		t.Errorf("sluice validate of an interval above the timeout: %v\n%s", err, out)
	}
	if out := startDaemon(t, e, "--log-format", "console", "--worker-config", worker(1000), bad).WaitExit(time.Minute); !strings.Contains(out, refusal) {
		t.Errorf("sluice run of an interval above the timeout:\n%s", tail(out, 2000))
	}

	sl := startDaemon(t, e, "--log-format", "console", "--worker-config", worker(1000), cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	before := d.str("SELECT @@gtid_binlog_pos")
	d.exec(fmt.Sprintf("INSERT INTO t SELECT seq, 1, CONCAT('row-', seq) FROM seq_1_to_%d", rows))
	lastWrite := d.str("SELECT @@gtid_binlog_pos")
	topic := prefix + "." + d.name + ".t"
	waitFor(t, time.Minute, "the transaction's first records", func() bool { return topicRecords(t, e.kafka, topic, 1, 0) > 0 })
	sl.Signal(syscall.SIGSTOP)
	time.Sleep(3 * time.Second)
	sl.Signal(syscall.SIGCONT)
	log := sl.WaitExit(3 * time.Minute)
	if sl.Err == nil || !strings.Contains(log, "longer than the worker's producer.transaction.timeout.ms (1000), so the broker aborted it") ||
		strings.Contains(log, "another producer with this transactional id") {
		t.Fatalf("the daemon exited with %v; want the transaction timeout named, its log:\n%s", sl.Err, tail(log, 4000))
	}
	committed := []kgo.Opt{kgo.FetchIsolationLevel(kgo.ReadCommitted())}
	if recs := conformance.ConsumeWith(t, e.kafka, 0, 5*time.Second, committed, topic); len(recs) != 0 {
		t.Fatalf("%d records of the aborted transaction read committed, want none", len(recs))
	}
	if val, err := offsets.LoadStored(context.Background(), offsets.KafkaStoreConfig{Brokers: []string{e.kafka}}, offsets.Key(name, prefix)); err != nil {
		t.Fatal(err)
	} else if val != nil {
		pos, err := offsets.ParseMySQL(val)
		if err != nil || pos.GTIDs != before {
			t.Fatalf("the offset stored is %s (%v), want it before the aborted transaction (%s)", val, err, before)
		}
	}

	sl2 := startDaemon(t, e, "--log-format", "console", "--worker-config", worker(120_000), cfg)
	recs := conformance.ConsumeWith(t, e.kafka, rows, 3*time.Minute, committed, topic)
	sl2.Stop()
	seen := make(map[float64]bool, rows)
	for _, r := range recs {
		seen[payload(t, r.Value)["after"].(map[string]any)["id"].(float64)] = true
	}
	if len(recs) != rows || len(seen) != rows {
		t.Fatalf("after the restart with a longer timeout: %d records of %d rows, want each of the %d once", len(recs), len(seen), rows)
	}
	committedReaches(t, e, d, offsets.Key(name, prefix), lastWrite)
}
