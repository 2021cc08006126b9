package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/internal/conformance"
	"github.com/sluice-cdc/sluice/offsets"
)

// These tests run connectors of several tasks (tasks.max) over the
// four-shard keyspace deploy/local/vitess.sh starts beside the two-shard one
// (SLUICE_TEST_VITESS_KEYSPACE4, shards -40, 40-80, 80-c0, c0-).

func needVitess4(t *testing.T) vtEnv {
	t.Helper()
	e := needVitess(t)
	ks := os.Getenv("SLUICE_TEST_VITESS_KEYSPACE4")
	if ks == "" {
		if os.Getenv("SLUICE_E2E") == "1" {
			t.Fatal("SLUICE_TEST_VITESS_KEYSPACE4 is not set: restart deploy/local/vitess.sh (its start prints it)")
		}
		t.Skip("set SLUICE_TEST_VITESS_KEYSPACE4 (deploy/local/vitess.sh start prints it)")
	}
	e.keyspace = ks
	return e
}

var shards4 = []string{"-40", "40-80", "80-c0", "c0-"}

// churnWriter is vtChurn running in the background.
type churnWriter struct {
	wrote atomic.Int64
	stop  chan struct{}
	done  chan error
}

func startChurn(tb *vtTable, rows int) *churnWriter {
	c := &churnWriter{stop: make(chan struct{}), done: make(chan error, 1)}
	go func() { c.done <- vtChurn(tb, rows, c.stop, &c.wrote) }()
	return c
}

// end lets the writer go on for d, stops it and fails the test on its
// error.
func (c *churnWriter) end(t *testing.T, d time.Duration) {
	t.Helper()
	time.Sleep(d)
	close(c.stop)
	if err := <-c.done; err != nil {
		t.Fatalf("writer: %v", err)
	}
}

// tasksTable is a table of rows in the four-shard keyspace, with its
// connector's topic.prefix, name and topic, and its connector settings for
// a number of tasks (per-task offsets above one).
func tasksTable(t *testing.T, e vtEnv, rows int) (tb *vtTable, prefix, name, topic string, cfg func(tasks int) map[string]string) {
	t.Helper()
	tb = newVtTable(t, e, rows)
	prefix, name = "vt"+tb.name, "c-"+tb.name
	cfg = func(tasks int) map[string]string {
		extra := map[string]string{"tasks.max": fmt.Sprint(tasks)}
		if tasks > 1 {
			extra["vitess.offset.storage.per.task"] = "true"
		}
		return tb.connector(prefix, extra)
	}
	return tb, prefix, name, prefix + "." + e.keyspace + "." + tb.name, cfg
}

// chain checks the topic's change history key by key (perKey: no lost,
// repeated or reordered change) and returns the number of records. With
// handover > 0, the records before that offset were Debezium's, which
// stores the VGTID before each shard's last transaction (its
// restartVgtid): the records of that transaction may come once more after
// the handover, and only those.
func chain(t *testing.T, e vtEnv, topic string, handover int64) int {
	t.Helper()
	cl := conformance.NewKafkaClient(t, e.kafka, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(200*time.Millisecond))
	pk := &perKey{v: map[int64]int64{}}
	// Debezium's last transaction per shard: its GTID and its records.
	lastTxn := map[string]string{}
	replay := map[string]map[string]int{} // shard -> record -> count
	n, idle, replayed := 0, 0, 0
	for idle < 6 {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		fs := cl.PollFetches(ctx)
		cancel()
		if fs.NumRecords() == 0 {
			idle++
			continue
		}
		idle = 0
		fs.EachRecord(func(r *kgo.Record) {
			if r.Value == nil {
				return // tombstone
			}
			n++
			var v struct {
				Op            string
				Before, After json.RawMessage
				Source        struct{ Shard, Vgtid string }
			}
			if err := json.Unmarshal(r.Value, &v); err != nil {
				t.Fatalf("value %s: %v", r.Value, err)
			}
			var vg []struct{ Shard, GTID string }
			_ = json.Unmarshal([]byte(v.Source.Vgtid), &vg)
			gtid := ""
			for _, x := range vg {
				if x.Shard == v.Source.Shard {
					gtid = x.GTID
				}
			}
			// Debezium's and Sluice's source blocks differ (version,
			// connector name): the change itself tells a replay.
			sig := strings.Join([]string{gtid, string(r.Key), v.Op, string(v.Before), string(v.After)}, " ")
			if r.Offset < handover {
				if lastTxn[v.Source.Shard] != gtid {
					lastTxn[v.Source.Shard] = gtid
					replay[v.Source.Shard] = map[string]int{}
				}
				replay[v.Source.Shard][sig]++
			} else if replay[v.Source.Shard][sig] > 0 {
				replay[v.Source.Shard][sig]--
				replayed++
				return
			}
			pk.apply(conformance.Record{Key: r.Key, Value: r.Value})
		})
	}
	if len(pk.errs) > 0 {
		t.Fatalf("the topic's history has gaps or repeats (%d records):\n%s", n, strings.Join(pk.errs, "\n"))
	}
	if replayed > 0 {
		t.Logf("%d records of Debezium's last transaction per shard came again after the handover", replayed)
	}
	return n
}

// storedTasks reads the connector's stored offsets: task key ("" for the
// single offset) -> the shards its VGTID names.
func storedTasks(t *testing.T, e vtEnv, name string) map[string][]string {
	t.Helper()
	st, err := offsets.NewKafkaStore(context.Background(), offsets.KafkaStoreConfig{Brokers: strings.Split(e.kafka, ",")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	all, err := st.Scan(context.Background(), offsets.ConnectorKeyPrefix(name))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for k, v := range all {
		_, part, err := offsets.KeyPartition([]byte(k))
		if err != nil {
			t.Fatal(err)
		}
		p, err := offsets.ParseVitess(v)
		if err != nil {
			t.Fatalf("stored offset %s under %s: %v", v, k, err)
		}
		var sh []string
		for _, sg := range p.Shards {
			sh = append(sh, sg.Shard)
		}
		out[part["task_key"]] = sh
	}
	return out
}

func wantTasks(t *testing.T, got map[string][]string, want map[string][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("stored offsets %v, want %v", got, want)
	}
	var all []string
	for k, w := range want {
		if !slices.Equal(got[k], w) {
			t.Fatalf("stored offsets %v, want %v", got, want)
		}
		all = append(all, got[k]...)
	}
	sort.Strings(all)
	if !slices.Equal(all, shards4) {
		t.Fatalf("the stored offsets name shards %v, want each of %v once", all, shards4)
	}
}

// Two tasks, then three, then one, while a writer changes the table (also
// while the connector is stopped): every shard is read by one task (the
// stored offsets name each shard once, as Debezium deals them), each change
// of layout carries every shard's position over without a new key
// generation, and the topic holds every change once.
func TestVitessTasksRebalance(t *testing.T) {
	e := needVitess4(t)
	const rows = 2000
	tb, prefix, name, topic, cfg := tasksTable(t, e, rows)
	sl := startVitess(t, e, name, cfg(2))
	followVt(t, e, tb, topic, 90*time.Second) // the copy, by both tasks
	w := startChurn(tb, rows)
	time.Sleep(3 * time.Second)
	sl.Stop()
	wantTasks(t, storedTasks(t, e, name), map[string][]string{"task0_2_0": {"-40", "80-c0"}, "task1_2_0": {"40-80", "c0-"}})
	t.Logf("two tasks stopped after %d writes", w.wrote.Load())
	time.Sleep(time.Second) // changes while stopped

	sl = startVitess(t, e, name, cfg(3))
	time.Sleep(4 * time.Second)
	sl.Stop()
	wantTasks(t, storedTasks(t, e, name), map[string][]string{"task0_3_0": {"-40", "c0-"}, "task1_3_0": {"40-80"}, "task2_3_0": {"80-c0"}})
	t.Logf("three tasks stopped after %d writes", w.wrote.Load())
	if out, code := validateVt(t, cfg(2), name); code != 0 || !strings.HasSuffix(strings.TrimSpace(out), "ok") {
		t.Errorf("sluice validate of the stored three tasks' offsets for two tasks: exit %d, want 0 and ok:\n%s", code, out)
	}

	sl = startVitess(t, e, name, cfg(1))
	w.end(t, 3*time.Second)
	r := followVt(t, e, tb, topic, 2*time.Minute)
	sl.Stop()
	wantTasks(t, storedTasks(t, e, name), map[string][]string{"": shards4})
	n := chain(t, e, topic, 0)

	// A task offset naming a shard the keyspace does not have: sluice
	// validate names the task and the shard.
	st, err := offsets.NewKafkaStore(context.Background(), offsets.KafkaStoreConfig{Brokers: strings.Split(e.kafka, ",")})
	if err != nil {
		t.Fatal(err)
	}
	stale := fmt.Sprintf(`{"vgtid":"[{\"keyspace\":\"%s\",\"shard\":\"-80\",\"gtid\":\"MariaDB/0-1-5\",\"table_p_ks\":[]}]"}`, e.keyspace)
	if err := st.Commit(context.Background(), offsets.TaskKey(name, prefix, "task1_2_1"), []byte(stale)); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, code := validateVt(t, cfg(2), name)
	if code != 1 {
		t.Errorf("sluice validate with a stored shard the keyspace lacks: exit %d, want 1:\n%s", code, out)
	}
	wantLines(t, out, "error: offset: task task", "-80", "resharded while the connector was stopped", "snapshot.mode=when_needed")
	t.Logf("%d writes; %d records, ops %v; rebuilt %d rows", w.wrote.Load(), n, r.ops, len(r.rows))
	if r.copyRecords != rows {
		t.Errorf("%d copy records, want %d", r.copyRecords, rows)
	}
}

// connectURL is the Kafka Connect worker of deploy/local/connect.sh (real
// Debezium), or skips.
func connectURL(t *testing.T) string {
	t.Helper()
	wd, _ := os.Getwd()
	script := filepath.Join(wd, "..", "..", "deploy", "local", "connect.sh")
	if err := exec.Command(script, "status").Run(); err != nil {
		if os.Getenv("SLUICE_E2E") == "1" {
			t.Fatalf("the Kafka Connect worker is not running (%v): start it with deploy/local/connect.sh start", err)
		}
		t.Skip("Debezium switch-over: start the Kafka Connect worker with deploy/local/connect.sh start")
	}
	out, err := exec.Command(script, "url").Output()
	if err != nil {
		t.Fatalf("deploy/local/connect.sh url: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func rest(t *testing.T, method, url string, body any) []byte {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %s: %s", method, url, resp.Status, b)
	}
	return b
}

// Debezium's Vitess connector with tasks.max=2 and per-task offsets reads
// the copy and some changes and is stopped; its offsets move to
// _connect_offsets under the keys Kafka Connect's distributed worker would
// use; Sluice with the same settings takes them over: every shard goes on
// from Debezium's position, with no copy again and no change lost or
// repeated (but Debezium's own replay of its last transaction per shard).
// Then Debezium takes Sluice's per-task offsets back the same way.
func TestVitessTasksTakeOverDebezium(t *testing.T) {
	e := needVitess4(t)
	base := connectURL(t)
	const rows = 300
	tb := newVtTable(t, e, rows)
	prefix := "dz" + tb.name
	name := prefix
	topic := prefix + "." + e.keyspace + "." + tb.name
	props := tb.connector(prefix, map[string]string{"tasks.max": "2", "vitess.offset.storage.per.task": "true",
		"vitess.offset.storage.task.key.gen": "0", "vitess.prev.num.tasks": "1", "vitess.tablet.type": "MASTER",
		"key.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter": "org.apache.kafka.connect.json.JsonConverter",
		"topic.creation.default.partitions": "1", "topic.creation.default.replication.factor": "1"})
	rest(t, http.MethodPost, base+"/connectors", map[string]any{"name": name, "config": props})
	t.Cleanup(func() {
		req, _ := http.NewRequest(http.MethodDelete, base+"/connectors/"+name, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	})
	followVt(t, e, tb, topic, 2*time.Minute)
	for i := 0; i < 40; i++ {
		tb.must(t, fmt.Sprintf("UPDATE %s SET v = v + 1 WHERE id = %d", tb.name, 1+i*7%rows))
	}
	tb.must(t, "DELETE FROM "+tb.name+" WHERE id IN (3, 4, 5)")
	followVt(t, e, tb, topic, time.Minute)
	time.Sleep(2 * time.Second) // Debezium commits its offsets every second
	rest(t, http.MethodPut, base+"/connectors/"+name+"/stop", nil)
	waitStopped(t, base, name)
	var got struct {
		Offsets []struct {
			Partition map[string]string `json:"partition"`
			Offset    map[string]string `json:"offset"`
		} `json:"offsets"`
	}
	body := rest(t, http.MethodGet, base+"/connectors/"+name+"/offsets", nil)
	if err := json.Unmarshal(body, &got); err != nil || len(got.Offsets) != 2 {
		t.Fatalf("Debezium's offsets: %v: %s; want two, one per task", err, body)
	}
	rest(t, http.MethodDelete, base+"/connectors/"+name, nil)
	// What a distributed worker would have written to _connect_offsets.
	st, err := offsets.NewKafkaStore(context.Background(), offsets.KafkaStoreConfig{Brokers: strings.Split(e.kafka, ",")})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range got.Offsets {
		if len(o.Partition) != 2 || o.Partition["server"] != prefix || o.Partition["task_key"] == "" {
			t.Fatalf("Debezium's partition %v: want server and task_key", o.Partition)
		}
		var v bytes.Buffer
		enc := json.NewEncoder(&v)
		enc.SetEscapeHTML(false) // Jackson does not escape <, > and &
		if err := enc.Encode(o.Offset); err != nil {
			t.Fatal(err)
		}
		key := offsets.TaskKey(name, o.Partition["server"], o.Partition["task_key"])
		if err := st.Commit(context.Background(), key, bytes.TrimSpace(v.Bytes())); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	wantTasks(t, storedTasks(t, e, name), map[string][]string{"task0_2_0": {"-40", "80-c0"}, "task1_2_0": {"40-80", "c0-"}})
	handover := endOffset(t, e, topic)

	// Changes while neither runs, then Sluice.
	tb.must(t, "INSERT INTO "+tb.name+" (id, sk, v, pad) VALUES (5000, 5000, 1, 'x'), (5001, 5001, 1, 'y'), (5002, 5002, 1, 'z')")
	tb.must(t, "UPDATE "+tb.name+" SET v = v + 1 WHERE id BETWEEN 10 AND 30")
	sl := startVitess(t, e, name, tb.connector(prefix, map[string]string{"tasks.max": "2", "vitess.offset.storage.per.task": "true",
		"vitess.offset.storage.task.key.gen": "0", "vitess.prev.num.tasks": "1"}))
	w := startChurn(tb, rows)
	w.end(t, 3*time.Second)
	r := followVt(t, e, tb, topic, time.Minute)
	sl.Stop()
	wantTasks(t, storedTasks(t, e, name), map[string][]string{"task0_2_0": {"-40", "80-c0"}, "task1_2_0": {"40-80", "c0-"}})
	if r.copyRecords != rows {
		t.Errorf("%d copy records in the topic, want Debezium's %d and none from Sluice", r.copyRecords, rows)
	}
	t.Logf("%d writes under Sluice", w.wrote.Load())

	// And back: Debezium, created stopped, is given Sluice's per-task
	// offsets through Kafka Connect's offsets API and resumed.
	rest(t, http.MethodPost, base+"/connectors", map[string]any{"name": name, "config": props, "initial_state": "STOPPED"})
	waitStopped(t, base, name)
	var patch []any
	st, err = offsets.NewKafkaStore(context.Background(), offsets.KafkaStoreConfig{Brokers: strings.Split(e.kafka, ",")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range []string{"task0_2_0", "task1_2_0"} {
		v, err := st.Load(context.Background(), offsets.TaskKey(name, prefix, tk))
		if err != nil || v == nil {
			t.Fatalf("Sluice's offset of %s: %s %v", tk, v, err)
		}
		var offset map[string]any
		if err := json.Unmarshal(v, &offset); err != nil {
			t.Fatal(err)
		}
		patch = append(patch, map[string]any{"partition": map[string]string{"server": prefix, "task_key": tk}, "offset": offset})
	}
	st.Close()
	rest(t, http.MethodPatch, base+"/connectors/"+name+"/offsets", map[string]any{"offsets": patch})
	tb.must(t, "INSERT INTO "+tb.name+" (id, sk, v, pad) VALUES (6000, 6000, 1, 'x'), (6001, 6001, 1, 'y'), (6002, 6002, 1, 'z')")
	tb.must(t, "UPDATE "+tb.name+" SET v = v + 1 WHERE id BETWEEN 30 AND 60")
	rest(t, http.MethodPut, base+"/connectors/"+name+"/resume", nil)
	r = followVt(t, e, tb, topic, 2*time.Minute)
	time.Sleep(2 * time.Second) // anything Debezium would write twice
	n := chain(t, e, topic, handover)
	if r.copyRecords != rows {
		t.Errorf("%d copy records in the topic, want Debezium's first %d only", r.copyRecords, rows)
	}
	t.Logf("%d records (Debezium's, Sluice's, Debezium's again), ops %v", n, r.ops)
}

// waitStopped waits for a Kafka Connect connector to be STOPPED.
func waitStopped(t *testing.T, base, name string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; {
		var st struct{ Connector struct{ State string } }
		_ = json.Unmarshal(rest(t, http.MethodGet, base+"/connectors/"+name+"/status", nil), &st)
		if st.Connector.State == "STOPPED" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Debezium connector %s not STOPPED after a minute: %s", name, st.Connector.State)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// endOffset is the topic's (one partition's) end offset.
func endOffset(t *testing.T, e vtEnv, topic string) int64 {
	t.Helper()
	adm := kadm.NewClient(conformance.NewKafkaClient(t, e.kafka))
	ends, err := adm.ListEndOffsets(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	o, ok := ends.Lookup(topic, 0)
	if !ok || o.Err != nil {
		t.Fatalf("end offset of %s: %v", topic, o.Err)
	}
	return o.Offset
}

// vitess.shard lists shard 0, read by its own reader, while the keyspace is
// resharded to -80,80- under a writer: the reader ends at the journal and
// readers of -80 and 80- take over from the journal's positions; no change
// is lost or repeated and the stored VGTID names the new shards. Started
// again with the same connector file, Sluice reads the new shards from
// there, and with tasks.max=2 one task per new shard.
func TestVitessPerShardReaderFollowsReshard(t *testing.T) {
	log := reshardWhileFollowing(t, "", map[string]string{"vitess.shard": "0"})
	// VTGate would also follow the reshard inside shard 0's stream; the
	// log shows the handoff did it.
	for _, want := range []string{`"msg":"reshard: this shard's reader ends at the journal`, `"participants":["rs_keyspace/0"],"new_shards":["-80","80-"]`,
		`"participants_ended":1,"participants":1,"next_parts":2`} {
		if !strings.Contains(log, want) {
			t.Errorf("sluice's log has no %s:\n%s", want, tail(log, 3000))
		}
	}
	m := regexp.MustCompile(`"connector":"(c-(r\d+))".*"topic.prefix":"([^"]+)"`).FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("no connector name and topic.prefix in sluice's log:\n%s", tail(log, 3000))
	}
	c := needVtCluster(t)
	conn, err := client.Connect(c.mysql, "root", "", c.keyspace)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	tb := &vtTable{e: c.vtEnv, name: m[2], conn: conn}
	sl := startVitess(t, c.vtEnv, m[1], tb.connector(m[3], map[string]string{"vitess.shard": "0"}))
	tb.must(t, "INSERT INTO "+tb.name+" (id, sk, v, pad) VALUES (90000001, 90000001, 1, 'a'), (90000002, 90000002, 1, 'b'), (90000003, 90000003, 1, 'c')",
		"UPDATE "+tb.name+" SET v = v + 1 WHERE id BETWEEN 1 AND 50")
	topic := m[3] + "." + c.keyspace + "." + tb.name
	followVt(t, c.vtEnv, tb, topic, time.Minute)
	sl.Stop()
	if !strings.Contains(sl.Stderr.String(), `"msg":"resuming from stored offset"`) {
		t.Errorf("the second run did not resume from the stored offset:\n%s", tail(sl.Stderr.String(), 3000))
	}

	// The keyspace has two shards now: two tasks, each going on from its
	// shard's stored position.
	sl = startVitess(t, c.vtEnv, m[1], tb.connector(m[3], map[string]string{"vitess.shard": "0", "tasks.max": "2", "vitess.offset.storage.per.task": "true"}))
	tb.must(t, "INSERT INTO "+tb.name+" (id, sk, v, pad) VALUES (90000004, 90000004, 1, 'd'), (90000005, 90000005, 1, 'e')",
		"UPDATE "+tb.name+" SET v = v + 1 WHERE id BETWEEN 40 AND 90", "DELETE FROM "+tb.name+" WHERE id BETWEEN 91 AND 95")
	followVt(t, c.vtEnv, tb, topic, time.Minute)
	sl.Stop()
	got := storedTasks(t, c.vtEnv, m[1])
	if len(got) != 2 || strings.Join(got["task0_2_0"], ",") != "-80" || strings.Join(got["task1_2_0"], ",") != "80-" {
		t.Errorf("stored offsets after two tasks: %v, want task0_2_0 [-80] and task1_2_0 [80-]", got)
	}
	t.Logf("%d records, no change lost or repeated", chain(t, c.vtEnv, topic, 0))
}

// As TestVitessPerShardReaderFollowsReshard, but Sluice is stopped before
// the switch and started again after it: shard 0's reader resumes before
// the journal, reaches it and hands off.
func TestVitessPerShardReaderReshardWhileStopped(t *testing.T) {
	log := reshardWhileFollowing(t, "stop", map[string]string{"vitess.shard": "0"})
	if !strings.Contains(log, `"participants_ended":1,"participants":1,"next_parts":2`) {
		t.Errorf("sluice's log has no handoff from shard 0 to two shards:\n%s", tail(log, 3000))
	}
}

// kill -9 of two tasks in the middle of the copy phase, then three tasks:
// each shard's copy progress (table_p_ks, copy guards) is carried to its
// new task and the copy goes on; under a writer, the table rebuilt from
// the topic equals Vitess's.
func TestVitessTasksRebalanceDuringCopy(t *testing.T) {
	e := needVitess4(t)
	const rows = 40_000
	tb, _, name, topic, cfg := tasksTable(t, e, rows)
	w := startChurn(tb, rows)
	sl := startVitess(t, e, name, cfg(2))
	// Some of the copy is in Kafka, not all of it.
	cl := conformance.NewKafkaClient(t, e.kafka, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	n, deadline := 0, time.Now().Add(time.Minute)
	for n < rows/4 && time.Now().Before(deadline) {
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		n += len(cl.PollRecords(ctx, 10_000).Records())
		cancel()
	}
	sl.Kill9()
	stored := storedTasks(t, e, name)
	st, err := offsets.NewKafkaStore(context.Background(), offsets.KafkaStoreConfig{Brokers: strings.Split(e.kafka, ",")})
	if err != nil {
		t.Fatal(err)
	}
	all, err := st.Scan(context.Background(), offsets.ConnectorKeyPrefix(name))
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	copying := 0
	for _, v := range all {
		if p, err := offsets.ParseVitess(v); err == nil && p.Copying() {
			copying++
		}
	}
	t.Logf("killed during the copy after %d records, %d writes; stored %v (%d still copying)", n, w.wrote.Load(), stored, copying)
	if copying == 0 {
		t.Errorf("no stored task offset was in the copy phase when killed: the test did not test a carried copy")
	}
	sl = startVitess(t, e, name, cfg(3))
	w.end(t, 3*time.Second)
	r := followVt(t, e, tb, topic, 3*time.Minute)
	sl.Stop()
	wantTasks(t, storedTasks(t, e, name), map[string][]string{"task0_3_0": {"-40", "c0-"}, "task1_3_0": {"40-80"}, "task2_3_0": {"80-c0"}})
	t.Logf("rebuilt %d rows from %d records (ops %v)", len(r.rows), r.seen, r.ops)
}
