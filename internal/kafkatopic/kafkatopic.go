// Package kafkatopic holds what Sluice does to a Kafka topic itself rather
// than to its records: find it, create it and wait until brokers show it,
// and read its configuration. The stores that keep their state in a topic
// (offsets, schema history) and the creator of data topics use it.
package kafkatopic

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/internal/kafkaacl"
)

// Spec is a topic to create when it is missing.
type Spec struct {
	Topic             string
	Partitions        int32
	ReplicationFactor int16 // -1: the broker's default
	Configs           map[string]*string
	// Hint is appended to a creation error: how to create it by hand.
	Hint string
}

// Ensure returns the topic's metadata, creating the topic first when it does
// not exist. created is the broker's answer when Ensure created it, nil when
// the topic was there (or another client created it meanwhile).
func Ensure(ctx context.Context, cl *kgo.Client, adm *kadm.Client, spec Spec) (td kadm.TopicDetail, created *kadm.CreateTopicResponse, err error) {
	td, err = Describe(ctx, adm, spec.Topic)
	if err == nil && td.Err != nil && !errors.Is(td.Err, kerr.UnknownTopicOrPartition) {
		err = fmt.Errorf("describing topic: %w", td.Err)
	}
	if err != nil {
		return td, nil, kafkaacl.Explain(err, kafkaacl.Topic(spec.Topic, "DESCRIBE"))
	}
	if td.Err == nil {
		return td, nil, nil
	}
	resp, err := adm.CreateTopic(ctx, spec.Partitions, spec.ReplicationFactor, spec.Configs, spec.Topic)
	switch {
	case err == nil:
		created = &resp
	case errors.Is(err, kerr.TopicAlreadyExists):
		// Another client created it meanwhile; it is checked like any
		// existing topic.
	default:
		if resp.ErrMessage != "" {
			err = fmt.Errorf("%w: %s", err, resp.ErrMessage)
		}
		err = fmt.Errorf("creating topic (partitions %d, replication factor %d): %w", spec.Partitions, spec.ReplicationFactor, err)
		if kafkaacl.Refused(err) {
			return td, nil, kafkaacl.Explain(err, kafkaacl.Topic(spec.Topic, "CREATE")+" (or CREATE on the cluster), or create the topic yourself"+spec.Hint)
		}
		return td, nil, fmt.Errorf("%w%s", err, spec.Hint)
	}
	td, err = waitCreated(ctx, adm, spec.Topic, func() {
		// The client caches metadata, the topic's absence included, for
		// kgo.MetadataMinAge (5 s by default): drop it to ask again.
		cl.PurgeTopicsFromClient(spec.Topic)
	})
	return td, created, err
}

// Describe returns the topic's metadata; a missing topic has Err
// kerr.UnknownTopicOrPartition.
func Describe(ctx context.Context, adm *kadm.Client, topic string) (kadm.TopicDetail, error) {
	tds, err := adm.ListTopics(ctx, topic)
	if err != nil {
		return kadm.TopicDetail{}, fmt.Errorf("describing topic: %w", err)
	}
	td, ok := tds[topic]
	if !ok {
		td = kadm.TopicDetail{Topic: topic, Err: kerr.UnknownTopicOrPartition}
	}
	return td, nil
}

// WaitCreated waits until a just created topic shows up in metadata with its
// partitions, each with a leader; brokers propagate it asynchronously. It
// leaves the client's cached metadata alone: a producer's client may hold
// records for the topic already (another task created it), and purging the
// topic would fail them.
func WaitCreated(ctx context.Context, adm *kadm.Client, topic string) (kadm.TopicDetail, error) {
	return waitCreated(ctx, adm, topic, func() {})
}

func waitCreated(ctx context.Context, adm *kadm.Client, topic string, forget func()) (kadm.TopicDetail, error) {
	backoff := 50 * time.Millisecond
	for {
		forget()
		td, err := Describe(ctx, adm, topic)
		if err != nil {
			return td, err
		}
		if td.Err == nil && len(td.Partitions) > 0 && allLed(td) {
			return td, nil
		}
		if td.Err != nil && !errors.Is(td.Err, kerr.UnknownTopicOrPartition) && !errors.Is(td.Err, kerr.LeaderNotAvailable) {
			return td, fmt.Errorf("describing created topic: %w", td.Err)
		}
		select {
		case <-ctx.Done():
			return td, fmt.Errorf("waiting for created topic to appear in metadata: %w", ctx.Err())
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, time.Second)
	}
}

// allLed reports whether every partition of the topic has a leader: a
// partition shown before its leader is elected cannot take records yet.
func allLed(td kadm.TopicDetail) bool {
	for _, p := range td.Partitions {
		if p.Err != nil || p.Leader < 0 {
			return false
		}
	}
	return true
}

// ErrNoPermission: the client may not describe the topic's configuration.
var ErrNoPermission = errors.New("no permission to describe the topic's configs")

// Configs returns the topic's configuration values the broker reports. It
// wraps ErrNoPermission when the client may not read them, which callers
// treat as "cannot check" rather than a failure.
func Configs(ctx context.Context, adm *kadm.Client, topic string) (map[string]string, error) {
	rcs, err := adm.DescribeTopicConfigs(ctx, topic)
	var rc kadm.ResourceConfig
	if err == nil {
		rc, err = rcs.On(topic, nil)
		if err == nil {
			err = rc.Err
		}
	}
	if err != nil {
		var ae *kadm.AuthError
		if errors.As(err, &ae) || errors.Is(err, kerr.TopicAuthorizationFailed) ||
			errors.Is(err, kerr.ClusterAuthorizationFailed) {
			return nil, fmt.Errorf("%w: %w", ErrNoPermission, err)
		}
		return nil, fmt.Errorf("describing topic configs: %w", err)
	}
	values := map[string]string{}
	for _, c := range rc.Configs {
		if c.Value != nil {
			values[c.Key] = *c.Value
		}
	}
	return values, nil
}
