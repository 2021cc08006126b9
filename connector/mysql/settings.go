package mysql

import (
	"fmt"
	"strings"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
)

// Debezium properties about DDL and skipped operations that the config
// package keeps in Connector.Raw, with Debezium's defaults.
const (
	propSkippedOperations     = "skipped.operations"                                        // default "t"
	propSkipUnparseableDDL    = "schema.history.internal.skip.unparseable.ddl"              // default false
	propStoreOnlyCapturedTbls = "schema.history.internal.store.only.captured.tables.ddl"    // default false
	propStoreOnlyCapturedDBs  = "schema.history.internal.store.only.captured.databases.ddl" // default false
	defaultSkippedOperations  = "t"
)

// applyDDLConfig sets the streamer's DDL settings from the connector file,
// or says which property is wrong. ParseConfig calls it.
func applyDDLConfig(cfg *server.Config, c *config.Connector) error {
	skipped := defaultSkippedOperations
	if v, ok := c.Raw[propSkippedOperations]; ok {
		skipped = v
	}
	ops, err := change.ParseSkippedOperations(skipped)
	if err != nil {
		return fmt.Errorf("property %q: %w", propSkippedOperations, err)
	}
	cfg.SkippedOperations = ops
	cfg.IncludeSchemaChanges = c.IncludeSchemaChanges
	for _, b := range []struct {
		prop string
		dst  *bool
	}{
		{propSkipUnparseableDDL, &cfg.SkipUnparseableDDL},
		{propStoreOnlyCapturedTbls, &cfg.StoreOnlyCapturedTablesDDL},
		{propStoreOnlyCapturedDBs, &cfg.StoreOnlyCapturedDatabasesDDL},
	} {
		*b.dst = false
		v, ok := c.Raw[b.prop]
		if !ok {
			continue
		}
		// Kafka's ConfigDef: true or false, any case, surrounding blanks ignored.
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true":
			*b.dst = true
		case "false":
		default:
			return fmt.Errorf("property %q: %q is not a boolean; use true or false", b.prop, v)
		}
	}
	return nil
}

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
