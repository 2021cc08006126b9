package jsonconv_test

import (
	"context"
	"fmt"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters/jsonconv"
)

// A Debezium MySQL "c" event for inventory.customers, as Kafka Connect's
// JsonConverter writes its key (schemas enabled) and value (schemas
// disabled).
func ExampleConverter_Convert() {
	str := func(optional bool) *change.Schema { return &change.Schema{Type: change.String, Optional: optional} }
	i64 := func(optional bool) *change.Schema { return &change.Schema{Type: change.Int64, Optional: optional} }
	i32 := &change.Schema{Type: change.Int32}

	key := &change.Schema{Type: change.Struct, Name: "dbserver1.inventory.customers.Key",
		Fields: []change.Field{{Name: "id", Schema: i32}}}
	row := &change.Schema{Type: change.Struct, Optional: true, Name: "dbserver1.inventory.customers.Value", Fields: []change.Field{
		{Name: "id", Schema: i32}, {Name: "first_name", Schema: str(false)},
		{Name: "last_name", Schema: str(false)}, {Name: "email", Schema: str(false)},
	}}
	snapshot := &change.Schema{Type: change.String, Optional: true, Name: change.EnumName, Version: 1,
		Parameters: []change.Param{{Key: "allowed", Value: "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"}},
		HasDefault: true, Default: "false"}
	source := &change.Schema{Type: change.Struct, Name: "io.debezium.connector.mysql.Source", Fields: []change.Field{
		{Name: "version", Schema: str(false)}, {Name: "connector", Schema: str(false)}, {Name: "name", Schema: str(false)},
		{Name: "ts_ms", Schema: i64(false)}, {Name: "snapshot", Schema: snapshot}, {Name: "db", Schema: str(false)},
		{Name: "sequence", Schema: str(true)}, {Name: "ts_us", Schema: i64(true)}, {Name: "ts_ns", Schema: i64(true)},
		{Name: "table", Schema: str(true)}, {Name: "server_id", Schema: i64(false)}, {Name: "gtid", Schema: str(true)},
		{Name: "file", Schema: str(false)}, {Name: "pos", Schema: i64(false)}, {Name: "row", Schema: i32},
		{Name: "thread", Schema: i64(true)}, {Name: "query", Schema: str(true)},
	}}
	block := &change.Schema{Type: change.Struct, Optional: true, Name: "event.block", Version: 1, Fields: []change.Field{
		{Name: "id", Schema: str(false)}, {Name: "total_order", Schema: i64(false)}, {Name: "data_collection_order", Schema: i64(false)},
	}}
	envelope := &change.Schema{Type: change.Struct, Name: "dbserver1.inventory.customers.Envelope", Version: 2, Fields: []change.Field{
		{Name: "before", Schema: row}, {Name: "after", Schema: row}, {Name: "source", Schema: source},
		{Name: "transaction", Schema: block}, {Name: "op", Schema: str(false)},
		{Name: "ts_ms", Schema: i64(true)}, {Name: "ts_us", Schema: i64(true)}, {Name: "ts_ns", Schema: i64(true)},
	}}

	after := &change.Value{Schema: row, Values: []any{int64(1005), "Anne", "Kretchmar", "annek@noanswer.org"}}
	src := &change.Value{Schema: source, Values: []any{"3.0.0.Final", "mysql", "dbserver1", int64(1700000000000), nil,
		"inventory", nil, int64(1700000000000000), int64(1700000000000000000), "customers", int64(223344), "0-1-48",
		"mysql-bin.000003", int64(154), int64(0), int64(7), nil}}
	value := &change.Value{Schema: envelope, Values: []any{nil, after, src, nil, "c",
		int64(1700000000123), int64(1700000000123456), int64(1700000000123456789)}}

	keys, _ := jsonconv.New(jsonconv.Config{SchemasEnable: true})
	values, _ := jsonconv.New(jsonconv.Config{})
	k, err := keys.Convert(context.Background(), "dbserver1.inventory.customers", key, &change.Value{Schema: key, Values: []any{int64(1005)}})
	if err != nil {
		panic(err)
	}
	v, err := values.Convert(context.Background(), "dbserver1.inventory.customers", envelope, value)
	if err != nil {
		panic(err)
	}
	fmt.Printf("key:   %s\nvalue: %s\n", k, v)
	// Output:
	// key:   {"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,"name":"dbserver1.inventory.customers.Key"},"payload":{"id":1005}}
	// value: {"before":null,"after":{"id":1005,"first_name":"Anne","last_name":"Kretchmar","email":"annek@noanswer.org"},"source":{"version":"3.0.0.Final","connector":"mysql","name":"dbserver1","ts_ms":1700000000000,"snapshot":"false","db":"inventory","sequence":null,"ts_us":1700000000000000,"ts_ns":1700000000000000000,"table":"customers","server_id":223344,"gtid":"0-1-48","file":"mysql-bin.000003","pos":154,"row":0,"thread":7,"query":null},"transaction":null,"op":"c","ts_ms":1700000000123,"ts_us":1700000000123456,"ts_ns":1700000000123456789}
}
