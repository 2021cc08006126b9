package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/history"
)

// Debezium's schema history settings, which the config package keeps in
// Connector.Raw.
const (
	propHistoryClass     = "schema.history.internal"
	propHistoryTopic     = "schema.history.internal.kafka.topic"
	propHistoryBootstrap = "schema.history.internal.kafka.bootstrap.servers"
	propHistoryFile      = "schema.history.internal.file.filename"

	historyKafkaClass = "io.debezium.storage.kafka.history.KafkaSchemaHistory"
	historyFileClass  = "io.debezium.storage.file.history.FileSchemaHistory"
)

// historySettings is where a connector keeps its schema history.
type historySettings struct {
	class   string
	topic   string   // Kafka
	brokers []string // Kafka; nil: the worker's
	file    string   // file
}

// readHistorySettings validates the schema history settings. Debezium
// requires schema.history.internal.kafka.topic; Sluice defaults it to
// "<topic.prefix>.schema-history" so that a minimal connector file runs.
func readHistorySettings(c *config.Connector) (historySettings, error) {
	h := historySettings{class: strings.TrimSpace(c.Raw[propHistoryClass])}
	if h.class == "" {
		h.class = historyKafkaClass
	}
	switch h.class {
	case historyKafkaClass:
		h.topic = strings.TrimSpace(c.Raw[propHistoryTopic])
		if h.topic == "" {
			h.topic = c.TopicPrefix + ".schema-history"
		}
		for _, b := range strings.Split(c.Raw[propHistoryBootstrap], ",") {
			if b = strings.TrimSpace(b); b != "" {
				h.brokers = append(h.brokers, b)
			}
		}
	case historyFileClass:
		h.file = strings.TrimSpace(c.Raw[propHistoryFile])
		if h.file == "" {
			return h, fmt.Errorf("property %q is required when %s is %s; set it to the file that keeps the schema history", propHistoryFile, propHistoryClass, historyFileClass)
		}
	default:
		return h, fmt.Errorf("property %q: %q is not supported; use %s (the default) or %s", propHistoryClass, h.class, historyKafkaClass, historyFileClass)
	}
	return h, nil
}

// openHistory opens the connector's schema history store.
func openHistory(ctx context.Context, c *config.Connector, w *config.Worker, base []kgo.Opt, log *zap.Logger) (history.Store, error) {
	h, err := readHistorySettings(c)
	if err != nil {
		return nil, err
	}
	if h.class == historyFileClass {
		log.Info("schema history in a file", zap.String("file", h.file))
		return history.NewFileStore(h.file, log)
	}
	opts := base
	brokers := w.BootstrapServers
	if len(h.brokers) > 0 {
		// A history on another cluster: the worker's security settings
		// still apply, its seed brokers do not.
		brokers = h.brokers
		opts = append(append([]kgo.Opt{}, base...), kgo.SeedBrokers(brokers...))
	}
	log.Info("schema history in Kafka", zap.String("topic", h.topic), zap.Strings("bootstrap_servers", brokers))
	st, err := history.NewKafkaStore(ctx, history.KafkaConfig{Brokers: brokers, Topic: h.topic, ClientOpts: opts, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("opening schema history topic %s: %w", h.topic, err)
	}
	return st, nil
}
