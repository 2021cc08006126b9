package mysql

import (
	"github.com/sluice-cdc/sluice/connector/change"
)

// Version is the connector version written to source.version.
var Version = "0.1.0"

// snapshotEnum is Debezium's source.snapshot field: an io.debezium.data.Enum
// string defaulting to "false".
var snapshotEnum = &change.Schema{Type: change.String, Optional: true, Name: change.EnumName, Version: 1,
	Parameters: []change.Param{{Key: "allowed", Value: "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"}},
	Default:    "false", HasDefault: true}

var (
	optString = &change.Schema{Type: change.String, Optional: true}
	optInt64  = &change.Schema{Type: change.Int64, Optional: true}
	int32Req  = &change.Schema{Type: change.Int32}
)

// Source block field indexes, in Debezium's order.
const (
	srcVersion = iota
	srcConnector
	srcName
	srcTsMs
	srcSnapshot
	srcDB
	srcSequence
	srcTsUs
	srcTsNs
	srcTable
	srcServerID
	srcGTID
	srcFile
	srcPos
	srcRow
	srcThread
	srcQuery
	srcFields
)

// sourceSchema is the schema of Debezium's MySQL (or MariaDB) source block.
func sourceSchema(flavor string) *change.Schema {
	name := "io.debezium.connector.mysql.Source"
	if flavor == "mariadb" {
		name = "io.debezium.connector.mariadb.Source"
	}
	// Version 1, as Debezium's source schema is.
	return &change.Schema{Type: change.Struct, Name: name, Version: 1, Fields: []change.Field{
		{Name: "version", Schema: stringSchema},
		{Name: "connector", Schema: stringSchema},
		{Name: "name", Schema: stringSchema},
		{Name: "ts_ms", Schema: int64Schema},
		{Name: "snapshot", Schema: snapshotEnum},
		{Name: "db", Schema: stringSchema},
		{Name: "sequence", Schema: optString},
		{Name: "ts_us", Schema: optInt64},
		{Name: "ts_ns", Schema: optInt64},
		{Name: "table", Schema: optString},
		{Name: "server_id", Schema: int64Schema},
		{Name: "gtid", Schema: optString},
		{Name: "file", Schema: stringSchema},
		{Name: "pos", Schema: int64Schema},
		{Name: "row", Schema: int32Req},
		{Name: "thread", Schema: optInt64},
		{Name: "query", Schema: optString},
	}}
}
