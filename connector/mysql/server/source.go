// Package server holds what the binlog reader and the snapshots of a MySQL
// or MariaDB connector share about the server they read: the settings,
// connections on which every call has a deadline, the information_schema
// catalog, error classification, and Debezium's source block.
package server

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

// The plain schemas of the source block, which the schema change records
// use too.
var (
	StringSchema         = &change.Schema{Type: change.String}
	Int64Schema          = &change.Schema{Type: change.Int64}
	OptionalStringSchema = &change.Schema{Type: change.String, Optional: true}
	optInt64             = &change.Schema{Type: change.Int64, Optional: true}
	int32Req             = &change.Schema{Type: change.Int32}
)

// Source block field indexes, in Debezium's order.
const (
	SrcVersion = iota
	SrcConnector
	SrcName
	SrcTsMs
	SrcSnapshot
	SrcDB
	SrcSequence
	SrcTsUs
	SrcTsNs
	SrcTable
	SrcServerID
	SrcGTID
	SrcFile
	SrcPos
	SrcRow
	SrcThread
	SrcQuery
	SrcFields
)

// sourceSchema is the schema of Debezium's MySQL (or MariaDB) source block.
func sourceSchema(flavor string) *change.Schema {
	name := "io.debezium.connector.mysql.Source"
	if flavor == "mariadb" {
		name = "io.debezium.connector.mariadb.Source"
	}
	// Version 1, as Debezium's source schema is.
	return &change.Schema{Type: change.Struct, Name: name, Version: 1, Fields: []change.Field{
		{Name: "version", Schema: StringSchema},
		{Name: "connector", Schema: StringSchema},
		{Name: "name", Schema: StringSchema},
		{Name: "ts_ms", Schema: Int64Schema},
		{Name: "snapshot", Schema: snapshotEnum},
		{Name: "db", Schema: StringSchema},
		{Name: "sequence", Schema: OptionalStringSchema},
		{Name: "ts_us", Schema: optInt64},
		{Name: "ts_ns", Schema: optInt64},
		{Name: "table", Schema: OptionalStringSchema},
		{Name: "server_id", Schema: Int64Schema},
		{Name: "gtid", Schema: OptionalStringSchema},
		{Name: "file", Schema: StringSchema},
		{Name: "pos", Schema: Int64Schema},
		{Name: "row", Schema: int32Req},
		{Name: "thread", Schema: optInt64},
		{Name: "query", Schema: OptionalStringSchema},
	}}
}

// SourceFields starts a source block: what every record of the connector
// has, and the time, snapshot marker and database.
func (c *Config) SourceFields(tsMs int64, snapshot, db string) []any {
	v := make([]any, SrcFields)
	v[SrcVersion] = Version
	v[SrcConnector] = c.Flavor
	v[SrcName] = c.TopicPrefix
	v[SrcTsMs] = tsMs
	v[SrcSnapshot] = snapshot
	v[SrcDB] = db
	v[SrcTsUs] = tsMs * 1000
	v[SrcTsNs] = tsMs * 1_000_000
	return v
}

// SourceGTID is source.gtid for a change in the transaction of GTID gtid
// ("" for none): the GTID, or nil. Debezium's MySQL connector class read
// against MariaDB leaves source.gtid null on every change and schema change
// record, because its binlog reader knows only MySQL's GTID events and never
// sees MariaDB's; a consumer switching from it must see the same null. Its
// offsets still carry the MariaDB GTID set, which this does not touch.
func (c *Config) SourceGTID(gtid string) any {
	if !c.ShowsGTID(gtid) {
		return nil
	}
	return gtid
}

// ShowsGTID reports whether SourceGTID(gtid) is the GTID rather than nil,
// for a caller that boxes it itself.
func (c *Config) ShowsGTID(gtid string) bool {
	return gtid != "" && !(c.Flavor == "mysql" && c.Proto() == "mariadb")
}

// EventAt is where a binlog event stands, as a change's source block shows
// it: an on-demand snapshot's rows carry the position of the event that
// closed their window, as Debezium's do.
type EventAt struct {
	ServerID uint32
	GTID     string // the transaction's; SourceGTID decides whether it shows
	File     string
	Pos      int64
}

// StreamAt is where the binlog stream stands at a transaction's end: its
// GTID set and the commit event of the last transaction read.
type StreamAt struct {
	GTIDs  string
	Commit EventAt
}
