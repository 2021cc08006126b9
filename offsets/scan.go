package offsets

import (
	"bytes"
	"context"
	"fmt"
	"maps"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/internal/kafkaacl"
)

// Scanner is implemented by stores that can list what they hold: a
// connector that splits its work over several offset keys (one per task)
// looks for every key it wrote before, whatever task layout wrote them.
//
// Scan may be called concurrently with Load and Commit; it sees every
// Commit that returned before it started.
type Scanner interface {
	// Scan returns the last value of every key that begins with prefix
	// (keys whose last record is a tombstone are left out), by key.
	Scan(ctx context.Context, prefix []byte) (map[string][]byte, error)
}

var (
	_ Scanner = (*KafkaStore)(nil)
	_ Scanner = (*FileStore)(nil)
)

// Scan reads every partition of the offsets topic from its start to its
// last stable offset.
func (s *KafkaStore) Scan(ctx context.Context, prefix []byte) (map[string][]byte, error) {
	out := map[string][]byte{}
	parts := make([]int32, s.partitions)
	for i := range parts {
		parts[i] = int32(i)
	}
	err := s.readPartitions(ctx, parts, func(r *kgo.Record) {
		if !bytes.HasPrefix(r.Key, prefix) {
			return
		}
		if r.Value == nil {
			delete(out, string(r.Key))
			return
		}
		out[string(r.Key)] = r.Value
	})
	if err != nil {
		return nil, kafkaacl.Explain(fmt.Errorf("listing the offsets of %s in %s: %w", prefix, s.cfg.Topic, err),
			kafkaacl.Topic(s.cfg.Topic, "READ", "DESCRIBE"))
	}
	return out, nil
}

// Scan lists the file's keys that begin with prefix.
func (s *FileStore) Scan(ctx context.Context, prefix []byte) (map[string][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("listing offsets in %s: %w", s.path, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]byte{}
	for k, v := range maps.All(s.offsets) {
		if bytes.HasPrefix([]byte(k), prefix) {
			out[k] = []byte(v)
		}
	}
	return out, nil
}
