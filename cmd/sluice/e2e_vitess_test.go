package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/internal/conformance"
	"github.com/sluice-cdc/sluice/offsets"
)

// These tests run the sluice binary against the vttestserver cluster of
// deploy/local/vitess.sh (keyspace test_keyspace, shards -80 and 80-); set
// the variables its start command prints.

type vtEnv struct {
	env
	grpc, mysql, keyspace string
}

func needVitess(t *testing.T) vtEnv {
	t.Helper()
	e := vtEnv{grpc: os.Getenv("SLUICE_TEST_VTGATE_GRPC"), mysql: os.Getenv("SLUICE_TEST_VTGATE_MYSQL"), keyspace: os.Getenv("SLUICE_TEST_VITESS_KEYSPACE")}
	if e.grpc == "" || e.mysql == "" {
		t.Skip("Vitess end-to-end test: set SLUICE_TEST_VTGATE_GRPC and SLUICE_TEST_VTGATE_MYSQL (deploy/local/vitess.sh start prints them)")
	}
	if e.keyspace == "" {
		e.keyspace = "test_keyspace"
	}
	e.env = needServers(t)
	return e
}

// vtTable is a private table of the sharded keyspace: id is the primary
// key, sk the sharding column (so the primary key can change: Vitess
// cannot update a sharding column), v a counter.
type vtTable struct {
	e    vtEnv
	name string
	mu   sync.Mutex
	conn *client.Conn
}

// newVtTableConn is a vtTable for an existing table, on its own connection.
func newVtTableConn(t *testing.T, e vtEnv, table string) *vtTable {
	t.Helper()
	conn, err := client.Connect(e.mysql, "root", "", e.keyspace)
	if err != nil {
		t.Fatalf("connecting to VTGate's MySQL port %s: %v", e.mysql, err)
	}
	t.Cleanup(func() { conn.Close() })
	return &vtTable{e: e, name: table, conn: conn}
}

func newVtTable(t *testing.T, e vtEnv, rows int) *vtTable {
	t.Helper()
	tb := newVtTableConn(t, e, fmt.Sprintf("t%d", rand.Intn(1_000_000_000)))
	tb.must(t, fmt.Sprintf("CREATE TABLE %s (id BIGINT NOT NULL, sk BIGINT NOT NULL, v INT NOT NULL, pad VARCHAR(64), PRIMARY KEY (id))", tb.name))
	tb.must(t, fmt.Sprintf("ALTER VSCHEMA ON %s ADD VINDEX hash(sk) USING hash", tb.name))
	time.Sleep(time.Second) // vschema changes take about half a second to show
	for lo := 1; lo <= rows; lo += 1000 {
		var vals []string
		for id := lo; id < lo+1000 && id <= rows; id++ {
			vals = append(vals, fmt.Sprintf("(%d,%d,1,'row-%d')", id, id, id))
		}
		tb.must(t, "INSERT INTO "+tb.name+" (id, sk, v, pad) VALUES "+strings.Join(vals, ","))
	}
	return tb
}

func (tb *vtTable) exec(stmts ...string) error {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, q := range stmts {
		if err := execWaitingForLocks(tb.conn, q, 2*time.Minute); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// execWaitingForLocks runs q again while it fails on a lock wait timeout
// (MySQL error 1205, which rolls the statement back), up to limit. A
// writer's statement that VTGate fails during a reshard's traffic switch
// ("VT13001: [BUG] unexpected 'autocommitted' state in transaction", seen
// with Vitess v24) can leave a transaction open on a shard, holding its
// rows until the tablet's transaction timeout rolls it back.
func execWaitingForLocks(conn *client.Conn, q string, limit time.Duration) error {
	for deadline := time.Now().Add(limit); ; time.Sleep(time.Second) {
		_, err := conn.Execute(q)
		var me *gmysql.MyError
		if err == nil || !errors.As(err, &me) || me.Code != gmysql.ER_LOCK_WAIT_TIMEOUT || time.Now().After(deadline) {
			return err
		}
	}
}

func (tb *vtTable) must(t *testing.T, stmts ...string) {
	t.Helper()
	if err := tb.exec(stmts...); err != nil {
		t.Fatal(err)
	}
}

// rows reads the table through VTGate (olap: plain reads stop at 10,000
// rows).
func (tb *vtTable) rows(t *testing.T) map[int64]string {
	t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if _, err := tb.conn.Execute("SET workload='olap'"); err != nil {
		t.Fatal(err)
	}
	defer tb.conn.Execute("SET workload='oltp'")
	r, err := tb.conn.Execute("SELECT id, v, pad FROM " + tb.name)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]string{}
	for i := 0; i < r.RowNumber(); i++ {
		id, _ := r.GetInt(i, 0)
		v, _ := r.GetInt(i, 1)
		pad, _ := r.GetString(i, 2)
		out[id] = fmt.Sprintf("%d/%s", v, pad)
	}
	return out
}

func (tb *vtTable) connector(prefix string, extra map[string]string) map[string]string {
	host, port, _ := strings.Cut(tb.e.grpc, ":")
	cfg := withE2EThreads(map[string]string{
		"connector.class": "io.debezium.connector.vitess.VitessConnector", "database.hostname": host, "database.port": port,
		"vitess.keyspace": tb.e.keyspace, "topic.prefix": prefix, "table.include.list": tb.e.keyspace + "." + tb.name,
		"offset.flush.interval.ms": "300", "key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false",
	})
	for k, v := range extra {
		cfg[k] = v
	}
	return cfg
}

// rebuilt is the table as the topic's records rebuild it, with counts.
type rebuilt struct {
	rows        map[int64]string
	ops         map[string]int
	copyRecords int
	newKeyHdrs  int
	seen        int
}

func (r *rebuilt) apply(t *testing.T, rec conformance.Record) {
	r.seen++
	var k struct{ ID int64 }
	if err := json.Unmarshal(rec.Key, &k); err != nil {
		t.Fatalf("key %s: %v", rec.Key, err)
	}
	if rec.Value == nil {
		r.ops["tomb"]++
		return
	}
	// The fields needed, found without decoding the whole record (see
	// conformance.OpAndAfter): these tests read hundreds of thousands.
	var after struct {
		V   int64
		Pad string
	}
	op, present, err := conformance.OpAndAfter(rec.Value, &after)
	if err != nil {
		t.Fatalf("value %s: %v", rec.Value, err)
	}
	r.ops[op]++
	ts, ok := conformance.SourceTsMs(rec.Value)
	if op == "c" && ok && ts == 0 {
		r.copyRecords++ // copy-phase events carry timestamp 0
	}
	if _, ok := rec.Headers["__debezium.newkey"]; ok {
		r.newKeyHdrs++
	}
	for _, f := range []string{"keyspace", "shard", "vgtid"} {
		if s, _ := conformance.SourceString(rec.Value, f); s == "" {
			t.Fatalf("source block without %s: %s", f, rec.Value)
		}
	}
	if !present {
		delete(r.rows, k.ID)
	} else {
		r.rows[k.ID] = strconv.FormatInt(after.V, 10) + "/" + after.Pad
	}
}

// followVt consumes the topic until the rebuilt table equals Vitess.
func followVt(t *testing.T, e vtEnv, tb *vtTable, topic string, timeout time.Duration) *rebuilt {
	t.Helper()
	cl := conformance.NewKafkaClient(t, e.kafka, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(200*time.Millisecond))
	r := &rebuilt{rows: map[int64]string{}, ops: map[string]int{}}
	want := tb.rows(t)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		fs := cl.PollFetches(ctx)
		cancel()
		fs.EachRecord(func(k *kgo.Record) {
			h := map[string]string{}
			for _, x := range k.Headers {
				h[x.Key] = string(x.Value)
			}
			r.apply(t, conformance.Record{Key: k.Key, Value: k.Value, Headers: h})
		})
		if equalMaps(r.rows, want) {
			return r
		}
	}
	t.Fatalf("the table rebuilt from %s (%d rows, ops %v) never equalled Vitess's (%d rows): %s", topic, len(r.rows), r.ops, len(want), diffMaps(r.rows, want))
	return nil
}

func equalMaps(a, b map[int64]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func diffMaps(got, want map[int64]string) string {
	var d []string
	for k, v := range got {
		if w, ok := want[k]; !ok {
			d = append(d, fmt.Sprintf("ghost %d=%s", k, v))
		} else if w != v {
			d = append(d, fmt.Sprintf("%d: %s want %s", k, v, w))
		}
	}
	for k, v := range want {
		if _, ok := got[k]; !ok {
			d = append(d, fmt.Sprintf("missing %d=%s", k, v))
		}
	}
	if len(d) > 10 {
		d = d[:10]
	}
	return strings.Join(d, "; ")
}

func startVitess(t *testing.T, e vtEnv, name string, cfg map[string]string) *daemon {
	return startDaemon(t, e.env, conformance.WriteConnector(t, name, cfg))
}

// Copy of preloaded rows on both shards, then inserts, updates, deletes, a
// primary-key change and a multi-statement transaction across shards.
func TestVitessCopyThenStream(t *testing.T) {
	e := needVitess(t)
	tb := newVtTable(t, e, 500)
	prefix := "vt" + tb.name
	notes := prefix + "-notes"
	// Debezium's Vitess connector notifies a skipped snapshot at every
	// start: its copy is VStream's, not a snapshot it reports.
	cfg := tb.connector(prefix, map[string]string{"notification.enabled.channels": "sink", "notification.sink.topic.name": notes})
	sl := startVitess(t, e, "c-"+tb.name, cfg)
	topic := prefix + "." + e.keyspace + "." + tb.name
	r := followVt(t, e, tb, topic, 60*time.Second)
	if r.copyRecords != 500 || r.ops["c"] != 500 {
		t.Fatalf("copy phase: %d copy records, ops %v; want 500 with op c", r.copyRecords, r.ops)
	}
	expectInitial(t, consume(t, e.env, 1, 30*time.Second, notes), prefix, "SKIPPED")
	tb.must(t, "INSERT INTO "+tb.name+" (id, sk, v, pad) VALUES (1001, 1001, 1, 'a'), (1002, 1002, 1, 'b')")
	tb.must(t, "BEGIN", "UPDATE "+tb.name+" SET v = v + 1, pad = 'u' WHERE id IN (1, 2, 3)",
		"DELETE FROM "+tb.name+" WHERE id = 6", "INSERT INTO "+tb.name+" (id, sk, v, pad) VALUES (1003, 1003, 1, 'c')", "COMMIT")
	tb.must(t, "UPDATE "+tb.name+" SET id = 20000007 WHERE id = 7") // id is not the sharding column
	tb.must(t, "DELETE FROM "+tb.name+" WHERE id IN (8, 9)")
	r2 := followVt(t, e, tb, topic, 60*time.Second)
	if r2.ops["u"] != 3 || r2.ops["d"] != 4 || r2.ops["tomb"] != 4 || r2.newKeyHdrs != 1 || r2.ops["c"] != 504 {
		t.Errorf("streamed ops %v, %d records with __debezium.newkey; want u 3, d 4 (one from the key change), 4 tombstones, c 504, one newkey", r2.ops, r2.newKeyHdrs)
	}
	sl.Stop()
	// Restarted with the REST API: its metrics show the VStream connected.
	sl = startDaemon(t, e.env, "--listeners", "http://127.0.0.1:0", conformance.WriteConnector(t, "c-"+tb.name, cfg))
	base := "http://" + restAddr(t, sl)
	tb.must(t, "INSERT INTO "+tb.name+" (id, sk, v, pad) VALUES (1004, 1004, 1, 'd')")
	if r3 := followVt(t, e, tb, topic, 60*time.Second); r3.ops["c"] != 505 {
		t.Errorf("after the restart: ops %v, want c 505", r3.ops)
	}
	_, metrics := call(t, "GET", base+"/metrics")
	for _, want := range []string{`sluice_connected{connector="c-` + tb.name + `"} 1`, `sluice_events_total{connector="c-` + tb.name + `",op="c"} 1`} {
		if !strings.Contains(metrics, want+"\n") {
			t.Errorf("metrics lack %q:\n%s", want, metrics)
		}
	}
	expectInitial(t, consume(t, e.env, 2, 30*time.Second, notes), prefix, "SKIPPED", "SKIPPED")
	sl.Stop()
}

// kill -9 during the copy and during streaming while a writer changes the
// table; after each restart the table rebuilt from Kafka equals Vitess.
func TestVitessKill9(t *testing.T) {
	e := needVitess(t)
	const rows = 40_000
	tb := newVtTable(t, e, rows)
	prefix := "vt" + tb.name
	cfg := tb.connector(prefix, nil)
	topic := prefix + "." + e.keyspace + "." + tb.name
	var wrote atomic.Int64
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- vtChurn(tb, rows, stop, &wrote) }()
	sl := startVitess(t, e, "c-"+tb.name, cfg)
	cl := conformance.NewKafkaClient(t, e.kafka, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	n := 0
	for deadline := time.Now().Add(60 * time.Second); n < rows/4 && time.Now().Before(deadline); {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		n += cl.PollFetches(ctx).NumRecords()
		cancel()
	}
	sl.Kill9()
	t.Logf("killed during the copy after %d records, %d writes", n, wrote.Load())
	sl = startVitess(t, e, "c-"+tb.name, cfg)
	time.Sleep(3 * time.Second)
	sl.Kill9()
	t.Logf("killed again (streaming or copying) after %d writes", wrote.Load())
	sl = startVitess(t, e, "c-"+tb.name, cfg)
	time.Sleep(2 * time.Second)
	close(stop)
	if err := <-done; err != nil {
		t.Fatalf("writer: %v", err)
	}
	r := followVt(t, e, tb, topic, 3*time.Minute)
	t.Logf("rebuilt %d rows from %d records (ops %v)", len(r.rows), r.seen, r.ops)
	sl.Stop()
}

// vtChurn updates, deletes and inserts rows until stop is closed.
func vtChurn(tb *vtTable, rows int, stop <-chan struct{}, wrote *atomic.Int64) error {
	rng := rand.New(rand.NewSource(1))
	next := 10_000_000
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		id := 1 + rng.Intn(rows)
		var stmts []string
		switch k := rng.Intn(10); {
		case k < 5:
			stmts = []string{fmt.Sprintf("UPDATE %s SET v = v + 1 WHERE id BETWEEN %d AND %d", tb.name, id, id+5)}
		case k < 8:
			stmts = []string{fmt.Sprintf("DELETE FROM %s WHERE id = %d", tb.name, id)}
		default:
			stmts = []string{fmt.Sprintf("INSERT INTO %s (id, sk, v, pad) VALUES (%d, %d, 1, 'new')", tb.name, next, next)}
			next++
		}
		if err := tb.exec(stmts...); err != nil {
			return err
		}
		wrote.Add(1)
		time.Sleep(3 * time.Millisecond)
	}
}

// vitess.shard lists both shards: one reader per shard; a kill -9 while
// streaming loses nothing, and the stored VGTID names both shards.
func TestVitessPerShard(t *testing.T) {
	e := needVitess(t)
	tb := newVtTable(t, e, 100)
	prefix := "vt" + tb.name
	cfg := tb.connector(prefix, map[string]string{"vitess.shard": "-80,80-"})
	topic := prefix + "." + e.keyspace + "." + tb.name
	sl := startVitess(t, e, "c-"+tb.name, cfg)
	followVt(t, e, tb, topic, 60*time.Second)
	for i := 0; i < 50; i++ {
		tb.must(t, fmt.Sprintf("UPDATE %s SET v = v + 1 WHERE id = %d", tb.name, 1+i%100))
	}
	followVt(t, e, tb, topic, 60*time.Second)
	time.Sleep(time.Second) // an offset flush
	sl.Kill9()
	tb.must(t, "INSERT INTO "+tb.name+" (id, sk, v, pad) VALUES (5000, 5000, 1, 'x'), (5001, 5001, 1, 'y')")
	sl = startVitess(t, e, "c-"+tb.name, cfg)
	followVt(t, e, tb, topic, 60*time.Second)
	sl.Stop()
	_, val, ok := conformance.StoredOffset(t, e.kafka, offsets.DefaultOffsetsTopic, offsets.Key("c-"+tb.name, prefix))
	if !ok {
		t.Fatal("no stored offset")
	}
	p, err := offsets.ParseVitess(val)
	if err != nil || len(p.Shards) != 2 || p.Copying() {
		t.Fatalf("stored offset %s: %v; want both shards, copy done", val, err)
	}
}

// A VGTID stored in Debezium's format is taken over: Sluice streams from
// it, without a copy phase.
func TestVitessTakesOverDebeziumOffset(t *testing.T) {
	e := needVitess(t)
	tb := newVtTable(t, e, 10)
	r, err := tb.conn.Execute("SELECT @@global.gtid_binlog_pos")
	if err != nil {
		t.Fatal(err)
	}
	gtid, _ := r.GetString(0, 0)
	prefix := "vt" + tb.name
	name := "c-" + tb.name
	// Both shards of vttestserver share one mysqld, so one GTID serves both.
	vgtid := fmt.Sprintf(`[{"keyspace":"%s","shard":"-80","gtid":"MariaDB/%s","table_p_ks":[]},{"keyspace":"%s","shard":"80-","gtid":"MariaDB/%s","table_p_ks":[]}]`, e.keyspace, gtid, e.keyspace, gtid)
	value, _ := json.Marshal(map[string]string{"vgtid": vgtid})
	commitOffset(t, e.kafka, offsets.Key(name, prefix), value)
	tb.must(t, "INSERT INTO "+tb.name+" (id, sk, v, pad) VALUES (100, 100, 1, 'after')", "UPDATE "+tb.name+" SET v = 2 WHERE id = 1")
	sl := startVitess(t, e, name, tb.connector(prefix, nil))
	recs := conformance.Consume(t, e.kafka, 2, 60*time.Second, prefix+"."+e.keyspace+"."+tb.name)
	got := map[string]int{}
	for _, rec := range recs {
		var v struct{ Op string }
		_ = json.Unmarshal(rec.Value, &v)
		got[v.Op]++
	}
	if len(recs) != 2 || got["c"] != 1 || got["u"] != 1 {
		t.Errorf("records after taking over the offset: %d (%v), want exactly the insert and the update (no copy)", len(recs), got)
	}
	sl.Stop()
}

// With include.schema.changes=true a DDL is written to the schema change
// topic (<topic.prefix>, here TableTopicNamingStrategy's override) once
// per shard, as Debezium's Vitess connector writes it, and the rows after
// it carry the new column; a restart does not write it again.
func TestVitessSchemaChanges(t *testing.T) {
	e := needVitess(t)
	tb := newVtTable(t, e, 20)
	prefix := "vs" + tb.name
	name := "s-" + tb.name
	// Through the Vitess connector's TableTopicNamingStrategy with its
	// overrides, as connectors sharing a keyspace set it: the table's
	// topic <override prefix>.<table>, schema changes to their own topic.
	ddlTopic := prefix + "-ddl"
	cfg := tb.connector(prefix, map[string]string{"include.schema.changes": "true",
		"topic.naming.strategy": "io.debezium.connector.vitess.TableTopicNamingStrategy", "override.data.change.topic.prefix": "o" + prefix,
		"override.schema.change.topic": ddlTopic})
	sl := startVitess(t, e, name, cfg)
	topic := "o" + prefix + "." + tb.name
	followVt(t, e, tb, topic, 60*time.Second)
	tb.must(t, "ALTER TABLE "+tb.name+" ADD COLUMN extra VARCHAR(8) NOT NULL DEFAULT 'dflt'")
	time.Sleep(1500 * time.Millisecond) // VTGate's schema tracker
	tb.must(t, "INSERT INTO "+tb.name+" (id, sk, v, pad, extra) VALUES (101, 101, 1, 'n', 'x'), (102, 102, 1, 'n', 'y')")

	changes := conformance.Consume(t, e.kafka, 2, 30*time.Second, ddlTopic)
	shards := map[string]bool{}
	for _, c := range changes {
		if c.Partition != 0 {
			t.Errorf("schema change in partition %d, want 0", c.Partition)
		}
		if k := conformance.Payload(t, c.Key); k["databaseName"] != e.keyspace {
			t.Errorf("schema change key %s, want databaseName %s", c.Key, e.keyspace)
		}
		v := conformance.Payload(t, c.Value)
		src, _ := v["source"].(map[string]any)
		ddl, _ := v["ddl"].(string)
		if !strings.Contains(strings.ToLower(ddl), "add column extra") || v["databaseName"] != e.keyspace || src["table"] != tb.name ||
			src["keyspace"] != e.keyspace || src["connector"] != "vitess" || fmt.Sprint(v["tableChanges"]) != "[]" {
			t.Errorf("schema change %s, want the ALTER of %s in keyspace %s with empty tableChanges", c.Value, tb.name, e.keyspace)
		}
		sh, _ := src["shard"].(string)
		shards[sh] = true
		vg, _ := src["vgtid"].(string)
		if _, err := offsets.ParseVGTID(vg); err != nil || !strings.Contains(vg, `"shard":"`+sh+`"`) {
			t.Errorf("schema change source.vgtid %q: %v", vg, err)
		}
	}
	if len(changes) != 2 || !shards["-80"] || !shards["80-"] {
		t.Fatalf("%d schema changes from shards %v, want one from each of -80 and 80-", len(changes), shards)
	}
	rows := conformance.Consume(t, e.kafka, 22, 30*time.Second, topic)
	extra := 0
	for _, r := range rows {
		if a, _ := conformance.Payload(t, r.Value)["after"].(map[string]any); a != nil && (a["extra"] == "x" || a["extra"] == "y") {
			extra++
		}
	}
	if extra != 2 {
		t.Errorf("%d rows after the ALTER carry the new column, want 2", extra)
	}
	sl.Stop()
	sl = startVitess(t, e, name, cfg)
	tb.must(t, "INSERT INTO "+tb.name+" (id, sk, v, pad, extra) VALUES (103, 103, 1, 'n', 'z')")
	conformance.Consume(t, e.kafka, 23, 30*time.Second, topic)
	if again := conformance.Consume(t, e.kafka, 2, 5*time.Second, ddlTopic); len(again) != 2 {
		t.Errorf("after a restart the schema change topic has %d records, want the 2 from before", len(again))
	}
	sl.Stop()
}

// With heartbeat.interval.ms, heartbeat records keep coming while the
// keyspace is idle, on VStream's own heartbeats, as Debezium's Vitess
// connector writes them (until the nineteenth session Sluice wrote them at
// transaction ends only).
func TestVitessHeartbeatsWhileIdle(t *testing.T) {
	e := needVitess(t)
	tb := newVtTable(t, e, 3)
	prefix := "vt" + tb.name
	sl := startVitess(t, e, "c-"+tb.name, tb.connector(prefix, map[string]string{"heartbeat.interval.ms": "1000"}))
	followVt(t, e, tb, prefix+"."+e.keyspace+"."+tb.name, 60*time.Second)
	topic := "__debezium-heartbeat." + prefix
	before := countRecords(t, e.env, topic)
	time.Sleep(6 * time.Second)
	if after := countRecords(t, e.env, topic); after < before+2 {
		t.Errorf("%d heartbeat records after 6 idle seconds, %d before: want at least 2 more", after, before)
	}
	sl.Stop()
}

// TestVitessTransactionMetadata: with provide.transaction.metadata=true
// every VStream transaction, copy batches included, has a BEGIN and an END
// on <prefix>.transaction whose id is the VGTID its rows carry in
// source.vgtid (as Debezium's Vitess connector makes it), the END counts
// the rows per shard and table, and each row's transaction block numbers
// them; a
// transaction over both shards is one transaction per shard, as VTGate
// commits it.
func TestVitessTransactionMetadata(t *testing.T) {
	e := needVitess(t)
	tb := newVtTable(t, e, 3)
	prefix := "vt" + tb.name
	sl := startVitess(t, e, "c-"+tb.name, tb.connector(prefix, map[string]string{"provide.transaction.metadata": "true"}))
	data := prefix + "." + e.keyspace + "." + tb.name
	followVt(t, e, tb, data, 60*time.Second)
	tb.must(t, "BEGIN", "INSERT INTO "+tb.name+" (id, sk, v, pad) VALUES (10,10,1,'a'),(11,11,1,'b'),(12,12,1,'c'),(13,13,1,'d')",
		"UPDATE "+tb.name+" SET v = 2 WHERE id = 1", "COMMIT")
	followVt(t, e, tb, data, 60*time.Second)
	time.Sleep(time.Second) // the last END follows its rows
	sl.Stop()

	type txn struct {
		begins, ends int
		count        any
		collections  string
		rows         int
		shards       map[string]bool
		orders       []float64
	}
	txns := map[string]*txn{}
	get := func(id string) *txn {
		if txns[id] == nil {
			txns[id] = &txn{shards: map[string]bool{}}
		}
		return txns[id]
	}
	topic := prefix + ".transaction"
	for _, r := range consume(t, e.env, int(countRecords(t, e.env, topic)), 30*time.Second, topic) {
		p := payload(t, r.Value)
		id, _ := p["id"].(string)
		var k struct{ ID string }
		if err := json.Unmarshal(r.Key, &k); err != nil || k.ID != id {
			t.Fatalf("transaction record key %s for id %q (%v)", r.Key, id, err)
		}
		x := get(id)
		switch p["status"] {
		case "BEGIN":
			x.begins++
		case "END":
			x.ends++
			x.count = p["event_count"]
			b, _ := json.Marshal(p["data_collections"])
			x.collections = string(b)
		}
	}
	streamed := map[string]bool{}
	for _, r := range consume(t, e.env, int(countRecords(t, e.env, data)), 30*time.Second, data) {
		p := payload(t, r.Value)
		src, _ := p["source"].(map[string]any)
		blk, _ := p["transaction"].(map[string]any)
		if blk == nil || blk["id"] != src["vgtid"] {
			t.Fatalf("record %s: transaction block %v, want one with the source's vgtid as id", r.Value, blk)
		}
		x := get(src["vgtid"].(string))
		x.rows++
		x.shards[src["shard"].(string)] = true
		x.orders = append(x.orders, blk["total_order"].(float64))
		if fmt.Sprint(src["ts_ms"]) != "0" {
			streamed[src["vgtid"].(string)] = true
		}
	}
	shards := map[string]bool{}
	for id, x := range txns {
		// Transactions without captured rows (other tables', the
		// tablets' own) have theirs too, with no counts, as in Debezium.
		want, shardsWanted := "[]", 0
		for sh := range x.shards {
			// Debezium's Vitess connector counts by shard, keyspace, table.
			want, shardsWanted = fmt.Sprintf(`[{"data_collection":"%s.%s.%s","event_count":%d}]`, sh, e.keyspace, tb.name, x.rows), 1
		}
		if x.begins != 1 || x.ends != 1 || fmt.Sprint(x.count) != fmt.Sprint(x.rows) || x.collections != want || len(x.shards) != shardsWanted {
			t.Errorf("transaction %s: %d BEGIN, %d END counting %v in %s; %d rows from shards %v; want one BEGIN and one END counting the rows, %s, from %d shard",
				id, x.begins, x.ends, x.count, x.collections, x.rows, x.shards, want, shardsWanted)
		}
		for i, o := range x.orders {
			if o != float64(i+1) {
				t.Errorf("transaction %s: total_order %v, want 1..%d", id, x.orders, x.rows)
				break
			}
		}
		if streamed[id] {
			for s := range x.shards {
				shards[s] = true
			}
		}
	}
	if len(streamed) != 2 || len(shards) != 2 {
		t.Errorf("the streamed transaction came as %d transactions from shards %v; want one per shard (ids 1 and 10-13 hash to both)", len(streamed), shards)
	}
}
