#!/usr/bin/env bash
# Quickstart: starts a local MariaDB and Kafka, builds sluice, runs a
# connector for an "inventory" database (its existing row arrives as a
# snapshot record, op "r"), makes some changes and prints the change events
# as they arrive in Kafka. Servers stay up afterwards
# (deploy/local/down.sh stops them).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
WORK="${SLUICE_LOCAL_DIR:-/tmp/sluice-local}/quickstart"
mkdir -p "$WORK"
# A fresh connector name and topic prefix per run, so the topics show only this run.
RUN="qs$(date +%s)"

set -a; eval "$(deploy/local/up.sh)"; set +a
echo "== building sluice" >&2
go build -o "$WORK/sluice" ./cmd/sluice

mysql() { deploy/local/mariadb.sh client "$@"; }
mysql -e "DROP DATABASE IF EXISTS inventory; CREATE DATABASE inventory;
  CREATE TABLE inventory.customers (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL, email VARCHAR(80));
  CREATE TABLE inventory.orders (id INT PRIMARY KEY, customer INT, amount DECIMAL(10,2), placed DATETIME);
  INSERT INTO inventory.customers VALUES (1000, 'Anne', 'annek@example.com');"

cat >"$WORK/inventory.json" <<JSON
{"name": "$RUN", "config": {
  "connector.class": "io.debezium.connector.mariadb.MariaDbConnector",
  "database.hostname": "127.0.0.1", "database.port": "${SLUICE_MARIADB_PORT:-23306}",
  "database.user": "sluice", "database.password": "sluice", "database.server.id": "5400",
  "topic.prefix": "$RUN", "database.include.list": "inventory",
  "include.schema.changes": "false",
  "key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false",
  "offset.flush.interval.ms": "1000"}}
JSON

echo "== sluice validate" >&2
"$WORK/sluice" validate "$WORK/inventory.json"
echo "== sluice run (log: $WORK/sluice.log)" >&2
# The REST API and metrics on a free loopback port (the log names it).
"$WORK/sluice" run --log-format console --listeners http://127.0.0.1:0 "$WORK/inventory.json" >"$WORK/sluice.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do grep -q "binlog streaming from" "$WORK/sluice.log" && break; sleep 0.1; done

echo "== making changes" >&2
mysql -e "INSERT INTO inventory.customers VALUES (1001,'Sally','sally@example.com'),(1002,'George','gbailey@example.com');
  INSERT INTO inventory.orders VALUES (1, 1001, 19.99, NOW());
  UPDATE inventory.customers SET email='sally.t@example.com' WHERE id=1001;
  DELETE FROM inventory.orders WHERE id=1;"

echo "== change events in Kafka (key | value)" >&2
# Seven records: the snapshot's, three inserts, an update, a delete and its
# tombstone. Wait for them (a loaded machine may take a few seconds).
count() { kcat -b "$SLUICE_BOOTSTRAP_SERVERS" -C -t "$1" -o beginning -e -q -f 'x\n' 2>/dev/null | wc -l; }
for _ in $(seq 1 60); do
  [ $(( $(count "$RUN.inventory.customers") + $(count "$RUN.inventory.orders") )) -ge 7 ] && break
  sleep 0.5
done
for t in "$RUN.inventory.customers" "$RUN.inventory.orders"; do
  echo "-- topic $t"
  kcat -b "$SLUICE_BOOTSTRAP_SERVERS" -C -t "$t" -o beginning -e -q -f '%k | %s\n'
done
rest=$(grep -o '"addresses": \["[^"]*"' "$WORK/sluice.log" | head -1 | sed 's/.*\["//; s/"$//')
if [ -n "$rest" ] && command -v curl >/dev/null; then
  echo "== GET http://$rest/connectors/$RUN/status (Kafka Connect's REST paths)" >&2
  curl -s "http://$rest/connectors/$RUN/status"
  echo "== GET http://$rest/metrics (a few of them)" >&2
  curl -s "http://$rest/metrics" | grep -E '^sluice_(events_total|records_produced_total|milliseconds_behind_source)'
fi
kill -TERM $pid; wait $pid || true
trap - EXIT
echo "== stored offset" >&2
kcat -b "$SLUICE_BOOTSTRAP_SERVERS" -C -t _connect_offsets -o beginning -e -q -f '%p %k %s\n' | grep "\"$RUN\"" | tail -1
echo "servers are still running; stop them with deploy/local/down.sh" >&2
