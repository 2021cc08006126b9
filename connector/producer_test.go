package connector

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

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
