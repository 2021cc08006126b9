#!/usr/bin/env python3
"""Writes inputs.json: Debezium-shaped records as JsonConverter documents
({"schema":…,"payload":…}), the input of Golden.java and the Go tests."""
import json

def prim(t, optional=False, name=None, default=None, params=None, version=None):
    s = {"type": t, "optional": optional}
    if name: s["name"] = name
    if version: s["version"] = version
    if params: s["parameters"] = params
    if default is not None: s["default"] = default
    return s

def struct(name, fields, optional=False, version=None):
    s = {"type": "struct", "fields": [dict(f[1], field=f[0]) for f in fields], "optional": optional, "name": name}
    if version: s["version"] = version
    return s

source = struct("io.debezium.connector.mysql.Source", [
    ("version", prim("string")), ("connector", prim("string")), ("name", prim("string")),
    ("ts_ms", prim("int64")),
    ("snapshot", prim("string", True, "io.debezium.data.Enum", "false", {"allowed": "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"}, 1)),
    ("db", prim("string")), ("sequence", prim("string", True)), ("ts_us", prim("int64", True)), ("ts_ns", prim("int64", True)),
    ("table", prim("string", True)), ("server_id", prim("int64")), ("gtid", prim("string", True)),
    ("file", prim("string")), ("pos", prim("int64")), ("row", prim("int32")), ("thread", prim("int64", True)), ("query", prim("string", True)),
])
txn = struct("event.block", [("id", prim("string")), ("total_order", prim("int64")), ("data_collection_order", prim("int64"))], True, 1)

def tables(prefix):
    key = struct(prefix + ".Key", [("id", prim("int32"))])
    row = struct(prefix + ".Value", [
        ("id", prim("int32")), ("name", prim("string", True)),
        ("status", prim("string", True, default="active")),
        ("region", prim("string", True)),
        ("updated", prim("int64", True, "io.debezium.time.Timestamp", version=1)),
    ], True)
    env = struct(prefix + ".Envelope", [("before", row), ("after", row), ("source", source), ("transaction", txn),
        ("op", prim("string")), ("ts_ms", prim("int64", True)), ("ts_us", prim("int64", True)), ("ts_ns", prim("int64", True))], False, 2)
    return key, row, env

def src(table, ts, snapshot="false"):
    return {"version": "3.5.0.Final", "connector": "mysql", "name": "srv", "ts_ms": ts, "snapshot": snapshot, "db": "inv",
            "sequence": None, "ts_us": ts * 1000, "ts_ns": ts * 1000000, "table": table, "server_id": 1, "gtid": None,
            "file": "binlog.000003", "pos": 4711, "row": 0, "thread": 12, "query": None}

inputs = {}
def change(name, table, op, before, after, txn_id=None, snapshot="false", headers=None):
    topic = "srv.inv." + table
    key, row, env = tables(topic)
    ident = (after or before or {}).get("id")
    payload = {"before": before, "after": after, "source": src(table, 1700000000123, snapshot),
               "transaction": {"id": txn_id, "total_order": 3, "data_collection_order": 2} if txn_id else None,
               "op": op, "ts_ms": 1700000000456, "ts_us": 1700000000456000, "ts_ns": 1700000000456000000}
    rec = {"topic": topic, "key": {"schema": key, "payload": {"id": ident}} if ident is not None else None,
           "value": {"schema": env, "payload": payload}}
    if headers: rec["headers"] = headers
    inputs[name] = rec

alice = {"id": 1, "name": "Alice", "status": "gold", "region": "eu", "updated": 1699999999000}
alice2 = dict(alice, name="Alice B", status=None)
bob = {"id": 2, "name": "Bob", "status": None, "region": "us", "updated": None}
change("create", "customers_1", "c", None, alice, txn_id="0-1-42")
change("update", "customers_1", "u", alice, alice2)
change("read", "customers_1", "r", None, bob, snapshot="true")
change("delete", "customers_1", "d", alice2, None, txn_id="0-1-43")
change("create_shard2", "customers_2", "c", None, dict(bob, id=1, status="new", name="Zoë Ångström-Łukasiewicz 語言 😀 and a long tail"))
change("create_blank_region", "customers_2", "c", None, dict(bob, id=3, region=""))
change("create_drop_header", "customers_1", "c", None, alice,
       headers=[{"key": "dropped", "value": {"schema": {"type": "array", "items": {"type": "string", "optional": False}, "optional": False}, "payload": ["name", "status", "id"]}}])
change("delete_drop_header", "customers_1", "d", alice2, None,
       headers=[{"key": "dropped", "value": {"schema": {"type": "array", "items": {"type": "string", "optional": False}, "optional": False}, "payload": ["region"]}}])
key1, _, _ = tables("srv.inv.customers_1")
inputs["tombstone"] = {"topic": "srv.inv.customers_1", "key": {"schema": key1, "payload": {"id": 1}}, "value": None}
_, _, env1 = tables("srv.inv.customers_1")
inputs["truncate"] = {"topic": "srv.inv.customers_1", "key": None, "value": {"schema": env1, "payload": {
    "before": None, "after": None, "source": src("customers_1", 1700000000999), "transaction": None, "op": "t",
    "ts_ms": 1700000001000, "ts_us": None, "ts_ns": None}}}
inputs["schema_change"] = {"topic": "srv",
    "key": {"schema": struct("io.debezium.connector.mysql.SchemaChangeKey", [("databaseName", prim("string"))]), "payload": {"databaseName": "inv"}},
    "value": {"schema": struct("io.debezium.connector.mysql.SchemaChangeValue", [("source", source), ("ts_ms", prim("int64")), ("databaseName", prim("string", True)), ("schemaName", prim("string", True)), ("ddl", prim("string", True))]),
              "payload": {"source": src("customers_1", 1700000000500), "ts_ms": 1700000000600, "databaseName": "inv", "schemaName": None, "ddl": "ALTER TABLE customers_1 ADD region VARCHAR(8)"}}}
inputs["heartbeat"] = {"topic": "__debezium-heartbeat.srv",
    "key": {"schema": struct("io.debezium.connector.common.ServerNameKey", [("serverName", prim("string"))]), "payload": {"serverName": "srv"}},
    "value": {"schema": struct("io.debezium.connector.common.Heartbeat", [("ts_ms", prim("int64"))]), "payload": {"ts_ms": 1700000000700}}}
inputs["transaction_end"] = {"topic": "srv.transaction",
    "key": {"schema": struct("io.debezium.connector.common.TransactionMetadataKey", [("id", prim("string"))]), "payload": {"id": "0-1-42"}},
    "value": {"schema": struct("io.debezium.connector.common.TransactionMetadataValue", [("status", prim("string")), ("id", prim("string")), ("event_count", prim("int64", True)), ("ts_ms", prim("int64"))]),
              "payload": {"status": "END", "id": "0-1-42", "event_count": 2, "ts_ms": 1700000000800}}}
with open("inputs.json", "w") as f:
    json.dump(inputs, f, indent=1, sort_keys=True)

# cases.json: transform chains and the inputs each runs over.
U = "io.debezium.transforms.ExtractNewRecordState"
R = "io.debezium.transforms.ByLogicalTableRouter"
ALL = ["create", "update", "read", "delete", "tombstone", "truncate", "schema_change", "heartbeat", "transaction_end"]
cases = []
def case(name, transforms, ins=ALL):
    cases.append({"name": name, "transforms": [{"type": t, "config": c} for t, c in transforms], "inputs": ins})

case("unwrap_defaults", [(U, {})])
for mode in ["drop", "tombstone", "rewrite", "rewrite-with-tombstone", "delete-to-tombstone", "REWRITE"]:
    case("unwrap_mode_" + mode, [(U, {"delete.tombstone.handling.mode": mode})])
case("unwrap_legacy_rewrite", [(U, {"delete.handling.mode": "rewrite"})])
case("unwrap_legacy_none_keep_tombstones", [(U, {"delete.handling.mode": "none", "drop.tombstones": "false"})])
case("unwrap_rewrite_keep_nulls", [(U, {"delete.tombstone.handling.mode": "rewrite", "replace.null.with.default": "false"})])
case("unwrap_add_fields", [(U, {"add.fields": "op,table,source.ts_ms,ts_ms,id,lsn,transaction.total_order"})])
case("unwrap_add_fields_rewrite", [(U, {"add.fields": "op,table,source.ts_ms", "delete.tombstone.handling.mode": "rewrite"})])
case("unwrap_add_fields_alias_prefix", [(U, {"add.fields": "op:OPERATION, source.ts_ms:EVENT_TS,db", "add.fields.prefix": "meta_"})])
case("unwrap_add_headers", [(U, {"add.headers": "op,db,source.ts_ms,transaction.id,ts_ms:TS", "add.headers.prefix": "h_",
                                  "delete.tombstone.handling.mode": "rewrite-with-tombstone"})])
case("unwrap_add_headers_default_prefix", [(U, {"add.headers": "op,table"})])
case("unwrap_route_by_field", [(U, {"route.by.field": "region", "delete.tombstone.handling.mode": "rewrite"})],
     ["create", "update", "delete", "create_blank_region"])
case("unwrap_drop_fields", [(U, {"drop.fields.header.name": "dropped"})], ["create_drop_header", "delete_drop_header", "create"])
case("unwrap_drop_fields_key_incompatible", [(U, {"drop.fields.header.name": "dropped", "drop.fields.from.key": "true",
                                                   "drop.fields.keep.schema.compatible": "false", "delete.tombstone.handling.mode": "rewrite"})],
     ["create_drop_header", "delete_drop_header"])
case("unwrap_bad_mode", [(U, {"delete.tombstone.handling.mode": "purge"})], ["create"])
ROUTE = {"topic.regex": "srv\\.inv\\.customers_(\\d+)", "topic.replacement": "srv.inv.customers_all"}
SHARDS = ["create", "update", "delete", "tombstone", "truncate", "create_shard2", "schema_change", "heartbeat"]
case("router_defaults", [(R, ROUTE)], SHARDS)
case("router_key_regex", [(R, dict(ROUTE, **{"key.field.regex": "srv\\.inv\\.customers_(\\d+)", "key.field.replacement": "shard$1", "key.field.name": "shard"}))], SHARDS)
case("router_no_uniqueness", [(R, dict(ROUTE, **{"key.enforce.uniqueness": "false"}))], SHARDS)
case("router_groups_in_replacement", [(R, {"topic.regex": "(srv)\\.(inv)\\.(customers)_(\\d+)", "topic.replacement": "$1-$3.x${}", "schema.name.adjustment.mode": "avro"})], ["create", "create_shard2"])
case("router_avro_names", [(R, {"topic.regex": "srv\\.inv\\.customers_(\\d+)", "topic.replacement": "9srv-all.customers", "schema.name.adjustment.mode": "avro"})], ["create"])
case("router_avro_unicode_names", [(R, {"topic.regex": "srv\\.inv\\.customers_(\\d+)", "topic.replacement": "srv_all-customers", "schema.name.adjustment.mode": "avro_unicode"})], ["create"])
case("router_key_regex_without_replacement", [(R, dict(ROUTE, **{"key.field.regex": "x"}))], ["create"])
case("chain_unwrap_then_route", [(U, {"add.fields": "op,table,source.ts_ms", "delete.tombstone.handling.mode": "rewrite"}),
                                 (R, {"topic.regex": "srv\\.inv\\.customers_(\\d+)", "topic.replacement": "srv.inv.customers_all"})], ALL + ["create_shard2"])
P = "io.debezium.transforms.partitions.PartitionRouting"
PIN = ["create", "update", "read", "delete", "tombstone", "truncate", "schema_change", "create_shard2", "create_blank_region"]
case("partition_java_change_name", [(P, {"partition.payload.fields": "change.name,source.table", "partition.topic.num": "7"})], PIN)
case("partition_murmur", [(P, {"partition.payload.fields": "change.name, source.table,change.id,ts_ms", "partition.topic.num": "5", "partition.hash.function": "murmur"})], PIN)
case("partition_java_numbers", [(P, {"partition.payload.fields": "change.id,ts_ms,source.pos,change.updated", "partition.topic.num": "3"})], PIN)
case("partition_long_strings", [(P, {"partition.payload.fields": "source.file,source.version,source.connector,op", "partition.topic.num": "1000", "partition.hash.function": "murmur"})], PIN)
case("partition_missing_fields", [(P, {"partition.payload.fields": "nope,change.nope", "partition.topic.num": "3"})], PIN)
case("partition_after_on_delete", [(P, {"partition.payload.fields": "after.name", "partition.topic.num": "3"})], ["create", "delete"])
case("partition_status_default", [(P, {"partition.payload.fields": "change.status", "partition.topic.num": "11"})], ["update", "read"])
case("partition_no_num", [(P, {"partition.payload.fields": "op"})], ["create"])
with open("cases.json", "w") as f:
    json.dump(cases, f, indent=1)
