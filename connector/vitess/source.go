package vitess

import "github.com/sluice-cdc/sluice/connector/change"

// Version is the connector version written to source.version.
var Version = "0.1.0"

var (
	stringSchema  = &change.Schema{Type: change.String}
	int64Schema   = &change.Schema{Type: change.Int64}
	optString     = &change.Schema{Type: change.String, Optional: true}
	optInt64      = &change.Schema{Type: change.Int64, Optional: true}
	snapshotField = &change.Schema{Type: change.String, Optional: true, Name: change.EnumName, Version: 1,
		Parameters: []change.Param{{Key: "allowed", Value: "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"}},
		Default:    "false", HasDefault: true}
)

// sourceSchema is Debezium's io.debezium.connector.vitess.Source: the
// common fields, then keyspace, table, shard and vgtid.
var sourceSchema = &change.Schema{Type: change.Struct, Name: "io.debezium.connector.vitess.Source", Version: 1, Fields: []change.Field{
	{Name: "version", Schema: stringSchema},
	{Name: "connector", Schema: stringSchema},
	{Name: "name", Schema: stringSchema},
	{Name: "ts_ms", Schema: int64Schema},
	{Name: "snapshot", Schema: snapshotField},
	{Name: "db", Schema: stringSchema},
	{Name: "sequence", Schema: optString},
	{Name: "ts_us", Schema: optInt64},
	{Name: "ts_ns", Schema: optInt64},
	{Name: "keyspace", Schema: stringSchema},
	{Name: "table", Schema: stringSchema},
	{Name: "shard", Schema: stringSchema},
	{Name: "vgtid", Schema: stringSchema},
}}

// sourceShard is the index of shard in sourceSchema's fields.
const sourceShard = 11

// TxCollection names a row's data collection as Debezium's Vitess
// connector does in its transaction metadata, by the shard the row came
// from: "<shard>.<keyspace>.<table>" (side by side with Debezium 3.5).
func (s *Source) TxCollection(e *change.Event) string {
	shard, _ := e.Source.Values[sourceShard].(string)
	return shard + "." + e.Table.Database + "." + e.Table.Name
}

// SkippedOperations are skipped.operations, which the poller applies record
// by record as Debezium's dispatcher does for the Vitess connector.
func (s *Source) SkippedOperations() map[change.Op]bool { return s.cfg.SkippedOps }

// CopiesInStream: VStream's copy phase is the Vitess connector's snapshot,
// which Debezium does not notify (its Vitess snapshot source skips).
func (s *Source) CopiesInStream() bool { return true }

// sourceBlocks makes the rows' source blocks from a template boxed once
// per table, shard, VGTID and timestamp: one allocation a row where
// sourceValue makes ten (the slice and nine boxed values), a tenth of the
// daemon's CPU with small rows.
type sourceBlocks struct {
	tsSec               int64
	table, shard, vgtid string
	vals                []any
}

func (c *sourceBlocks) value(prefix string, tsSec int64, keyspace, table, shard, vgtid string) *change.Value {
	if c.vals == nil || c.tsSec != tsSec || c.table != table || c.shard != shard || c.vgtid != vgtid {
		c.tsSec, c.table, c.shard, c.vgtid = tsSec, table, shard, vgtid
		c.vals = sourceValue(prefix, tsSec, keyspace, table, shard, vgtid).Values
	}
	v := change.NewValue(sourceSchema, len(c.vals))
	copy(v.Values, c.vals)
	return v
}

// sourceValue is a row's source block. Debezium's Vitess connector writes
// db as "" (the keyspace has its own field) and snapshot "false" for copy
// rows too; tsSec is the commit's timestamp (0 in the copy phase).
func sourceValue(prefix string, tsSec int64, keyspace, table, shard, vgtid string) *change.Value {
	ms := tsSec * 1000
	return &change.Value{Schema: sourceSchema, Values: []any{
		Version, "vitess", prefix, ms, "false", "", nil, ms * 1000, ms * 1_000_000,
		keyspace, table, shard, vgtid,
	}}
}
