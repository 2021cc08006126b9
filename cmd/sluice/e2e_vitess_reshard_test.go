package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
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

// vtctl runs vtctldclient against the cluster's vtctld and fails the test
// with the exact command and output when it fails.
func (c vtCluster) vtctl(t *testing.T, args ...string) string {
	t.Helper()
	full := append([]string{"--server", c.vtctld}, args...)
	out, err := exec.Command(c.vtctldclient, full...).CombinedOutput()
	if err != nil {
		t.Fatalf("vtctldclient %s: %v\n%s", strings.Join(full, " "), err, out)
	}
	return string(out)
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
	var v struct {
		Op     string
		Before *struct{ V int64 }
		After  *struct{ V int64 }
		Source struct{ Shard string }
	}
	if err := json.Unmarshal(rec.Value, &v); err != nil {
		p.errs = append(p.errs, fmt.Sprintf("value %s: %v", rec.Value, err))
		return
	}
	cur, present := p.v[k.ID]
	bad := func(what string) {
		if len(p.errs) < 20 {
			p.errs = append(p.errs, fmt.Sprintf("key %d (shard %s): %s; v before %d present %v", k.ID, v.Source.Shard, what, cur, present))
		}
	}
	switch v.Op {
	case "c", "r":
		if present && p.replays {
			p.dups++
			return
		}
		if present {
			bad("insert of a present key (repeated change)")
		}
		p.v[k.ID] = v.After.V
	case "u":
		if present && p.replays && v.After.V <= cur {
			p.dups++
			return
		}
		if !present {
			bad("update of an absent key")
		} else if v.After.V != cur+1 {
			bad(fmt.Sprintf("update to v=%d (lost, repeated or reordered change)", v.After.V))
		}
		p.v[k.ID] = v.After.V
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
func TestVitessReshardWhileStopped(t *testing.T) { reshardWhileFollowing(t, "stop") }

// The same with kill -9: changes after the last stored offset come again
// (at least once), none is lost or reordered.
func TestVitessReshardWhileKilled(t *testing.T) { reshardWhileFollowing(t, "kill") }

// It returns the log of the last sluice run.
func reshardWhileFollowing(t *testing.T, down string, extra ...map[string]string) string {
	c := needVtCluster(t)
	conn, err := client.Connect(c.mysql, "root", "", c.keyspace)
	if err != nil {
		t.Fatalf("connecting to VTGate's MySQL port %s: %v", c.mysql, err)
	}
	t.Cleanup(func() { conn.Close() })
	res, err := conn.Execute("SHOW VITESS_SHARDS")
	if err != nil {
		t.Fatal(err)
	}
	var serving []string
	for i := 0; i < res.RowNumber(); i++ {
		s, _ := res.GetString(i, 0)
		if strings.HasPrefix(s, c.keyspace+"/") {
			serving = append(serving, s)
		}
	}
	if len(serving) != 1 || serving[0] != c.keyspace+"/0" {
		t.Skipf("VTGate serves %v, not only %s/0: the keyspace was resharded by an earlier run; start the cluster again (deploy/local/vitess-cluster.sh stop; start)", serving, c.keyspace)
	}
	const rows = 2000
	tb := &vtTable{e: c.vtEnv, name: fmt.Sprintf("r%d", rand.Intn(1_000_000_000)), conn: conn}
	tb.must(t, fmt.Sprintf("CREATE TABLE %s (id BIGINT NOT NULL, sk BIGINT NOT NULL, v INT NOT NULL, pad VARCHAR(64), PRIMARY KEY (id))", tb.name))
	for lo := 1; lo <= rows; lo += 1000 {
		var vals []string
		for id := lo; id < lo+1000 && id <= rows; id++ {
			vals = append(vals, fmt.Sprintf("(%d,%d,1,'row-%d')", id, id, id))
		}
		tb.must(t, "INSERT INTO "+tb.name+" (id, sk, v, pad) VALUES "+strings.Join(vals, ","))
	}

	prefix := "vr" + tb.name
	name := "c-" + tb.name
	topic := prefix + "." + c.keyspace + "." + tb.name
	var more map[string]string
	if len(extra) > 0 {
		more = extra[0]
	}
	cfg := tb.connector(prefix, more)
	sl := startVitess(t, c.vtEnv, name, cfg)

	// The consumer applies every record as it comes.
	var mu sync.Mutex
	r := &rebuilt{rows: map[int64]string{}, ops: map[string]int{}}
	pk := &perKey{v: map[int64]int64{}, replays: down == "kill"}
	shardsSeen := map[string]int{}
	cl := conformance.NewKafkaClient(t, c.kafka, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(200*time.Millisecond))
	consStop := make(chan struct{})
	consDone := make(chan struct{})
	go func() {
		defer close(consDone)
		for {
			select {
			case <-consStop:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			fs := cl.PollFetches(ctx)
			cancel()
			mu.Lock()
			fs.EachRecord(func(k *kgo.Record) {
				h := map[string]string{}
				for _, x := range k.Headers {
					h[x.Key] = string(x.Value)
				}
				rec := conformance.Record{Key: k.Key, Value: k.Value, Headers: h}
				r.apply(t, rec)
				pk.apply(rec)
				if k.Value != nil {
					var v struct{ Source struct{ Shard string } }
					_ = json.Unmarshal(k.Value, &v)
					shardsSeen[v.Source.Shard]++
				}
			})
			mu.Unlock()
		}
	}()
	seen := func() int { mu.Lock(); defer mu.Unlock(); return r.seen }

	// A writer that goes on through the switch on its own connection: VTGate
	// buffers, but a statement may still fail (then it reconnects: a failed
	// statement can leave the session in a transaction); the database stays
	// the truth.
	var wrote, failed atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	var lastErr atomic.Value
	go func() {
		defer close(done)
		rng := rand.New(rand.NewSource(2))
		next := 10_000_000
		var wc *client.Conn
		defer func() {
			if wc != nil {
				wc.Close()
			}
		}()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if wc == nil {
				var err error
				if wc, err = client.Connect(c.mysql, "root", "", c.keyspace); err != nil {
					failed.Add(1)
					lastErr.Store(err.Error())
					time.Sleep(100 * time.Millisecond)
					continue
				}
			}
			id := 1 + rng.Intn(rows)
			var q string
			switch k := rng.Intn(10); {
			case k < 6:
				q = fmt.Sprintf("UPDATE %s SET v = v + 1 WHERE id BETWEEN %d AND %d", tb.name, id, id+3)
			case k < 8:
				q = fmt.Sprintf("DELETE FROM %s WHERE id = %d", tb.name, id)
			default:
				q = fmt.Sprintf("INSERT INTO %s (id, sk, v, pad) VALUES (%d, %d, 1, 'new')", tb.name, next, next)
				next++
			}
			if _, err := wc.Execute(q); err != nil {
				failed.Add(1)
				lastErr.Store(q + ": " + err.Error())
				wc.Close()
				wc = nil
			} else {
				wrote.Add(1)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()

	for deadline := time.Now().Add(60 * time.Second); seen() < rows && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
	}
	if seen() < rows {
		t.Fatalf("the copy phase wrote only %d records in 60 s", seen())
	}
	time.Sleep(2 * time.Second)
	t.Logf("copy done (%d records), %d writes; resharding", seen(), wrote.Load())

	// Shard 0 covers the whole key range, so the keyspace can turn sharded
	// (with a vindex for the table) before the copy to -80,80- starts.
	c.vtctl(t, "ApplyVSchema", "--vschema",
		fmt.Sprintf(`{"sharded":true,"vindexes":{"hash":{"type":"hash"}},"tables":{"%s":{"column_vindexes":[{"column":"sk","name":"hash"}]}}}`, tb.name),
		c.keyspace)
	wf := "rs" + tb.name
	rs := func(args ...string) string {
		return c.vtctl(t, append([]string{"Reshard", "--workflow", wf, "--target-keyspace", c.keyspace}, args...)...)
	}
	t.Log(rs("create", "--source-shards", "0", "--target-shards", "-80,80-"))
	for deadline := time.Now().Add(2 * time.Minute); ; {
		st := rs("status")
		if strings.Count(st, "Status: Running") == 2 && !strings.Contains(st, "Copying") {
			t.Logf("workflow copied: %s", st)
			break
		}
		if strings.Contains(st, "Error") || time.Now().After(deadline) {
			t.Fatalf("Reshard workflow did not finish its copy: %s\n%s", st, rs("show"))
		}
		time.Sleep(time.Second)
	}
	time.Sleep(2 * time.Second)
	if down == "kill" {
		sl.Kill9()
	} else if down == "stop" {
		sl.Stop()
	}
	if down != "" {
		_, val, _ := conformance.StoredOffset(t, c.kafka, offsets.DefaultOffsetsTopic, offsets.Key(name, prefix))
		t.Logf("Sluice down (%s) before the switch; stored VGTID: %s", down, val)
	}
	t.Log(rs("switchtraffic", "--tablet-types", "rdonly,replica"))
	t.Log(rs("switchtraffic", "--tablet-types", "primary"))
	atSwitch := wrote.Load()
	t.Logf("traffic switched after %d writes (%d failed)", atSwitch, failed.Load())
	if down != "" {
		time.Sleep(3 * time.Second) // writes on the new shards while Sluice is down
		sl = startVitess(t, c.vtEnv, name, cfg)
		t.Logf("restarted after %d writes", wrote.Load())
	}
	time.Sleep(5 * time.Second) // writes go on to the new shards
	close(stop)
	<-done
	t.Logf("%d writes after the switch", wrote.Load()-atSwitch)
	if wrote.Load()-atSwitch < 50 {
		t.Errorf("only %d writes after the switch", wrote.Load()-atSwitch)
	}
	if e, _ := lastErr.Load().(string); e != "" {
		t.Logf("%d writes failed, the last: %s", failed.Load(), e)
	}

	want := tb.rows(t)
	var equal bool
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		mu.Lock()
		equal = equalMaps(r.rows, want)
		mu.Unlock()
		if equal {
			break
		}
	}
	time.Sleep(2 * time.Second) // an offset flush, and any late duplicate
	close(consStop)
	<-consDone
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d writes; %d records (%d replayed), ops %v, by shard %v", wrote.Load(), r.seen, pk.dups, r.ops, shardsSeen)
	if !equal || !equalMaps(r.rows, want) {
		t.Errorf("the table rebuilt from %s (%d rows) differs from Vitess's (%d rows): %s", topic, len(r.rows), len(want), diffMaps(r.rows, want))
	}
	if len(pk.errs) > 0 {
		t.Errorf("per-key order: %s", strings.Join(pk.errs, "\n"))
	}
	if shardsSeen["-80"] == 0 || shardsSeen["80-"] == 0 {
		t.Errorf("no change records from the new shards: %v", shardsSeen)
	}
	sl.Stop()
	_, val, ok := conformance.StoredOffset(t, c.kafka, offsets.DefaultOffsetsTopic, offsets.Key(name, prefix))
	if !ok {
		t.Fatal("no stored offset")
	}
	p, err := offsets.ParseVitess(val)
	var names []string
	for _, s := range p.Shards {
		names = append(names, s.Shard)
	}
	if err != nil || strings.Join(names, ",") != "-80,80-" && strings.Join(names, ",") != "80-,-80" {
		t.Fatalf("stored offset %s (%v): shards %v, want -80 and 80-", val, err, names)
	}
	t.Logf("stored VGTID: %s", val)
	return sl.Stderr.String()
}
