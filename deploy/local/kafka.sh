#!/usr/bin/env bash
# A single-node Apache Kafka (KRaft, combined broker+controller) on loopback,
# run from Maven Central jars (no tarball, no container).
#
#   deploy/local/kafka.sh start|stop|status|wipe
#   deploy/local/kafka.sh topics ARGS...   # kafka-topics, --bootstrap-server added,
#                                          # e.g. topics --create --topic t --partitions 3
#
# Environment (defaults):
#   SLUICE_LOCAL_DIR=/tmp/sluice-local     data/config/log in $SLUICE_LOCAL_DIR/kafka-$SLUICE_KAFKA_NAME
#   SLUICE_KAFKA_NAME=main
#   SLUICE_KAFKA_PORT=29092                client listener, 127.0.0.1 only
#   SLUICE_KAFKA_CONTROLLER_PORT=29093     KRaft controller listener, 127.0.0.1 only
#   SLUICE_KAFKA_SASL_PORT=29094           SASL_PLAINTEXT listener (PLAIN, SCRAM-SHA-256/512)
#   SLUICE_KAFKA_SSL_PORT=29095            SSL listener (client certificate required)
#   SLUICE_KAFKA_SASL_SSL_PORT=29096       SASL_SSL listener
# The secure listeners are for the tests of Sluice's TLS and SASL settings:
# a private CA made with openssl on first start ($DIR/tls: ca.pem, the
# broker's broker.pem, a client key and certificate client.pem), the PLAIN
# user sluice / sluice-secret; SCRAM users are added through the admin API
# (PLAINTEXT listener) by whoever needs one.
#   SLUICE_KAFKA_VERSION=4.1.2             3.9.x also works (reload4j logging)
#   SLUICE_CACHE_DIR=~/.cache/sluice       jars in $SLUICE_CACHE_DIR/kafka-$VERSION-lib
#   SLUICE_KAFKA_HEAP="-Xms256m -Xmx768m"
# status exits 0 when running, 3 when stopped.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
. "$HERE/common.sh"

NAME="${SLUICE_KAFKA_NAME:-main}"
PORT="${SLUICE_KAFKA_PORT:-29092}"
CPORT="${SLUICE_KAFKA_CONTROLLER_PORT:-29093}"
SPORT="${SLUICE_KAFKA_SASL_PORT:-29094}"
TPORT="${SLUICE_KAFKA_SSL_PORT:-29095}"
STPORT="${SLUICE_KAFKA_SASL_SSL_PORT:-29096}"
VERSION="${SLUICE_KAFKA_VERSION:-4.1.2}"
HEAP="${SLUICE_KAFKA_HEAP:--Xms256m -Xmx768m}"
LOG_TAG="kafka[$NAME]"
DIR="$SLUICE_LOCAL_DIR/kafka-$NAME"
DATA="$DIR/data"
CONF="$DIR/server.properties"
PIDF="$DIR/kafka.pid"
OUT="$DIR/kafka.log"
LIB="$SLUICE_CACHE_DIR/kafka-$VERSION-lib"

case "$VERSION" in
  3.*) MVN_PROFILE=(-Pkafka3); LOG_OPTS=(-Dlog4j.configuration="file:$HERE/kafka/log4j.properties") ;;
  *)   MVN_PROFILE=(); LOG_OPTS=(-Dlog4j2.configurationFile="$HERE/kafka/log4j2.properties") ;;
esac

ensure_tools() {
  ensure_packages java -- openjdk-17-jre-headless
  ensure_packages kcat -- kcat
  ensure_packages openssl -- openssl
}

# make_tls writes the private CA, the broker's key and certificate (for
# 127.0.0.1 and localhost) and a client's, once: keys unencrypted PKCS#8,
# each .pem holding the key then the certificate.
make_tls() {
  local d="$DIR/tls"
  [ -f "$d/.complete" ] && return 0
  rm -rf "$d" && mkdir -p "$d"
  (
    cd "$d"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
      -subj "/CN=sluice local test CA" -keyout ca.key -out ca.pem
    local who
    for who in broker client; do
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$who" -keyout "$who.key" -out "$who.csr"
      printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' >"$who.ext"
      openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 -extfile "$who.ext" -out "$who.crt"
      openssl pkcs8 -topk8 -nocrypt -in "$who.key" -out "$who.p8"
      cat "$who.p8" "$who.crt" >"$who.pem"
      rm -f "$who.csr" "$who.ext" "$who.key" "$who.p8"
    done
  ) >"$DIR/tls.log" 2>&1 || { cat "$DIR/tls.log" >&2; die "openssl could not make the test CA in $d"; }
  chmod 600 "$d"/*.pem "$d"/ca.key
  touch "$d/.complete"
}

fetch_jars() {
  [ -f "$LIB/.complete" ] && return 0
  ensure_packages mvn -- maven
  log "fetching Kafka $VERSION jars from Maven Central into $LIB"
  local tmp="$LIB.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! mvn -B -q -f "$HERE/kafka/pom.xml" "${MVN_PROFILE[@]}" -Dkafka.version="$VERSION" \
      -Dlib.dir="$tmp" dependency:copy-dependencies >"$tmp.mvn.log" 2>&1; then
    tail -30 "$tmp.mvn.log" >&2
    rm -rf "$tmp"
    die "mvn could not resolve Kafka $VERSION (full log: $tmp.mvn.log)"
  fi
  rm -f "$tmp.mvn.log"
  [ -n "$(ls "$tmp"/kafka_2.13-"$VERSION".jar 2>/dev/null)" ] || die "kafka_2.13-$VERSION.jar missing after mvn"
  touch "$tmp/.complete"
  rm -rf "$LIB"
  mv "$tmp" "$LIB"
}

java_tool() {
  java -Xms64m -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    "${LOG_OPTS[@]}" -cp "$LIB/*" "$@"
}

write_conf() {
  mkdir -p "$DIR"
  cat >"$CONF" <<EOF
# Written by deploy/local/kafka.sh on every start; edits are lost.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${CPORT}
listeners=PLAINTEXT://127.0.0.1:${PORT},CONTROLLER://127.0.0.1:${CPORT},SASL_PLAINTEXT://127.0.0.1:${SPORT},SSL://127.0.0.1:${TPORT},SASL_SSL://127.0.0.1:${STPORT}
advertised.listeners=PLAINTEXT://127.0.0.1:${PORT},SASL_PLAINTEXT://127.0.0.1:${SPORT},SSL://127.0.0.1:${TPORT},SASL_SSL://127.0.0.1:${STPORT}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL

# The secure listeners (make_tls).
ssl.keystore.type=PEM
ssl.keystore.location=${DIR}/tls/broker.pem
ssl.truststore.type=PEM
ssl.truststore.location=${DIR}/tls/ca.pem
ssl.client.auth=requested
listener.name.ssl.ssl.client.auth=required
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_sluice="sluice-secret";
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_sluice="sluice-secret";
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
log.dirs=${DATA}

# ACLs, for the tests of what Sluice says when the broker refuses it: the
# PLAINTEXT listener's clients (the tests' admin, Kafka Connect, this
# broker's own controller) are ANONYMOUS, a super user; any other principal
# may do what a resource without ACLs allows (Kafka's default denies it).
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS
allow.everyone.if.no.acl.found=true

# The daemon must create its topics itself.
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
# A transaction past its timeout is aborted at the next scan (10 s by
# default): each second, so the exactly-once timeout test need not outlast it.
transaction.abort.timed.out.transaction.cleanup.interval.ms=1000
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0

# small machine
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
# compaction observable within a test run
log.cleaner.backoff.ms=1000
EOF
}

running() { pid_alive "$PIDF" "$CONF"; }

# The client port the broker was started with (from its server.properties), else the configured one.
live_port() {
  local p
  p="$(sed -n 's|^advertised.listeners=PLAINTEXT://127.0.0.1:\([0-9]*\).*$|\1|p' "$CONF" 2>/dev/null | head -1)"
  echo "${p:-$PORT}"
}

# Probe the port first: kcat against a closed port waits out its whole timeout.
ready() { port_open "$PORT" && kcat -b "127.0.0.1:$PORT" -L -m 5 >/dev/null 2>&1; }

start() {
  if running; then
    log "already running (pid $(cat "$PIDF")) on 127.0.0.1:$(live_port)"
    return 0
  fi
  ensure_tools
  local p
  for p in "$PORT" "$CPORT" "$SPORT" "$TPORT" "$STPORT"; do
    port_open "$p" && die "127.0.0.1:$p is in use by another process (set SLUICE_KAFKA_PORT / SLUICE_KAFKA_CONTROLLER_PORT / SLUICE_KAFKA_SASL_PORT / SLUICE_KAFKA_SSL_PORT / SLUICE_KAFKA_SASL_SSL_PORT)"
  done
  local t0; t0="$(now_ms)"
  warn_low_disk "$DIR"
  fetch_jars
  make_tls
  write_conf
  if [ "${SLUICE_KAFKA_FRESH:-0}" = 1 ] && [ -d "$DATA" ]; then
    # deploy/local/test.sh starts each run on an empty broker: the topics
    # of earlier runs would pile up to the open-file limit (below).
    log "SLUICE_KAFKA_FRESH=1: removing the topics of earlier runs ($DATA)"
    rm -rf "$DATA"
  fi
  if [ ! -f "$DATA/meta.properties" ]; then
    # A cluster id is 16 random bytes, base64url without padding. One in 64
    # begins with '-', which the format tool reads as an option ("argument
    # --cluster-id: expected one argument"); Kafka's own ids never do.
    local cid=-
    while [ "${cid#-}" != "$cid" ]; do
      cid="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    done
    log "formatting $DATA (cluster id $cid)"
    if ! java_tool kafka.tools.StorageTool format -t "$cid" -c "$CONF" --ignore-formatted >"$DIR/format.log" 2>&1; then
      cat "$DIR/format.log" >&2
      die "kafka-storage format failed"
    fi
  fi
  rm -f "$PIDF"
  # The broker keeps a file open for each partition's log: the suite makes
  # thousands of topics, and a data dir kept over several runs passed
  # 19,000 partitions, where a 20,000-file limit stopped the broker ("Too
  # many open files", every log dir failed). Raise it as far as allowed
  # (here the hard limit is 20,000, so test.sh also starts each run on an
  # empty broker: SLUICE_KAFKA_FRESH).
  ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 100000 ]; then
    log "warning: the broker may open only $(ulimit -n) files (ulimit -n); with many topics it stops with \"Too many open files\": raise the limit"
  fi
  # shellcheck disable=SC2206
  local heap=($HEAP)
  detach "$PIDF" "$CONF" "$OUT" java "${heap[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j2.shutdownHookEnabled=false "${LOG_OPTS[@]}" -cp "$LIB/*" kafka.Kafka "$CONF" ||
    { tail -40 "$OUT" >&2; die "broker did not start (log: $OUT)"; }
  wait_started "broker" "$OUT" "$PIDF"
  log "Kafka $VERSION listening on 127.0.0.1:$PORT (controller 127.0.0.1:$CPORT, dir $DIR), ready in $(($(now_ms) - t0)) ms"
}

stop() { stop_pid "$PIDF" "$CONF" "broker" 60; }

status() {
  if running; then
    echo "kafka[$NAME] running pid $(cat "$PIDF") on 127.0.0.1:$(live_port) (dir $DIR)"
  else
    echo "kafka[$NAME] stopped (dir $DIR)"
    return 3
  fi
}

wipe() {
  stop
  rm -rf "$DIR"
  log "wiped $DIR (jars stay in $LIB)"
}

topics() {
  running || die "not running (start it with: $0 start)"
  java_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$(live_port)" "$@"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  wipe) wipe ;;
  topics) topics "$@" ;;
  *) echo "usage: $0 start|stop|status|wipe|topics [kafka-topics args...]" >&2; exit 2 ;;
esac
