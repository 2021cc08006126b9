package config

import "strings"

// metadataTopics reads the properties of the records Debezium writes beside
// the data: transaction metadata and heartbeats, and their topic names.
func (r *reader) metadataTopics(c *Connector) {
	c.ProvideTransactionMetadata = r.boolean("provide.transaction.metadata", false)
	delim := r.str("topic.delimiter", ".")
	c.TransactionTopic = c.TopicPrefix + delim + r.str("topic.transaction", "transaction")
	c.HeartbeatTopic = r.str("topic.heartbeat.prefix", "__debezium-heartbeat") + delim + c.TopicPrefix
	// Debezium runs it on the database with every heartbeat record, so
	// that an otherwise idle captured database has writes the connector
	// sees and its offset moves; without heartbeats it runs never.
	c.HeartbeatActionQuery = strings.TrimSpace(r.str("heartbeat.action.query", ""))
}
