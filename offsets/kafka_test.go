package offsets

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap/zaptest"
)

func newFakeCluster(t *testing.T, opts ...kfake.Opt) (*kfake.Cluster, []string) {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, c.ListenAddrs()
}

// realBrokers returns the brokers of a real Kafka named by
// SLUICE_BOOTSTRAP_SERVERS, or skips the test.
func realBrokers(t *testing.T) []string {
	t.Helper()
	v := os.Getenv("SLUICE_BOOTSTRAP_SERVERS")
	if v == "" {
		t.Skip("SLUICE_BOOTSTRAP_SERVERS is not set: skipping the test against a real Kafka broker " +
			"(set it to e.g. 127.0.0.1:29092 to run it)")
	}
	brokers := strings.Split(v, ",")
	conn, err := net.DialTimeout("tcp", brokers[0], time.Second)
	if err != nil {
		t.Fatalf("SLUICE_BOOTSTRAP_SERVERS=%s is set but %s is not reachable: %v", v, brokers[0], err)
	}
	conn.Close()
	return brokers
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestKafkaStoreFake(t *testing.T) {
	_, brokers := newFakeCluster(t)
	testKafkaStore(t, brokers, "_connect_offsets", true)
}

func TestKafkaStoreReal(t *testing.T) {
	brokers := realBrokers(t)
	topic := fmt.Sprintf("sluice_test_offsets_%d", time.Now().UnixNano())
	t.Cleanup(func() { deleteTopics(t, brokers, topic) })
	testKafkaStore(t, brokers, topic, false)
}

func deleteTopics(t *testing.T, brokers []string, topics ...string) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Log(err)
		return
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := kadm.NewClient(cl).DeleteTopics(ctx, topics...); err != nil {
		t.Logf("deleting test topics %v: %v", topics, err)
	}
}

func testKafkaStore(t *testing.T, brokers []string, topic string, defaultTopic bool) {
	ctx := testCtx(t)
	cfg := KafkaStoreConfig{Brokers: brokers, Partitions: 25, Logger: zaptest.NewLogger(t)}
	if !defaultTopic {
		cfg.Topic = topic
	}
	s, err := NewKafkaStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Topic() != topic || s.Partitions() != 25 {
		t.Fatalf("store on %s with %d partitions, want %s with 25", s.Topic(), s.Partitions(), topic)
	}

	// The topic was created compacted.
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	rcs, err := adm.DescribeTopicConfigs(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := rcs.On(topic, nil)
	if err != nil {
		t.Fatal(err)
	}
	policy := ""
	for _, c := range rc.Configs {
		if c.Key == "cleanup.policy" && c.Value != nil {
			policy = *c.Value
		}
	}
	if policy != "compact" {
		t.Fatalf("created topic has cleanup.policy=%q", policy)
	}

	key := Key("inventory", "dbserver1") // partition 3 of 25, from Java
	if v, err := s.Load(ctx, key); err != nil || v != nil {
		t.Fatalf("Load before any commit = %q, %v; want nil, nil", v, err)
	}
	var last []byte
	for i := range 5 {
		p := MySQL{TsSec: 1700000000 + int64(i), File: "mysql-bin.000003", Pos: 154 + uint64(i), GTIDs: fmt.Sprintf("0-1-%d", 42+i), ServerID: 1}
		v, _ := p.OffsetValue()
		if err := s.Commit(ctx, key, v); err != nil {
			t.Fatal(err)
		}
		last = v
	}
	// Another key in the same and in another partition must not interfere.
	if err := s.Commit(ctx, Key("mysql-connector", "mysql"), []byte(`{"file":"x","pos":1}`)); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Load(ctx, key); err != nil || string(v) != string(last) {
		t.Fatalf("Load = %s, %v; want %s", v, err, last)
	}

	// A fresh store reloads it.
	s2, err := NewKafkaStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if v, err := s2.Load(ctx, key); err != nil || string(v) != string(last) {
		t.Fatalf("fresh store Load = %s, %v; want %s", v, err, last)
	}
	if p, err := ParseMySQL(last); err != nil || p.GTIDs != "0-1-46" {
		t.Fatalf("ParseMySQL(%s) = %+v, %v", last, p, err)
	}

	// The records sit where Kafka Connect puts them: partition 3, key bytes
	// exactly as JsonConverter writes them.
	recs := readPartition(ctx, t, brokers, topic, 3)
	if len(recs) != 5 {
		t.Fatalf("partition 3 holds %d records, want 5", len(recs))
	}
	for _, r := range recs {
		if string(r.Key) != `["inventory",{"server":"dbserver1"}]` {
			t.Errorf("record key %s", r.Key)
		}
	}
	if got := readPartition(ctx, t, brokers, topic, 2); len(got) != 1 || string(got[0].Key) != `["mysql-connector",{"server":"mysql"}]` {
		t.Errorf("partition 2 holds %v", got)
	}

	// An offset written by Kafka Connect's producer (default partitioner,
	// no explicit partition) is found by Load.
	dbz := Key("dbz", "server1")
	pr, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	dbzValue := []byte(`{"ts_sec":1700000000,"file":"mysql-bin.000003","pos":154,"gtids":"0-1-42","row":1,"server_id":1,"event":2}`)
	res := pr.ProduceSync(ctx, &kgo.Record{Key: dbz, Value: dbzValue})
	if err := res.FirstErr(); err != nil {
		t.Fatal(err)
	}
	if p := res[0].Record.Partition; p != Partition(dbz, 25) {
		t.Fatalf("the default partitioner chose %d, Partition says %d", p, Partition(dbz, 25))
	}
	if v, err := s.Load(ctx, dbz); err != nil || string(v) != string(dbzValue) {
		t.Fatalf("Load of a Connect-written offset = %s, %v", v, err)
	}

	// A tombstone deletes.
	if err := s.Commit(ctx, dbz, nil); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Load(ctx, dbz); err != nil || v != nil {
		t.Fatalf("Load after tombstone = %q, %v; want nil, nil", v, err)
	}

	// A cancelled context fails Load and Commit with a wrapped error.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Commit(cctx, key, []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "committing offset for") {
		t.Errorf("Commit with a cancelled context: %v", err)
	}
	if _, err := s.Load(cctx, key); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a cancelled context: %v", err)
	}
	if v, err := s.Load(ctx, key); err != nil || string(v) != string(last) {
		t.Fatalf("Load after a cancelled Commit = %s, %v; want %s", v, err, last)
	}
}

func readPartition(ctx context.Context, t *testing.T, brokers []string, topic string, p int32) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {p: kgo.NewOffset().AtStart()}}))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	end, _ := ends.Lookup(topic, p)
	var recs []*kgo.Record
	for len(recs) == 0 || recs[len(recs)-1].Offset < end.Offset-1 {
		if end.Offset == 0 {
			return nil
		}
		fs := cl.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, fs.Records()...)
	}
	for _, r := range recs {
		if r.Partition != p {
			t.Fatalf("record from partition %d", r.Partition)
		}
	}
	return recs
}

func TestKafkaStoreRejectsUncompactedTopic(t *testing.T) {
	c, brokers := newFakeCluster(t)
	if err := c.CreateTopic("_connect_offsets", 3, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateTopic("both", 3, map[string]string{"cleanup.policy": "compact,delete"}); err != nil {
		t.Fatal(err)
	}
	testRejectsUncompacted(t, brokers, "_connect_offsets", "delete")
	testRejectsUncompacted(t, brokers, "both", "compact,delete")
}

func TestKafkaStoreRejectsUncompactedTopicReal(t *testing.T) {
	brokers := realBrokers(t)
	topic := fmt.Sprintf("sluice_test_plain_%d", time.Now().UnixNano())
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, err := kadm.NewClient(cl).CreateTopic(testCtx(t), 3, -1, nil, topic); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteTopics(t, brokers, topic) })
	testRejectsUncompacted(t, brokers, topic, "delete")
}

func testRejectsUncompacted(t *testing.T, brokers []string, topic, policy string) {
	t.Helper()
	_, err := NewKafkaStore(testCtx(t), KafkaStoreConfig{Brokers: brokers, Topic: topic})
	var nc *NotCompactedError
	if !errors.As(err, &nc) {
		t.Fatalf("NewKafkaStore on a %s topic: %v, want a *NotCompactedError", policy, err)
	}
	if nc.Topic != topic || nc.Policy != policy {
		t.Errorf("error names topic %q policy %q, want %q %q", nc.Topic, nc.Policy, topic, policy)
	}
	for _, want := range []string{topic, "kafka-configs", "--alter", "--add-config cleanup.policy=compact"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestKafkaStoreExistingTopic(t *testing.T) {
	c, brokers := newFakeCluster(t)
	if err := c.CreateTopic("offsets", 7, map[string]string{"cleanup.policy": "compact"}); err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	s, err := NewKafkaStore(ctx, KafkaStoreConfig{Brokers: brokers, Topic: "offsets"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Partitions() != 7 {
		t.Fatalf("Partitions() = %d, want the topic's 7", s.Partitions())
	}
	key := Key("mysql-connector", "mysql") // partition 1 of 7, from Java
	for i := range 3 {
		if err := s.Commit(ctx, key, fmt.Appendf(nil, `{"file":"f","pos":%d}`, i)); err != nil {
			t.Fatal(err)
		}
	}
	if recs := readPartition(ctx, t, brokers, "offsets", 1); len(recs) != 3 {
		t.Fatalf("partition 1 holds %d records, want 3", len(recs))
	}
	// After compaction only the last record of the key is left; Load still
	// finds it.
	c.Compact()
	if v, err := s.Load(ctx, key); err != nil || string(v) != `{"file":"f","pos":2}` {
		t.Fatalf("Load after compaction = %s, %v", v, err)
	}
}

// Offsets written in an aborted transaction (an exactly-once Kafka Connect
// worker that failed) are not loaded, and a transaction marker as the last
// record of the partition does not stall Load.
func TestKafkaStoreIgnoresAbortedTransactions(t *testing.T) {
	_, brokers := newFakeCluster(t)
	testAbortedTransactions(t, brokers, "_connect_offsets")
}

func TestKafkaStoreIgnoresAbortedTransactionsReal(t *testing.T) {
	brokers := realBrokers(t)
	topic := fmt.Sprintf("sluice_test_txn_%d", time.Now().UnixNano())
	t.Cleanup(func() { deleteTopics(t, brokers, topic) })
	testAbortedTransactions(t, brokers, topic)
}

func testAbortedTransactions(t *testing.T, brokers []string, topic string) {
	ctx := testCtx(t)
	s, err := NewKafkaStore(ctx, KafkaStoreConfig{Brokers: brokers, Topic: topic, Partitions: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	key := Key("inventory", "dbserver1")
	if err := s.Commit(ctx, key, []byte(`{"file":"f","pos":1}`)); err != nil {
		t.Fatal(err)
	}
	tx, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.TransactionalID(topic+"-connect-cluster"),
		kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	write := func(value string, commit kgo.TransactionEndTry) {
		t.Helper()
		if err := tx.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		if err := tx.ProduceSync(ctx, &kgo.Record{Key: key, Value: []byte(value)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
		if err := tx.EndTransaction(ctx, commit); err != nil {
			t.Fatal(err)
		}
	}
	write(`{"file":"f","pos":2}`, kgo.TryAbort)
	if v, err := s.Load(ctx, key); err != nil || string(v) != `{"file":"f","pos":1}` {
		t.Fatalf("Load = %s, %v; want the committed pos 1", v, err)
	}
	// Committed transactional offsets are loaded, once the commit marker
	// is written: a real coordinator writes it after EndTransaction
	// returns, and until then the last stable offset is before the
	// transaction.
	write(`{"file":"f","pos":3}`, kgo.TryCommit)
	for deadline := time.Now().Add(15 * time.Second); ; {
		v, err := s.Load(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if string(v) == `{"file":"f","pos":3}` {
			break
		}
		if string(v) != `{"file":"f","pos":1}` || time.Now().After(deadline) {
			t.Fatalf("Load = %s; want the committed pos 3", v)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestKafkaStoreConfigErrors(t *testing.T) {
	ctx := testCtx(t)
	if _, err := NewKafkaStore(ctx, KafkaStoreConfig{}); err == nil {
		t.Error("no brokers accepted")
	}
	if _, err := NewKafkaStore(ctx, KafkaStoreConfig{Brokers: []string{"127.0.0.1:1"}, Partitions: -3}); err == nil {
		t.Error("negative partitions accepted")
	}
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, err := NewKafkaStore(cctx, KafkaStoreConfig{Brokers: []string{"127.0.0.1:1"}})
	if err == nil || !strings.Contains(err.Error(), "opening Kafka offset store on _connect_offsets") {
		t.Errorf("unreachable broker: %v", err)
	}
}
