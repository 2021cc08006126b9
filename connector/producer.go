package connector

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/internal/kafkaacl"
	"github.com/sluice-cdc/sluice/internal/kafkatopic"
)

// Producer writes records to Kafka. Produce hands a record over and calls
// done exactly once with the broker's answer, from any goroutine; it may
// block while the producer's buffer is full (backpressure), until ctx ends.
// Flush waits until every record handed over has been answered, or ctx
// ends. Both are called from the poller's goroutine; done callbacks run
// concurrently with them. Once done returns, the record's value buffer is
// the poller's again (it recycles it): a Producer that keeps a record past
// done must keep a copy of its value.
type Producer interface {
	Produce(ctx context.Context, r *kgo.Record, done func(*kgo.Record, error))
	Flush(ctx context.Context) error
}

// TopicEnsurer makes sure a topic exists before the first record is
// produced to it. Ensure is called from the poller's goroutine only.
type TopicEnsurer interface {
	Ensure(ctx context.Context, topic string) error
}

// EnsureWith makes sure topic exists, creating it with its own partitions
// and replication factor and no topic configs (the dead letter queue's,
// which Kafka Connect creates outside the topic creation groups).
func (t *TopicCreator) EnsureWith(ctx context.Context, topic string, partitions int32, rf int16) error {
	return t.ensure(ctx, topic, &config.TopicGroup{Partitions: partitions, ReplicationFactor: rf})
}

// TopicCreator creates data topics the first time they are written to.
type TopicCreator struct {
	client *kgo.Client
	admin  *kadm.Client
	groups []config.TopicGroup // topic.creation.*: the default group last
	// The tasks of a connector (tasks.max) share one creator, each from
	// its own poller goroutine.
	mu    sync.RWMutex
	known map[string]bool // exist: not asked for again
	// active are the topics ensured since the process started or the last
	// ResetTopics: Kafka Connect's active topics.
	active map[string]bool
	log    *zap.Logger
}

// NewTopicCreator creates missing topics as Kafka Connect's topic
// creation groups say (config.Connector.TopicCreation).
func NewTopicCreator(client *kgo.Client, groups []config.TopicGroup, log *zap.Logger) *TopicCreator {
	return &TopicCreator{client: client, admin: kadm.NewClient(client), groups: groups, known: map[string]bool{}, active: map[string]bool{}, log: log}
}

// Ensure makes sure topic exists, creating it with its group's settings;
// a topic no group takes (the default group excludes it) is created with
// the broker's defaults, as the broker's auto-creation would.
func (t *TopicCreator) Ensure(ctx context.Context, topic string) error {
	g := config.GroupFor(t.groups, topic)
	if g == nil {
		g = &config.TopicGroup{Partitions: -1, ReplicationFactor: -1}
	}
	return t.ensure(ctx, topic, g)
}

func (t *TopicCreator) ensure(ctx context.Context, topic string, g *config.TopicGroup) error {
	t.mu.RLock()
	known, active := t.known[topic], t.active[topic]
	t.mu.RUnlock()
	if known {
		if !active {
			t.mu.Lock()
			t.active[topic] = true
			t.mu.Unlock()
		}
		return nil
	}
	partitions, rf := g.Partitions, g.ReplicationFactor
	configs := make(map[string]*string, len(g.Configs))
	for k, v := range g.Configs {
		configs[k] = &v
	}
	resp, err := t.admin.CreateTopic(ctx, partitions, rf, configs, topic)
	if err == nil {
		err = resp.Err
	}
	switch {
	case err == nil:
		t.log.Info("created topic", zap.String("topic", topic), zap.Int32("partitions", partitions),
			zap.Int16("replication_factor", rf), zap.String("topic_creation_group", g.Name), zap.Any("configs", g.Configs))
		// Brokers learn of a new topic asynchronously; a record sent
		// before its partitions have leaders is answered
		// UNKNOWN_TOPIC_OR_PARTITION, which the producer retries only a
		// bounded number of times. Wait until metadata shows them led.
		if _, err := kafkatopic.WaitCreated(ctx, t.admin, topic); err != nil {
			return fmt.Errorf("waiting for the new topic %s to have leaders: %w", topic, err)
		}
		// The producer has the topic as unknown in its metadata and would
		// wait for its next refresh (5 s at the least) before sending a
		// record to it: refresh now.
		t.client.ForceMetadataRefresh()
	case errors.Is(err, kerr.TopicAlreadyExists):
	case kafkaacl.Refused(err):
		return kafkaacl.Explain(fmt.Errorf("creating topic %s: %w", topic, err),
			kafkaacl.Topic(topic, "CREATE")+" (or CREATE on the cluster), or create the topic yourself")
	case g.Name != "" && (errors.Is(err, kerr.InvalidConfig) || errors.Is(err, kerr.InvalidPartitions) || errors.Is(err, kerr.InvalidReplicationFactor) || errors.Is(err, kerr.PolicyViolation)):
		// The broker refuses what the group asks: retrying cannot help.
		return fault.Definite(fmt.Errorf("creating topic %s with topic creation group %q (partitions %d, replication factor %d, configs %v): %w %s; correct the topic.creation.%s.* properties",
			topic, g.Name, partitions, rf, g.Configs, err, resp.ErrMessage, g.Name))
	default:
		// Transient: a broker that is down or electing answers later.
		return fmt.Errorf("creating topic %s: %w; if this persists, create it yourself or give the connector's Kafka user CREATE on the cluster", topic, err)
	}
	t.mu.Lock()
	t.known[topic], t.active[topic] = true, true
	t.mu.Unlock()
	return nil
}

// Topics lists, sorted, the topics this connector has written to or is
// about to (each is ensured before its first record) since the process
// started or ResetTopics: Kafka Connect's active topics.
func (t *TopicCreator) Topics() []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return slices.Sorted(maps.Keys(t.active))
}

// ResetTopics empties the active topics (Kafka Connect's PUT
// .../topics/reset); each is listed again once written to.
func (t *TopicCreator) ResetTopics() {
	t.mu.Lock()
	clear(t.active)
	t.mu.Unlock()
}

// KafkaLogger routes franz-go's log through zap. Only warnings and errors
// pass: those are a broker that cannot be reached, a connection that broke,
// a request that is retried, which an operator must see while Kafka is
// down; franz-go's info and debug lines would drown them.
func KafkaLogger(log *zap.Logger) kgo.Logger { return kafkaLogger{log} }

type kafkaLogger struct{ log *zap.Logger }

func (kafkaLogger) Level() kgo.LogLevel { return kgo.LogLevelWarn }

func (l kafkaLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	fields := make([]zap.Field, 0, len(keyvals)/2)
	for i := 0; i+1 < len(keyvals); i += 2 {
		k, _ := keyvals[i].(string)
		fields = append(fields, zap.Any(k, keyvals[i+1]))
	}
	switch level {
	case kgo.LogLevelError:
		l.log.Error(msg, fields...)
	case kgo.LogLevelWarn:
		l.log.Warn(msg, fields...)
	default:
		l.log.Info(msg, fields...)
	}
}

// BrokerCounters counts what the worker's Kafka clients meet that an
// operator looks for during an outage: dials that failed and connections
// that closed. It is a franz-go hook (kgo.WithHooks); the shutdown log and
// the REST API read it.
type BrokerCounters struct {
	ConnectErrors, Disconnects atomic.Int64
}

func (c *BrokerCounters) OnBrokerConnect(_ kgo.BrokerMetadata, _ time.Duration, _ net.Conn, err error) {
	if err != nil {
		c.ConnectErrors.Add(1)
	}
}

func (c *BrokerCounters) OnBrokerDisconnect(kgo.BrokerMetadata, net.Conn) { c.Disconnects.Add(1) }
