package history

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"
)

func newFakeCluster(t *testing.T) []string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

// realBrokers returns the brokers of the Kafka named by
// SLUICE_BOOTSTRAP_SERVERS (deploy/local/up.sh prints it). Without it the
// test is skipped, unless SLUICE_E2E=1 (CI), where it fails.
func realBrokers(t *testing.T) []string {
	t.Helper()
	v := os.Getenv("SLUICE_BOOTSTRAP_SERVERS")
	if v == "" {
		if os.Getenv("SLUICE_E2E") == "1" {
			t.Fatal("SLUICE_E2E=1 but SLUICE_BOOTSTRAP_SERVERS is not set; start Kafka with deploy/local/up.sh")
		}
		t.Skip("SLUICE_BOOTSTRAP_SERVERS is not set: skipping the test against a real Kafka broker " +
			"(start one with deploy/local/up.sh)")
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

func newAdmin(t *testing.T, brokers []string) *kadm.Client {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return kadm.NewClient(cl)
}

func topicConfigs(ctx context.Context, t *testing.T, adm *kadm.Client, topic string) map[string]string {
	t.Helper()
	rcs, err := adm.DescribeTopicConfigs(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := rcs.On(topic, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range rc.Configs {
		if c.Value != nil {
			out[c.Key] = *c.Value
		}
	}
	return out
}

func TestKafkaStoreFake(t *testing.T) {
	testKafkaStore(t, newFakeCluster(t), "dbhistory.inventory")
}

func TestKafkaStoreReal(t *testing.T) {
	brokers := realBrokers(t)
	topic := fmt.Sprintf("sluice_test_history_%d", time.Now().UnixNano())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := newAdmin(t, brokers).DeleteTopics(ctx, topic); err != nil {
			t.Logf("deleting test topic %s: %v", topic, err)
		}
	})
	testKafkaStore(t, brokers, topic)
}

func testKafkaStore(t *testing.T, brokers []string, topic string) {
	ctx := testCtx(t)
	cfg := KafkaConfig{Brokers: brokers, Topic: topic, Logger: zaptest.NewLogger(t)}
	s, err := NewKafkaStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Topic() != topic {
		t.Fatalf("Topic() = %s", s.Topic())
	}

	// Created as KafkaSchemaHistory.initializeStorage creates it.
	adm := newAdmin(t, brokers)
	tds, err := adm.ListTopics(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tds[topic].Partitions); n != 1 {
		t.Fatalf("created topic has %d partitions, want 1", n)
	}
	cfgs := topicConfigs(ctx, t, adm, topic)
	if cfgs["cleanup.policy"] != "delete" || cfgs["retention.ms"] != strconv.FormatInt(math.MaxInt64, 10) || cfgs["retention.bytes"] != "-1" {
		t.Fatalf("created topic's configs: cleanup.policy=%s retention.ms=%s retention.bytes=%s",
			cfgs["cleanup.policy"], cfgs["retention.ms"], cfgs["retention.bytes"])
	}

	assertEmpty(t, s, true)
	if got := recoverAll(t, s); len(got) != 0 {
		t.Fatalf("Recover on an empty topic: %v", got)
	}
	var want []string
	for i := range 5 {
		if err := s.Append(ctx, testRecord(i)); err != nil {
			t.Fatal(err)
		}
		want = append(want, testRecord(i).DDL)
	}
	assertEmpty(t, s, false)
	if got := ddls(recoverAll(t, s)); strings.Join(got, ";") != strings.Join(want, ";") {
		t.Fatalf("recovered %q, want %q", got, want)
	}

	// Records sit in partition 0 with a null key, one compact document
	// each, as KafkaSchemaHistory produces them.
	raw := readPartition0(ctx, t, brokers, topic)
	if len(raw) != 5 {
		t.Fatalf("partition 0 holds %d records", len(raw))
	}
	for i, r := range raw {
		wantValue, _ := testRecord(i).Marshal()
		if r.Key != nil || string(r.Value) != string(wantValue) {
			t.Errorf("record %d: key %q value %s", i, r.Key, r.Value)
		}
	}

	// What Debezium produced: a pretty-printed document; plus a null value
	// and a document without a position, which Debezium's recovery skips.
	pr, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	pretty := "{\n  \"source\" : {\n    \"server\" : \"dbserver1\"\n  },\n  \"position\" : {\n    \"file\" : \"mysql-bin.000004\",\n" +
		"    \"pos\" : 4\n  },\n  \"ts_ms\" : 1700000009999,\n  \"databaseName\" : \"inventory\",\n  \"ddl\" : \"DROP TABLE t0\",\n" +
		"  \"tableChanges\" : [ {\n    \"type\" : \"DROP\",\n    \"id\" : \"\\\"inventory\\\".\\\"t0\\\"\"\n  } ]\n}"
	for _, v := range [][]byte{[]byte(pretty), nil, []byte(`{"source":{"server":"dbserver1"}}`)} {
		if err := pr.ProduceSync(ctx, &kgo.Record{Topic: topic, Partition: 0, Value: v}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	got := recoverAll(t, s)
	if len(got) != 6 || got[5].DDL != "DROP TABLE t0" || got[5].TsMs != 1700000009999 {
		t.Fatalf("recovered %q", ddls(got))
	}

	// A fresh store reads the same history.
	s2, err := NewKafkaStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got := recoverAll(t, s2); len(got) != 6 {
		t.Fatalf("fresh store recovered %d records", len(got))
	}

	// Recover stops at the high watermark it saw: fn may append, and the
	// records it appends are not handed to the same Recover.
	n := 0
	err = s.Recover(ctx, func(Record) error {
		n++
		if n == 1 {
			return s.Append(ctx, testRecord(100))
		}
		return nil
	})
	if err != nil || n != 6 {
		t.Fatalf("Recover with an append: %d records, %v", n, err)
	}
	if got := recoverAll(t, s2); len(got) != 7 || got[6].DDL != testRecord(100).DDL {
		t.Fatalf("recovered %q", ddls(got))
	}

	// An error from fn stops Recover, wrapped.
	stop := errors.New("stop")
	n = 0
	if err := s.Recover(ctx, func(Record) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("Recover with a failing fn: %v after %d records", err, n)
	}

	// A record that is not JSON stops Recover with an error naming it.
	if err := pr.ProduceSync(ctx, &kgo.Record{Topic: topic, Partition: 0, Value: []byte("garbage")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	err = s.Recover(ctx, func(Record) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "offset 9") || !strings.Contains(err.Error(), topic) {
		t.Errorf("Recover over a corrupt record: %v", err)
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Append(cctx, testRecord(0)); !errors.Is(err, context.Canceled) {
		t.Errorf("Append with a cancelled context: %v", err)
	}
	if err := s.Recover(cctx, func(Record) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Recover with a cancelled context: %v", err)
	}

	// A deleted topic is an empty history.
	if _, err := adm.DeleteTopics(ctx, topic); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		empty, err := s.Empty(ctx)
		if err == nil && empty {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Empty after deleting the topic = %v, %v", empty, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func readPartition0(ctx context.Context, t *testing.T, brokers []string, topic string) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().AtStart()}}))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	end, _ := ends.Lookup(topic, 0)
	var out []*kgo.Record
	for int64(len(out)) < end.Offset {
		fs := cl.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			t.Fatal(err)
		}
		out = append(out, fs.Records()...)
	}
	return out
}

func TestKafkaStoreRefusesTopics(t *testing.T) {
	ctx := testCtx(t)
	brokers := newFakeCluster(t)
	adm := newAdmin(t, brokers)
	if _, err := adm.CreateTopic(ctx, 3, 1, nil, "three"); err != nil {
		t.Fatal(err)
	}
	if _, err := adm.CreateTopic(ctx, 1, 1, map[string]*string{"cleanup.policy": kadm.StringPtr("delete,compact")}, "compacted"); err != nil {
		t.Fatal(err)
	}

	_, err := NewKafkaStore(ctx, KafkaConfig{Brokers: brokers, Topic: "three"})
	var pe *TopicPartitionsError
	if !errors.As(err, &pe) || pe.Partitions != 3 || !strings.Contains(err.Error(), `"three" has 3 partitions`) ||
		!strings.Contains(err.Error(), "--partitions 1") {
		t.Errorf("three partitions: %v", err)
	}
	_, err = NewKafkaStore(ctx, KafkaConfig{Brokers: brokers, Topic: "compacted"})
	var ce *TopicCompactedError
	if !errors.As(err, &ce) || ce.Policy != "delete,compact" || !strings.Contains(err.Error(), "cleanup.policy=delete") {
		t.Errorf("compacted: %v", err)
	}

	for _, cfg := range []KafkaConfig{{Topic: "x"}, {Brokers: brokers}, {Brokers: brokers, Topic: "x", ReplicationFactor: -2}} {
		if _, err := NewKafkaStore(ctx, cfg); err == nil {
			t.Errorf("NewKafkaStore(%+v) succeeded", cfg)
		}
	}
}

// Finite retention is accepted with a warning, as KafkaSchemaHistory
// checkStorageSettings does: a Debezium topic created with the broker's
// default retention still works until its first records are deleted.
func TestKafkaStoreWarnsAboutRetention(t *testing.T) {
	ctx := testCtx(t)
	brokers := newFakeCluster(t)
	adm := newAdmin(t, brokers)
	if _, err := adm.CreateTopic(ctx, 1, 1, map[string]*string{
		"retention.ms":    kadm.StringPtr("604800000"),
		"retention.bytes": kadm.StringPtr("1073741824"),
	}, "week"); err != nil {
		t.Fatal(err)
	}
	if _, err := adm.CreateTopic(ctx, 1, 1, map[string]*string{"retention.ms": kadm.StringPtr("-1")}, "forever"); err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zap.WarnLevel)
	s, err := NewKafkaStore(ctx, KafkaConfig{Brokers: brokers, Topic: "week", Logger: zap.New(core)})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if logs.FilterMessageSnippet("finite retention").Len() != 1 || logs.FilterMessageSnippet("size limit").Len() != 1 {
		t.Errorf("warnings: %v", logs.All())
	}

	core, logs = observer.New(zap.WarnLevel)
	s, err = NewKafkaStore(ctx, KafkaConfig{Brokers: brokers, Topic: "forever", Logger: zap.New(core)})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if logs.Len() != 0 {
		t.Errorf("warnings for retention.ms=-1: %v", logs.All())
	}
}
