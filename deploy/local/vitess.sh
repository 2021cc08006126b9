#!/usr/bin/env bash
# A private Vitess test cluster on loopback: vttestserver (one vtcombo process holding
# an in-memory topo, vtgate, and a PRIMARY, a REPLICA and an RDONLY tablet per shard)
# over one MariaDB 10.11 mysqld, keyspace test_keyspace with two shards (-80, 80-).
# Both shards live in that one mysqld and share its GTID sequence.
#
#   deploy/local/vitess.sh start|stop|status|wipe|build|env
#   deploy/local/vitess.sh client [mariadb client args...]   # through vtgate's MySQL port
#
# `start` prints KEY=VALUE lines for tests on stdout (also when already running):
#   set -a; eval "$(deploy/local/vitess.sh start)"; set +a
# Messages for humans go to stderr.
#
# Environment (defaults):
#   SLUICE_LOCAL_DIR=/tmp/sluice-local     instance dir $SLUICE_LOCAL_DIR/vitess-$SLUICE_VITESS_NAME
#   SLUICE_VITESS_NAME=main
#   SLUICE_VITESS_PORT_BASE=25990          vtcombo http BASE, vtgate gRPC BASE+1, mysqld BASE+2,
#                                          vtgate MySQL BASE+3; all on 127.0.0.1
#   SLUICE_VITESS_VERSION=v0.24.0
#   SLUICE_CACHE_DIR=~/.cache/sluice       binaries in $SLUICE_CACHE_DIR/vitess-$VERSION-p1/bin
#   SLUICE_VITESS_USER=nobody              who runs the cluster when this script runs as root
#                                          (mysqlctl and vtcombo refuse to run as root)
#   SLUICE_VITESS_VTCOMBO_ARGS=            extra vtcombo flags
#
# The binaries are built once from the Go module proxy (`build`; `start` builds when
# they are missing). Every `start` begins from an empty database: vttestserver
# re-creates the keyspace, its shards and the vschema from deploy/local/vitess/schema.
# status exits 0 when running, 3 when stopped.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
. "$HERE/common.sh"

NAME="${SLUICE_VITESS_NAME:-main}"
BASE="${SLUICE_VITESS_PORT_BASE:-25990}"
VERSION="${SLUICE_VITESS_VERSION:-v0.24.0}"
RUN_USER="${SLUICE_VITESS_USER:-nobody}"
read -r -a VTCOMBO_EXTRA <<<"${SLUICE_VITESS_VTCOMBO_ARGS:-}"
LOG_TAG="vitess[$NAME]"

KEYSPACE=test_keyspace
# A second keyspace with four shards (-40, 40-80, 80-c0, c0-), for connectors
# that spread shards over several tasks (tasks.max > 1).
KEYSPACE4=tasks_keyspace
SHARDS="-80,80-"
HTTP_PORT="$BASE"
GRPC_PORT="$((BASE + 1))"
MYSQLD_PORT="$((BASE + 2))"
MYSQL_PORT="$((BASE + 3))"

# -p1: vtcombo patched (patch_vtcombo); a cache without the patch is not reused.
CACHE="$SLUICE_CACHE_DIR/vitess-$VERSION-p1"
# vttestserver and vtcombo for this cluster; mysqlctl for the mysqld under it; the rest
# for the later multi-tablet cluster (etcd topo, vtctld, one vttablet per shard, vtgate).
BINARIES=(vttestserver vtcombo mysqlctl vtctld vttablet vtgate vtctldclient)

DIR="$SLUICE_LOCAL_DIR/vitess-$NAME"
VTROOT="$DIR/vtroot"
DATA="$DIR/data"
RUNHOME="$DIR/home"
SCHEMA="$DIR/schema"
PIDF="$DIR/vttestserver.pid"
OUT="$DIR/vttestserver.log"
PORTF="$DIR/port-base"

# ---------------------------------------------------------------- build

build_complete() {
  [ -f "$CACHE/.complete" ] && [ "$(cat "$CACHE/.complete")" = "${BINARIES[*]}" ]
}

build() {
  build_complete && return 0
  command -v go >/dev/null 2>&1 || PATH="$PATH:/usr/local/go/bin"
  command -v go >/dev/null 2>&1 || die "go is not installed; install Go 1.26+ first"
  mkdir -p "$SLUICE_CACHE_DIR"
  # Several worktrees share the cache: one build at a time, the others wait for it.
  exec 9>"$CACHE.lock"
  if ! flock -n 9; then
    log "another Vitess build is running; waiting for it"
    flock 9
  fi
  if build_complete; then exec 9>&-; return 0; fi

  local t0 src tmp
  t0="$(now_ms)"
  src="$CACHE/src"
  tmp="$CACHE/bin.tmp.$$"
  log "building Vitess $VERSION (${BINARIES[*]}) from the Go module proxy into $CACHE (cold: several minutes)"
  # Leftovers of an interrupted build (we hold the lock, so none is in progress).
  rm -rf "$src" "$CACHE"/bin.tmp.* "$CACHE/config.tmp"
  mkdir -p "$src" "$tmp"
  # `go install vitess.io/vitess/go/cmd/...@$VERSION` asks the proxy for the version list
  # (deprecation check), which is refused here; a tiny module that requires the exact
  # version needs only that version.
  cat >"$src/go.mod" <<EOF
module sluicevtbuild

go $(go env GOVERSION | sed 's/^go//')

require vitess.io/vitess $VERSION
EOF
  # The build tag keeps this file out of builds; `go mod tidy` still sees the imports
  # and records every module the commands need.
  {
    echo '//go:build tools'
    echo
    echo 'package tools'
    echo
    echo 'import ('
    local b
    for b in "${BINARIES[@]}"; do echo "	_ \"vitess.io/vitess/go/cmd/$b\""; done
    echo ')'
  } >"$src/tools.go"
  local pkgs=()
  for b in "${BINARIES[@]}"; do pkgs+=("vitess.io/vitess/go/cmd/$b"); done
  # nice: the machine is shared and this compiles ~2,000 packages.
  if ! (cd "$src" && nice -n 10 go mod tidy) >"$CACHE/build.log" 2>&1; then
    tail -30 "$CACHE/build.log" >&2
    die "go mod tidy failed (log: $CACHE/build.log)"
  fi
  local t1; t1="$(now_ms)"
  log "modules downloaded in $(((t1 - t0) / 1000)) s; compiling"
  local mod
  mod="$(cd "$src" && go list -mod=mod -m -f '{{.Dir}}' vitess.io/vitess)"
  # The module cache is read-only (and -overlay may not replace files in it): the
  # patched file goes into a vendor directory.
  if ! (cd "$src" && go mod vendor) >>"$CACHE/build.log" 2>&1; then
    tail -30 "$CACHE/build.log" >&2
    die "go mod vendor failed (log: $CACHE/build.log)"
  fi
  patch_vtcombo "$src/vendor/vitess.io/vitess"
  if ! (cd "$src" && nice -n 10 go build -mod=vendor -trimpath -ldflags='-s -w' -o "$tmp/" "${pkgs[@]}") >>"$CACHE/build.log" 2>&1; then
    tail -30 "$CACHE/build.log" >&2
    rm -rf "$tmp"
    die "go build failed (log: $CACHE/build.log)"
  fi

  # vttestserver reads $VTROOT/config/{init_db.sql,mycnf/*.cnf}; the module ships them.
  [ -d "$mod/config" ] || die "no config/ in $mod"
  cp -r "$mod/config" "$CACHE/config.tmp"
  chmod -R u+w "$CACHE/config.tmp"
  patch_config "$CACHE/config.tmp"

  rm -rf "${CACHE:?}/bin" "${CACHE:?}/config"
  mv "$tmp" "$CACHE/bin"
  mv "$CACHE/config.tmp" "$CACHE/config"
  echo "${BINARIES[*]}" >"$CACHE/.complete"
  exec 9>&-
  log "built in $((($(now_ms) - t0) / 1000)) s (download $(((t1 - t0) / 1000)) s, compile $((($(now_ms) - t1) / 1000)) s): $(du -sh "$CACHE/bin" | cut -f1) in $CACHE/bin"
}

# patch_vtcombo VITESSDIR: make vtcombo's in-process tablet connection copy each
# VStream event before VTGate gets it.
# A vttablet serializes its events onto gRPC before it goes on; vtcombo hands VTGate
# the tablet's own objects, and the copy phase's row streamer refills the same
# querypb.Row values (RowToProto3Inplace) for its next packet while VTGate may still
# be encoding the previous one for the client: copied rows came out corrupted, or
# VTGate panicked in Row.MarshalToSizedBufferVT ("slice bounds out of range"),
# even for a plain copy of 40,000 rows with no writer.
patch_vtcombo() {
  local f="$1/go/vt/vtcombo/tablet_map.go" out
  out="$(mktemp)"
  local line='	err := itc.tablet.qsc.QueryService().VStream(ctx, request, send)'
  [ "$(grep -cxF "$line" "$f")" = 1 ] || die "patch_vtcombo: no single VStream call in $f"
  awk -v line="$line" '$0 == line {
      print "\terr := itc.tablet.qsc.QueryService().VStream(ctx, request, func(evs []*binlogdatapb.VEvent) error {"
      print "\t\t// sluice: copy what a gRPC tablet would have serialized (deploy/local/vitess.sh)."
      print "\t\tcp := make([]*binlogdatapb.VEvent, len(evs))"
      print "\t\tfor i, ev := range evs {"
      print "\t\t\tcp[i] = ev.CloneVT()"
      print "\t\t}"
      print "\t\treturn send(cp)"
      print "\t})"
      next
    } { print }' "$f" >"$out"
  chmod u+w "$f"
  mv "$out" "$f"
}

# patch_config DIR: make Vitess's MySQL config acceptable to MariaDB 10.11.
patch_config() {
  local cfg="$1"
  local cnf="$cfg/mycnf/test-suite.cnf" initdb="$cfg/init_db.sql"
  # 1) MariaDB has no super_read_only: mariadbd aborts on `super-read-only = false`
  #    ("unknown variable"); the loose- prefix turns that into a warning.
  # 2) mysqlctl's built-in mariadb10.cnf plugin-loads semisync_master.so, which MariaDB
  #    >= 10.3 no longer ships (semisync is built in); a later empty plugin-load wins.
  grep -q '^super-read-only = false$' "$cnf" || die "patch 1/2: no 'super-read-only = false' in $cnf"
  sed -i 's/^super-read-only = false$/loose-super-read-only = false\nplugin-load =/' "$cnf"
  # 3) init_db.sql reads and sets @@global.super_read_only: "Unknown system variable"
  #    on MariaDB. read_only=OFF is what those lines are there to reach.
  grep -q '^SET @original_super_read_only=' "$initdb" || die "patch 3: no super_read_only lines in $initdb"
  sed -i -e "s/^SET @original_super_read_only=.*$/SET GLOBAL read_only='OFF';/" \
    -e '/^SET GLOBAL super_read_only=/d' "$initdb"
  ! grep -v '^#' "$initdb" | grep -q 'super_read_only' || die "patch 3: super_read_only still in $initdb"
}

# ---------------------------------------------------------------- run

# The pid in the pid file is vttestserver's (setpriv and env exec into it).
running() { pid_alive "$PIDF" "$DATA"; }

live_base() {
  local p
  p="$(cat "$PORTF" 2>/dev/null || true)"
  echo "${p:-$BASE}"
}

print_env() {
  local b; b="$(live_base)"
  echo "SLUICE_TEST_VTGATE_GRPC=127.0.0.1:$((b + 1))"
  echo "SLUICE_TEST_VTGATE_MYSQL=127.0.0.1:$((b + 3))"
  echo "SLUICE_TEST_VITESS_KEYSPACE=$KEYSPACE"
  echo "SLUICE_TEST_VITESS_SHARDS=$SHARDS"
  echo "SLUICE_TEST_VITESS_KEYSPACE4=$KEYSPACE4"
}

# Processes of this instance: vttestserver, vtcombo and mysqlctl run from its VTROOT,
# mysqld from its data dir. (A `tail` of one of its logs does not match.)
instance_pids() {
  pgrep -f -- "^($(ere_escape "$VTROOT/bin/")|[^ ]*mysqld .*$(ere_escape "$DATA/"))" || true
}

# terminate_instance GRACE_S: SIGTERM every process of the instance, SIGKILL what is
# left after GRACE_S seconds. vttestserver does not stop its children on SIGTERM
# (it exits at once and leaves vtcombo and mysqld running), so they get the signal
# themselves. The data is thrown away at the next start, so a hard stop loses nothing.
terminate_instance() {
  local pids i
  pids="$(instance_pids | tr '\n' ' ')"
  [ -n "${pids// /}" ] || return 0
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  for ((i = 0; i < $1 * 10; i++)); do
    [ -z "$(instance_pids)" ] && return 0
    sleep 0.1
  done
  pids="$(instance_pids | tr '\n' ' ')"
  [ -n "${pids// /}" ] || return 0
  log "killing what did not stop within $1 s: $pids"
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
  sleep 0.2
}

# Both shards have a serving primary tablet, as seen through vtgate.
ready() {
  port_open "$MYSQL_PORT" || return 1
  port_open "$GRPC_PORT" || return 1
  local n
  n="$(mariadb --no-defaults -h 127.0.0.1 -P "$MYSQL_PORT" -u root --connect-timeout=2 -N \
    -e 'SHOW VITESS_TABLETS' 2>/dev/null | grep -cE "[[:space:]](${KEYSPACE}|${KEYSPACE4})[[:space:]].*PRIMARY[[:space:]]+SERVING" || true)"
  [ "$n" -ge 6 ]
}

prepare_instance() {
  mkdir -p "$VTROOT/bin" "$SCHEMA"
  chmod 755 "$DIR" "$VTROOT" "$VTROOT/bin"
  # The cache sits in root's home, which the unprivileged user cannot enter: give the
  # instance its own VTROOT. Hard links cost nothing; copy when across file systems.
  local b
  for b in vttestserver mysqlctl; do
    ln -f "$CACHE/bin/$b" "$VTROOT/bin/$b" 2>/dev/null || cp -f "$CACHE/bin/$b" "$VTROOT/bin/$b"
  done
  ln -f "$CACHE/bin/vtcombo" "$VTROOT/bin/vtcombo.real" 2>/dev/null || cp -f "$CACHE/bin/vtcombo" "$VTROOT/bin/vtcombo.real"
  rm -rf "$VTROOT/config"
  cp -r "$CACHE/config" "$VTROOT/config"
  chmod -R a+rX "$VTROOT"
  # vttestserver has no way to pass flags through to vtcombo: wrap it. The wrapper adds
  # binlog dump through vtgate (COM_BINLOG_DUMP_GTID, for the binlog-dump source).
  {
    echo '#!/bin/sh'
    echo '# Written by deploy/local/vitess.sh on every start; edits are lost.'
    # shellcheck disable=SC2016 # expanded by the wrapper, not here
    # Warnings only, as text: at info level vtcombo logs every stream and schema reload.
    # A 5-minute transaction timeout (30 s by default): the tests write a 1,000,000-row
    # transaction through VTGate, which on a loaded CI machine took longer than 30 s and
    # was rolled back by the tablet's transaction killer.
    printf 'exec "$(dirname "$0")/vtcombo.real" "$@" --enable-binlog-dump --binlog-dump-authorized-users=%% --queryserver-config-transaction-timeout 5m --log-format text --log-level warn'
    local a
    for a in "${VTCOMBO_EXTRA[@]}"; do printf ' %q' "$a"; done
    echo
  } >"$VTROOT/bin/vtcombo"
  chmod 755 "$VTROOT/bin/vtcombo"
  # --mysql-bind-host only moves vtgate's MySQL port; mysqld itself would listen on
  # every address.
  printf '[mysqld]\nbind-address = 127.0.0.1\n' >"$DIR/extra.cnf"
  chmod 644 "$DIR/extra.cnf"
  rm -rf "$SCHEMA"
  cp -r "$HERE/vitess/schema" "$SCHEMA"
  chmod -R a+rX "$SCHEMA"
  # A fresh data dir every start (vttestserver initialises it; see the header).
  rm -rf "$DATA" "$RUNHOME"
  mkdir -p "$DATA" "$RUNHOME"
  if [ "$(id -u)" = 0 ]; then
    chown "$RUN_USER:" "$DATA" "$RUNHOME"
  fi
}

start() {
  if running; then
    log "already running (pid $(cat "$PIDF")), vtgate MySQL 127.0.0.1:$(($(live_base) + 3))"
    print_env
    return 0
  fi
  ensure_packages mariadbd mariadb-install-db mariadb -- mariadb-server-core mariadb-client
  local t0; t0="$(now_ms)"
  build
  if [ -n "$(instance_pids)" ]; then
    log "stopping leftover processes of this instance: $(instance_pids | tr '\n' ' ')"
    terminate_instance 10
  fi
  local p
  for p in "$HTTP_PORT" "$GRPC_PORT" "$MYSQLD_PORT" "$MYSQL_PORT"; do
    port_open "$p" && die "127.0.0.1:$p is in use by another process (set SLUICE_VITESS_PORT_BASE)"
  done
  local t1; t1="$(now_ms)"
  prepare_instance
  rm -f "$PIDF"
  echo "$BASE" >"$PORTF"
  # The cluster is new each start: keep only the previous run's log.
  [ -f "$OUT" ] && mv -f "$OUT" "$OUT.prev"
  # Vitess refuses to run as root: drop to RUN_USER.
  local prefix=()
  if [ "$(id -u)" = 0 ]; then
    id -u "$RUN_USER" >/dev/null 2>&1 || die "no user $RUN_USER (set SLUICE_VITESS_USER)"
    prefix=(setpriv --reuid="$(id -u "$RUN_USER")" --regid="$(id -g "$RUN_USER")" --clear-groups)
  fi
  # vttestserver and mysqlctl write into their working directory.
  cd "$RUNHOME"
  # setsid + nohup: the cluster outlives the calling shell and its process group.
  # VT_MYSQL_ROOT=/usr: mysqlctl runs /usr/sbin/mysqld (-> mariadbd) and
  # /usr/bin/mysql_install_db from Debian's mariadb-server-core.
  setsid nohup "${prefix[@]}" env HOME="$RUNHOME" TMPDIR="$RUNHOME" \
    VTROOT="$VTROOT" VTDATAROOT="$DATA" VT_MYSQL_ROOT=/usr \
    "$VTROOT/bin/vttestserver" \
    --port "$BASE" \
    --keyspaces "$KEYSPACE,$KEYSPACE4" --num-shards 2,4 \
    --schema-dir "$SCHEMA" \
    --data-dir "$DATA" \
    --mysql-bind-host 127.0.0.1 \
    --extra-my-cnf "$DIR/extra.cnf" \
    --vtcombo-bind-host 127.0.0.1 \
    --grpc-bind-address 127.0.0.1 \
    --vschema-ddl-authorized-users % \
    --gateway-initial-tablet-timeout 5s \
    --log-format text --log-level warn \
    </dev/null >>"$OUT" 2>&1 &
  # setsid, nohup, setpriv and env exec into one another: this ends up as vttestserver.
  local launcher=$!
  echo "$launcher" >"$PIDF"
  local i
  for ((i = 0; i < 1200; i++)); do
    # kill -0, not running(): until the execs are done the command line is still ours.
    if ! kill -0 "$launcher" 2>/dev/null; then
      tail -40 "$OUT" >&2
      rm -f "$PIDF"
      terminate_instance 10
      die "vttestserver exited during startup (log: $OUT)"
    fi
    ready && break
    sleep 0.1
  done
  if [ "$i" -ge 1200 ]; then
    tail -40 "$OUT" >&2
    die "vitess not ready after 120s (log: $OUT); stop it with: $0 stop"
  fi
  running || die "pid $launcher in $PIDF is not vttestserver"
  local t2; t2="$(now_ms)"
  log "Vitess $VERSION up: keyspace $KEYSPACE shards $SHARDS, vtgate MySQL 127.0.0.1:$MYSQL_PORT, gRPC 127.0.0.1:$GRPC_PORT, mysqld 127.0.0.1:$MYSQLD_PORT (dir $DIR); ready in $((t2 - t0)) ms (cluster $((t2 - t1)) ms)"
  print_env
}

stop() {
  if running; then
    log "stopping vttestserver (pid $(cat "$PIDF")), vtcombo and mysqld"
  elif [ -n "$(instance_pids)" ]; then
    log "vttestserver is not running; stopping what is left of the instance"
  else
    rm -f "$PIDF"
    log "not running"
    return 0
  fi
  local t0; t0="$(now_ms)"
  terminate_instance 30
  rm -f "$PIDF"
  log "stopped in $(($(now_ms) - t0)) ms"
}

rss_mb() {
  local pids total=0 p kb
  pids="$(instance_pids)"
  for p in $pids; do
    kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)"
    total=$((total + ${kb:-0}))
  done
  echo "$((total / 1024))"
}

status() {
  if running; then
    echo "vitess[$NAME] running pid $(cat "$PIDF"), vtgate MySQL 127.0.0.1:$(($(live_base) + 3)) gRPC 127.0.0.1:$(($(live_base) + 1)), RSS $(rss_mb) MB (dir $DIR)"
  else
    echo "vitess[$NAME] stopped (dir $DIR)"
    return 3
  fi
}

wipe() {
  stop
  rm -rf "$DIR"
  log "wiped $DIR (binaries stay in $CACHE)"
}

client() {
  running || die "not running (start it with: $0 start)"
  exec mariadb --no-defaults -h 127.0.0.1 -P "$(($(live_base) + 3))" -u root "$KEYSPACE" "$@"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  wipe) wipe ;;
  build) build ;;
  env) print_env ;;
  client) client "$@" ;;
  *) echo "usage: $0 start|stop|status|wipe|build|env|client [args...]" >&2; exit 2 ;;
esac
