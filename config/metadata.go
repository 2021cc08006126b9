package config

import "strings"

// metadataTopics reads the properties of the records Debezium writes beside
// the data: transaction metadata and heartbeats, and their topic names.
func (r *reader) metadataTopics(c *Connector) {
	c.ProvideTransactionMetadata = r.boolean("provide.transaction.metadata", false)
	delim := r.str("topic.delimiter", ".")
	c.TransactionTopic = c.TopicPrefix + delim + r.str("topic.transaction", "transaction")
	c.HeartbeatTopic = r.str("topic.heartbeat.prefix", "__debezium-heartbeat") + delim + c.TopicPrefix
	// Debezium runs the query on every heartbeat to make writes the
	// connector can see on an otherwise idle captured database; Sluice does
	// not run it, and silently not running it would leave the offset as
	// stale as the query was meant to prevent.
	if q, ok := r.lookup("heartbeat.action.query"); ok && strings.TrimSpace(q) != "" {
		r.fail("heartbeat.action.query", q, "is not supported by Sluice; remove it and write to a captured table on a schedule yourself (an event, cron) if the offset must move on an idle database")
	}
}
