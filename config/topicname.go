package config

import (
	"strconv"
	"strings"
	"unicode/utf16"
)

// maxTopicName is Kafka's longest topic name, to which Debezium cuts a
// table's topic.
const maxTopicName = 249

// UnicodeTopicNaming is Debezium's topic.naming.strategy that escapes, in a
// table's topic, every character but letters, digits, '.' and '-' as _uXXXX
// (an underscore too), so that two table names never meet on one topic.
const UnicodeTopicNaming = "io.debezium.schema.DefaultUnicodeTopicNamingStrategy"

// TopicNaming is how a connector names its tables' topics: Debezium's
// default strategies (DefaultTopicNamingStrategy, and
// SchemaTopicNamingStrategy for Vitess), or DefaultUnicodeTopicNamingStrategy.
type TopicNaming struct {
	Delimiter string // topic.delimiter ("": ".")
	Unicode   bool   // topic.naming.strategy is UnicodeTopicNaming
}

// DataTopic is a table's topic: topic.prefix and the table's parts
// (database and table, keyspace and table) joined by the delimiter, every
// character Kafka does not allow in a topic name replaced (by an
// underscore, or its _uXXXX escape with Unicode; one per UTF-16 unit, as
// Java counts them), and the result cut to 249 characters. The records'
// schema names start with it too.
func (n TopicNaming) DataTopic(parts ...string) string {
	delim := n.Delimiter
	if delim == "" {
		delim = "."
	}
	var kept []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" { // Debezium's mkString drops blank parts
			kept = append(kept, p)
		}
	}
	return n.sanitize(strings.Join(kept, delim))
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
