#!/usr/bin/env bash
# An Apicurio Registry 3.x (Quarkus app from Maven Central) on loopback, with
# in-memory storage, serving the Confluent-compatible API that Sluice's Avro
# converter talks to at /apis/ccompat/v7.
#
#   deploy/local/registry.sh start|stop|status|wipe|env
#
# start prints, on stdout only, SLUICE_TEST_REGISTRY_URL=http://127.0.0.1:PORT/apis/ccompat/v7
# (env prints the same line without starting anything). Storage is in memory:
# every start begins empty, and wipe only removes the log and config.
#
# Environment (defaults):
#   SLUICE_LOCAL_DIR=/tmp/sluice-local       log in $SLUICE_LOCAL_DIR/registry-$SLUICE_REGISTRY_NAME
#   SLUICE_REGISTRY_NAME=main
#   SLUICE_REGISTRY_PORT=28181               HTTP listener, 127.0.0.1 only
#   SLUICE_REGISTRY_MGMT_PORT=PORT+1000      Quarkus management (health) listener, 127.0.0.1 only
#   SLUICE_APICURIO_VERSION=3.3.3
#   SLUICE_CACHE_DIR=~/.cache/sluice         app in $SLUICE_CACHE_DIR/apicurio-registry-$VERSION
#   SLUICE_REGISTRY_HEAP="-Xms64m -Xmx384m"
#   SLUICE_REGISTRY_JAVA                     a java 21+ binary; found under /usr/lib/jvm or /opt when unset
# status exits 0 when running, 3 when stopped.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
. "$HERE/common.sh"

NAME="${SLUICE_REGISTRY_NAME:-main}"
PORT="${SLUICE_REGISTRY_PORT:-28181}"
MPORT="${SLUICE_REGISTRY_MGMT_PORT:-$((PORT + 1000))}"
VERSION="${SLUICE_APICURIO_VERSION:-3.3.3}"
HEAP="${SLUICE_REGISTRY_HEAP:--Xms64m -Xmx384m}"
LOG_TAG="registry[$NAME]"
DIR="$SLUICE_LOCAL_DIR/registry-$NAME"
PIDF="$DIR/registry.pid"
OUT="$DIR/registry.log"
APP="$SLUICE_CACHE_DIR/apicurio-registry-$VERSION"
# The marker pid_alive looks for in the process's command line: unique per instance.
MARKER="-Dsluice.registry.name=$NAME"

url() { echo "http://127.0.0.1:$PORT/apis/ccompat/v7"; }

# find_java prints a java binary of version 21 or newer: Apicurio 3.3 is
# built for Java 21 and fails on 17 with UnsupportedClassVersionError.
find_java() {
  local j v
  for j in "${SLUICE_REGISTRY_JAVA:-}" "$(command -v java 2>/dev/null || true)" /usr/lib/jvm/*/bin/java /opt/*/bin/java /opt/*/*/bin/java; do
    [ -n "$j" ] && [ -x "$j" ] || continue
    v="$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')"
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then
      echo "$j"
      return 0
    fi
  done
  die "no Java 21 or newer found (Apicurio $VERSION needs it); install one (e.g. openjdk-21-jre-headless) or set SLUICE_REGISTRY_JAVA"
}

fetch_app() {
  [ -f "$APP/.complete" ] && return 0
  ensure_packages mvn -- maven
  log "fetching Apicurio Registry $VERSION from Maven Central into $APP"
  local tmp="$APP.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
      -Dartifact="io.apicurio:apicurio-registry-app:$VERSION:tar.gz:all" \
      -DoutputDirectory="$tmp" >"$tmp.mvn.log" 2>&1; then
    tail -30 "$tmp.mvn.log" >&2
    rm -rf "$tmp"
    die "mvn could not fetch io.apicurio:apicurio-registry-app:$VERSION:tar.gz:all (full log: $tmp.mvn.log)"
  fi
  rm -f "$tmp.mvn.log"
  tar -xzf "$tmp/apicurio-registry-app-$VERSION-all.tar.gz" -C "$tmp"
  rm -f "$tmp/apicurio-registry-app-$VERSION-all.tar.gz"
  [ -n "$(find "$tmp" -name quarkus-run.jar | head -1)" ] || die "quarkus-run.jar missing after unpacking"
  touch "$tmp/.complete"
  rm -rf "$APP"
  mv "$tmp" "$APP"
}

running() { pid_alive "$PIDF" "$MARKER"; }

ready() { port_open "$PORT" && curl -fs "$(url)/subjects" >/dev/null 2>&1; }

start() {
  if running; then
    log "already running (pid $(cat "$PIDF")) at $(url)"
    url | sed 's/^/SLUICE_TEST_REGISTRY_URL=/'
    return 0
  fi
  ensure_packages curl -- curl
  local p
  for p in "$PORT" "$MPORT"; do
    port_open "$p" && die "127.0.0.1:$p is in use by another process (set SLUICE_REGISTRY_PORT / SLUICE_REGISTRY_MGMT_PORT)"
  done
  local t0 java jar; t0="$(now_ms)"
  java="$(find_java)"
  fetch_app
  jar="$(find "$APP" -name quarkus-run.jar | head -1)"
  mkdir -p "$DIR"
  rm -f "$PIDF"
  # shellcheck disable=SC2206
  local heap=($HEAP)
  # In-memory storage is Apicurio's default; the management interface would
  # otherwise listen on 0.0.0.0:9000, so it moves to loopback and its own port.
  detach "$PIDF" "$MARKER" "$OUT" "$java" "${heap[@]}" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "$MARKER" \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$MPORT" \
    -Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=h2 \
    -jar "$jar" || { tail -40 "$OUT" >&2; die "registry did not start (log: $OUT)"; }
  wait_started "registry" "$OUT" "$PIDF"
  log "Apicurio Registry $VERSION at $(url) (dir $DIR), ready in $(($(now_ms) - t0)) ms"
  url | sed 's/^/SLUICE_TEST_REGISTRY_URL=/'
}

stop() { stop_pid "$PIDF" "$MARKER" "registry" 30; }

status() {
  if running; then
    echo "registry[$NAME] running pid $(cat "$PIDF") at $(url) (dir $DIR)"
  else
    echo "registry[$NAME] stopped (dir $DIR)"
    return 3
  fi
}

wipe() {
  stop
  rm -rf "$DIR"
  log "wiped $DIR (the app stays in $APP)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  wipe) wipe ;;
  env) url | sed 's/^/SLUICE_TEST_REGISTRY_URL=/' ;;
  *) echo "usage: $0 start|stop|status|wipe|env" >&2; exit 2 ;;
esac
