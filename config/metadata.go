package config

import "strings"

// metadataTopics reads the properties of the records Debezium writes beside
// the data: transaction metadata and heartbeats, and their topic names.
func (r *reader) metadataTopics(c *Connector) {
	c.ProvideTransactionMetadata = r.boolean("provide.transaction.metadata", false)
	delim := r.str("topic.delimiter", ".")
	c.TopicNaming.Delimiter = delim
	if c.Flavor != FlavorVitess {
		v, _ := r.lookup("topic.naming.strategy")
		c.TopicNaming.Unicode = strings.TrimSpace(v) == UnicodeTopicNaming
	}
	c.TransactionTopic = c.TopicPrefix + delim + r.str("topic.transaction", "transaction")
	c.HeartbeatTopic = r.str("topic.heartbeat.prefix", "__debezium-heartbeat") + delim + c.TopicPrefix
	// Debezium runs it on the database with every heartbeat record, so
	// that an otherwise idle captured database has writes the connector
	// sees and its offset moves; without heartbeats it runs never.
	c.HeartbeatActionQuery = strings.TrimSpace(r.str("heartbeat.action.query", ""))
	c.InitialStatements = SplitStatements(r.str("database.initial.statements", ""))
	if len(c.InitialStatements) > 0 && c.Flavor == FlavorVitess {
		r.warn("database.initial.statements", "is not run by Sluice's Vitess source, which opens no SQL connection (nor does Debezium's)")
	}
}

// SplitStatements splits database.initial.statements as Debezium's
// JdbcConnection does: at each semicolon, where two in a row stand for
// one within a statement; statements are trimmed, empty ones dropped.
func SplitStatements(s string) []string {
	var out []string
	var cur strings.Builder
	end := func() {
		if st := strings.TrimSpace(cur.String()); st != "" {
			out = append(out, st)
		}
		cur.Reset()
	}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] != ';':
			cur.WriteByte(s[i])
		case i+1 < len(s) && s[i+1] == ';':
			cur.WriteByte(';')
			i++
		default:
			end()
		}
	}
	end()
	return out
}
