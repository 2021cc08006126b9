package history

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/internal/kafkaacl"
	"github.com/sluice-cdc/sluice/internal/kafkatopic"
)

// The history topic's settings, those KafkaSchemaHistory.initializeStorage
// creates it with.
const (
	historyPartition = int32(0)
	// retentionMsMin is the shortest retention.ms KafkaSchemaHistory
	// accepts without a warning (RETENTION_MS_MIN, five years).
	retentionMsMin = int64(5 * 365 * 24 * time.Hour / time.Millisecond)
)

// KafkaConfig configures a KafkaStore. The zero value of every field but
// Brokers and Topic is a usable default.
type KafkaConfig struct {
	// Brokers are the seed brokers, host:port.
	Brokers []string
	// Topic is the history topic, Debezium's
	// schema.history.internal.kafka.topic, which has no default.
	Topic string
	// ReplicationFactor is used when the topic has to be created; 0 or -1
	// means the broker's default.replication.factor, which is what
	// Debezium asks for.
	ReplicationFactor int16
	// ClientOpts are extra franz-go options (TLS, SASL, timeouts) for the
	// clients the store opens. The store sets its own partitioner, acks,
	// linger and consumer options after these.
	ClientOpts []kgo.Opt
	// Logger receives the store's logs; nil discards them.
	Logger *zap.Logger
}

// TopicPartitionsError reports a history topic with more than one
// partition. The history is one ordered log: Debezium and Sluice write and
// read partition 0 only, so whatever sits in another partition (written by
// a tool that spread records by key) would be silently left out of
// recovery, and the order between partitions is lost anyway.
type TopicPartitionsError struct {
	Topic      string
	Partitions int
}

func (e *TopicPartitionsError) Error() string {
	return fmt.Sprintf("schema history topic %q has %d partitions, but it must have exactly one "+
		"(the history is a single ordered log, read from partition 0 only); create a topic with "+
		"--partitions 1 --config cleanup.policy=delete --config retention.ms=-1 --config retention.bytes=-1, "+
		"copy partition 0 of %s into it in order, and point schema.history.internal.kafka.topic at it",
		e.Topic, e.Partitions, e.Topic)
}

// TopicCompactedError reports a history topic with cleanup.policy
// including compact. Debezium only warns about it, but history records
// have no key and a compacted topic rejects keyless records, so every
// Append would fail; compaction would also drop records. Failing when the
// store opens names the fix instead of failing at the next DDL.
type TopicCompactedError struct {
	Topic  string
	Policy string // the topic's cleanup.policy, as the broker reports it
}

func (e *TopicCompactedError) Error() string {
	return fmt.Sprintf("schema history topic %q has cleanup.policy=%s, but it must be delete: "+
		"history records have no key, so a compacted topic rejects them; fix it with: "+
		"kafka-configs --bootstrap-server <brokers> --alter --entity-type topics --entity-name %s "+
		"--add-config cleanup.policy=delete,retention.ms=-1,retention.bytes=-1",
		e.Topic, e.Policy, e.Topic)
}

// KafkaStore keeps the schema history in a Kafka topic as Debezium's
// KafkaSchemaHistory does: one partition, one record per message, null
// key, produced to partition 0. It reads histories Debezium wrote (Debezium
// produces pretty-printed JSON, HistoryRecord.toString; Sluice produces
// compact JSON, which Debezium reads alike).
//
// The topic is created when missing with one partition, cleanup.policy
// delete and unlimited retention. An existing topic with more than one
// partition (*TopicPartitionsError) or compaction (*TopicCompactedError)
// is refused; finite retention is logged as a warning, as Debezium does:
// the history is complete until retention deletes its first record, which
// Recover then reports.
type KafkaStore struct {
	cfg  KafkaConfig
	log  *zap.Logger
	opts []kgo.Opt // base client options, without producer/consumer specifics
	cl   *kgo.Client
	adm  *kadm.Client

	appendMu  sync.Mutex
	closeOnce sync.Once
}

var _ Store = (*KafkaStore)(nil)

// NewKafkaStore connects to Kafka and makes sure the history topic is
// usable, creating it when it is missing. When the broker does not let this
// client describe the topic's configs, that check is skipped with a
// warning.
func NewKafkaStore(ctx context.Context, cfg KafkaConfig) (*KafkaStore, error) {
	if cfg.Topic == "" {
		return nil, errors.New("opening Kafka schema history: no topic configured (schema.history.internal.kafka.topic)")
	}
	log := cfg.Logger
	if log == nil {
		log = zap.NewNop()
	}
	log = log.With(zap.String("topic", cfg.Topic))
	// Every record goes to partition 0, as KafkaSchemaHistory produces
	// them (new ProducerRecord(topic, 0, null, value)). A CREATE TABLE of a
	// wide table makes a large record; the broker's limit is what counts.
	sc, err := kafkatopic.NewStoreClient("Kafka schema history", cfg.Topic, cfg.Brokers, cfg.ReplicationFactor, cfg.ClientOpts,
		kgo.ProducerBatchMaxBytes(16<<20))
	if err != nil {
		return nil, err
	}
	cfg.ReplicationFactor = sc.ReplicationFactor
	cl, opts := sc.Client, sc.Opts
	s := &KafkaStore{cfg: cfg, log: log, opts: opts, cl: cl, adm: sc.Admin}
	if err := s.ensureTopic(ctx); err != nil {
		cl.Close()
		var pe *TopicPartitionsError
		var ce *TopicCompactedError
		if errors.As(err, &pe) || errors.As(err, &ce) {
			return nil, err
		}
		return nil, fmt.Errorf("opening Kafka schema history on %s: %w", cfg.Topic, err)
	}
	return s, nil
}

// Topic returns the history topic.
func (s *KafkaStore) Topic() string { return s.cfg.Topic }

func (s *KafkaStore) ensureTopic(ctx context.Context) error {
	td, created, err := kafkatopic.Ensure(ctx, s.cl, s.adm, kafkatopic.Spec{
		Topic: s.cfg.Topic, Partitions: 1, ReplicationFactor: s.cfg.ReplicationFactor,
		Configs: map[string]*string{
			"cleanup.policy":  kadm.StringPtr("delete"),
			"retention.ms":    kadm.StringPtr(strconv.FormatInt(math.MaxInt64, 10)),
			"retention.bytes": kadm.StringPtr("-1"),
		},
		Hint: "; create it by hand with --partitions 1 --config cleanup.policy=delete --config retention.ms=-1 --config retention.bytes=-1",
	})
	if err != nil {
		return err
	}
	if created != nil {
		s.log.Info("created schema history topic", zap.Int16("replication_factor", created.ReplicationFactor))
	}
	if n := len(td.Partitions); n != 1 {
		return &TopicPartitionsError{Topic: s.cfg.Topic, Partitions: n}
	}
	return s.checkConfigs(ctx)
}

// checkConfigs refuses compaction and warns about finite retention, the
// checks of KafkaSchemaHistory.checkStorageSettings (which only warns).
func (s *KafkaStore) checkConfigs(ctx context.Context) error {
	values, err := kafkatopic.Configs(ctx, s.adm, s.cfg.Topic)
	if errors.Is(err, kafkatopic.ErrNoPermission) {
		s.log.Warn("cannot verify the schema history topic's cleanup.policy and retention: no permission to describe its configs",
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
	for p := range strings.SplitSeq(policy, ",") {
		if strings.TrimSpace(p) == "compact" {
			return &TopicCompactedError{Topic: s.cfg.Topic, Policy: policy}
		}
	}
	if v, ok := values["retention.ms"]; ok {
		if ms, err := strconv.ParseInt(v, 10, 64); err == nil && ms != -1 && ms < retentionMsMin {
			s.log.Warn("schema history topic has finite retention: once its first records are deleted the history "+
				"is incomplete and tables' past structure is lost; set retention.ms=-1",
				zap.Int64("retention_ms", ms))
		}
	}
	if v, ok := values["retention.bytes"]; ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n != -1 {
			s.log.Warn("schema history topic has a size limit: once its first records are deleted the history "+
				"is incomplete and tables' past structure is lost; set retention.bytes=-1",
				zap.Int64("retention_bytes", n))
		}
	}
	return nil
}

// offsets returns the start and end (high watermark) offsets of partition
// 0; missing reports that the topic does not exist.
func (s *KafkaStore) offsets(ctx context.Context) (start, end int64, missing bool, err error) {
	topic := s.cfg.Topic
	starts, err := s.adm.ListStartOffsets(ctx, topic)
	if err != nil {
		return 0, 0, false, fmt.Errorf("listing start offsets: %w", err)
	}
	ends, err := s.adm.ListEndOffsets(ctx, topic)
	if err != nil {
		return 0, 0, false, fmt.Errorf("listing end offsets: %w", err)
	}
	so, ok := starts.Lookup(topic, historyPartition)
	if !ok || so.Err != nil {
		if (ok && errors.Is(so.Err, kerr.UnknownTopicOrPartition)) || (!ok && errors.Is(starts.Error(), kerr.UnknownTopicOrPartition)) {
			return 0, 0, true, nil
		}
		return 0, 0, false, fmt.Errorf("listing start offset of partition 0: %w", lookupErr(so, ok, starts))
	}
	eo, ok := ends.Lookup(topic, historyPartition)
	if !ok || eo.Err != nil {
		return 0, 0, false, fmt.Errorf("listing end offset of partition 0: %w", lookupErr(eo, ok, ends))
	}
	return so.Offset, eo.Offset, false, nil
}

func lookupErr(o kadm.ListedOffset, ok bool, all kadm.ListedOffsets) error {
	if ok {
		return o.Err
	}
	if err := all.Error(); err != nil {
		return err
	}
	return errors.New("partition missing from the response")
}

// Empty reports whether the topic is missing or partition 0 holds no
// record (KafkaSchemaHistory.exists: end offset > beginning offset).
func (s *KafkaStore) Empty(ctx context.Context) (bool, error) {
	start, end, missing, err := s.offsets(ctx)
	if err != nil {
		return false, kafkaacl.Explain(fmt.Errorf("checking whether schema history %s is empty: %w", s.cfg.Topic, err),
			kafkaacl.Topic(s.cfg.Topic, "DESCRIBE"))
	}
	return missing || end <= start, nil
}

// Recover reads partition 0 from its start to its high watermark as of the
// call, as KafkaSchemaHistory.recoverRecords does, and calls fn with each
// record. Records appended after the call started may or may not be seen.
func (s *KafkaStore) Recover(ctx context.Context, fn func(Record) error) error {
	if err := s.recover(ctx, fn); err != nil {
		return kafkaacl.Explain(fmt.Errorf("recovering schema history from %s: %w", s.cfg.Topic, err),
			kafkaacl.Topic(s.cfg.Topic, "READ", "DESCRIBE"))
	}
	return nil
}

func (s *KafkaStore) recover(ctx context.Context, fn func(Record) error) error {
	start, end, missing, err := s.offsets(ctx)
	if err != nil {
		return err
	}
	if missing || end <= start {
		return nil
	}
	if start > 0 {
		// Retention (or a DeleteRecords) removed the oldest records:
		// the tables they created are unknown to the replay.
		s.log.Warn("the schema history topic's first records were deleted; the recovered table structures may be incomplete",
			zap.Int64("start_offset", start))
	}
	opts := append(append([]kgo.Opt(nil), s.opts...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{s.cfg.Topic: {historyPartition: kgo.NewOffset().At(start)}}),
		// Control records carry offsets too: seeing them tells when the
		// end was reached even if a transaction marker is last.
		kgo.KeepControlRecords(),
		kgo.FetchMaxPartitionBytes(16<<20),
	)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("creating consumer: %w", err)
	}
	defer cl.Close()

	next := start // the offset of the next record to hand out
	for next < end {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("reading partition 0 (at offset %d of %d): %w", next, end, err)
		}
		if errs := fs.Errors(); len(errs) > 0 {
			return fmt.Errorf("reading partition 0 (at offset %d of %d): %w", next, end, errs[0].Err)
		}
		var ferr error
		fs.EachRecord(func(r *kgo.Record) {
			if ferr != nil || r.Offset < next || r.Offset >= end {
				return
			}
			next = r.Offset + 1
			if r.Attrs.IsControl() {
				return
			}
			if r.Value == nil {
				s.log.Warn("skipping a null schema history record", zap.Int64("offset", r.Offset))
				return
			}
			rec, err := Unmarshal(r.Value)
			if errors.Is(err, ErrInvalidRecord) {
				s.log.Warn("skipping a document that is not a schema history record",
					zap.Int64("offset", r.Offset), zap.Error(err))
				return
			}
			if err != nil {
				ferr = fmt.Errorf("record at offset %d: %w", r.Offset, err)
				return
			}
			ferr = fn(rec)
		})
		if ferr != nil {
			return ferr
		}
	}
	return nil
}

// Append produces r to partition 0 with a null key and waits for all
// in-sync replicas to acknowledge it. With no deadline on ctx, Append
// waits as long as Kafka is unreachable.
func (s *KafkaStore) Append(ctx context.Context, r Record) error {
	v, err := r.Marshal()
	if err != nil {
		return fmt.Errorf("appending to schema history %s: %w", s.cfg.Topic, err)
	}
	s.appendMu.Lock()
	defer s.appendMu.Unlock()
	rec := &kgo.Record{Topic: s.cfg.Topic, Partition: historyPartition, Value: v}
	if err := s.cl.ProduceSync(ctx, rec).FirstErr(); err != nil {
		return kafkaacl.Explain(fmt.Errorf("appending to schema history %s: %w", s.cfg.Topic, err),
			kafkaacl.Topic(s.cfg.Topic, "WRITE", "DESCRIBE"))
	}
	s.log.Debug("appended schema history record", zap.Int64("offset", rec.Offset))
	return nil
}

// Close closes the store's Kafka client. An Append in progress fails.
func (s *KafkaStore) Close() {
	s.closeOnce.Do(s.cl.Close)
}
