package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/internal/conformance"
	"github.com/sluice-cdc/sluice/offsets"
)

// This test runs against the multi-process cluster of
// deploy/local/vitess-cluster.sh (keyspace rs_keyspace on one unsharded
// shard 0, idle tablets for -80 and 80-). It reshards that keyspace, so a
// cluster serves one run: start it again for the next.

type vtCluster struct {
	vtEnv
	vtctld, vtctldclient string
}

func needVtCluster(t *testing.T) vtCluster {
	t.Helper()
	c := vtCluster{
		vtEnv: vtEnv{grpc: os.Getenv("SLUICE_TEST_VTCLUSTER_GRPC"), mysql: os.Getenv("SLUICE_TEST_VTCLUSTER_MYSQL"),
			keyspace: os.Getenv("SLUICE_TEST_VTCLUSTER_KEYSPACE")},
		vtctld: os.Getenv("SLUICE_TEST_VTCLUSTER_VTCTLD"), vtctldclient: os.Getenv("SLUICE_TEST_VTCLUSTER_VTCTLDCLIENT"),
	}
	if c.grpc == "" || c.mysql == "" || c.vtctld == "" || c.vtctldclient == "" {
		t.Skip("Vitess reshard test: set SLUICE_TEST_VTCLUSTER_GRPC, _MYSQL, _VTCTLD, _VTCTLDCLIENT and _KEYSPACE (deploy/local/vitess-cluster.sh start prints them)")
	}
	if c.keyspace == "" {
		c.keyspace = "rs_keyspace"
	}
	c.env = needServers(t)
	return c
}

// servingShards lists the shards VTGate serves of keyspace ks.
func (c vtCluster) servingShards(t *testing.T, ks string) []string {
	t.Helper()
	conn, err := client.Connect(c.mysql, "root", "", "")
	if err != nil {
		t.Fatalf("connecting to VTGate's MySQL port %s: %v", c.mysql, err)
	}
	defer conn.Close()
	res, err := conn.Execute("SHOW VITESS_SHARDS")
	if err != nil {
		t.Fatal(err)
	}
	var serving []string
	for i := 0; i < res.RowNumber(); i++ {
		s, _ := res.GetString(i, 0)
		if strings.HasPrefix(s, ks+"/") {
			serving = append(serving, s)
		}
	}
	return serving
}

// script runs deploy/local/vitess-cluster.sh (SLUICE_TEST_VTCLUSTER_SCRIPT,
// which test.sh sets) with args and returns its stdout; without the
// variable the test is skipped with why.
func (c vtCluster) script(t *testing.T, why string, args ...string) string {
	t.Helper()
	path := os.Getenv("SLUICE_TEST_VTCLUSTER_SCRIPT")
	if path == "" {
		t.Skipf("%s; set SLUICE_TEST_VTCLUSTER_SCRIPT=deploy/local/vitess-cluster.sh to let the test run it (%s)", why, strings.Join(args, " "))
	}
	start := time.Now()
	cmd := exec.Command(path, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", path, strings.Join(args, " "), err, tail(stderr.String(), 3000))
	}
	t.Logf("%s %s: %s", path, strings.Join(args, " "), time.Since(start).Round(100*time.Millisecond))
	return string(out)
}

// needFreshVtCluster is needVtCluster with rs_keyspace served by shard 0
// alone, as vitess-cluster.sh start leaves it: a cluster an earlier test
// resharded is started again from empty data through the script.
func needFreshVtCluster(t *testing.T) vtCluster {
	t.Helper()
	c := needVtCluster(t)
	// A test that stopped between its ApplyVSchema and the traffic switch
	// leaves shard 0 serving a sharded VSchema, where new tables are not
	// found: that cluster is started again too.
	if sh := c.servingShards(t, c.keyspace); len(sh) == 1 && sh[0] == c.keyspace+"/0" &&
		!strings.Contains(c.vtctl(t, "GetVSchema", c.keyspace), `"sharded": true`) {
		return c
	}
	c.script(t, "rs_keyspace was resharded by an earlier run", "stop")
	out := c.script(t, "rs_keyspace was resharded by an earlier run", "start")
	if !strings.Contains(out, "SLUICE_TEST_VTCLUSTER_GRPC="+c.grpc+"\n") {
		t.Fatalf("the restarted cluster moved: %s (was %s)", out, c.grpc)
	}
	if sh := c.servingShards(t, c.keyspace); len(sh) != 1 || sh[0] != c.keyspace+"/0" {
		t.Fatalf("a freshly started cluster serves %v, not only %s/0", sh, c.keyspace)
	}
	return c
}

// vtctl runs vtctldclient against the cluster's vtctld and fails the test
// with the exact command and output when it fails.
func (c vtCluster) vtctl(t *testing.T, args ...string) string {
	t.Helper()
	out, err := c.vtctlErr(args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// vtctlErr is vtctl for another goroutine than the test's.
func (c vtCluster) vtctlErr(args ...string) (string, error) {
	full := append([]string{"--server", c.vtctld}, args...)
	out, err := exec.Command(c.vtctldclient, full...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("vtctldclient %s: %v\n%s", strings.Join(full, " "), err, out)
	}
	return string(out), nil
}

// perKey checks the change stream key by key: an insert only of an absent
// key, a delete only of a present one, and every update adds exactly one to
// v (the writer only ever does v = v + 1), so a lost, repeated or
// reordered change of a key shows.
// With replays set (after a kill -9, Sluice sends again what followed its
// last stored offset) a change already seen is counted, not an error.
type perKey struct {
	v       map[int64]int64
	errs    []string
	replays bool
	dups    int
}

func (p *perKey) apply(rec conformance.Record) {
	if rec.Value == nil {
		return
	}
	var k struct{ ID int64 }
	_ = json.Unmarshal(rec.Key, &k)
	var after struct{ V int64 }
	op, _, err := conformance.OpAndAfter(rec.Value, &after)
	if err != nil {
		p.errs = append(p.errs, fmt.Sprintf("value %s: %v", rec.Value, err))
		return
	}
	cur, present := p.v[k.ID]
	bad := func(what string) {
		if len(p.errs) < 20 {
			shard, _ := conformance.SourceString(rec.Value, "shard")
			p.errs = append(p.errs, fmt.Sprintf("key %d (shard %s): %s; v before %d present %v", k.ID, shard, what, cur, present))
		}
	}
	switch op {
	case "c", "r":
		if present && p.replays {
			p.dups++
			return
		}
		if present {
			bad("insert of a present key (repeated change)")
		}
		p.v[k.ID] = after.V
	case "u":
		if present && p.replays && after.V <= cur {
			p.dups++
			return
		}
		if !present {
			bad("update of an absent key")
		} else if after.V != cur+1 {
			bad(fmt.Sprintf("update to v=%d (lost, repeated or reordered change)", after.V))
		}
		p.v[k.ID] = after.V
	case "d":
		if !present && p.replays {
			p.dups++
			return
		}
		if !present {
			bad("delete of an absent key (repeated change)")
		}
		delete(p.v, k.ID)
	}
}

// Sluice follows the keyspace (no vitess.shard) while it is resharded from
// 0 to -80,80- under a writer; the topic rebuilds the table with no lost or
// repeated change per key, and the stored VGTID names the new shards.
func TestVitessReshardWhileStreaming(t *testing.T) { reshardWhileFollowing(t, "") }

// As TestVitessReshardWhileStreaming, but Sluice is stopped before the
// switch and started again after it, from a VGTID that names shard 0 only.
// A second connector, stopped at the same time, stays down until the
// reshard is completed (shard 0 deleted): it then stops with an error that
// names the reshard, sluice validate reports the same, and with
// snapshot.mode=when_needed it copies the table again from -80,80-.
func TestVitessReshardWhileStopped(t *testing.T) { reshardWhileFollowing(t, "stop") }

// Sluice is killed -9 before the reshard, during its copy, during the
// primary switch and after it (restarted at once each time, so that it
// follows the journal live at least once): changes after the last stored
// offset come again (at least once), none is lost or reordered.
func TestVitessReshardWhileKilled(t *testing.T) { reshardWhileFollowing(t, "kill") }

// newRowsTable creates table <letter><random> (id key, sk, v, pad) in the
// vtEnv's keyspace with rows rows (v = 1), without a vindex.
func newRowsTable(t *testing.T, e vtEnv, letter string, rows int) *vtTable {
	t.Helper()
	tb := newVtTableConn(t, e, fmt.Sprintf("%s%d", letter, rand.Intn(1_000_000_000)))
	tb.must(t, fmt.Sprintf("CREATE TABLE %s (id BIGINT NOT NULL, sk BIGINT NOT NULL, v INT NOT NULL, pad VARCHAR(64), PRIMARY KEY (id))", tb.name))
	for lo := 1; lo <= rows; lo += 1000 {
		var vals []string
		for id := lo; id < lo+1000 && id <= rows; id++ {
			vals = append(vals, fmt.Sprintf("(%d,%d,1,'row-%d')", id, id, id))
		}
		tb.must(t, "INSERT INTO "+tb.name+" (id, sk, v, pad) VALUES "+strings.Join(vals, ","))
	}
	return tb
}

// follower applies a topic's records as they come: the rebuilt table, the
// per-key check and the records per shard.
type follower struct {
	mu     sync.Mutex
	r      *rebuilt
	pk     *perKey
	shards map[string]int
	stop   chan struct{}
	done   chan struct{}
}

// followTopic consumes topic from its start; replays: see perKey.
func followTopic(t *testing.T, kafka, topic string, replays bool) *follower {
	return followOpts(t, kafka, replays, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
}

// followPartitions consumes topic from the given offsets per partition.
func followPartitions(t *testing.T, kafka, topic string, from map[int32]kgo.Offset) *follower {
	return followOpts(t, kafka, false, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: from}))
}

func followOpts(t *testing.T, kafka string, replays bool, opts ...kgo.Opt) *follower {
	f := &follower{r: &rebuilt{rows: map[int64]string{}, ops: map[string]int{}}, pk: &perKey{v: map[int64]int64{}, replays: replays},
		shards: map[string]int{}, stop: make(chan struct{}), done: make(chan struct{})}
	cl := conformance.NewKafkaClient(t, kafka, append(opts, kgo.FetchMaxWait(200*time.Millisecond))...)
	go func() {
		defer close(f.done)
		for {
			select {
			case <-f.stop:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			fs := cl.PollFetches(ctx)
			cancel()
			f.mu.Lock()
			fs.EachRecord(func(k *kgo.Record) {
				h := map[string]string{}
				for _, x := range k.Headers {
					h[x.Key] = string(x.Value)
				}
				rec := conformance.Record{Key: k.Key, Value: k.Value, Headers: h}
				f.r.apply(t, rec)
				f.pk.apply(rec)
				if k.Value != nil {
					shard, _ := conformance.SourceString(k.Value, "shard")
					f.shards[shard]++
				}
			})
			f.mu.Unlock()
		}
	}()
	t.Cleanup(f.close)
	return f
}

func (f *follower) seen() int { f.mu.Lock(); defer f.mu.Unlock(); return f.r.seen }

func (f *follower) close() {
	select {
	case <-f.stop:
	default:
		close(f.stop)
	}
	<-f.done
}

// check waits until the rebuilt table equals want, then checks it and
// the per-key order once more after a pause (an offset flush, and any late
// duplicate) and reports both.
func (f *follower) check(t *testing.T, what string, want map[int64]string, timeout time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		f.mu.Lock()
		eq := equalMaps(f.r.rows, want)
		f.mu.Unlock()
		if eq {
			break
		}
	}
	time.Sleep(2 * time.Second)
	f.mu.Lock()
	defer f.mu.Unlock()
	t.Logf("%s: %d records (%d replayed), ops %v, by shard %v", what, f.r.seen, f.pk.dups, f.r.ops, f.shards)
	if !equalMaps(f.r.rows, want) {
		t.Errorf("%s: the table rebuilt from the topic (%d rows) differs from Vitess's (%d rows): %s", what, len(f.r.rows), len(want), diffMaps(f.r.rows, want))
	}
	if len(f.pk.errs) > 0 {
		t.Errorf("%s: per-key order: %s", what, strings.Join(f.pk.errs, "\n"))
	}
}

// vtWriter changes the table until stopped, on its own connection to
// keyspace ks, going on through switches: VTGate buffers, but a statement
// may still fail (then it reconnects: a failed statement can leave the
// session in a transaction); the database stays the truth. Updates only
// ever add one to v (what perKey checks).
type vtWriter struct {
	wrote, failed atomic.Int64
	lastErr       atomic.Value
	stop, done    chan struct{}
}

func startWriter(mysql, ks, table string, rows int) *vtWriter {
	return startWriterFrom(mysql, ks, table, rows, 10_000_000)
}

// startWriterFrom is startWriter with its inserts' ids from next on (a
// second writer on a table must not take the first one's ids).
func startWriterFrom(mysql, ks, table string, rows, next int) *vtWriter {
	w := &vtWriter{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		rng := rand.New(rand.NewSource(2))
		var wc *client.Conn
		defer func() {
			if wc != nil {
				wc.Close()
			}
		}()
		for {
			select {
			case <-w.stop:
				return
			default:
			}
			if wc == nil {
				var err error
				if wc, err = client.Connect(mysql, "root", "", ks); err != nil {
					w.failed.Add(1)
					w.lastErr.Store(err.Error())
					time.Sleep(100 * time.Millisecond)
					continue
				}
			}
			id := 1 + rng.Intn(rows)
			var q string
			switch k := rng.Intn(10); {
			case k < 6:
				q = fmt.Sprintf("UPDATE %s SET v = v + 1 WHERE id BETWEEN %d AND %d", table, id, id+3)
			case k < 8:
				q = fmt.Sprintf("DELETE FROM %s WHERE id = %d", table, id)
			default:
				q = fmt.Sprintf("INSERT INTO %s (id, sk, v, pad) VALUES (%d, %d, 1, 'new')", table, next, next)
				next++
			}
			if _, err := wc.Execute(q); err != nil {
				w.failed.Add(1)
				w.lastErr.Store(q + ": " + err.Error())
				wc.Close()
				wc = nil
			} else {
				w.wrote.Add(1)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	return w
}

// atLeast waits until the writer has made n writes more than from, for at
// most limit: a write that waits out a lock (MariaDB under VReplication can
// hold one for seconds) would otherwise leave a fixed sleep with too few
// writes to show anything.
func (w *vtWriter) atLeast(from, n int64, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for w.wrote.Load()-from < n && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
}

// end stops the writer and logs its failures.
func (w *vtWriter) end(t *testing.T) {
	close(w.stop)
	<-w.done
	if e, _ := w.lastErr.Load().(string); e != "" {
		t.Logf("%d writes failed, the last: %s", w.failed.Load(), e)
	}
}

// storedShards is the connector's stored VGTID and its shards.
func storedShards(t *testing.T, kafka, name, prefix string) (string, []string) {
	t.Helper()
	_, val, ok := conformance.StoredOffset(t, kafka, offsets.DefaultOffsetsTopic, offsets.Key(name, prefix))
	if !ok {
		t.Fatalf("no offset stored for %s", name)
	}
	p, err := offsets.ParseVitess(val)
	if err != nil {
		t.Fatalf("stored offset %s: %v", val, err)
	}
	var names []string
	for _, s := range p.Shards {
		names = append(names, s.Keyspace+"/"+s.Shard)
	}
	return string(val), names
}

// extra adds to the first connector's settings (the per-shard reader
// tests); it returns the log of that connector's last run.
func reshardWhileFollowing(t *testing.T, down string, extra ...map[string]string) string {
	c := needFreshVtCluster(t)
	rows := 2000
	if down == "kill" {
		rows = 50_000 // a workflow copy long enough to kill Sluice during it
	}
	tb := newRowsTable(t, c.vtEnv, "r", rows)
	prefix := "vr" + tb.name
	name := "c-" + tb.name
	topic := prefix + "." + c.keyspace + "." + tb.name
	var more map[string]string
	if len(extra) > 0 {
		more = extra[0]
	}
	cfg := tb.connector(prefix, more)
	sl := startVitess(t, c.vtEnv, name, cfg)
	// The second connector of the "stop" case (see TestVitessReshardWhileStopped).
	nameB, prefixB := "b-"+tb.name, "vb"+tb.name
	cfgB := tb.connector(prefixB, nil)
	var slB *daemon
	if down == "stop" {
		slB = startVitess(t, c.vtEnv, nameB, cfgB)
	}
	f := followTopic(t, c.kafka, topic, down == "kill")
	w := startWriter(c.mysql, c.keyspace, tb.name, rows)

	for deadline := time.Now().Add(90 * time.Second); f.seen() < rows && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
	}
	if f.seen() < rows {
		t.Fatalf("the copy phase wrote only %d records in 90 s", f.seen())
	}
	time.Sleep(2 * time.Second)
	t.Logf("copy done (%d records), %d writes; resharding", f.seen(), w.wrote.Load())
	kill := func(when string) {
		sl = kill9Restart(t, c.kafka, sl, c.vtEnv, name, prefix, cfg, fmt.Sprintf("%s after %d writes", when, w.wrote.Load()))
	}
	if down == "kill" {
		kill("before the reshard")
		time.Sleep(2 * time.Second)
	}

	// Shard 0 covers the whole key range, so the keyspace can turn sharded
	// (with a vindex for the table) before the copy to -80,80- starts.
	c.vtctl(t, "ApplyVSchema", "--vschema",
		fmt.Sprintf(`{"sharded":true,"vindexes":{"hash":{"type":"hash"}},"tables":{"%s":{"column_vindexes":[{"column":"sk","name":"hash"}]}}}`, tb.name),
		c.keyspace)
	// The tablets' schema engines learn of tables made through a shard
	// target (the binlog dump tests) only at their next reload, and a
	// Reshard's copy of a table its source tablet does not know fails
	// ("table ... not found"): Vitess's advice, a reload, first.
	c.vtctl(t, "ReloadSchemaKeyspace", c.keyspace)
	wf := "rs" + tb.name
	rs := func(args ...string) string {
		return c.vtctl(t, append([]string{"Reshard", "--workflow", wf, "--target-keyspace", c.keyspace}, args...)...)
	}
	t.Log(rs("create", "--source-shards", "0", "--target-shards", "-80,80-"))
	if down == "kill" {
		st := strings.Join(strings.Fields(rs("status")), " ")
		if !strings.Contains(st, "Copying") {
			t.Logf("the kill meant for the workflow's copy may come after it (status: %s)", st)
		}
		kill("during the reshard's copy (" + st + ")")
	}
	t.Logf("workflow copied: %s", waitCopied(t, rs, 2, 2*time.Minute))
	time.Sleep(2 * time.Second)
	var storedB string
	if down == "stop" {
		sl.Stop()
		slB.Stop()
		_, val, _ := conformance.StoredOffset(t, c.kafka, offsets.DefaultOffsetsTopic, offsets.Key(name, prefix))
		storedB, _ = storedShards(t, c.kafka, nameB, prefixB)
		t.Logf("Sluice stopped before the switch; stored VGTIDs: %s and %s", val, storedB)
	}
	t.Log(rs("switchtraffic", "--tablet-types", "rdonly,replica"))
	if down == "kill" {
		switched := make(chan error, 1)
		go func() {
			out, err := c.vtctlErr("Reshard", "--workflow", wf, "--target-keyspace", c.keyspace, "switchtraffic", "--tablet-types", "primary")
			t.Log(out)
			switched <- err
		}()
		began := time.Now()
		time.Sleep(300 * time.Millisecond)
		sl.Kill9()
		t.Logf("killed -9 during the primary switch after %d writes", w.wrote.Load())
		if err := <-switched; err != nil {
			t.Fatal(err)
		}
		t.Logf("the primary switch took %s (the kill came after %s)", time.Since(began).Round(time.Millisecond), 300*time.Millisecond)
		sl = startVitess(t, c.vtEnv, name, cfg)
	} else {
		t.Log(rs("switchtraffic", "--tablet-types", "primary"))
	}
	atSwitch := w.wrote.Load()
	t.Logf("traffic switched after %d writes (%d failed)", atSwitch, w.failed.Load())
	switch down {
	case "stop":
		// Shard 0 no longer serves but still exists: VTGate resumes
		// through it, and sluice validate has nothing to say.
		if out, code := validateVt(t, cfgB, nameB); code != 0 || strings.Contains(out, "no longer there") {
			t.Errorf("sluice validate after the switch, before the reshard is completed (exit %d):\n%s", code, out)
		}
		time.Sleep(3 * time.Second) // writes on the new shards while Sluice is down
		sl = startVitess(t, c.vtEnv, name, cfg)
		t.Logf("restarted after %d writes", w.wrote.Load())
	case "kill":
		time.Sleep(2 * time.Second)
		kill("after the switch")
	}
	w.atLeast(atSwitch, 200, 90*time.Second) // writes go on to the new shards
	w.end(t)
	t.Logf("%d writes after the switch", w.wrote.Load()-atSwitch)
	if w.wrote.Load()-atSwitch < 50 {
		t.Errorf("only %d writes after the switch", w.wrote.Load()-atSwitch)
	}

	want := tb.rows(t)
	f.check(t, topic, want, 90*time.Second)
	f.close()
	if f.shards["-80"] == 0 || f.shards["80-"] == 0 {
		t.Errorf("no change records from the new shards: %v", f.shards)
	}
	sl.Stop()
	val, names := storedShards(t, c.kafka, name, prefix)
	if strings.Join(names, ",") != c.keyspace+"/-80,"+c.keyspace+"/80-" && strings.Join(names, ",") != c.keyspace+"/80-,"+c.keyspace+"/-80" {
		t.Fatalf("stored offset %s: shards %v, want -80 and 80-", val, names)
	}
	t.Logf("stored VGTID: %s", val)
	if down == "" && len(extra) == 0 {
		reshardTwoIntoFour(t, c, tb, rows, rs, name, prefix, cfg)
	}
	if down == "stop" && len(extra) == 0 {
		reshardCompleted(t, c, tb, rs, nameB, prefixB, cfgB, storedB)
	}
	return sl.Stderr.String()
}

// kill9Restart kills a connector's daemon with SIGKILL, logs the VGTID it
// had stored by then, and starts the connector again.
func kill9Restart(t *testing.T, kafka string, d *daemon, e vtEnv, name, prefix string, cfg map[string]string, when string) *daemon {
	t.Helper()
	d.Kill9()
	_, val, _ := conformance.StoredOffset(t, kafka, offsets.DefaultOffsetsTopic, offsets.Key(name, prefix))
	t.Logf("%s killed -9 %s; stored VGTID: %s", name, when, val)
	return startVitess(t, e, name, cfg)
}

// waitCopied waits until the Reshard workflow that wf drives has its
// streams streams running with their copy done, and returns its status.
func waitCopied(t *testing.T, wf func(...string) string, streams int, limit time.Duration) string {
	t.Helper()
	for deadline := time.Now().Add(limit); ; time.Sleep(time.Second) {
		st := wf("status")
		if strings.Count(st, "Status: Running") == streams && !strings.Contains(st, "Copying") {
			return st
		}
		if strings.Contains(st, "Error") || time.Now().After(deadline) {
			t.Fatalf("the Reshard workflow did not finish its copy: %s\n%s", st, wf("show"))
		}
	}
}

// reshardTwoIntoFour goes on where TestVitessReshardWhileStreaming's first
// reshard ended: that reshard is completed (shard 0 deleted), tablets for
// four new shards are added, and -80,80- is resharded into
// -40,40-80,80-c0,c0- under a writer, while the connector, started again
// from its VGTID naming -80,80-, streams. Its topic, read from the start,
// rebuilds the table with every change once, and its stored VGTID names
// the four shards.
func reshardTwoIntoFour(t *testing.T, c vtCluster, tb *vtTable, rows int, rs func(...string) string, name, prefix string, cfg map[string]string) {
	t.Log(rs("complete"))
	four := []string{"-40", "40-80", "80-c0", "c0-"}
	t.Log(c.script(t, "the second reshard needs tablets for four shards", "add-shards", c.keyspace,
		"600:-40", "700:40-80", "800:80-c0", "900:c0-"))
	topic := prefix + "." + c.keyspace + "." + tb.name
	f := followTopic(t, c.kafka, topic, false)
	sl := startVitess(t, c.vtEnv, name, cfg)
	sl.WaitLog("resuming from stored offset", 30*time.Second)
	w := startWriterFrom(c.mysql, c.keyspace, tb.name, rows, 20_000_000)
	time.Sleep(2 * time.Second)
	wf := "rf" + tb.name
	rf := func(args ...string) string {
		return c.vtctl(t, append([]string{"Reshard", "--workflow", wf, "--target-keyspace", c.keyspace}, args...)...)
	}
	t.Log(rf("create", "--source-shards", "-80,80-", "--target-shards", strings.Join(four, ",")))
	waitCopied(t, rf, len(four), 3*time.Minute)
	t.Log(rf("switchtraffic"))
	atSwitch := w.wrote.Load()
	w.atLeast(atSwitch, 200, 90*time.Second)
	w.end(t)
	t.Logf("%d writes, %d after the switch into four shards", w.wrote.Load(), w.wrote.Load()-atSwitch)
	f.check(t, "after the reshard into four", tb.rows(t), 90*time.Second)
	f.close()
	for _, sh := range four {
		if f.shards[sh] == 0 {
			t.Errorf("no change records from shard %s: %v", sh, f.shards)
		}
	}
	sl.Stop()
	val, names := storedShards(t, c.kafka, name, prefix)
	slices.Sort(names)
	want := []string{c.keyspace + "/-40", c.keyspace + "/40-80", c.keyspace + "/80-c0", c.keyspace + "/c0-"}
	if !slices.Equal(names, want) {
		t.Errorf("stored offset after the reshard into four %s: shards %v, want %v", val, names, want)
	}
	t.Log(rf("complete"))
}

// reshardCompleted: once the reshard is completed (shard 0 deleted), a
// connector whose stored VGTID names shard 0 stops with an error naming the
// reshard, the shards and the ways out; sluice validate says the same; with
// snapshot.mode=when_needed it copies the table again from the new shards
// and streams on.
func reshardCompleted(t *testing.T, c vtCluster, tb *vtTable, rs func(...string) string, name, prefix string, cfg map[string]string, stored string) {
	if !strings.Contains(stored, `"shard\":\"0\"`) {
		t.Fatalf("the second connector's stored VGTID %s does not name shard 0", stored)
	}
	t.Log(rs("complete"))
	if sh := c.servingShards(t, c.keyspace); strings.Join(sh, ",") != c.keyspace+"/-80,"+c.keyspace+"/80-" {
		t.Fatalf("after Reshard complete VTGate serves %v", sh)
	}
	advice := []string{"names shards 0 of keyspace " + c.keyspace + ", which now has shards -80,80- (no longer there: 0; new: -80,80-)",
		"resharded", "snapshot.mode=when_needed", "snapshot.mode=never", "vitess.vgtid=current"}
	start := time.Now()
	sl := startVitess(t, c.vtEnv, name, cfg)
	log := sl.WaitExit(60 * time.Second)
	if sl.Err == nil {
		t.Fatalf("sluice exited 0 from a VGTID naming a deleted shard:\n%s", tail(log, 3000))
	}
	t.Logf("stopped after %s: %s", time.Since(start).Round(time.Millisecond), tail(log, 1500))
	for _, s := range advice {
		if !strings.Contains(log, s) {
			t.Errorf("the error does not say %q:\n%s", s, tail(log, 3000))
		}
	}
	if after, _ := storedShards(t, c.kafka, name, prefix); after != stored {
		t.Errorf("the failed start moved the stored offset: %s, was %s", after, stored)
	}
	out, code := validateVt(t, cfg, name)
	if code == 0 {
		t.Errorf("sluice validate exits 0 for a VGTID naming a deleted shard:\n%s", out)
	}
	wantLines(t, out, advice...)

	// when_needed: the records from here on rebuild the table alone.
	adm := kadm.NewClient(conformance.NewKafkaClient(t, c.kafka))
	topic := prefix + "." + c.keyspace + "." + tb.name
	ends, err := adm.ListEndOffsets(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	from := map[int32]kgo.Offset{}
	ends.Each(func(o kadm.ListedOffset) { from[o.Partition] = kgo.NewOffset().At(o.Offset) })
	f := followPartitions(t, c.kafka, topic, from)
	cfg = maps.Clone(cfg)
	cfg["snapshot.mode"] = "when_needed"
	sl = startVitess(t, c.vtEnv, name, cfg)
	sl.WaitLog("snapshot.mode=when_needed: taking a new snapshot", 60*time.Second)
	tb.must(t, "UPDATE "+tb.name+" SET v = v + 1 WHERE id BETWEEN 1 AND 50", "DELETE FROM "+tb.name+" WHERE id BETWEEN 51 AND 60",
		"INSERT INTO "+tb.name+" (id, sk, v, pad) VALUES (30000001, 30000001, 1, 'after')")
	f.check(t, "copied again (when_needed)", tb.rows(t), 90*time.Second)
	sl.Stop()
	if val, names := storedShards(t, c.kafka, name, prefix); len(names) != 2 || slices.Contains(names, c.keyspace+"/0") {
		t.Errorf("stored offset after the new copy %s: shards %v, want -80 and 80-", val, names)
	}
}
