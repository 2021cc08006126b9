package offsets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"
	"sync"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/internal/kafkaacl"
	"github.com/sluice-cdc/sluice/internal/kafkatopic"
)

// Defaults for KafkaStoreConfig, the same as Kafka Connect's
// offset.storage.topic, offset.storage.partitions and
// offset.storage.replication.factor.
const (
	DefaultOffsetsTopic      = "_connect_offsets"
	DefaultOffsetsPartitions = 25
)

// KafkaStoreConfig configures a KafkaStore. The zero value of every field
// but Brokers is a usable default.
type KafkaStoreConfig struct {
	// Brokers are the seed brokers, host:port.
	Brokers []string
	// Topic is the compacted offsets topic; default "_connect_offsets".
	Topic string
	// Partitions is the partition count used when the topic has to be
	// created; default 25. An existing topic keeps its own count, which is
	// the one keys are hashed over.
	Partitions int32
	// ReplicationFactor is used when the topic has to be created; 0 or -1
	// means the broker's default.replication.factor.
	ReplicationFactor int16
	// ClientOpts are extra franz-go options (TLS, SASL, timeouts) for the
	// clients the store opens. The store sets its own partitioner, acks,
	// linger and consumer options after these; do not pass
	// kgo.DisableIdempotentWrite.
	ClientOpts []kgo.Opt
	// Logger receives the store's logs; nil discards them.
	Logger *zap.Logger
}

// NotCompactedError reports that the offsets topic exists without
// cleanup.policy=compact. Such a topic loses offsets to retention, and a
// connector restarted after that resumes from the wrong position, so the
// store refuses it, as Kafka Connect does.
type NotCompactedError struct {
	Topic  string
	Policy string // the topic's cleanup.policy, as the broker reports it
}

func (e *NotCompactedError) Error() string {
	return fmt.Sprintf("offsets topic %q has cleanup.policy=%s, but it must be compact (only) "+
		"or offsets are deleted by retention; fix it with: kafka-configs --bootstrap-server <brokers> "+
		"--alter --entity-type topics --entity-name %s --add-config cleanup.policy=compact",
		e.Topic, e.Policy, e.Topic)
}

// KafkaStore keeps offsets in Kafka Connect's offsets topic, record for
// record as Kafka Connect does: the same key bytes, the same partition, JSON
// values. Offsets written by Kafka Connect (Debezium) can be loaded, and
// Debezium can resume from offsets Sluice committed.
//
// Load, Commit and Close may be called concurrently. Commits are serialised:
// each one is produced (idempotent producer, acks=all) and acknowledged before
// the next starts, so commits for one key are never reordered.
type KafkaStore struct {
	cfg        KafkaStoreConfig
	log        *zap.Logger
	opts       []kgo.Opt // base client options, without producer/consumer specifics
	cl         *kgo.Client
	adm        *kadm.Client
	partitions int32

	commitMu  sync.Mutex
	closeOnce sync.Once
}

var _ Store = (*KafkaStore)(nil)

// NewKafkaStore connects to Kafka and makes sure the offsets topic is
// usable: it creates it (compacted) when it is missing, and returns a
// *NotCompactedError when it exists without cleanup.policy=compact. When the
// broker does not let this client read the topic's configs, the check is
// skipped with a warning, as Kafka Connect does.
func NewKafkaStore(ctx context.Context, cfg KafkaStoreConfig) (*KafkaStore, error) {
	if cfg.Topic == "" {
		cfg.Topic = DefaultOffsetsTopic
	}
	if cfg.Partitions == 0 {
		cfg.Partitions = DefaultOffsetsPartitions
	}
	if cfg.Partitions < 0 {
		return nil, fmt.Errorf("opening Kafka offset store: partitions must be positive, got %d", cfg.Partitions)
	}
	log := cfg.Logger
	if log == nil {
		log = zap.NewNop()
	}
	log = log.With(zap.String("topic", cfg.Topic))
	// The partition is chosen by Partition(), as Kafka Connect's producer
	// would choose it, not by the client.
	sc, err := kafkatopic.NewStoreClient("Kafka offset store", cfg.Topic, cfg.Brokers, cfg.ReplicationFactor, cfg.ClientOpts)
	if err != nil {
		return nil, err
	}
	cfg.ReplicationFactor = sc.ReplicationFactor
	cl, opts := sc.Client, sc.Opts
	s := &KafkaStore{cfg: cfg, log: log, opts: opts, cl: cl, adm: sc.Admin}
	if err := s.ensureTopic(ctx); err != nil {
		cl.Close()
		var nc *NotCompactedError
		if errors.As(err, &nc) {
			return nil, err
		}
		return nil, fmt.Errorf("opening Kafka offset store on %s: %w", cfg.Topic, err)
	}
	return s, nil
}

// Topic returns the offsets topic.
func (s *KafkaStore) Topic() string { return s.cfg.Topic }

// Partitions returns the partition count of the offsets topic, learned when
// the store was opened; keys are hashed over it.
func (s *KafkaStore) Partitions() int32 { return s.partitions }

func (s *KafkaStore) ensureTopic(ctx context.Context) error {
	td, created, err := kafkatopic.Ensure(ctx, s.cl, s.adm, kafkatopic.Spec{
		Topic: s.cfg.Topic, Partitions: s.cfg.Partitions, ReplicationFactor: s.cfg.ReplicationFactor,
		Configs: map[string]*string{"cleanup.policy": kadm.StringPtr("compact")},
	})
	if err != nil {
		return err
	}
	if created != nil {
		s.log.Info("created offsets topic",
			zap.Int32("partitions", created.NumPartitions),
			zap.Int16("replication_factor", created.ReplicationFactor))
	}
	s.partitions = int32(len(td.Partitions))
	if s.partitions != s.cfg.Partitions {
		s.log.Info("offsets topic partition count differs from the configured one; using the topic's",
			zap.Int32("partitions", s.partitions), zap.Int32("configured_partitions", s.cfg.Partitions))
	}
	return s.checkCompacted(ctx)
}

func (s *KafkaStore) checkCompacted(ctx context.Context) error {
	values, err := kafkatopic.Configs(ctx, s.adm, s.cfg.Topic)
	if errors.Is(err, kafkatopic.ErrNoPermission) {
		s.log.Warn("cannot verify that the offsets topic is compacted: no permission to describe its configs",
			zap.Error(err))
		return nil
	}
	if err != nil {
		return err
	}
	policy, ok := values["cleanup.policy"]
	if !ok {
		policy = "delete" // Kafka's default when the broker reports nothing
	}
	var policies []string
	for p := range strings.SplitSeq(policy, ",") {
		if p = strings.TrimSpace(p); p != "" {
			policies = append(policies, p)
		}
	}
	sort.Strings(policies)
	policies = compactStrings(policies)
	if len(policies) != 1 || policies[0] != "compact" {
		return &NotCompactedError{Topic: s.cfg.Topic, Policy: policy}
	}
	return nil
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// Load reads the key's partition from its start to its end (the last stable
// offset, so offsets written in aborted or open transactions by an
// exactly-once Kafka Connect worker are not read) and returns the last value
// stored under key, or nil when there is none or the last record is a
// tombstone.
func (s *KafkaStore) Load(ctx context.Context, key []byte) ([]byte, error) {
	v, err := s.load(ctx, key)
	if err != nil {
		return nil, kafkaacl.Explain(fmt.Errorf("loading offset for %s from %s: %w", key, s.cfg.Topic, err),
			kafkaacl.Topic(s.cfg.Topic, "READ", "DESCRIBE"))
	}
	return v, nil
}

func (s *KafkaStore) load(ctx context.Context, key []byte) ([]byte, error) {
	p := Partition(key, s.partitions)
	var (
		value []byte
		found bool
	)
	err := s.readPartitions(ctx, []int32{p}, func(r *kgo.Record) {
		if bytes.Equal(r.Key, key) {
			value, found = r.Value, true
		}
	})
	if err != nil || !found || value == nil {
		return nil, err
	}
	s.log.Debug("loaded offset", zap.ByteString("key", key), zap.Int32("partition", p))
	return value, nil
}

// readPartitions reads the partitions from their start to their end (the
// last stable offset) and hands each data record to each, in order within
// a partition.
func (s *KafkaStore) readPartitions(ctx context.Context, parts []int32, each func(*kgo.Record)) error {
	topic := s.cfg.Topic
	starts, err := s.adm.ListStartOffsets(ctx, topic)
	if err != nil {
		return fmt.Errorf("listing start offsets: %w", err)
	}
	ends, err := s.adm.ListCommittedOffsets(ctx, topic)
	if err != nil {
		return fmt.Errorf("listing end offsets: %w", err)
	}
	want := map[int32]kgo.Offset{}
	endOf := map[int32]int64{}
	for _, p := range parts {
		start, ok := starts.Lookup(topic, p)
		if !ok || start.Err != nil {
			return fmt.Errorf("listing start offset of partition %d: %w", p, lookupErr(start, ok))
		}
		end, ok := ends.Lookup(topic, p)
		if !ok || end.Err != nil {
			return fmt.Errorf("listing end offset of partition %d: %w", p, lookupErr(end, ok))
		}
		if end.Offset > start.Offset {
			want[p], endOf[p] = kgo.NewOffset().AtStart(), end.Offset
		}
	}
	if len(want) == 0 {
		return nil
	}

	opts := append(append([]kgo.Opt(nil), s.opts...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: want}),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		// Control records (transaction markers) carry offsets too; seeing
		// them tells when the end was reached even if a marker is last.
		kgo.KeepControlRecords(),
	)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("creating consumer: %w", err)
	}
	defer cl.Close()

	// The partitions not yet read to their end.
	last := maps.Clone(endOf)
	for len(last) > 0 {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("reading partitions %v (%d not read to the end): %w", parts, len(last), err)
		}
		if errs := fs.Errors(); len(errs) > 0 {
			return fmt.Errorf("reading partition %d: %w", errs[0].Partition, errs[0].Err)
		}
		fs.EachRecord(func(r *kgo.Record) {
			end, reading := endOf[r.Partition]
			if !reading {
				return
			}
			if r.Offset >= end-1 {
				delete(last, r.Partition)
			}
			if r.Offset < end && !r.Attrs.IsControl() {
				each(r)
			}
		})
	}
	return nil
}

func lookupErr(o kadm.ListedOffset, ok bool) error {
	if !ok {
		return errors.New("partition missing from the response")
	}
	return o.Err
}

// Commit produces key/value to the key's partition and waits for all
// in-sync replicas to acknowledge it. A nil value writes a tombstone. With
// no deadline on ctx, Commit waits as long as Kafka is unreachable.
func (s *KafkaStore) Commit(ctx context.Context, key, value []byte) error {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	rec := s.OffsetRecord(key, value)
	// Not ProduceSync: an idempotent producer does not give up on a record
	// it has sent, whatever ctx says, so a broker that stalls would hold
	// the caller (and a daemon asked to stop) for as long as it stalls.
	// Waiting here instead keeps the contract: the caller gets ctx's error
	// in time, and the record, if it is still written, is written before
	// any later commit (one partition, idempotent sequence numbers).
	done := make(chan error, 1)
	s.cl.Produce(ctx, rec, func(_ *kgo.Record, err error) { done <- err })
	select {
	case err := <-done:
		if err != nil {
			return kafkaacl.Explain(fmt.Errorf("committing offset for %s to %s: %w", key, s.cfg.Topic, err),
				kafkaacl.Topic(s.cfg.Topic, "WRITE", "DESCRIBE"))
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("committing offset for %s to %s: gave up waiting for the broker: %w", key, s.cfg.Topic, ctx.Err())
	}
}

// OffsetRecord is the record Commit would write for key and value, for a
// producer that writes it in its own Kafka transaction (exactly-once
// delivery: the offset commits together with the records before it).
func (s *KafkaStore) OffsetRecord(key, value []byte) *kgo.Record {
	return &kgo.Record{Topic: s.cfg.Topic, Partition: Partition(key, s.partitions), Key: key, Value: value}
}

// Close closes the store's Kafka client. It waits for nothing: a Commit in
// progress fails.
func (s *KafkaStore) Close() {
	s.closeOnce.Do(s.cl.Close)
}

// LoadStored reads the offset stored under key without creating or
// changing anything (for sluice validate): a missing offsets topic means
// nothing is stored.
func LoadStored(ctx context.Context, cfg KafkaStoreConfig, key []byte) ([]byte, error) {
	s, err := openStored(ctx, cfg)
	if s == nil || err != nil {
		return nil, err
	}
	defer s.Close()
	return s.Load(ctx, key)
}

// ScanStored is LoadStored for every key that begins with prefix (see
// Scanner).
func ScanStored(ctx context.Context, cfg KafkaStoreConfig, prefix []byte) (map[string][]byte, error) {
	s, err := openStored(ctx, cfg)
	if s == nil || err != nil {
		return nil, err
	}
	defer s.Close()
	return s.Scan(ctx, prefix)
}

// openStored opens the offsets topic for reading only; nil when it does
// not exist.
func openStored(ctx context.Context, cfg KafkaStoreConfig) (*KafkaStore, error) {
	if cfg.Topic == "" {
		cfg.Topic = DefaultOffsetsTopic
	}
	sc, err := kafkatopic.NewStoreClient("Kafka offset store", cfg.Topic, cfg.Brokers, cfg.ReplicationFactor, cfg.ClientOpts)
	if err != nil {
		return nil, err
	}
	td, err := sc.Admin.ListTopics(ctx, cfg.Topic)
	if err != nil {
		sc.Client.Close()
		return nil, fmt.Errorf("describing offsets topic %s: %w", cfg.Topic, err)
	}
	t, ok := td[cfg.Topic]
	if !ok || errors.Is(t.Err, kerr.UnknownTopicOrPartition) {
		sc.Client.Close()
		return nil, nil
	}
	if t.Err != nil {
		sc.Client.Close()
		return nil, fmt.Errorf("describing offsets topic %s: %w", cfg.Topic, t.Err)
	}
	log := cfg.Logger
	if log == nil {
		log = zap.NewNop()
	}
	return &KafkaStore{cfg: cfg, log: log, opts: sc.Opts, cl: sc.Client, adm: sc.Admin, partitions: int32(len(t.Partitions))}, nil
}
