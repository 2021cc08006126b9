package jsonconv

import "github.com/sluice-cdc/sluice/connector/change"

// Schema helpers for the tests. Every call returns a new *Schema, as a
// reader building a table's schemas would.

func prim(t change.Type) *change.Schema    { return &change.Schema{Type: t} }
func optPrim(t change.Type) *change.Schema { return &change.Schema{Type: t, Optional: true} }

func decimalSchema(scale string, optional bool) *change.Schema {
	return &change.Schema{
		Type: change.Bytes, Optional: optional, Name: change.DecimalName, Version: 1,
		Parameters: []change.Param{{Key: "scale", Value: scale}, {Key: "connect.decimal.precision", Value: "10"}},
	}
}

func structSchema(name string, optional bool, fields ...change.Field) *change.Schema {
	return &change.Schema{Type: change.Struct, Name: name, Optional: optional, Fields: fields}
}

func field(name string, s *change.Schema) change.Field { return change.Field{Name: name, Schema: s} }

func value(s *change.Schema, vs ...any) *change.Value { return &change.Value{Schema: s, Values: vs} }

// envelopeFixture is a Debezium MySQL envelope for
// dbserver1.inventory.customers with ten row columns covering the common
// column types.
type envelopeFixture struct {
	key, row, source, block, env *change.Schema
}

func newEnvelopeFixture() *envelopeFixture {
	f := &envelopeFixture{}
	f.key = structSchema("dbserver1.inventory.customers.Key", false, field("id", prim(change.Int32)))
	f.row = structSchema("dbserver1.inventory.customers.Value", true,
		field("id", prim(change.Int32)),
		field("first_name", prim(change.String)),
		field("last_name", prim(change.String)),
		field("email", prim(change.String)),
		field("age", &change.Schema{Type: change.Int16, Optional: true, HasDefault: true, Default: int64(18)}),
		field("balance", decimalSchema("2", true)),
		field("score", optPrim(change.Float64)),
		field("active", prim(change.Boolean)),
		field("birth_date", &change.Schema{Type: change.Int32, Optional: true, Name: change.DateName, Version: 1}),
		field("created_at", &change.Schema{Type: change.String, Optional: true, Name: change.ZonedTimestampName, Version: 1}),
	)
	snapshot := &change.Schema{Type: change.String, Optional: true, Name: change.EnumName, Version: 1,
		Parameters: []change.Param{{Key: "allowed", Value: "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"}},
		HasDefault: true, Default: "false"}
	f.source = structSchema("io.debezium.connector.mysql.Source", false,
		field("version", prim(change.String)),
		field("connector", prim(change.String)),
		field("name", prim(change.String)),
		field("ts_ms", prim(change.Int64)),
		field("snapshot", snapshot),
		field("db", prim(change.String)),
		field("sequence", optPrim(change.String)),
		field("ts_us", optPrim(change.Int64)),
		field("ts_ns", optPrim(change.Int64)),
		field("table", optPrim(change.String)),
		field("server_id", prim(change.Int64)),
		field("gtid", optPrim(change.String)),
		field("file", prim(change.String)),
		field("pos", prim(change.Int64)),
		field("row", prim(change.Int32)),
		field("thread", optPrim(change.Int64)),
		field("query", optPrim(change.String)),
	)
	f.block = &change.Schema{Type: change.Struct, Optional: true, Name: "event.block", Version: 1, Fields: []change.Field{
		field("id", prim(change.String)),
		field("total_order", prim(change.Int64)),
		field("data_collection_order", prim(change.Int64)),
	}}
	f.env = &change.Schema{Type: change.Struct, Name: "dbserver1.inventory.customers.Envelope", Version: 2, Fields: []change.Field{
		field("before", f.row),
		field("after", f.row),
		field("source", f.source),
		field("transaction", f.block),
		field("op", prim(change.String)),
		field("ts_ms", optPrim(change.Int64)),
		field("ts_us", optPrim(change.Int64)),
		field("ts_ns", optPrim(change.Int64)),
	}}
	return f
}

// create returns the key and value of a "c" event for row id.
func (f *envelopeFixture) create(id int64) (*change.Value, *change.Value) {
	after := value(f.row, id, "Anne", "Kretchmar", "annek@noanswer.org", nil,
		[]byte{0x30, 0x39}, 4.5, true, int64(19000), "2024-01-02T03:04:05Z")
	src := value(f.source, "3.0.0.Final", "mysql", "dbserver1", int64(1700000000000), "false", "inventory",
		nil, int64(1700000000000000), int64(1700000000000000000), "customers", int64(223344),
		"0-1-48", "mysql-bin.000003", int64(154), int64(0), int64(7), nil)
	env := value(f.env, nil, after, src, nil, "c", int64(1700000000123), int64(1700000000123456), int64(1700000000123456789))
	return value(f.key, id), env
}
