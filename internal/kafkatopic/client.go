package kafkatopic

import (
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// StoreClient is the client of a store that keeps its state in one topic:
// it writes records to the partition the store picks itself (as the Java
// store it stands in for does), with acks=all and no linger, since each
// write is synchronous and rare.
type StoreClient struct {
	Client *kgo.Client
	Admin  *kadm.Client
	// Opts are the connection options (brokers, client id, security)
	// without the producer settings, for the store's readers.
	Opts []kgo.Opt
	// ReplicationFactor is the one to create the topic with; -1 is the
	// broker's default.
	ReplicationFactor int16
}

// NewStoreClient checks the settings every such store shares and opens its
// client. what names the store in errors ("Kafka offset store"); extra are
// producer options of the store's own.
func NewStoreClient(what, topic string, brokers []string, rf int16, clientOpts []kgo.Opt, extra ...kgo.Opt) (*StoreClient, error) {
	if len(brokers) == 0 {
		return nil, errors.New("opening " + what + ": no brokers configured")
	}
	if rf == 0 {
		rf = -1
	}
	if rf < -1 {
		return nil, fmt.Errorf("opening %s: replication factor must be positive or -1, got %d", what, rf)
	}
	opts := append([]kgo.Opt{kgo.SeedBrokers(brokers...)}, clientOpts...)
	producer := append(append([]kgo.Opt(nil), opts...),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(0),
	)
	cl, err := kgo.NewClient(append(producer, extra...)...)
	if err != nil {
		return nil, fmt.Errorf("opening %s on %s: %w", what, topic, err)
	}
	return &StoreClient{Client: cl, Admin: kadm.NewClient(cl), Opts: opts, ReplicationFactor: rf}, nil
}
