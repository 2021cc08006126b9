package avro

import (
	"context"

	"github.com/sluice-cdc/sluice/connector/change"
)

var bg = context.Background()

// Schema helpers for the tests. Every call returns a new *Schema, as a
// reader building a table's schemas would.

func prim(t change.Type) *change.Schema    { return &change.Schema{Type: t} }
func optPrim(t change.Type) *change.Schema { return &change.Schema{Type: t, Optional: true} }

func field(name string, s *change.Schema) change.Field { return change.Field{Name: name, Schema: s} }

func value(s *change.Schema, vs ...any) *change.Value { return &change.Value{Schema: s, Values: vs} }

func named(t change.Type, name string, optional bool, params ...change.Param) *change.Schema {
	return &change.Schema{Type: t, Name: name, Version: 1, Optional: optional, Parameters: params}
}

// fixture is a Debezium MySQL envelope for dbserver1.inventory.customers
// whose row covers the column types Sluice emits: ints of every width,
// a defaulted column, Decimal, doubles and floats, Debezium and Connect
// temporal types, Enum and EnumSet with their parameters, Json, bytes, and
// Connect arrays and maps (from transforms).
type fixture struct {
	key, row, source, env *change.Schema
}

func newFixture() *fixture {
	f := &fixture{}
	f.key = &change.Schema{Type: change.Struct, Name: "dbserver1.inventory.customers.Key", Fields: []change.Field{field("id", prim(change.Int32))}}
	f.row = &change.Schema{Type: change.Struct, Name: "dbserver1.inventory.customers.Value", Optional: true, Fields: []change.Field{
		field("id", prim(change.Int32)),
		field("tiny", optPrim(change.Int8)),
		field("small", prim(change.Int16)),
		field("big", optPrim(change.Int64)),
		field("age", &change.Schema{Type: change.Int16, Optional: true, HasDefault: true, Default: int64(18)}),
		field("name", &change.Schema{Type: change.String, HasDefault: true, Default: "anon"}),
		field("balance", named(change.Bytes, change.DecimalName, true, change.Param{Key: "scale", Value: "2"}, change.Param{Key: "connect.decimal.precision", Value: "10"})),
		field("price", named(change.Bytes, change.DecimalName, false, change.Param{Key: "scale", Value: "3"})),
		field("score", optPrim(change.Float64)),
		field("ratio", optPrim(change.Float32)),
		field("active", &change.Schema{Type: change.Boolean, HasDefault: true, Default: false}),
		field("birth_date", named(change.Int32, change.DateName, true)),
		field("wake", named(change.Int64, change.MicroTimeName, true)),
		field("seen", named(change.Int64, change.MicroTimestampName, true)),
		field("created_at", named(change.String, change.ZonedTimestampName, true)),
		field("c_date", named(change.Int32, change.ConnectDateName, true)),
		field("c_time", named(change.Int32, change.ConnectTimeName, true)),
		field("c_ts", named(change.Int64, change.ConnectTimestamp, true)),
		field("color", named(change.String, change.EnumName, true, change.Param{Key: "allowed", Value: "red,green,blue"})),
		field("flags", named(change.String, change.EnumSetName, true, change.Param{Key: "allowed", Value: "a,b,c"})),
		field("doc", named(change.String, change.JSONName, true)),
		field("bits", named(change.Bytes, change.BitsName, true, change.Param{Key: "length", Value: "12"})),
		field("blob", optPrim(change.Bytes)),
		field("raw", &change.Schema{Type: change.Bytes, HasDefault: true, Default: []byte{0x41, 0xe9}}),
		field("tags", &change.Schema{Type: change.Array, Optional: true, Items: prim(change.String)}),
		field("attrs", &change.Schema{Type: change.Map, Optional: true, Keys: prim(change.String), Values: optPrim(change.Int64)}),
		field("counts", &change.Schema{Type: change.Map, Optional: true, Keys: prim(change.Int32), Values: prim(change.String)}),
		field("point", &change.Schema{Type: change.Struct, Optional: true, Fields: []change.Field{field("x", prim(change.Float64)), field("y", prim(change.Float64))}}),
		field("point2", &change.Schema{Type: change.Struct, Optional: true, Fields: []change.Field{field("x", prim(change.Float64)), field("y", prim(change.Float64))}}),
		field("other", &change.Schema{Type: change.Struct, Optional: true, Fields: []change.Field{field("z", prim(change.String))}}),
		field("dec_def", &change.Schema{Type: change.Bytes, Name: change.DecimalName, Version: 1, Optional: true, HasDefault: true, Default: []byte{0x05, 0xdc},
			Parameters: []change.Param{{Key: "scale", Value: "3"}, {Key: "connect.decimal.precision", Value: "6"}}}),
	}}
	snapshot := &change.Schema{Type: change.String, Optional: true, Name: change.EnumName, Version: 1,
		Parameters: []change.Param{{Key: "allowed", Value: "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"}},
		HasDefault: true, Default: "false"}
	f.source = &change.Schema{Type: change.Struct, Name: "io.debezium.connector.mysql.Source", Fields: []change.Field{
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
	}}
	f.env = change.EnvelopeSchema("dbserver1.inventory.customers", f.row, f.source)
	return f
}

// rows returns the key and value of an update event for row id, with
// every column set, and of an insert where every optional column is null.
func (f *fixture) full(id int64) (*change.Value, *change.Value) {
	point := f.row.Fields[f.row.FieldIndex("point")].Schema
	point2 := f.row.Fields[f.row.FieldIndex("point2")].Schema
	other := f.row.Fields[f.row.FieldIndex("other")].Schema
	row := func(name string) *change.Value {
		return value(f.row, id, int64(-7), int64(-300), int64(1)<<40, int64(42), name,
			[]byte{0x30, 0x39}, []byte{0xff, 0x85}, 4.5, 0.25, true,
			int64(19000), int64(3600000000), int64(1700000000123456), "2024-01-02T03:04:05Z",
			int64(19001), int64(3600000), int64(1700000000123),
			"green", "a,c", `{"k":[1,2]}`, []byte{0x0f, 0xff}, []byte("blob\x00"), []byte{1, 2},
			[]any{"x", "", "zz"}, []change.MapEntry{{Key: "a", Value: int64(1)}, {Key: "b", Value: nil}},
			[]change.MapEntry{{Key: int64(3), Value: "three"}},
			value(point, 1.5, -2.0), value(point2, 0.0, 1e10), value(other, "zed"), []byte{0x01})
	}
	src := value(f.source, "3.5.0.Final", "mysql", "dbserver1", int64(1700000000000), "false", "inventory",
		nil, int64(1700000000000000), int64(1700000000000000000), "customers", int64(223344),
		"0-1-48", "mysql-bin.000003", int64(154), int64(0), int64(7), nil)
	txn := value(change.TransactionSchema, "0-1-48", int64(1), int64(1))
	env := value(f.env, row("before"), row("after"), src, txn, "u", int64(1700000000123), int64(1700000000123456), int64(1700000000123456789))
	return value(f.key, id), env
}

func (f *fixture) sparse(id int64) (*change.Value, *change.Value) {
	after := value(f.row, id, nil, int64(0), nil, nil, nil,
		nil, []byte{}, nil, nil, nil,
		nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil,
		nil, nil, nil, nil, nil, nil, nil)
	src := value(f.source, "3.5.0.Final", "mysql", "dbserver1", int64(0), nil, "inventory",
		nil, nil, nil, nil, int64(0), nil, "", int64(0), int64(0), nil, nil)
	env := value(f.env, nil, after, src, nil, "c", nil, nil, nil)
	return value(f.key, id), env
}
