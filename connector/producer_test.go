package connector

import (
	"context"
	"net"
	"testing"
	"time"

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
