package main

// End-to-end test of Debezium's transforms in a typical deployment: unwrap
// (ExtractNewRecordState) then ByLogicalTableRouter merging two shards of a
// table into one topic, read back from Kafka in JSON and in Avro. It needs
// the transforms= parsing of package smt (smt.Parse) as well as the Debezium
// factories.

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"
)

// unwrapAndRoute is the transform part of the connector file.
func unwrapAndRoute(prefix, db string, extra map[string]string) map[string]string {
	cfg := map[string]string{
		"transforms":                         "unwrap,route",
		"transforms.unwrap.type":             "io.debezium.transforms.ExtractNewRecordState",
		"transforms.unwrap.add.fields":       "op,table,source.ts_ms",
		"transforms.route.type":              "io.debezium.transforms.ByLogicalTableRouter",
		"transforms.route.topic.regex":       fmt.Sprintf(`%s\.%s\.customers_(\d+)`, prefix, db),
		"transforms.route.topic.replacement": prefix + "." + db + ".customers",
	}
	for k, v := range extra {
		cfg[k] = v
	}
	return cfg
}

// shardTraffic writes to both shards: two creates, an update, a delete.
func shardTraffic(d *db) {
	d.execAll(
		"INSERT INTO customers_1 VALUES (1, 'ann')",
		"INSERT INTO customers_2 VALUES (1, 'bob')",
		"UPDATE customers_1 SET name = 'ann2' WHERE id = 1",
		"DELETE FROM customers_2 WHERE id = 1",
	)
}

func shardTables(d *db) {
	d.execAll(
		"CREATE TABLE customers_1 (id INT PRIMARY KEY, name VARCHAR(40))",
		"CREATE TABLE customers_2 (id INT PRIMARY KEY, name VARCHAR(40))",
	)
}

// TestDebeziumTransformsJSONEndToEnd uses the pre-3.0
// delete.handling.mode=rewrite that many files still carry: Debezium 3.5
// ignores it (its default delete.tombstone.handling.mode=tombstone applies),
// so a delete comes out as one null value and the tombstone after it is
// dropped.
func TestDebeziumTransformsJSONEndToEnd(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	shardTables(d)
	prefix := "smt" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, unwrapAndRoute(prefix, d.name, map[string]string{
		"transforms.unwrap.delete.handling.mode": "rewrite",
	}))
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	shardTraffic(d)

	topic := prefix + "." + d.name + ".customers"
	recs := consume(t, e, 4, 60*time.Second, topic, topic+"_1", topic+"_2")
	if len(recs) != 4 {
		t.Fatalf("%d records, want 4 (create, create, update, delete as null): %v", len(recs), recs)
	}
	want := []struct {
		shard, name, op string
	}{{"1", "ann", "c"}, {"2", "bob", "c"}, {"1", "ann2", "u"}, {"2", "", ""}}
	for i, w := range want {
		r := recs[i]
		if r.Topic != topic {
			t.Errorf("record %d on %s, want %s", i, r.Topic, topic)
		}
		var key struct {
			Schema  map[string]any `json:"schema"`
			Payload map[string]any `json:"payload"`
		}
		if err := json.Unmarshal(r.Key, &key); err != nil {
			t.Fatalf("record %d key %q: %v", i, r.Key, err)
		}
		if key.Schema["name"] != topic+".Key" || key.Payload["id"] != 1.0 ||
			key.Payload["__dbz__physicalTableIdentifier"] != topic+"_"+w.shard {
			t.Errorf("record %d key %s: want schema %s.Key, id 1 and physical table %s_%s", i, r.Key, topic, topic, w.shard)
		}
		if w.op == "" {
			// delete.handling.mode is ignored (Debezium 3 removed it): the
			// delete becomes a null value that keeps the row's schema,
			// which JsonConverter writes as a null payload with that schema.
			var del struct {
				Schema  map[string]any `json:"schema"`
				Payload any            `json:"payload"`
			}
			// Like the rows, it keeps its table's schema name.
			if err := json.Unmarshal(r.Value, &del); err != nil || del.Payload != nil || del.Schema["name"] != topic+"_"+w.shard+".Value" {
				t.Errorf("record %d: the delete's value is %s, want a null payload with schema %s_%s.Value", i, r.Value, topic, w.shard)
			}
			continue
		}
		var val struct {
			Schema  map[string]any `json:"schema"`
			Payload map[string]any `json:"payload"`
		}
		if err := json.Unmarshal(r.Value, &val); err != nil {
			t.Fatalf("record %d value %q: %v", i, r.Value, err)
		}
		p := val.Payload
		// The router only renames envelopes; unwrap ran first, so the row
		// keeps its table's schema name, as in Debezium.
		if val.Schema["name"] != topic+"_"+w.shard+".Value" {
			t.Errorf("record %d value schema %v, want %s_%s.Value", i, val.Schema["name"], topic, w.shard)
		}
		if p["name"] != w.name || p["__op"] != w.op || p["__table"] != "customers_"+w.shard {
			t.Errorf("record %d value %v: want name %s, __op %s, __table customers_%s", i, p, w.name, w.op, w.shard)
		}
		if ts, _ := p["__source_ts_ms"].(float64); ts < float64(time.Now().Add(-time.Hour).UnixMilli()) {
			t.Errorf("record %d: __source_ts_ms %v is not a recent binlog time", i, p["__source_ts_ms"])
		}
		if _, ok := p["__deleted"]; ok {
			t.Errorf("record %d has __deleted: delete.handling.mode must be ignored as Debezium 3.5 does", i)
		}
	}
}

// TestDebeziumTransformsAvroEndToEnd: the same chain with
// delete.tombstone.handling.mode=rewrite, in Avro through the registry.
func TestDebeziumTransformsAvroEndToEnd(t *testing.T) {
	e := needServers(t)
	reg := needRegistry(t)
	d := newDB(t, e)
	shardTables(d)
	prefix := "sma" + d.name[4:]
	extra := unwrapAndRoute(prefix, d.name, map[string]string{
		"transforms.unwrap.delete.tombstone.handling.mode": "rewrite",
	})
	for k, v := range avroConverters(os.Getenv("SLUICE_TEST_REGISTRY_URL")) {
		extra[k] = v
	}
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, extra)
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	shardTraffic(d)

	topic := prefix + "." + d.name + ".customers"
	recs := consume(t, e, 4, 60*time.Second, topic, topic+"_1", topic+"_2")
	if len(recs) != 4 {
		t.Fatalf("%d records, want 4 (the tombstone after the rewritten delete is dropped)", len(recs))
	}
	rd := newAvroReader(t, reg)
	want := []struct{ shard, name, op, deleted string }{
		{"1", "ann", "c", "false"}, {"2", "bob", "c", "false"}, {"1", "ann2", "u", "false"}, {"2", "bob", "d", "true"},
	}
	for i, w := range want {
		r := recs[i]
		if r.Topic != topic {
			t.Errorf("record %d on %s, want %s", i, r.Topic, topic)
		}
		_, k := rd.decode(r.Key)
		km, _ := k.(map[string]any)
		if km["id"] != int32(1) || km["__dbz__physicalTableIdentifier"] != topic+"_"+w.shard {
			t.Errorf("record %d key %v: want id 1, physical table %s_%s", i, k, topic, w.shard)
		}
		_, v := rd.decode(r.Value)
		vm, _ := v.(map[string]any)
		got := map[string]any{"name": union(vm["name"]), "__op": union(vm["__op"]), "__table": union(vm["__table"]), "__deleted": union(vm["__deleted"])}
		exp := map[string]any{"name": w.name, "__op": w.op, "__table": "customers_" + w.shard, "__deleted": w.deleted}
		if fmt.Sprint(got) != fmt.Sprint(exp) {
			t.Errorf("record %d value %v: want %v", i, v, exp)
		}
		if ts, _ := union(vm["__source_ts_ms"]).(int64); ts < time.Now().Add(-time.Hour).UnixMilli() {
			t.Errorf("record %d: __source_ts_ms %v is not a recent binlog time", i, vm["__source_ts_ms"])
		}
	}
}

// union unwraps goavro's form of an optional value, {"type": v}.
func union(v any) any {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		for _, x := range m {
			return x
		}
	}
	return v
}
