#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs and starts a private
# MariaDB 10.11 and Kafka 4.1 on loopback (deploy/local/up.sh), an Apicurio
# schema registry (deploy/local/registry.sh), a Vitess v0.24 test cluster
# (deploy/local/vitess.sh), a multi-process Vitess cluster that can reshard
# (deploy/local/vitess-cluster.sh) and two Kafka Connect workers with the real
# Debezium connectors (deploy/local/connect.sh: a standalone one, and a
# distributed one with exactly-once source delivery), runs gofmt,
# go vet and every Go test with -race (the end-to-end tests drive the real
# sluice binary against those servers; the side-by-side and switch-over
# tests in internal/sidebyside compare Sluice with Debezium), then stops
# the servers.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

command -v go >/dev/null || { echo "go is not installed; install Go 1.26+ first" >&2; exit 1; }

started_here=0
if ! deploy/local/mariadb.sh status >/dev/null 2>&1 || ! deploy/local/kafka.sh status >/dev/null 2>&1; then
  started_here=1
fi
registry_started_here=0
if ! deploy/local/registry.sh status >/dev/null 2>&1; then
  registry_started_here=1
fi
vitess_started_here=0
if ! deploy/local/vitess.sh status >/dev/null 2>&1; then
  vitess_started_here=1
fi
vtcluster_started_here=0
if ! deploy/local/vitess-cluster.sh status >/dev/null 2>&1; then
  vtcluster_started_here=1
fi
connect_started_here=0
if ! deploy/local/connect.sh status >/dev/null 2>&1; then
  connect_started_here=1
fi
# The exactly-once worker (distributed, one worker) of TestSwitchoverExactlyOnce.
eos_connect() {
  SLUICE_CONNECT_NAME=eos SLUICE_CONNECT_PORT="${SLUICE_CONNECT_EOS_PORT:-28084}" SLUICE_CONNECT_MODE=distributed \
    deploy/local/connect.sh "$@"
}
eos_started_here=0
if ! eos_connect status >/dev/null 2>&1; then
  eos_started_here=1
fi
cleanup() {
  if [ "${SLUICE_KEEP_SERVERS:-0}" != 1 ]; then
    if [ "$connect_started_here" = 1 ]; then deploy/local/connect.sh stop >&2 || true; fi
    if [ "$eos_started_here" = 1 ]; then eos_connect stop >&2 || true; fi
    if [ "$vitess_started_here" = 1 ]; then deploy/local/vitess.sh stop >&2 || true; fi
    if [ "$vtcluster_started_here" = 1 ]; then deploy/local/vitess-cluster.sh stop >&2 || true; fi
    if [ "$registry_started_here" = 1 ]; then deploy/local/registry.sh stop >&2 || true; fi
    if [ "$started_here" = 1 ]; then deploy/local/down.sh >&2 || true; fi
  fi
}
trap cleanup EXIT

# The multi-process Vitess cluster for the reshard and MoveTables tests
# (deploy/local/vitess-cluster.sh, ~10 s from empty data) starts while the
# other servers do. A test that reshards leaves it changed for good: the next
# one that needs shard 0 starts it again through SLUICE_TEST_VTCLUSTER_SCRIPT.
vtcluster_env="$(mktemp)"
deploy/local/vitess-cluster.sh start >"$vtcluster_env" &
vtcluster_pid=$!

# start_env runs a start script and loads the KEY=VALUE lines it prints. A
# bare eval "$(script)" would go on with nothing set when the script fails
# (the substitution's status is lost), and every test would then fail for
# want of an address instead of the suite stopping at the server that did.
start_env() {
  local out
  out="$("$@")" || { echo "$* failed; the suite cannot run without it" >&2; exit 1; }
  eval "$out"
}
set -a
# A broker this run starts begins empty (SLUICE_KAFKA_FRESH): topics kept
# from earlier runs pile up to the broker's open-file limit.
if [ "$started_here" = 1 ]; then SLUICE_KAFKA_FRESH=1; fi
start_env deploy/local/up.sh
unset SLUICE_KAFKA_FRESH
# Apicurio Registry (Confluent-compatible API) for the Avro converter's tests.
start_env deploy/local/registry.sh start
# Vitess (vttestserver, two shards on the local MariaDB binaries): built
# from the Go module proxy once (about 5 minutes cold, cached after).
start_env deploy/local/vitess.sh start
wait "$vtcluster_pid" || { echo "deploy/local/vitess-cluster.sh start failed" >&2; exit 1; }
. "$vtcluster_env"
SLUICE_TEST_VTCLUSTER_SCRIPT="$ROOT/deploy/local/vitess-cluster.sh"
set +a
rm -f "$vtcluster_env"
# Kafka Connect 4.1 standalone with Debezium 3.5.0.Final from Maven Central
# (cached after the first run): the reference the side-by-side compares with.
# SLUICE_CONNECT_AVRO=1: with Apicurio's AvroConverter, for the Avro run.
SLUICE_CONNECT_AVRO=1 deploy/local/connect.sh start >&2
# A distributed one with exactly-once source delivery (the jars are cached
# by now: a few seconds).
eos_connect start >&2
export SLUICE_E2E=1 SLUICE_E2E_RACE=1 SLUICE_SIDEBYSIDE=1 SLUICE_SIDEBYSIDE_AVRO=1

echo "== gofmt" >&2
unformatted="$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"
if [ -n "$unformatted" ]; then echo "gofmt would change:"; echo "$unformatted"; exit 1; fi
echo "== go vet" >&2
go vet ./...
echo "== go test -race" >&2
# Two lanes run side by side. The Vitess lane (cmd/sluice's Vitess tests,
# about 550 s, most of it waiting on Vitess: copies, reshards, tablet
# restarts) touches neither the shared MariaDB nor the Connect worker's
# MariaDB connectors. When its Vitess tests are over it runs cmd/sluice's
# tests that bring up a MariaDB of their own (nothing they read is in the
# shared one's binlog), then the side-by-side comparison with Debezium's
# Vitess connector: by then no other test writes to the Vitess keyspace,
# whose writes would add transactions to the compared transaction topic
# (tried beside the Vitess tests: four rowless transactions in Sluice's
# topic that the JVM reference, behind on loaded cores, had not written
# yet when the wait for quiet topics ended).
# The MariaDB lane keeps -p 1: the packages that talk to the shared MariaDB
# run one at a time, so that one package's writes never move the binlog
# position another package's test is checking. The side-by-side MariaDB
# comparisons run after both lanes, and the two tests that stop the shared
# broker (SIGSTOP) alone at the end: a 15 s broker outage would reach the
# other lane's tests too.
vitess_tests='^Test(Vitess|ConformanceVitess)'
private_db='^Test(CompressedBinlogEndToEnd|DatabaseTLSEndToEnd|MariaDBRestart|WhenNeededAfterPurge|ValidateStatementFormat)$'
broker_stops='^TestKafka(StoppedDuringSIGTERM|PausedWhileStreaming)$'
sbs_vitess='^TestSideBySideVitess$'
vitess_out="$(mktemp)"
(
  lrc=0
  go test -race -count=1 -timeout 40m -run "$vitess_tests" ./cmd/sluice || lrc=1
  go test -race -count=1 -timeout 20m -run "$private_db" ./cmd/sluice || lrc=1
  go test -race -count=1 -timeout 20m -run "$sbs_vitess" ./internal/sidebyside || lrc=1
  exit "$lrc"
) >"$vitess_out" 2>&1 &
vitess_lane=$!
rc=0
go test -race -count=1 -timeout 40m -skip "$vitess_tests|$private_db|$broker_stops" ./cmd/sluice || rc=1
go test -race -count=1 -p 1 -timeout 40m $(go list ./... | grep -v -e '/cmd/sluice$' -e '/internal/sidebyside$') || rc=1
wait "$vitess_lane" || rc=1
echo "== the Vitess lane (cmd/sluice -run '$vitess_tests', then '$private_db'; internal/sidebyside -run '$sbs_vitess')"
cat "$vitess_out"
rm -f "$vitess_out"
go test -race -count=1 -timeout 40m -skip "$sbs_vitess" ./internal/sidebyside || rc=1
go test -race -count=1 -timeout 10m -run "$broker_stops" ./cmd/sluice || rc=1
exit "$rc"
