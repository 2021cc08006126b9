package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/sluice-cdc/sluice/internal/javaregex"
)

// maxTopicName is Kafka's longest topic name, to which Debezium cuts a
// table's topic.
const maxTopicName = 249

// UnicodeTopicNaming is Debezium's topic.naming.strategy that escapes, in a
// table's topic, every character but letters, digits, '.' and '-' as _uXXXX
// (an underscore too), so that two table names never meet on one topic.
const UnicodeTopicNaming = "io.debezium.schema.DefaultUnicodeTopicNamingStrategy"

// RegexTopicNaming is Debezium's topic.naming.strategy that routes a
// table's topic through topic.regex and topic.replacement (many physical
// tables to one logical topic, as its ByLogicalTableRouter transform does)
// and adds the physical table to each key.
const RegexTopicNaming = "io.debezium.schema.DefaultRegexTopicNamingStrategy"

// TopicNaming is how a connector names its tables' topics: Debezium's
// default strategies (DefaultTopicNamingStrategy, and
// SchemaTopicNamingStrategy for Vitess), DefaultUnicodeTopicNamingStrategy
// or DefaultRegexTopicNamingStrategy.
type TopicNaming struct {
	Delimiter string        // topic.delimiter ("": ".")
	Unicode   bool          // topic.naming.strategy is a Unicode one
	Regex     *RegexRouting // topic.naming.strategy is a regex one
	// NoDatabase is a Schema* strategy on MySQL and MariaDB: a table's
	// topic is made of its schema parts, and their tables have a database
	// but no schema, so it is <prefix>.<table>; and Vitess's
	// TableTopicNamingStrategy.
	NoDatabase bool
	// DataPrefix is TableTopicNamingStrategy's
	// override.data.change.topic.prefix: the prefix of the tables' topics
	// in place of topic.prefix, but for the tables its exclude list
	// (keyspace.table patterns) names.
	DataPrefix        string
	dataPrefixExclude *nameFilter
}

// VitessTableTopicNaming is the Vitess connector's own
// topic.naming.strategy: <prefix>.<table>, with overrides for several
// connectors of one keyspace.
const VitessTableTopicNaming = "io.debezium.connector.vitess.TableTopicNamingStrategy"

// vitessTopicNamings are the Vitess connector's topic.naming.strategy
// classes. Its table ids have the shard as their catalog and the keyspace
// as their schema, so the Default* strategies name topics
// <prefix>.<shard>.<table>, which Sluice's Vitess source (one table schema
// for all shards) does not.
var vitessTopicNamings = map[string]TopicNaming{
	"io.debezium.schema.SchemaTopicNamingStrategy":        {},
	"io.debezium.schema.SchemaUnicodeTopicNamingStrategy": {Unicode: true},
	"io.debezium.schema.SchemaRegexTopicNamingStrategy":   {Regex: &RegexRouting{}},
	VitessTableTopicNaming:                                {NoDatabase: true},
}

// topicNamings are the topic.naming.strategy classes of the binlog
// connectors: Default* name a table by its database parts (database and
// table), Schema* by its schema parts (the table alone).
var topicNamings = map[string]TopicNaming{
	"io.debezium.schema.DefaultTopicNamingStrategy": {},
	"io.debezium.schema.SchemaTopicNamingStrategy":  {NoDatabase: true},
	UnicodeTopicNaming: {Unicode: true},
	"io.debezium.schema.SchemaUnicodeTopicNamingStrategy": {Unicode: true, NoDatabase: true},
	RegexTopicNaming: {Regex: &RegexRouting{}},
	"io.debezium.schema.SchemaRegexTopicNamingStrategy": {Regex: &RegexRouting{}, NoDatabase: true},
}

// RegexRouting is DefaultRegexTopicNamingStrategy's settings.
type RegexRouting struct {
	Topic            *regexp.Regexp // topic.regex, matched against the whole topic
	TopicReplacement string         // topic.replacement
	// KeyField is topic.key.field.name, the key field that names the
	// physical table; "" with topic.key.enforce.uniqueness=false.
	KeyField string
	// KeyRegex and KeyReplacement (topic.key.field.regex and .replacement)
	// make that name from the unrouted topic; nil: the unrouted topic as
	// it is.
	KeyRegex       *regexp.Regexp
	KeyReplacement string
}

// TableTopic is a table's topic and, under DefaultRegexTopicNamingStrategy
// with key uniqueness, the physical table its keys name ("" otherwise), as
// AbstractRegexTopicNamingStrategy makes them: the topic is DataTopic's
// name (without the database under a Schema* strategy) replaced when topic.regex matches it whole (kept when the
// replacement is empty); the physical table is the parts joined unsanitised
// (Debezium's getOriginTopic), replaced when topic.key.field.regex matches.
func (n TopicNaming) TableTopic(prefix, database, table string) (topic, physical string, err error) {
	if n.DataPrefix != "" && n.dataPrefixExclude.allows(database+"."+table) {
		prefix = n.DataPrefix
	}
	parts := []string{prefix, database, table}
	if n.NoDatabase {
		parts = []string{prefix, table}
	}
	topic = n.DataTopic(parts...)
	r := n.Regex
	if r == nil {
		return topic, "", nil
	}
	routed, ok, err := javaregex.Replace(r.Topic, topic, r.TopicReplacement)
	if err != nil {
		return "", "", fmt.Errorf("topic.replacement on %s: %w", topic, err)
	}
	if ok && routed != "" {
		topic = routed
	}
	if r.KeyField == "" {
		return topic, "", nil
	}
	physical = n.join(parts)
	if r.KeyRegex != nil {
		v, ok, err := javaregex.Replace(r.KeyRegex, physical, r.KeyReplacement)
		if err != nil {
			return "", "", fmt.Errorf("topic.key.field.replacement on %s: %w", physical, err)
		}
		if ok {
			physical = v
		}
	}
	return topic, physical, nil
}

// DataTopic is a table's topic: topic.prefix and the table's parts
// (database and table, keyspace and table) joined by the delimiter, every
// character Kafka does not allow in a topic name replaced (by an
// underscore, or its _uXXXX escape with Unicode; one per UTF-16 unit, as
// Java counts them), and the result cut to 249 characters. The records'
// schema names start with it too.
func (n TopicNaming) DataTopic(parts ...string) string {
	return n.sanitize(n.join(parts))
}

// join is Debezium's mkString: the parts but blank ones joined by the
// delimiter.
func (n TopicNaming) join(parts []string) string {
	delim := n.Delimiter
	if delim == "" {
		delim = "."
	}
	var kept []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, delim)
}

func (n TopicNaming) sanitize(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range name {
		switch {
		case r == '.' || r == '-' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'),
			r == '_' && !n.Unicode:
			b.WriteRune(r)
		case r > 0xFFFF: // a surrogate pair: two chars in Java
			hi, lo := utf16.EncodeRune(r)
			b.WriteString(n.replacement(hi) + n.replacement(lo))
		default:
			b.WriteString(n.replacement(r))
		}
	}
	s := b.String()
	switch {
	case len(s) > maxTopicName:
		return s[:maxTopicName]
	case s == ".":
		return n.replacement('.')
	case s == "..":
		return n.replacement('.') + n.replacement('.')
	}
	return s
}

// replacement is Debezium's ReplacementFunction for one UTF-16 unit: an
// underscore, or UnicodeReplacementFunction's "_u" and the unit in hex,
// "00"-padded when it has at most two digits.
func (n TopicNaming) replacement(c rune) string {
	if !n.Unicode {
		return "_"
	}
	hex := strconv.FormatInt(int64(c), 16)
	if len(hex) <= 2 {
		hex = "00" + hex
	}
	return "_u" + hex
}
