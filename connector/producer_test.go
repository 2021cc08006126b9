package connector

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters/jsonconv"
	"github.com/sluice-cdc/sluice/internal/fault"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// A broker that cannot be reached is counted, so an outage shows in the
// counters and not only in the log.
func TestBrokerCountersCountFailedDials(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing accepts there now
	bc := &BrokerCounters{}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.WithHooks(bc))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := cl.Ping(ctx); err == nil {
		t.Fatal("ping of a closed port succeeded")
	}
	if bc.ConnectErrors.Load() == 0 {
		t.Fatal("the failed dial was not counted")
	}
}

// A record too large for Kafka is named with the settings that let it
// through, Sluice's own producer bound among them.
func TestProduceErrorNamesTheSizeSettings(t *testing.T) {
	r := &kgo.Record{Topic: "db.t", Key: []byte(`{"id":1}`), Value: make([]byte, 2<<20)}
	err := produceError(r, kerr.MessageTooLarge)
	want := `kafka did not accept a record for topic db.t with key {"id":1}: MESSAGE_TOO_LARGE: The request included a message larger than the max message size the server will accept; the record is 2097160 bytes: raise the topic's max.message.bytes (or the broker's message.max.bytes) and the worker's producer.batch.size (Sluice's largest batch, which bounds a record as Kafka's max.request.size does), or make rows smaller with column.truncate.to.N.chars or column.exclude.list`
	if err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
	if !errors.Is(err, kerr.MessageTooLarge) {
		t.Errorf("%v does not wrap kerr.MessageTooLarge", err)
	}
}

// A refusal by the broker's ACLs names the grant for what was refused:
// the topic, the cluster (an idempotent producer on an old broker) or the
// transactional id.
func TestProduceErrorNamesTheGrant(t *testing.T) {
	r := &kgo.Record{Topic: "db.t", Key: []byte(`{"id":1}`)}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{kerr.TopicAuthorizationFailed, "grant it WRITE and DESCRIBE on topic db.t"},
		{kerr.ClusterAuthorizationFailed, "grant it IDEMPOTENT_WRITE on the cluster"},
		{kerr.TransactionalIDAuthorizationFailed, "grant it WRITE and DESCRIBE on the connector's transactional id"},
	} {
		err := produceError(r, tc.err)
		if !strings.Contains(err.Error(), tc.want) || !fault.IsDefinite(err) || !errors.Is(err, tc.err) {
			t.Errorf("%v: got %v (definite %t), want one containing %q", tc.err, err, fault.IsDefinite(err), tc.want)
		}
	}
	if err := produceError(r, kerr.NotLeaderForPartition); fault.IsDefinite(err) || strings.Contains(err.Error(), "grant") {
		t.Errorf("another error: %v", err)
	}
}

// countingTopics records the ensurer's calls.
type countingTopics struct {
	mu    sync.Mutex
	calls []string
}

func (c *countingTopics) Ensure(_ context.Context, topic string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, topic)
	return nil
}

// The poller asks the ensurer once per run of records to one topic, not
// for every record (a lock and a map lookup each).
func TestTopicEnsuredOncePerRun(t *testing.T) {
	conv, err := jsonconv.New(jsonconv.Config{})
	if err != nil {
		t.Fatal(err)
	}
	other := *rowTable
	other.Topic = "u"
	q := NewQueue(64, 1<<30)
	in := q.Reader(nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var events []change.Event
	for i, table := range []*change.Table{rowTable, rowTable, rowTable, &other, &other, rowTable} {
		ev := rowEvent(int64(i))
		ev.Table = table
		events = append(events, ev)
	}
	events = append(events, change.Event{Kind: change.KindCommit, Position: seqPos{n: 6}})
	if err := in.Enqueue(ctx, events...); err != nil {
		t.Fatal(err)
	}
	prod, store, topics := &holdingProducer{}, &memStore{}, &countingTopics{}
	p := NewPoller(PollerConfig{Queue: q, KeyConverter: conv, ValueConverter: conv, Producer: prod, Topics: topics,
		Store: store, OffsetKey: []byte("k"), MaxBatch: 256, PollInterval: 5 * time.Millisecond})
	ran := make(chan error, 1)
	go func() { ran <- p.Run(ctx, nil) }()
	for deadline := time.Now().Add(10 * time.Second); store.get() == "" && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		prod.release()
	}
	cancel()
	<-ran
	topics.mu.Lock()
	defer topics.mu.Unlock()
	var got []string
	prod.mu.Lock()
	for _, r := range prod.records {
		got = append(got, r.Topic)
	}
	prod.mu.Unlock()
	if strings.Join(got, ",") != "t,t,t,u,u,t" {
		t.Errorf("records produced to %v, want t,t,t,u,u,t", got)
	}
	if strings.Join(topics.calls, ",") != "t,u,t" {
		t.Errorf("topics ensured %v, want t,u,t (once per run of one topic)", topics.calls)
	}
}
