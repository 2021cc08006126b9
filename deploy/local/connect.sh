#!/usr/bin/env bash
# A Kafka Connect standalone worker with the real Debezium MariaDB, MySQL and
# Vitess connectors, run from Maven Central jars against the local Kafka (kafka.sh),
# REST on loopback. It is the reference the side-by-side conformance test
# (internal/sidebyside) compares Sluice with.
#
#   deploy/local/connect.sh start [CONNECTOR.properties|CONNECTOR.json ...]
#   deploy/local/connect.sh stop|status|wipe|url
#
# Connectors given to start are passed to ConnectStandalone; more can be
# created and deleted at any time through the REST API (url prints its base),
# which is what the test does, so one warm worker serves many runs.
#
# Environment (defaults):
#   SLUICE_LOCAL_DIR=/tmp/sluice-local        config/offsets/log in $SLUICE_LOCAL_DIR/connect-$SLUICE_CONNECT_NAME
#   SLUICE_CONNECT_NAME=main
#   SLUICE_CONNECT_PORT=28083                 REST listener, 127.0.0.1 only
#   SLUICE_BOOTSTRAP_SERVERS=127.0.0.1:${SLUICE_KAFKA_PORT:-29092}
#   SLUICE_KAFKA_VERSION=4.1.2                the Kafka Connect version (same as kafka.sh)
#   SLUICE_DEBEZIUM_VERSION=3.5.0.Final
#   SLUICE_CACHE_DIR=~/.cache/sluice          jars in $SLUICE_CACHE_DIR/connect-$KAFKA-debezium-$DEBEZIUM
#   SLUICE_CONNECT_JVM=test                   test: a small, quick-starting JVM for the tests (-Xms128m -Xmx768m,
#                                             the serial collector, C1 only: no optimizing compiler);
#                                             kafka: as Kafka's connect-standalone.sh starts it (-Xms256M -Xmx2G,
#                                             G1 with Kafka's settings, both compilers), for measuring Debezium
#   SLUICE_CONNECT_HEAP                       the heap flags, over the profile's
#   SLUICE_CONNECT_AVRO=0                     1: the worker also gets Apicurio's Avro converter
#                                             (io.apicurio.registry.utils.converter.AvroConverter,
#                                             plugin apicurio-avro, fetched on first use only)
#   SLUICE_APICURIO_CONVERTER_VERSION=2.6.13.Final
#   SLUICE_CONNECT_MODE=standalone            distributed: a one-worker distributed cluster (ConnectDistributed),
#                                             group.id connect-$NAME, its config, offsets and status in the
#                                             topics connect-$NAME-configs|offsets|status, and
#                                             exactly.once.source.support=enabled: Kafka Connect's exactly-once
#                                             source delivery (KIP-618), which standalone workers lack
# status exits 0 when running, 3 when stopped.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
. "$HERE/common.sh"

NAME="${SLUICE_CONNECT_NAME:-main}"
PORT="${SLUICE_CONNECT_PORT:-28083}"
BOOTSTRAP="${SLUICE_BOOTSTRAP_SERVERS:-127.0.0.1:${SLUICE_KAFKA_PORT:-29092}}"
KVERSION="${SLUICE_KAFKA_VERSION:-4.1.2}"
DVERSION="${SLUICE_DEBEZIUM_VERSION:-3.5.0.Final}"
case "${SLUICE_CONNECT_JVM:-test}" in
  test) HEAP_DEFAULT="-Xms128m -Xmx768m"; JVM_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1" ;;
  # kafka-run-class.sh's KAFKA_JVM_PERFORMANCE_OPTS and connect-standalone.sh's KAFKA_HEAP_OPTS.
  kafka) HEAP_DEFAULT="-Xms256M -Xmx2G"
    JVM_OPTS="-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent" ;;
  *) echo "connect.sh: SLUICE_CONNECT_JVM=${SLUICE_CONNECT_JVM} is not test or kafka" >&2; exit 2 ;;
esac
HEAP="${SLUICE_CONNECT_HEAP:-$HEAP_DEFAULT}"
MODE="${SLUICE_CONNECT_MODE:-standalone}"
case "$MODE" in
  standalone) MAIN=org.apache.kafka.connect.cli.ConnectStandalone ;;
  distributed) MAIN=org.apache.kafka.connect.cli.ConnectDistributed ;;
  *) echo "connect.sh: SLUICE_CONNECT_MODE=$MODE is not standalone or distributed" >&2; exit 2 ;;
esac
LOG_TAG="connect[$NAME]"
DIR="$SLUICE_LOCAL_DIR/connect-$NAME"
CONF="$DIR/worker.properties"
PIDF="$DIR/connect.pid"
OUT="$DIR/connect.log"
LIB="$SLUICE_CACHE_DIR/connect-$KVERSION-debezium-$DVERSION"
AVRO="${SLUICE_CONNECT_AVRO:-0}"
ACVERSION="${SLUICE_APICURIO_CONVERTER_VERSION:-2.6.13.Final}"
AVRO_PLUGIN="$LIB/plugins/apicurio-avro-$ACVERSION"
AVRO_CLASS=io.apicurio.registry.utils.converter.AvroConverter
# The plugin directories the running worker was started with, one a line.
PLUGINS_FILE="$DIR/plugins.txt"

ensure_tools() {
  ensure_packages java -- openjdk-17-jre-headless
  ensure_packages curl -- curl
}

# fetch_jars resolves the worker classpath and one plugin directory per
# connector into $LIB once; a warm start only checks the .complete marker.
# A cache made before a connector was added (no plugin directory of it) gets
# just that plugin, so the other jars are not fetched again.
PLUGINS="mariadb mysql vitess"

fetch_jars() {
  local p missing=()
  if [ -f "$LIB/.complete" ]; then
    for p in $PLUGINS; do
      [ -f "$LIB/plugins/debezium-connector-$p/debezium-connector-$p-$DVERSION.jar" ] || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    for p in "${missing[@]}"; do fetch_part "$p" "$LIB.tmp.$$/$p"; done
    for p in "${missing[@]}"; do
      rm -rf "$LIB/plugins/debezium-connector-$p"
      mv "$LIB.tmp.$$/$p" "$LIB/plugins/debezium-connector-$p"
    done
    rm -rf "$LIB.tmp.$$"
    return 0
  fi
  local tmp="$LIB.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  fetch_part worker "$tmp/worker"
  for p in $PLUGINS; do fetch_part "$p" "$tmp/plugins/debezium-connector-$p"; done
  [ -f "$tmp/worker/connect-runtime-$KVERSION.jar" ] || die "connect-runtime-$KVERSION.jar missing after mvn"
  touch "$tmp/.complete"
  rm -rf "$LIB"
  mv "$tmp" "$LIB"
}

# fetch_part PROFILE DEST: one profile of connect/pom.xml's jars into DEST.
fetch_part() {
  local p="$1" dest="$2"
  ensure_packages mvn -- maven
  log "fetching the $p jars (Kafka Connect $KVERSION, Debezium $DVERSION) from Maven Central into $dest"
  mkdir -p "$(dirname "$dest")"
  if ! mvn -B -q -f "$HERE/connect/pom.xml" -P"$p" -Dkafka.version="$KVERSION" -Ddebezium.version="$DVERSION" \
      -Dlib.dir="$dest" dependency:copy-dependencies >"$dest.mvn.log" 2>&1; then
    tail -30 "$dest.mvn.log" >&2
    die "mvn could not resolve the $p jars (full log: $dest.mvn.log)"
  fi
  rm -f "$dest.mvn.log"
  [ "$p" = worker ] || [ -f "$dest/debezium-connector-$p-$DVERSION.jar" ] || die "debezium-connector-$p-$DVERSION.jar missing after mvn"
}

# fetch_avro puts Apicurio's Kafka Connect converter and its dependencies
# into a plugin directory of its own, once; only a worker asked for Avro
# fetches it, so a cold start of the JSON runs stays as it was. The jar
# declares no META-INF/services entry, and the worker finds plugins only by
# service loading (plugin.discovery=service_load): a small jar beside it
# declares the converter.
fetch_avro() {
  [ -f "$AVRO_PLUGIN/.complete" ] && return 0
  ensure_packages mvn -- maven
  ensure_packages zip -- zip
  local tmp="$AVRO_PLUGIN.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  log "fetching Apicurio's Avro converter $ACVERSION from Maven Central into $AVRO_PLUGIN"
  if ! mvn -B -q -f "$HERE/connect/pom.xml" -Papicurio-avro -Dapicurio.converter.version="$ACVERSION" \
      -Dlib.dir="$tmp" dependency:copy-dependencies >"$tmp.mvn.log" 2>&1; then
    tail -30 "$tmp.mvn.log" >&2
    rm -rf "$tmp"
    die "mvn could not resolve io.apicurio:apicurio-registry-utils-converter:$ACVERSION (full log: $tmp.mvn.log)"
  fi
  rm -f "$tmp.mvn.log"
  [ -f "$tmp/apicurio-registry-utils-converter-$ACVERSION.jar" ] || die "apicurio-registry-utils-converter-$ACVERSION.jar missing after mvn"
  mkdir -p "$tmp/services/META-INF/services"
  echo "$AVRO_CLASS" >"$tmp/services/META-INF/services/org.apache.kafka.connect.storage.Converter"
  (cd "$tmp/services" && zip -q -r ../sluice-apicurio-converter-services.jar META-INF)
  rm -rf "$tmp/services"
  touch "$tmp/.complete"
  rm -rf "$AVRO_PLUGIN"
  mv "$tmp" "$AVRO_PLUGIN"
}

write_conf() {
  mkdir -p "$DIR"
  cat >"$CONF" <<CONF
# Written by deploy/local/connect.sh on every start; edits are lost.
bootstrap.servers=${BOOTSTRAP}
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=true
value.converter.schemas.enable=true
offset.flush.interval.ms=1000
listeners=http://127.0.0.1:${PORT}
rest.advertised.host.name=127.0.0.1
rest.advertised.port=${PORT}
plugin.path=${LIB}/plugins
# Debezium and Kafka's converters declare themselves in META-INF/services:
# no classpath scan, a start in seconds.
plugin.discovery=service_load
# The broker does not auto-create topics: connectors name
# topic.creation.default.* and the worker creates them.
topic.creation.enable=true
CONF
  if [ "$MODE" = standalone ]; then
    cat >>"$CONF" <<CONF
# Standalone: offsets in a private file, not in the shared _connect_offsets.
offset.storage.file.filename=${DIR}/connect.offsets
CONF
  else
    cat >>"$CONF" <<CONF
# Distributed, one worker: its state in topics of its own, not in the
# shared _connect_offsets; exactly-once source delivery on.
group.id=connect-${NAME}
config.storage.topic=connect-${NAME}-configs
offset.storage.topic=connect-${NAME}-offsets
status.storage.topic=connect-${NAME}-status
config.storage.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
exactly.once.source.support=enabled
CONF
  fi
}

running() { pid_alive "$PIDF" "$CONF"; }

url() { echo "http://127.0.0.1:$PORT"; }

ready() { port_open "$PORT" && curl -sf -m 2 "$(url)/connectors" >/dev/null 2>&1; }

start() {
  if running; then
    log "already running (pid $(cat "$PIDF")) on $(url)"
    [ $# -eq 0 ] || die "a worker already runs: create connectors through $(url)/connectors, or stop it first"
    if [ "$AVRO" = 1 ] && ! grep -qxF "$(basename "$AVRO_PLUGIN")" "$PLUGINS_FILE" 2>/dev/null; then
      die "the running worker was started without the Avro converter ($AVRO_CLASS): stop it (deploy/local/connect.sh stop) and start it again with SLUICE_CONNECT_AVRO=1"
    fi
    return 0
  fi
  ensure_tools
  port_open "$PORT" && die "127.0.0.1:$PORT is in use by another process (set SLUICE_CONNECT_PORT)"
  local t0; t0="$(now_ms)"
  fetch_jars
  [ "$AVRO" = 1 ] && fetch_avro
  write_conf
  # A plugin fetched once stays in every later worker: it costs the start
  # nothing (service loading), and a worker started for JSON runs can then
  # serve an Avro run too.
  find "$LIB/plugins" -mindepth 1 -maxdepth 1 -type d ! -name '*.tmp.*' -printf '%f\n' | sort >"$PLUGINS_FILE"
  local f files=()
  [ "$MODE" = standalone ] || [ $# -eq 0 ] || die "a distributed worker takes connectors through its REST API only ($(url)/connectors)"
  for f in "$@"; do
    [ -f "$f" ] || die "connector file $f not found"
    files+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
  done
  rm -f "$PIDF"
  # shellcheck disable=SC2206
  local heap=($HEAP) jvm=($JVM_OPTS)
  # file.encoding: Java 17 takes the locale's charset (ASCII under C or
  # POSIX); Java 18+, and Debezium's images, use UTF-8.
  detach "$PIDF" "$CONF" "$OUT" java "${heap[@]}" "${jvm[@]}" -Dfile.encoding=UTF-8 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$HERE/connect/log4j2.properties" -Dlog4j2.shutdownHookEnabled=false \
    -cp "$LIB/worker/*" "$MAIN" "$CONF" "${files[@]}" ||
    { tail -40 "$OUT" >&2; die "worker did not start (log: $OUT)"; }
  wait_started "worker" "$OUT" "$PIDF"
  log "Kafka Connect $KVERSION ($MODE) with Debezium $DVERSION on $(url) (Kafka $BOOTSTRAP, dir $DIR, JVM ${SLUICE_CONNECT_JVM:-test}), ready in $(($(now_ms) - t0)) ms"
}

stop() { stop_pid "$PIDF" "$CONF" "worker" 60; }

status() {
  if running; then
    echo "connect[$NAME] running pid $(cat "$PIDF") on $(url) (dir $DIR)"
  else
    echo "connect[$NAME] stopped (dir $DIR)"
    return 3
  fi
}

wipe() {
  stop
  rm -rf "$DIR"
  log "wiped $DIR (jars stay in $LIB)"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  start) start "$@" ;;
  stop) stop ;;
  status) status ;;
  wipe) wipe ;;
  url) url ;;
  *) echo "usage: $0 start [CONNECTOR.properties...]|stop|status|wipe|url" >&2; exit 2 ;;
esac
