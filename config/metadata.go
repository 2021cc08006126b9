package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/sluice-cdc/sluice/internal/javaregex"
)

// metadataTopics reads the properties of the records Debezium writes beside
// the data: transaction metadata and heartbeats, and their topic names.
func (r *reader) metadataTopics(c *Connector) {
	c.ProvideTransactionMetadata = r.boolean("provide.transaction.metadata", false)
	delim := r.str("topic.delimiter", ".")
	c.TopicNaming = TopicNaming{Delimiter: delim}
	r.topicNaming(c, delim)
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

// regexRouting reads DefaultRegexTopicNamingStrategy's properties, refusing
// what Debezium's validation refuses (a missing regex or replacement, a key
// field regex without its replacement) and, where Debezium would fail only
// at the first record, a replacement naming a group its regex lacks. It is
// never nil, so that the strategy itself is not refused as well; strategy
// is its class, for the messages.
func (r *reader) regexRouting(strategy string) *RegexRouting {
	rr := &RegexRouting{}
	compile := func(key, expr, replKey, what string) (*regexp.Regexp, string) {
		re, err := javaregex.Whole(expr)
		if err != nil {
			r.fail(key, expr, fmt.Sprintf("%v; rewrite it without them", err))
			return nil, ""
		}
		repl := r.str(replKey, "")
		if repl == "" {
			r.fail(replKey, "", fmt.Sprintf("must be non-empty when %s is set (%s): set %s, with $1... for the regex's groups", key, strategy, what))
			return nil, ""
		}
		if err := javaregex.CheckReplacement(re, repl); err != nil {
			r.fail(replKey, repl, fmt.Sprintf("%v; refer only to groups %s has", err, key))
			return nil, ""
		}
		return re, repl
	}
	if expr := r.required("topic.regex", "the regex that picks the tables' topics to route (whole-name match), as "+strategy+" requires"); expr != "" {
		rr.Topic, rr.TopicReplacement = compile("topic.regex", expr, "topic.replacement", "the topic to route to")
	}
	if rr.Topic == nil {
		// Refused above; a regex that never matches keeps the other
		// properties' checks going.
		rr.Topic = regexp.MustCompile(`$.^`)
	}
	if !r.boolean("topic.key.enforce.uniqueness", true) {
		return rr
	}
	if rr.KeyField = r.str("topic.key.field.name", "__dbz__physicalTableIdentifier"); rr.KeyField == "" {
		r.fail("topic.key.field.name", "", "is empty; name the key field that carries the physical table (default __dbz__physicalTableIdentifier), or set topic.key.enforce.uniqueness=false")
	}
	if expr := r.str("topic.key.field.regex", ""); expr != "" {
		rr.KeyRegex, rr.KeyReplacement = compile("topic.key.field.regex", expr, "topic.key.field.replacement", "the physical table name the key field gets")
	}
	return rr
}

// topicNaming reads topic.naming.strategy: for the binlog connectors one
// of Debezium's six classes (Default*, Schema*, their Unicode and regex
// kinds), for Vitess the Schema* ones and its TableTopicNamingStrategy;
// any other class is refused, Sluice running no Java.
func (r *reader) topicNaming(c *Connector, delim string) {
	namings := topicNamings
	if c.Flavor == FlavorVitess {
		namings = vitessTopicNamings
	}
	v, ok := r.lookup("topic.naming.strategy")
	if v = strings.TrimSpace(v); !ok || v == "" {
		return
	}
	n, known := namings[v]
	if _, binlog := topicNamings[v]; !known && binlog {
		// A Default* strategy on Vitess.
		r.fail("topic.naming.strategy", v, "names a Vitess table's topic by its shard (<prefix>.<shard>.<table>), which Sluice's Vitess connector does not; use io.debezium.schema.SchemaTopicNamingStrategy (the default, <prefix>.<keyspace>.<table>) or "+VitessTableTopicNaming+" (<prefix>.<table>)")
		return
	}
	if !known {
		names := slices.Sorted(maps.Keys(namings))
		r.fail("topic.naming.strategy", v, "is not a topic naming strategy Sluice has (it runs no Java); use one of Debezium's: "+strings.Join(names, ", "))
		return
	}
	n.Delimiter = delim
	if n.Regex != nil {
		n.Regex = r.regexRouting(v)
	}
	if v == VitessTableTopicNaming {
		n.DataPrefix = r.str("override.data.change.topic.prefix", "")
		_, n.dataPrefixExclude = r.filterList("override.data.change.topic.prefix.exclude.list", false)
		c.SchemaChangeTopic = r.str("override.schema.change.topic", "")
	}
	c.TopicNaming = n
}
