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
# Schema changes with tableChanges (SchemaChangeEventFilter reads the first
# one's type; an empty list is a DATABASE change, a null list is dropped).
tchange = struct("io.debezium.connector.schema.Change", [("type", prim("string")), ("id", prim("string"))])
def schema_change(name, ddl, changes, table="customers_1"):
    inputs[name] = {"topic": "srv",
        "key": {"schema": struct("io.debezium.connector.mysql.SchemaChangeKey", [("databaseName", prim("string"))]), "payload": {"databaseName": "inv"}},
        "value": {"schema": struct("io.debezium.connector.mysql.SchemaChangeValue", [("source", source), ("ts_ms", prim("int64")), ("databaseName", prim("string", True)),
                                   ("schemaName", prim("string", True)), ("ddl", prim("string", True)), ("tableChanges", {"type": "array", "optional": True, "items": tchange})]),
                  "payload": {"source": src(table, 1700000000500), "ts_ms": 1700000000600, "databaseName": "inv", "schemaName": None, "ddl": ddl,
                              "tableChanges": None if changes is None else [{"type": t, "id": '"inv"."%s"' % table} for t in changes]}}}
schema_change("schema_change_create", "CREATE TABLE customers_9 (id INT PRIMARY KEY)", ["CREATE"], "customers_9")
schema_change("schema_change_alter", "ALTER TABLE customers_1 ADD region VARCHAR(8)", ["ALTER"])
schema_change("schema_change_drop", "DROP TABLE customers_1", ["DROP"])
schema_change("schema_change_rename", "RENAME TABLE customers_1 TO c1, customers_2 TO c2", ["ALTER", "DROP"])
schema_change("schema_change_database", "CREATE DATABASE inv2", [])
schema_change("schema_change_null_changes", "SET sql_mode = ''", None)
# Temporal columns for TimezoneConverter: Debezium's Timestamp,
# MicroTimestamp, NanoTimestamp, ZonedTimestamp, ZonedTime, Connect's
# Timestamp, and a Date it skips; wall clocks around New York's DST changes
# and before 1970. ZonedTime (converted at the zone's offset now) only in
# tz_time, which runs under fixed offsets.
import datetime as _dt
def _wall(y, mo, d, h, mi, s, us=0):
    t = _dt.datetime(y, mo, d, h, mi, s, us, tzinfo=_dt.timezone.utc)
    e = t - _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
    micros = (e.days * 86400 + e.seconds) * 1000000 + e.microseconds
    return micros
def tz_row(micros, zoned, tm=None, nanos_extra=0):
    return {"id": 1, "dt": micros // 1000, "dt6": micros, "dtn": micros * 1000 + nanos_extra, "ts": zoned, "tm": tm,
            "ct": micros // 1000, "d": micros // 86400000000, "n": None}
tz_row_schema = lambda p: struct(p + ".Value", [
    ("id", prim("int32")), ("dt", prim("int64", True, "io.debezium.time.Timestamp", version=1)),
    ("dt6", prim("int64", True, "io.debezium.time.MicroTimestamp", version=1)),
    ("dtn", prim("int64", True, "io.debezium.time.NanoTimestamp", version=1)),
    ("ts", prim("string", True, "io.debezium.time.ZonedTimestamp", version=1)),
    ("tm", prim("string", True, "io.debezium.time.ZonedTime", version=1)),
    ("ct", prim("int64", True, "org.apache.kafka.connect.data.Timestamp", version=1)),
    ("d", prim("int32", True, "io.debezium.time.Date", version=1)),
    ("n", prim("int64", True, "io.debezium.time.MicroTimestamp", version=1))], True)
def tz_change(name, op, before, after, table="events"):
    topic = "srv.inv." + table
    row = tz_row_schema(topic)
    env = struct(topic + ".Envelope", [("before", row), ("after", row), ("source", source), ("transaction", txn),
        ("op", prim("string")), ("ts_ms", prim("int64", True)), ("ts_us", prim("int64", True)), ("ts_ns", prim("int64", True))], False, 2)
    inputs[name] = {"topic": topic, "key": {"schema": struct(topic + ".Key", [("id", prim("int32"))]), "payload": {"id": 1}},
        "value": {"schema": env, "payload": {"before": before, "after": after, "source": src(table, 1700000000123), "transaction": None,
                  "op": op, "ts_ms": 1700000000456, "ts_us": 1700000000456000, "ts_ns": 1700000000456000000}}}
tz_a = tz_row(_wall(2024, 7, 1, 12, 0, 0, 123456), "2024-07-01T12:00:00.123456Z", nanos_extra=789)
tz_gap = tz_row(_wall(2024, 3, 10, 2, 30, 0), "2024-03-10T02:30:00Z")
tz_overlap = tz_row(_wall(2024, 11, 3, 1, 30, 0), "2024-11-03T01:30:00.5+00:00")
tz_old = tz_row(_wall(1960, 1, 1, 0, 0, 0, 500000), "1960-01-01T00:00:00.5Z")
tz_change("tz_create", "c", None, tz_a)
tz_change("tz_gap", "c", None, tz_gap)
tz_change("tz_overlap", "c", None, tz_overlap)
tz_change("tz_old", "r", None, tz_old)
tz_change("tz_update", "u", tz_gap, tz_a)
tz_change("tz_delete", "d", tz_overlap, None)
tz_change("tz_time", "c", None, tz_row(_wall(2024, 7, 1, 23, 30, 0), "2024-07-01T23:30:00+02:00", tm="23:30:15.25Z"))
tz_change("tz_other_table", "c", None, tz_a, table="orders")
inputs["heartbeat"] = {"topic": "__debezium-heartbeat.srv",
    "key": {"schema": struct("io.debezium.connector.common.ServerNameKey", [("serverName", prim("string"))]), "payload": {"serverName": "srv"}},
    "value": {"schema": struct("io.debezium.connector.common.Heartbeat", [("ts_ms", prim("int64"))]), "payload": {"ts_ms": 1700000000700}}}
inputs["transaction_end"] = {"topic": "srv.transaction",
    "key": {"schema": struct("io.debezium.connector.common.TransactionMetadataKey", [("id", prim("string"))]), "payload": {"id": "0-1-42"}},
    "value": {"schema": struct("io.debezium.connector.common.TransactionMetadataValue", [("status", prim("string")), ("id", prim("string")), ("event_count", prim("int64", True)), ("ts_ms", prim("int64"))]),
              "payload": {"status": "END", "id": "0-1-42", "event_count": 2, "ts_ms": 1700000000800}}}
# Outbox table rows (io.debezium.transforms.outbox.EventRouter).
def outbox_tables(prefix, ts_name="io.debezium.time.Timestamp"):
    key = struct(prefix + ".Key", [("id", prim("string"))])
    row = struct(prefix + ".Value", [
        ("id", prim("string")), ("aggregatetype", prim("string")), ("aggregateid", prim("string", True)),
        ("type", prim("string")), ("payload", prim("string", True, "io.debezium.data.Json", version=1)),
        ("ts", prim("int64", True, ts_name, version=1)), ("plain_ts", prim("int64", True)),
        ("version", prim("int32", True)), ("part", prim("int32", True)),
        ("region", prim("string", True, default="emea")),
    ], True)
    env = struct(prefix + ".Envelope", [("before", row), ("after", row), ("source", source), ("transaction", txn),
        ("op", prim("string")), ("ts_ms", prim("int64", True)), ("ts_us", prim("int64", True)), ("ts_ns", prim("int64", True))], False, 2)
    return key, row, env

def outbox(name, op, payload, agg="Order", table="outbox", before=None, ts=1699999998000, version=1, part=2, etype="OrderCreated", aggid="o-7", ts_ms=1700000000456):
    topic = "srv.inv." + table
    key, row, env = outbox_tables(topic, "io.debezium.time.MicroTimestamp" if table == "outbox_micro" else "io.debezium.time.Timestamp")
    r = {"id": "ev-" + name, "aggregatetype": agg, "aggregateid": aggid, "type": etype, "payload": payload,
         "ts": ts, "plain_ts": 1699999997000, "version": version, "part": part, "region": None}
    after = None if op == "d" else r
    if op in ("u", "d"):
        before = dict(r, payload="old")
    payload_env = {"before": before, "after": after, "source": src(table, 1700000000123, "true" if op == "r" else "false"),
                   "transaction": None, "op": op, "ts_ms": ts_ms, "ts_us": None if ts_ms is None else ts_ms * 1000, "ts_ns": None if ts_ms is None else ts_ms * 1000000}
    inputs[name] = {"topic": topic, "key": {"schema": key, "payload": {"id": r["id"]}}, "value": {"schema": env, "payload": payload_env},
                    "headers": [{"key": "existing", "value": {"schema": prim("string"), "payload": "kept"}}]}

ORDER = '{"orderId":7,"customer":{"name":"Zo\u00eb","vip":true,"address":{"city":"Bern","zip":null}},"lines":[{"sku":"a","qty":2,"price":1.5},{"sku":"b","qty":1,"price":16.95}],"total":19.95,"note":null,"tags":["x","y"],"big":12345678901,"neg":-3,"exp":1e3,"empty":[],"nested":[[1,2],[3]]}'
outbox("outbox_create", "c", ORDER)
outbox("outbox_read", "r", '{"id":1,"name":"Bob"}', agg="Customer", etype="CustomerSeen", aggid=None, ts=None, version=2, part=None, ts_ms=None)
outbox("outbox_update", "u", '{"id":1}')
outbox("outbox_delete", "d", '{"id":1}')
outbox("outbox_string_payload", "c", "just text", agg="Customer")
outbox("outbox_empty_payload", "c", "   ")
outbox("outbox_null_payload", "c", None)
outbox("outbox_array_payload", "c", '[{"a":1},{"a":2}]')
outbox("outbox_bad_json", "c", '{"a":')
outbox("outbox_big_integer", "c", '{"n":123456789012345678901}')
outbox("outbox_mixed_array", "c", '{"a":[1,"x"]}')
outbox("outbox_null_array", "c", '{"a":[null,null],"b":1}')
outbox("outbox_leading_space", "c", ' {"a":1}')
outbox("outbox_other_version", "c", '{"orderId":8}', version=3, agg="Invoice")
outbox("outbox_micro", "c", '{"orderId":9}', table="outbox_micro", ts=1699999998000123)
key_o, _, env_o = outbox_tables("srv.inv.outbox")
inputs["outbox_tombstone"] = {"topic": "srv.inv.outbox", "key": {"schema": key_o, "payload": {"id": "ev-1"}}, "value": None}
inputs["outbox_truncate"] = {"topic": "srv.inv.outbox", "key": None, "value": {"schema": env_o, "payload": {
    "before": None, "after": None, "source": src("outbox", 1700000000999), "transaction": None, "op": "t",
    "ts_ms": 1700000001000, "ts_us": None, "ts_ns": None}}}

# Records with headers (io.debezium.transforms.HeaderToValue).
inputs["create_with_headers"] = dict(inputs["create"], headers=[
    {"key": "tenant", "value": {"schema": prim("string"), "payload": "acme"}},
    {"key": "other", "value": {"schema": prim("string", True), "payload": "keep"}},
    {"key": "seq", "value": {"schema": prim("int64"), "payload": 5}},
    {"key": "tenant", "value": {"schema": prim("string"), "payload": "second"}}])
inputs["update_with_headers"] = dict(inputs["update"], headers=[
    {"key": "seq", "value": {"schema": prim("int64"), "payload": 6}},
    {"key": "tenant", "value": {"schema": prim("string"), "payload": "beta"}}])
inputs["update_seq_only"] = dict(inputs["update"], headers=[{"key": "seq", "value": {"schema": prim("int64"), "payload": 7}}])
inputs["tombstone_with_headers"] = dict(inputs["tombstone"], headers=[{"key": "tenant", "value": {"schema": prim("string"), "payload": "acme"}}])

# Vitess change events (source.vgtid) and a transaction topic record.
vsource = struct("io.debezium.connector.vitess.Source", [
    ("version", prim("string")), ("connector", prim("string")), ("name", prim("string")), ("ts_ms", prim("int64")),
    ("snapshot", prim("string", True, "io.debezium.data.Enum", "false", {"allowed": "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"}, 1)),
    ("db", prim("string")), ("sequence", prim("string", True)), ("ts_us", prim("int64", True)), ("ts_ns", prim("int64", True)),
    ("table", prim("string", True)), ("keyspace", prim("string")), ("shard", prim("string")), ("vgtid", prim("string")),
])
VGTID = ('[{"keyspace":"ks","shard":"-80","gtid":"MariaDB/0-1-48","table_p_ks":[]},'
         '{"keyspace":"ks","shard":"80-","gtid":"MariaDB/0-1-50","table_p_ks":[{"table_name":"orders","lastpk":{"fields":[{"name":"id","type":"INT64","charset":63,"flags":49667}],"rows":[{"lengths":["2"],"values":"42"}]}}]}]')
def vitess(name, op, shard, before, after, txn_id=None, keyless=False):
    topic = "vt.ks.customers"
    key = struct(topic + ".Key", [("id", prim("int32"))])
    row = struct(topic + ".Value", [("id", prim("int32")), ("name", prim("string", True)), ("status", prim("string", True, default="active"))], True)
    env = struct(topic + ".Envelope", [("before", row), ("after", row), ("source", vsource), ("transaction", txn),
        ("op", prim("string")), ("ts_ms", prim("int64", True)), ("ts_us", prim("int64", True)), ("ts_ns", prim("int64", True))], False, 2)
    s = {"version": "3.5.0.Final", "connector": "vitess", "name": "vt", "ts_ms": 1700000000123, "snapshot": "false", "db": "ks",
         "sequence": None, "ts_us": 1700000000123000, "ts_ns": 1700000000123000000, "table": "customers", "keyspace": "ks", "shard": shard, "vgtid": VGTID}
    ident = (after or before)["id"]
    inputs[name] = {"topic": topic, "key": None if keyless else {"schema": key, "payload": {"id": ident}},
                    "value": {"schema": env, "payload": {"before": before, "after": after, "source": s,
                              "transaction": {"id": txn_id, "total_order": 1, "data_collection_order": 1} if txn_id else None,
                              "op": op, "ts_ms": 1700000000456, "ts_us": 1700000000456000, "ts_ns": 1700000000456000000}},
                    "headers": [{"key": "h", "value": {"schema": prim("string"), "payload": "v"}}]}
vitess("vitess_create", "c", "-80", None, {"id": 1, "name": "Ann", "status": None}, txn_id=VGTID)
vitess("vitess_update", "u", "80-", {"id": 9, "name": "Old", "status": "x"}, {"id": 9, "name": "New", "status": None})
vitess("vitess_delete", "d", "80-", {"id": 9, "name": "New", "status": None}, None)
vitess("vitess_keyless", "c", "-80", None, {"id": 2, "name": None, "status": "y"}, keyless=True)
vitess("vitess_unknown_shard", "c", "c0-", None, {"id": 3, "name": "Cy", "status": "z"})
inputs["vitess_tombstone"] = {"topic": "vt.ks.customers", "key": {"schema": struct("vt.ks.customers.Key", [("id", prim("int32"))]), "payload": {"id": 9}}, "value": None}
coll = {"type": "struct", "optional": True, "name": "event.collection", "version": 1, "fields": [dict(prim("string"), field="data_collection"), dict(prim("int64"), field="event_count")]}
txkey = dict(struct("io.debezium.connector.common.TransactionMetadataKey", [("id", prim("string"))]), version=1)
txval = dict(struct("io.debezium.connector.common.TransactionMetadataValue", [("status", prim("string")), ("id", prim("string")),
    ("event_count", prim("int64", True)), ("data_collections", {"type": "array", "optional": True, "items": coll}), ("ts_ms", prim("int64"))]), version=1)
inputs["vitess_transaction"] = {"topic": "vt.transaction", "key": {"schema": txkey, "payload": {"id": VGTID}},
    "value": {"schema": txval, "payload": {"status": "END", "id": VGTID, "event_count": 1,
              "data_collections": [{"data_collection": "ks.customers", "event_count": 1}], "ts_ms": 1700000000800}}}
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
E = "io.debezium.transforms.outbox.EventRouter"
OUT = ["outbox_create", "outbox_read", "outbox_update", "outbox_delete", "outbox_tombstone", "outbox_truncate", "heartbeat",
       "schema_change", "outbox_string_payload", "outbox_empty_payload", "outbox_null_payload", "outbox_other_version"]
JSONIN = ["outbox_create", "outbox_read", "outbox_string_payload", "outbox_array_payload", "outbox_bad_json", "outbox_big_integer",
          "outbox_mixed_array", "outbox_null_array", "outbox_leading_space", "outbox_other_version", "outbox_empty_payload"]
case("outbox_defaults", [(E, {})], OUT)
case("outbox_expand_json", [(E, {"table.expand.json.payload": "true"})], JSONIN)
case("outbox_expand_json_optional_bytes", [(E, {"table.expand.json.payload": "true", "table.json.payload.null.behavior": "OPTIONAL_BYTES"})], JSONIN)
case("outbox_expand_json_envelope", [(E, {"table.expand.json.payload": "true", "table.fields.additional.placement": "type:envelope:eventType"})], JSONIN)
case("outbox_additional_fields", [(E, {"table.fields.additional.placement": "type:header:eventType, type:envelope:eventType,aggregateid:envelope,part:partition,version:header,region:envelope,region:header:r",
                                         "route.topic.replacement": "${routedByValue}.events", "table.field.event.timestamp": "ts"})], OUT)
case("outbox_headers_only", [(E, {"table.fields.additional.placement": "type:header,ts:header"})], ["outbox_create", "outbox_read"])
case("outbox_tombstone_on_empty", [(E, {"route.tombstone.on.empty.payload": "true", "table.fields.additional.placement": "type:envelope"})],
     ["outbox_create", "outbox_empty_payload", "outbox_null_payload", "outbox_string_payload"])
case("outbox_tombstone_on_empty_headers_only", [(E, {"route.tombstone.on.empty.payload": "true"})], ["outbox_empty_payload", "outbox_null_payload"])
case("outbox_invalid_fatal", [(E, {"table.op.invalid.behavior": "FATAL"})], ["outbox_update", "outbox_delete", "outbox_create"])
case("outbox_invalid_error", [(E, {"table.op.invalid.behavior": "error"})], ["outbox_update", "outbox_create"])
case("outbox_invalid_bad", [(E, {"table.op.invalid.behavior": "purge"})], ["outbox_create"])
case("outbox_legacy_options", [(E, {"debezium.op.invalid.behavior": "fatal", "table.field.event.payload.id": "aggregateid"})], ["outbox_update", "outbox_create"])
case("outbox_custom_fields", [(E, {"table.field.event.id": "aggregateid", "table.field.event.key": "type", "table.field.event.type": "nope",
                                     "route.by.field": "type", "route.topic.regex": "(?<routedByValue>Order)(.*)", "route.topic.replacement": "orders.${routedByValue}$2"})],
     ["outbox_create", "outbox_read"])
case("outbox_no_regex_match", [(E, {"route.topic.regex": "Invoice", "route.topic.replacement": "invoices"})], ["outbox_create", "outbox_other_version"])
case("outbox_schema_version", [(E, {"table.field.event.schema.version": "version", "table.fields.additional.placement": "type:envelope"})],
     ["outbox_create", "outbox_string_payload", "outbox_other_version", "outbox_read"])
case("outbox_missing_field_ignored", [(E, {"table.fields.additional.placement": "nope:header,type:header", "table.fields.additional.error.on.missing": "false"})], ["outbox_create"])
case("outbox_missing_field_error", [(E, {"table.fields.additional.placement": "nope:header"})], ["outbox_create"])
case("outbox_missing_payload_field", [(E, {"table.field.event.payload": "body"})], ["outbox_create", "heartbeat"])
case("outbox_missing_key_field", [(E, {"table.field.event.key": "nope"})], ["outbox_create"])
case("outbox_timestamp_micro", [(E, {"table.field.event.timestamp": "ts"})], ["outbox_micro", "outbox_read"])
case("outbox_timestamp_plain", [(E, {"table.field.event.timestamp": "plain_ts"})], ["outbox_create"])
case("outbox_bad_placement_list", [(E, {"table.fields.additional.placement": "type"})], ["outbox_create"])
case("outbox_partition_not_int", [(E, {"table.fields.additional.placement": "type:partition"})], ["outbox_create"])
case("outbox_route_by_missing", [(E, {"route.by.field": "nope"})], ["outbox_create"])
H = "io.debezium.transforms.HeaderToValue"
HIN = ["create_with_headers", "update_with_headers", "update_seq_only", "create", "tombstone_with_headers", "heartbeat"]
case("h2v_copy", [(H, {"headers": "tenant,seq", "fields": "tenant_id,source.seq", "operation": "copy"})], HIN)
case("h2v_move", [(H, {"headers": "seq,other", "fields": "seq,meta", "operation": "move"})], ["update_seq_only", "create_with_headers", "update_with_headers"])
case("h2v_nested_deep", [(H, {"headers": "seq", "fields": "after.seq", "operation": "copy"})], ["update_seq_only", "update_with_headers"])
case("h2v_nested_missing_parent", [(H, {"headers": "seq", "fields": "nope.seq", "operation": "copy"})], ["update_seq_only"])
case("h2v_nested_primitive_parent", [(H, {"headers": "seq", "fields": "op.seq", "operation": "copy"})], ["update_seq_only"])
case("h2v_count_mismatch", [(H, {"headers": "a,b", "fields": "a", "operation": "copy"})], ["create"])
case("h2v_bad_operation", [(H, {"headers": "a", "fields": "a", "operation": "cut"})], ["create"])
case("h2v_missing_operation", [(H, {"headers": "a", "fields": "a"})], ["create"])
case("h2v_space_in_list", [(H, {"headers": "a b", "fields": "a", "operation": "copy"})], ["create"])
case("h2v_single", [(H, {"headers": "tenant", "fields": "tenant", "operation": "copy"})], ["create_with_headers"])
UL = "io.debezium.connector.vitess.transforms.UseLocalVgtid"
RF = "io.debezium.connector.vitess.transforms.RemoveField"
RV = "io.debezium.connector.vitess.transforms.ReplaceFieldValue"
FT = "io.debezium.connector.vitess.transforms.FilterTransactionTopicRecords"
VIN = ["vitess_create", "vitess_update", "vitess_delete", "vitess_tombstone", "vitess_keyless", "vitess_transaction", "heartbeat"]
case("vitess_use_local_vgtid", [(UL, {})], VIN + ["vitess_unknown_shard", "create"])
case("vitess_remove_field", [(RF, {"field_names": "source.vgtid,transaction.id,op,source,before.name,after.status"})], VIN + ["create"])
case("vitess_remove_field_spaces", [(RF, {"field_names": "source.vgtid, source.keyspace"})], ["vitess_create"])
case("vitess_remove_field_empty", [(RF, {"field_names": ""})], ["vitess_create"])
case("vitess_remove_field_missing", [(RF, {})], ["vitess_create"])
case("vitess_remove_field_dot", [(RF, {"field_names": "source."})], ["vitess_create"])
case("vitess_replace_value", [(RV, {"field_names": "source.vgtid,before.name,transaction.id,nope.x", "field_value": "redacted"})], VIN)
case("vitess_replace_default_value", [(RV, {"field_names": "after.name"})], ["vitess_create", "vitess_update", "vitess_delete"])
case("vitess_replace_not_string", [(RV, {"field_names": "source.ts_ms"})], ["vitess_create"])
case("vitess_replace_missing_leaf", [(RV, {"field_names": "source.nope"})], ["vitess_create"])
case("vitess_replace_missing_top", [(RV, {"field_names": "nope"})], ["vitess_create"])
case("vitess_replace_top", [(RV, {"field_names": "op", "field_value": "a, b"})], ["vitess_create", "heartbeat"])
case("vitess_replace_dot", [(RV, {"field_names": ".op"})], ["vitess_create"])
case("vitess_filter_transactions", [(FT, {})], VIN + ["transaction_end"])
case("vitess_filter_transactions_avro", [(FT, {"schema.name.adjustment.mode": "avro"})], ["vitess_transaction", "vitess_create"])
case("vitess_local_then_remove", [(UL, {}), (RF, {"field_names": "source.keyspace"})], ["vitess_create", "vitess_update"])
# ExtractChangedRecordState and SchemaChangeEventFilter.
CH = "io.debezium.transforms.ExtractChangedRecordState"
CHIN = ALL + ["update_seq_only", "update_with_headers", "create_shard2"]
case("changed_both", [(CH, {"header.changed.name": "Changed", "header.unchanged.name": "Unchanged"})], CHIN)
case("changed_only", [(CH, {"header.changed.name": "changed"})], ["update", "create", "delete"])
case("changed_none", [(CH, {})], ["update", "create"])
case("changed_blank", [(CH, {"header.changed.name": " ", "header.unchanged.name": "same"})], ["update"])
case("changed_then_unwrap", [(CH, {"header.changed.name": "Changed"}), (U, {"add.headers": "op"})], ["update", "delete", "create"])
SF = "io.debezium.transforms.SchemaChangeEventFilter"
SCIN = ["schema_change_create", "schema_change_alter", "schema_change_drop", "schema_change_rename", "schema_change_database",
        "schema_change_null_changes", "schema_change", "create", "heartbeat", "tombstone"]
case("schema_filter_alter", [(SF, {"schema.change.event.exclude.list": "ALTER"})], SCIN)
case("schema_filter_many", [(SF, {"schema.change.event.exclude.list": "CREATE, DATABASE,TRUNCATE"})], SCIN)
case("schema_filter_unknown_type", [(SF, {"schema.change.event.exclude.list": "ALTERED"})], ["create"])
case("schema_filter_lower_case", [(SF, {"schema.change.event.exclude.list": "alter"})], ["create"])
case("schema_filter_missing", [(SF, {})], ["create"])
case("schema_filter_empty", [(SF, {"schema.change.event.exclude.list": ""})], ["create"])
# TimezoneConverter.
TZ = "io.debezium.transforms.TimezoneConverter"
TZIN = ["tz_create", "tz_gap", "tz_overlap", "tz_old", "tz_update", "tz_delete", "tz_other_table", "create", "heartbeat", "tombstone", "schema_change"]
case("tz_offset", [(TZ, {"converted.timezone": "+08:00"})], TZIN + ["tz_time"])
case("tz_negative_offset_seconds", [(TZ, {"converted.timezone": "-03:30:15"})], ["tz_create", "tz_time", "tz_old"])
case("tz_region", [(TZ, {"converted.timezone": "America/New_York"})], TZIN)
case("tz_region_south", [(TZ, {"converted.timezone": "Australia/Lord_Howe"})], ["tz_create", "tz_gap", "tz_old"])
case("tz_kolkata", [(TZ, {"converted.timezone": "Asia/Kolkata"})], ["tz_time", "tz_create", "tz_old"])
case("tz_utc", [(TZ, {"converted.timezone": "UTC"})], ["tz_create", "tz_time"])
case("tz_include_source_fields", [(TZ, {"converted.timezone": "+02:00", "include.list": "source:events:after.dt,source.ts_ms,dt6"})], TZIN)
case("tz_include_source_epochs", [(TZ, {"converted.timezone": "America/New_York", "include.list": "source:events:source.ts_ms, source:events:source.ts_us,source:events:source.ts_ns"})], ["tz_create"])
case("tz_include_topic", [(TZ, {"converted.timezone": "+02:00", "include.list": "topic:srv.inv.events:dtn"})], TZIN)
case("tz_include_topic_all", [(TZ, {"converted.timezone": "+02:00", "include.list": "topic:srv.inv.events"})], TZIN)
case("tz_include_no_prefix", [(TZ, {"converted.timezone": "+02:00", "include.list": "orders:ct,srv.inv.events:before.dt"})], TZIN)
case("tz_include_sticky_prefix", [(TZ, {"converted.timezone": "+02:00", "include.list": "source:orders:dt,events:dt6"})], ["tz_create", "tz_other_table"])
case("tz_include_upper_prefix", [(TZ, {"converted.timezone": "+02:00", "include.list": "SOURCE:events:dt"})], ["tz_create"])
case("tz_exclude", [(TZ, {"converted.timezone": "+02:00", "exclude.list": "source:events:dt,dt6"})], TZIN)
case("tz_exclude_source_field", [(TZ, {"converted.timezone": "+02:00", "exclude.list": "source:events:source.ts_ms"})], ["tz_create"])
case("tz_exclude_unmatched", [(TZ, {"converted.timezone": "+02:00", "exclude.list": "source:customers_1"})], TZIN)
case("tz_exclude_table_all", [(TZ, {"converted.timezone": "+02:00", "exclude.list": "topic:srv.inv.events"})], ["tz_create", "tz_other_table"])
case("tz_missing_zone", [(TZ, {})], ["tz_create"])
case("tz_bad_zone", [(TZ, {"converted.timezone": "Mars/Olympus"})], ["tz_create"])
case("tz_bad_offset", [(TZ, {"converted.timezone": "+8:00"})], ["tz_create"])
case("tz_both_lists", [(TZ, {"converted.timezone": "UTC", "include.list": "source:events", "exclude.list": "source:orders"})], ["tz_create"])
case("tz_bad_list", [(TZ, {"converted.timezone": "UTC", "include.list": "events-x:dt"})], ["tz_create"])
case("tz_bad_list_first_item", [(TZ, {"converted.timezone": "UTC", "include.list": "events,orders:dt"})], ["tz_create"])
case("tz_list_later_bare_item", [(TZ, {"converted.timezone": "+01:00", "include.list": "orders:dt,events"})], ["tz_create", "tz_other_table"])
# ReadToInsertEvent (the MySQL connector's).
RI = "io.debezium.connector.mysql.transforms.ReadToInsertEvent"
case("read_to_insert", [(RI, {})], ALL + ["update_with_headers", "tz_old"])
case("read_to_insert_then_unwrap", [(RI, {}), (U, {"add.fields": "op"})], ["read", "create", "delete"])
with open("cases.json", "w") as f:
    json.dump(cases, f, indent=1)
