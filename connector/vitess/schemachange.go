package vitess

import (
	"regexp"
	"strings"
	"time"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/ddl"
)

// Schema change events as Debezium's Vitess connector writes them with
// include.schema.changes=true: one record per DDL event of the VStream, so
// once per shard the DDL ran on, to the <topic.prefix> topic, partition 0.
// The key is the keyspace; the value carries the statement as VTGate sends
// it, the Vitess source block (the DDL's shard, the table its statement
// names, the VGTID that includes the DDL) and an empty tableChanges:
// Debezium's Vitess connector keeps no schema history and describes no
// table there. The new table version itself arrives as a FIELD event
// before the table's next rows.

var (
	schemaChangeKeySchema = &change.Schema{Type: change.Struct, Name: "io.debezium.connector.vitess.SchemaChangeKey", Version: 1, Fields: []change.Field{
		{Name: "databaseName", Schema: stringSchema},
	}}
	schemaChangeValueSchema = &change.Schema{Type: change.Struct, Name: "io.debezium.connector.vitess.SchemaChangeValue", Version: 1, Fields: []change.Field{
		{Name: "source", Schema: sourceSchema},
		{Name: "ts_ms", Schema: int64Schema},
		{Name: "databaseName", Schema: optString},
		{Name: "schemaName", Schema: optString},
		{Name: "ddl", Schema: optString},
		{Name: "tableChanges", Schema: &change.Schema{Type: change.Array, Items: &change.Schema{
			Type: change.Struct, Name: "io.debezium.connector.schema.Change", Version: 1, Fields: []change.Field{
				{Name: "type", Schema: stringSchema},
				{Name: "id", Schema: stringSchema},
				{Name: "table", Schema: ddl.TableSchema},
			}}}},
	}}
)

// schemaChangeRecord is the record of one DDL event read from shard at
// vgtid (the VGTID event just before it), for topic; tsSec is the DDL's
// binlog time.
func schemaChangeRecord(topic, prefix, keyspace, shard, vgtid, statement string, tsSec int64, now time.Time) *change.Record {
	src := sourceValue(prefix, tsSec, keyspace, ddlTable(statement), shard, vgtid)
	var stmt any
	if statement != "" {
		stmt = statement
	}
	return &change.Record{
		Topic:     topic,
		KeySchema: schemaChangeKeySchema, Key: &change.Value{Schema: schemaChangeKeySchema, Values: []any{keyspace}},
		ValueSchema: schemaChangeValueSchema,
		Value: &change.Value{Schema: schemaChangeValueSchema, Values: []any{
			src, now.UnixMilli(), keyspace, nil, stmt, []any{},
		}},
		// Debezium writes every schema change event to partition 0.
		FixedPartition: true, Partition: 0,
	}
}

// The table a DDL names, found as Debezium's Vitess connector finds it
// (DdlMetadataExtractor): comments removed, whitespace collapsed, the
// first "CREATE|ALTER|TRUNCATE|DROP|RENAME TABLE name"; a qualified name
// keeps its second part, backquotes are dropped. What the pattern cannot
// read is "<UNKNOWN>". Its quirks are kept, since consumers see source.table:
// "CREATE TABLE IF NOT EXISTS t" names "IF", and a name stops at the first
// character outside [A-Za-z0-9_`.].
var (
	ddlTablePattern    = regexp.MustCompile("(?i)(CREATE|ALTER|TRUNCATE|DROP|RENAME)\\s+TABLE\\s+([\\w`.]+)")
	ddlBlockComment    = regexp.MustCompile(`(?s)/\*.*?\*/`)
	ddlLineComment     = regexp.MustCompile("(--|#).*?(\r?\n|$)")
	ddlWhitespace      = regexp.MustCompile(`\s+`)
	unknownSchemaTable = "<UNKNOWN>"
)

func ddlTable(statement string) string {
	s := ddlBlockComment.ReplaceAllString(statement, "")
	s = ddlLineComment.ReplaceAllString(s, "")
	s = strings.TrimSpace(ddlWhitespace.ReplaceAllString(s, " "))
	m := ddlTablePattern.FindStringSubmatch(s)
	if m == nil {
		return unknownSchemaTable
	}
	name := m[2]
	if strings.Contains(name, ".") {
		// Java's String.split drops trailing empty parts; with no second
		// part left ("t.") Debezium's task fails, Sluice keeps the name.
		parts := strings.Split(name, ".")
		for len(parts) > 0 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
		if len(parts) > 1 {
			name = parts[1]
		}
	}
	return strings.ReplaceAll(name, "`", "")
}
