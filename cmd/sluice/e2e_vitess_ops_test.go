package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/internal/conformance"
	"github.com/sluice-cdc/sluice/offsets"
)

// validateVt runs `sluice validate` with the environment plus env and
// returns its output and exit code.
func validateVt(t *testing.T, cfg map[string]string, name string, env ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, "validate", conformance.WriteConnector(t, name, cfg))
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &ee) && ctx.Err() == nil:
		return string(out), ee.ExitCode()
	}
	t.Fatalf("sluice validate: %v\n%s", err, out)
	return "", 0
}

func wantLines(t *testing.T, out string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(out, s) {
			t.Errorf("validate output lacks %q:\n%s", s, out)
		}
	}
}

// sluice validate for the Vitess class: what each wrong setting prints, and
// a stored VGTID whose shards the keyspace no longer has (a reshard while
// the connector was stopped).
func TestVitessValidate(t *testing.T) {
	e := needVitess(t)
	host, port, _ := strings.Cut(e.grpc, ":")
	base := func(extra map[string]string) map[string]string {
		cfg := map[string]string{"connector.class": "io.debezium.connector.vitess.VitessConnector", "database.hostname": host, "database.port": port,
			"vitess.keyspace": e.keyspace, "topic.prefix": "vval"}
		for k, v := range extra {
			cfg[k] = v
		}
		return cfg
	}
	name := fmt.Sprintf("vval-%d", time.Now().UnixNano())

	out, code := validateVt(t, base(map[string]string{"vitess.tablet.type": "REPLICA"}), name)
	if code != 0 || !strings.HasSuffix(strings.TrimSpace(out), "ok") {
		t.Errorf("a good connector (REPLICA tablets): exit %d, want 0 and ok:\n%s", code, out)
	}

	out, code = validateVt(t, base(map[string]string{"vitess.keyspace": "no_such_ks"}), name+"-ks")
	if code != 1 {
		t.Errorf("unknown keyspace: exit %d, want 1", code)
	}
	wantLines(t, out, `error: vitess.keyspace: VTGate `+e.grpc+` serves no keyspace "no_such_ks"; it serves `, e.keyspace, "set vitess.keyspace to one of them")

	out, code = validateVt(t, base(map[string]string{"vitess.shard": "-80,80-c0"}), name+"-sh")
	if code != 1 {
		t.Errorf("unknown shard: exit %d, want 1", code)
	}
	wantLines(t, out, `error: vitess.shard: shard "80-c0" is not a shard of keyspace `+e.keyspace+" (it has -80,80-)")
	if strings.Contains(out, `shard "-80" is not`) {
		t.Errorf("validate flags the existing shard -80:\n%s", out)
	}

	// Nothing listening where database.port points.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, closed, _ := strings.Cut(ln.Addr().String(), ":")
	ln.Close()
	out, code = validateVt(t, base(map[string]string{"database.port": closed}), name+"-port")
	if code != 1 {
		t.Errorf("VTGate not listening: exit %d, want 1", code)
	}
	wantLines(t, out, "127.0.0.1:"+closed, "connection refused", "check database.hostname and database.port (VTGate's gRPC port)")

	// A VGTID stored before a reshard from -80,80- into -40,40-80,80-.
	reshard := fmt.Sprintf(`[{"keyspace":"%[1]s","shard":"-40","gtid":"MariaDB/0-1-5","table_p_ks":[]},{"keyspace":"%[1]s","shard":"40-80","gtid":"MariaDB/0-1-5","table_p_ks":[]},{"keyspace":"%[1]s","shard":"80-","gtid":"MariaDB/0-1-5","table_p_ks":[]}]`, e.keyspace)
	value, _ := json.Marshal(map[string]string{"vgtid": reshard})
	st, err := offsets.NewKafkaStore(context.Background(), offsets.KafkaStoreConfig{Brokers: strings.Split(e.kafka, ",")})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(context.Background(), offsets.Key(name, "vval"), value); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, code = validateVt(t, base(nil), name)
	if code != 1 {
		t.Errorf("stored VGTID of other shards: exit %d, want 1", code)
	}
	// (VTGate refuses a VStream from it: "shard provided in VGTID, -40, not found".)
	wantLines(t, out, "error: offset: the offset stored in the offsets topic names shards -40,40-80,80- of keyspace "+e.keyspace+
		", which now has shards -80,80- (no longer there: -40,40-80; new: -80): the keyspace was resharded while the connector was stopped",
		"set snapshot.mode=when_needed", "delete the stored offset or use a new connector name, with snapshot.mode=never and vitess.vgtid=current")

	// A per-shard connector whose stored offset names other shards (-40 and
	// 40-80 lie inside -80: shards a followed reshard may have left; 80-
	// does not).
	out, code = validateVt(t, base(map[string]string{"vitess.shard": "-80"}), name)
	if code != 1 {
		t.Errorf("stored VGTID of shards vitess.shard leaves out: exit %d, want 1", code)
	}
	wantLines(t, out, `error: offset: the offset stored for connector "`+name+`" (topic.prefix "vval") does not fit this connector: the stored VGTID names shard "80-", which vitess.shard [-80] leaves out`)

	// Without the worker's brokers the stored offset cannot be read: said.
	out, code = validateVt(t, base(nil), name, "SLUICE_BOOTSTRAP_SERVERS=")
	if code != 0 {
		t.Errorf("without bootstrap.servers: exit %d, want 0:\n%s", code, out)
	}
	wantLines(t, out, "note: the stored offset was not checked")

	// vitess.vgtid (snapshot.mode=never) naming shards the keyspace lacks.
	vgtid := fmt.Sprintf(`[{"keyspace":"%[1]s","shard":"-40","gtid":"current"},{"keyspace":"%[1]s","shard":"40-","gtid":"current"}]`, e.keyspace)
	out, code = validateVt(t, base(map[string]string{"snapshot.mode": "never", "vitess.shard": "-40,40-", "vitess.vgtid": vgtid}), name+"-vg")
	if code != 1 {
		t.Errorf("vitess.vgtid of other shards: exit %d, want 1", code)
	}
	wantLines(t, out, `error: vitess.vgtid: property "vitess.vgtid" names shards -40,40- of keyspace `+e.keyspace+", which now has shards -80,80- (no longer there: -40,40-")
}

// vtMysqld is the mysqld under the vttestserver cluster (both shards'
// databases, vt_<keyspace>_<shard>): vitess.sh puts it next to VTGate's
// gRPC port.
func vtMysqld(t *testing.T, e vtEnv) *client.Conn {
	t.Helper()
	addr := os.Getenv("SLUICE_TEST_VITESS_MYSQLD")
	if addr == "" {
		host, port, _ := strings.Cut(e.grpc, ":")
		p, _ := strconv.Atoi(port)
		addr = fmt.Sprintf("%s:%d", host, p+1)
	}
	conn, err := client.Connect(addr, "root", "", "")
	if err != nil {
		t.Fatalf("connecting to the cluster's mysqld %s (SLUICE_TEST_VITESS_MYSQLD): %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// newNamedVtTable creates table name like newVtTable, empty.
func newNamedVtTable(t *testing.T, e vtEnv, name string) *vtTable {
	t.Helper()
	tb := newVtTableConn(t, e, name)
	tb.must(t, fmt.Sprintf("CREATE TABLE %s (id BIGINT NOT NULL, sk BIGINT NOT NULL, v INT NOT NULL, pad VARCHAR(64), PRIMARY KEY (id))", name),
		fmt.Sprintf("ALTER VSCHEMA ON %s ADD VINDEX hash(sk) USING hash", name))
	t.Cleanup(func() { _ = tb.exec("DROP TABLE " + name) })
	return tb
}

// fillShard writes ids lo..hi of a table straight into one shard's
// database, in one statement (MariaDB's sequence engine): VStream copies
// what the shard's tables hold, whatever the vindex says.
func fillShard(t *testing.T, my *client.Conn, keyspace, shard, table string, lo, hi int) {
	t.Helper()
	q := fmt.Sprintf("INSERT INTO `vt_%s_%s`.%s (id, sk, v, pad) SELECT seq, seq, 1, CONCAT('row-', seq) FROM `vt_%s_%s`.seq_%d_to_%d",
		keyspace, shard, table, keyspace, shard, lo, hi)
	if _, err := my.Execute(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// A kill -9 while shard -80 copies the second table and 80- is still on
// the first, or has finished: the restart must neither lose rows nor leave
// rows deleted during the outage live in Kafka, on any of the keyspace's
// tables. A second kill -9 comes while the restart copies.
func TestVitessCopyResumeShardsAtDifferentTables(t *testing.T) {
	e := needVitess(t)
	// The tables are large enough that the states sought last a few
	// seconds at a plain daemon's copy rate. A race-built daemon (CI)
	// copies several times slower, so a quarter of the rows gives as long
	// a window, and spares the race-built test the decoding of a million
	// records (some 0.4 ms each under the race detector).
	big, mid, long := 400_000, 150_000, 400_000
	if os.Getenv("SLUICE_E2E_RACE") == "1" {
		// 80- takes some 4-6 s to finish its three small tables whatever
		// their size (no VGTID of it is stored while it sits between two
		// tables), and a race-built daemon copies 100,000 rows in about
		// as long: -80's b needs more rows for the window to stay open.
		big, mid, long = 100_000, 40_000, 250_000
	}
	t.Run("80- on the first table", func(t *testing.T) {
		// 80- copies a long while -80, through a at once, copies b: the
		// state sought lasts from -80's first batch of b to 80-'s last of a.
		copyResume(t, e, big, mid, func(v offsets.Vitess, a, b string) bool {
			return copyCursorOn(v, "-80", b) && copyCursorOn(v, "80-", a)
		})
	})
	t.Run("80- finished", func(t *testing.T) {
		copyResume(t, e, 1000, long, func(v offsets.Vitess, a, b string) bool {
			return copyCursorOn(v, "-80", b) && copyDone(v, "80-")
		})
	})
}

// copyResume runs the kill -9 test on tables a, b, c: a holds 1,000 rows on
// -80 and aOn80 on 80-, b bOnMinus80 on -80 and 1,000 on 80-, c 500 on
// each; the first kill comes when the stored offset satisfies at.
func copyResume(t *testing.T, e vtEnv, aOn80, bOnMinus80 int, at func(v offsets.Vitess, a, b string) bool) {
	p := fmt.Sprintf("r%d", rand.Intn(1_000_000_000))
	a, b, c := newNamedVtTable(t, e, p+"a"), newNamedVtTable(t, e, p+"b"), newNamedVtTable(t, e, p+"c")
	time.Sleep(time.Second) // vschema changes take about half a second to show
	my := vtMysqld(t, e)
	fillShard(t, my, e.keyspace, "-80", a.name, 1, 1000) // -80 is through a at once
	fillShard(t, my, e.keyspace, "80-", a.name, 100_001, 100_000+aOn80)
	fillShard(t, my, e.keyspace, "-80", b.name, 1, bOnMinus80)
	fillShard(t, my, e.keyspace, "80-", b.name, 500_001, 501_000)
	fillShard(t, my, e.keyspace, "-80", c.name, 1, 500)
	fillShard(t, my, e.keyspace, "80-", c.name, 600_001, 600_500)

	name, prefix := "c-"+p, "vt"+p
	deleteTopicsAtEnd(t, e.kafka, prefix+"."+e.keyspace+"."+a.name, prefix+"."+e.keyspace+"."+b.name, prefix+"."+e.keyspace+"."+c.name)
	cfg := a.connector(prefix, map[string]string{"table.include.list": e.keyspace + `\.` + p + "[abc]", "offset.flush.interval.ms": "200"})
	// Follow the key's partition of the offsets topic from its end before
	// the start, and kill as soon as the stored VGTID shows the state.
	key := offsets.Key(name, prefix)
	oc := conformance.NewKafkaClient(t, e.kafka, kgo.ConsumePartitions(offsetsPartitionEnd(t, e.kafka, key)), kgo.FetchMaxWait(50*time.Millisecond))
	sl := startVitess(t, e, name, cfg)
	var stored offsets.Vitess
	var trail []string // the shards' copy states as stored, for a failure's message
	reached, over := false, false
	start := time.Now()
	for deadline := time.Now().Add(2 * time.Minute); !reached && !over && time.Now().Before(deadline); {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		fs := oc.PollFetches(ctx)
		cancel()
		fs.EachRecord(func(r *kgo.Record) {
			if reached || !bytes.Equal(r.Key, key) {
				return
			}
			v, err := offsets.ParseVitess(r.Value)
			if err != nil {
				t.Fatal(err)
			}
			stored = v
			if st := copyStates(v); len(trail) == 0 || !strings.HasSuffix(trail[len(trail)-1], st) {
				trail = append(trail, fmt.Sprintf("%.1fs %s", time.Since(start).Seconds(), st))
			}
			reached, over = at(v, a.name, b.name), !v.Copying()
		})
	}
	sl.Kill9()
	if !reached {
		t.Fatalf("the stored offset never showed the state sought (states stored: %s; last: %s); the copy was too fast to catch",
			strings.Join(trail, ", "), stored)
	}
	t.Logf("killed at %s (states stored: %s)", stored, strings.Join(trail, ", "))
	// While it is down: deletes of copied rows on both shards (of a on
	// -80, whose copy of a was over), updates and inserts.
	a.must(t, "DELETE FROM "+a.name+" WHERE id <= 100", "DELETE FROM "+a.name+" WHERE id BETWEEN 100001 AND 100050",
		"UPDATE "+a.name+" SET v = v + 1 WHERE id BETWEEN 200 AND 300",
		"INSERT INTO "+a.name+" (id, sk, v, pad) VALUES (900001, 900001, 1, 'new'), (900002, 900002, 1, 'new')")
	b.must(t, "DELETE FROM "+b.name+" WHERE id <= 50", "UPDATE "+b.name+" SET v = v + 1 WHERE id BETWEEN 100 AND 200",
		"DELETE FROM "+b.name+" WHERE id = 500001")
	c.must(t, "DELETE FROM "+c.name+" WHERE id IN (1, 600001)")
	// Killed again while the restart copies (with the shards at different
	// tables, while the first is resumed on its own: the offsets stored
	// then must still name the other shard where it was).
	sl = startVitess(t, e, name, cfg)
	sl.WaitLog("resuming VTGate's copy phase", time.Minute)
	time.Sleep(1500 * time.Millisecond)
	sl.Kill9()
	a.must(t, "DELETE FROM "+a.name+" WHERE id BETWEEN 101 AND 110", "DELETE FROM "+a.name+" WHERE id BETWEEN 100051 AND 100060")
	b.must(t, "DELETE FROM "+b.name+" WHERE id BETWEEN 51 AND 60", "UPDATE "+b.name+" SET v = v + 1 WHERE id BETWEEN 150 AND 250")
	sl = startVitess(t, e, name, cfg)
	for _, tb := range []*vtTable{a, b, c} {
		r := followVt(t, e, tb, prefix+"."+e.keyspace+"."+tb.name, 3*time.Minute)
		t.Logf("%s: rebuilt %d rows from %d records (ops %v)", tb.name, len(r.rows), r.seen, r.ops)
	}
	sl.Stop()
}

// copyStates names each shard's copy state in a stored offset: the table
// its cursor is on, or "done".
func copyStates(p offsets.Vitess) string {
	var b strings.Builder
	for _, sg := range p.Shards {
		fmt.Fprintf(&b, "%s:", sg.Shard)
		switch {
		case len(sg.TablePKs) == 0 && sg.GTID != "":
			b.WriteString("done ")
		case len(sg.TablePKs) == 0:
			b.WriteString("starting ")
		default:
			for _, tp := range sg.TablePKs {
				if tp.LastPK != nil {
					b.WriteString(tp.TableName)
				}
			}
			b.WriteString(" ")
		}
	}
	return strings.TrimSpace(b.String())
}

// copyDone: the shard's copy is over (a GTID, no cursor).
func copyDone(p offsets.Vitess, shard string) bool {
	for _, sg := range p.Shards {
		if sg.Shard == shard {
			return sg.GTID != "" && len(sg.TablePKs) == 0
		}
	}
	return false
}

// copyCursorOn: the shard's entry has a copy cursor (a last key) on table.
func copyCursorOn(p offsets.Vitess, shard, table string) bool {
	for _, sg := range p.Shards {
		if sg.Shard != shard {
			continue
		}
		for _, tp := range sg.TablePKs {
			if tp.TableName == table && tp.LastPK != nil {
				return true
			}
		}
	}
	return false
}

// A 1,000,000-row transaction written through VTGate (one BEGIN, a
// thousand 1,000-row inserts, COMMIT: VTGate commits it on each shard as
// one transaction of about half the rows) streams through the daemon
// without being held whole: every row reaches Kafka once and the daemon's
// peak RSS stays under 200 MiB.
func TestVitessMillionRowTransaction(t *testing.T) {
	e := needVitess(t)
	const rows = 1_000_000
	limitMiB := int64(200)
	if os.Getenv("SLUICE_E2E_RACE") == "1" {
		// The race detector's shadow memory multiplies the heap (241 MiB
		// measured); the transaction held whole would take gigabytes.
		limitMiB = 600
	}
	tb := newVtTable(t, e, 0)
	prefix := "vt" + tb.name
	topic := prefix + "." + e.keyspace + "." + tb.name
	deleteTopicsAtEnd(t, e.kafka, topic)
	sl := startVitess(t, e, "c-"+tb.name, tb.connector(prefix, nil))
	sl.WaitLog("VTGate's copy phase completed", time.Minute)
	stmts := []string{"BEGIN"}
	for lo := 1; lo <= rows; lo += 1000 {
		var vals []string
		for id := lo; id < lo+1000; id++ {
			vals = append(vals, fmt.Sprintf("(%d,%d,1,'row-%d')", id, id, id))
		}
		stmts = append(stmts, "INSERT INTO "+tb.name+" (id, sk, v, pad) VALUES "+strings.Join(vals, ","))
	}
	began := time.Now()
	tb.must(t, append(stmts, "COMMIT")...)
	t.Logf("VTGate committed the %d-row transaction in %s", rows, time.Since(began).Round(time.Millisecond))
	n := topicRecords(t, e.kafka, topic, rows, 5*time.Minute)
	elapsed := time.Since(began)
	hwm := peakRSSMiB(t, sl.Pid())
	time.Sleep(2 * time.Second) // anything sent twice would show by now
	n = topicRecords(t, e.kafka, topic, rows, time.Second)
	sl.Stop()
	t.Logf("%d records in Kafka %s after BEGIN (%.0f rows/s); daemon peak RSS %d MiB", n, elapsed.Round(time.Millisecond), float64(rows)/elapsed.Seconds(), hwm)
	if n != rows {
		t.Errorf("%s holds %d records, want %d (one per row)", topic, n, rows)
	}
	if hwm >= limitMiB {
		t.Errorf("the daemon's peak RSS was %d MiB while streaming a %d-row transaction; want under %d MiB", hwm, rows, limitMiB)
	}
}

// topicRecords waits until topic holds want records, or timeout, and
// returns how many it holds.
func topicRecords(t *testing.T, kafka, topic string, want int64, timeout time.Duration) int64 {
	t.Helper()
	// NewKafkaClient asks for metadata again soon: with the default 5 s a
	// topic not created yet would make the count lag by that much (a kill
	// meant for the middle of a snapshot landed after its end).
	adm := kadm.NewClient(conformance.NewKafkaClient(t, kafka))
	var total int64
	for deadline := time.Now().Add(timeout); ; time.Sleep(100 * time.Millisecond) {
		if ends, err := adm.ListEndOffsets(context.Background(), topic); err == nil {
			total = 0
			ends.Each(func(o kadm.ListedOffset) { total += o.Offset })
		}
		if total >= want || time.Now().After(deadline) {
			return total
		}
	}
}

// peakRSSMiB is a running process's VmHWM.
func peakRSSMiB(t *testing.T, pid int) int64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM %q: %v", v, err)
			}
			return kb / 1024
		}
	}
	t.Fatalf("no VmHWM in /proc/%d/status", pid)
	return 0
}

// offsetsPartitionEnd is the offsets topic's partition holding key (as
// Kafka Connect picks it) at its current end.
func offsetsPartitionEnd(t *testing.T, kafka string, key []byte) map[string]map[int32]kgo.Offset {
	t.Helper()
	// NewKafkaClient asks for metadata again soon: with the default 5 s a
	// topic not created yet would make the count lag by that much (a kill
	// meant for the middle of a snapshot landed after its end).
	adm := kadm.NewClient(conformance.NewKafkaClient(t, kafka))
	ends, err := adm.ListEndOffsets(context.Background(), offsets.DefaultOffsetsTopic)
	if err != nil || ends.Error() != nil {
		t.Fatalf("listing the end offsets of %s: %v %v", offsets.DefaultOffsetsTopic, err, ends.Error())
	}
	p := offsets.Partition(key, int32(len(ends[offsets.DefaultOffsetsTopic])))
	end, ok := ends.Lookup(offsets.DefaultOffsetsTopic, p)
	if !ok {
		t.Fatalf("no end offset for partition %d of %s", p, offsets.DefaultOffsetsTopic)
	}
	return map[string]map[int32]kgo.Offset{offsets.DefaultOffsetsTopic: {p: kgo.NewOffset().At(end.Offset)}}
}

// deleteTopicsAtEnd deletes the topics of a test that writes hundreds of
// megabytes, once it has passed (a failure leaves them to look at).
func deleteTopicsAtEnd(t *testing.T, kafka string, topics ...string) {
	t.Cleanup(func() {
		if t.Failed() {
			return
		}
		cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(kafka, ",")...))
		if err != nil {
			return
		}
		defer cl.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := kadm.NewClient(cl).DeleteTopics(ctx, topics...); err != nil {
			t.Logf("deleting topics %v: %v", topics, err)
		}
	})
}
