package connector

import (
	"context"

	"github.com/twmb/franz-go/pkg/kgo"
)

// fixedPartition marks a record (as its Context) whose Partition was chosen
// by the record itself. One shared value, so marking allocates nothing.
var fixedPartition = context.WithValue(context.Background(), fixedPartitionKey{}, true)

type fixedPartitionKey struct{}

// Partitioner is Kafka's Java default partitioner (murmur2 of the key bytes;
// keyless records stick to a partition per batch), except that a record
// built with change.Record.FixedPartition goes to its own Partition.
func Partitioner() kgo.Partitioner { return fixedOrKey{kgo.StickyKeyPartitioner(nil)} }

type fixedOrKey struct{ inner kgo.Partitioner }

func (p fixedOrKey) ForTopic(topic string) kgo.TopicPartitioner {
	return &fixedOrKeyTopic{inner: p.inner.ForTopic(topic)}
}

type fixedOrKeyTopic struct{ inner kgo.TopicPartitioner }

func (t *fixedOrKeyTopic) RequiresConsistency(r *kgo.Record) bool {
	return r.Context == fixedPartition || t.inner.RequiresConsistency(r)
}

func (t *fixedOrKeyTopic) Partition(r *kgo.Record, n int) int {
	if r.Context == fixedPartition {
		return min(int(r.Partition), n-1)
	}
	if n == 1 {
		// Every choice is 0; murmur2 of the key (a few hundred bytes with
		// JSON schemas) was 5% of the daemon's CPU on one-row transactions.
		return 0
	}
	return t.inner.Partition(r, n)
}

// OnNewBatch keeps the sticky choice for keyless records working.
func (t *fixedOrKeyTopic) OnNewBatch() {
	if nb, ok := t.inner.(kgo.TopicPartitionerOnNewBatch); ok {
		nb.OnNewBatch()
	}
}
