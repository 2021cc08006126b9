package config

import "strings"

// maxTopicName is Kafka's longest topic name, to which Debezium cuts a
// table's topic.
const maxTopicName = 249

// DataTopic is a table's topic as Debezium's default topic naming
// strategies (DefaultTopicNamingStrategy, and SchemaTopicNamingStrategy for
// Vitess) name it: topic.prefix and the table's parts (database and table,
// keyspace and table) joined by topic.delimiter, then every character
// Kafka does not allow in a topic name replaced by an underscore (one per
// UTF-16 unit, as Java counts them), and the result cut to 249 characters.
// The records' schema names start with it too.
func DataTopic(delim string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" { // Debezium's mkString drops blank parts
			kept = append(kept, p)
		}
	}
	return sanitizeTopic(strings.Join(kept, delim))
}

func sanitizeTopic(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range name {
		switch {
		case r == '.' || r == '_' || r == '-' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'):
			b.WriteRune(r)
		case r > 0xFFFF:
			b.WriteString("__") // a surrogate pair: two chars in Java
		default:
			b.WriteByte('_')
		}
	}
	s := b.String()
	switch {
	case len(s) > maxTopicName:
		return s[:maxTopicName]
	case s == ".":
		return "_"
	case s == "..":
		return "__"
	}
	return s
}
