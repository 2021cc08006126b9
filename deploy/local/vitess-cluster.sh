#!/usr/bin/env bash
# A private multi-process Vitess cluster on loopback, one that can change shape
# (Reshard, MoveTables), unlike vttestserver (deploy/local/vitess.sh):
#   etcd (topo), vtctld, one vttablet + mysqld (MariaDB via mysqlctl) per tablet, vtgate.
# Keyspace rs_keyspace is served by shard 0 (one PRIMARY tablet, uid 100). Tablets for
# shards -80 (uid 200) and 80- (uid 300) are started too, so that a test can Reshard
# 0 -> -80,80- without starting processes itself; they serve nothing until traffic is
# switched.
#
#   deploy/local/vitess-cluster.sh start|stop|status|env|add-keyspace|add-shards
#
# add-keyspace [NAME [UID]] adds an unsharded keyspace (default mt_source, shard 0,
# tablet uid 400) to a running cluster, for MoveTables; with the default name it
# prints SLUICE_TEST_VTCLUSTER_MT_KEYSPACE=mt_source. (MoveTables cannot switch
# traffic of rs_keyspace while its idle shards -80 and 80- exist: "mismatched
# shards for keyspace rs_keyspace: topo shards not in switch command".)
#
# add-shards KEYSPACE UID:SHARD... adds a PRIMARY tablet for each new shard (not
# serving until traffic is switched), for a second reshard into four shards.
#
# `start` prints KEY=VALUE lines for tests on stdout (also when already running), and
# returns once the cluster serves (no daemon keeps its stdout):
#   set -a; eval "$(deploy/local/vitess-cluster.sh start)"; set +a
# Messages for humans go to stderr.
#
# Environment (defaults):
#   SLUICE_LOCAL_DIR=/tmp/sluice-local     instance dir $SLUICE_LOCAL_DIR/vtcluster-$SLUICE_VTCLUSTER_NAME
#   SLUICE_VTCLUSTER_NAME=main
#   SLUICE_VTCLUSTER_PORT_BASE=27000       etcd BASE (peer BASE+1), vtctld http BASE+2 gRPC BASE+3,
#                                          vtgate http BASE+4 gRPC BASE+5 MySQL BASE+6;
#                                          tablet uid U: http BASE+U/10, gRPC +1, mysqld +2
#                                          (uid 100: BASE+10..12, 200: BASE+20.., 300: BASE+30..)
#   SLUICE_VITESS_VERSION=v0.24.0          binaries from deploy/local/vitess.sh build
#   SLUICE_VITESS_USER=nobody              who runs the cluster when this script runs as root
#
# Every start begins from empty data. status exits 0 when running, 3 when stopped.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
. "$HERE/common.sh"

NAME="${SLUICE_VTCLUSTER_NAME:-main}"
BASE="${SLUICE_VTCLUSTER_PORT_BASE:-27000}"
VERSION="${SLUICE_VITESS_VERSION:-v0.24.0}"
RUN_USER="${SLUICE_VITESS_USER:-nobody}"
export LOG_TAG="vtcluster[$NAME]"

KEYSPACE=rs_keyspace
MT_KEYSPACE=mt_source # add-keyspace
CELL=zone1
CACHE="$SLUICE_CACHE_DIR/vitess-$VERSION-p1"
DIR="$SLUICE_LOCAL_DIR/vtcluster-$NAME"
VTROOT="$DIR/vtroot"
DATA="$DIR/data"
ETCD_DATA="$DIR/etcd"
LOGS="$DIR/logs"
PORTF="$DIR/port-base"
# uid:shard of every tablet; all start as PRIMARY candidates of their shard.
TABLETS=("100:0" "200:-80" "300:80-")

live_base() {
  local p
  p="$(cat "$PORTF" 2>/dev/null || true)"
  echo "${p:-$BASE}"
}

set_ports() {
  local b="$1"
  ETCD_PORT="$b"
  ETCD_PEER_PORT="$((b + 1))"
  VTCTLD_HTTP="$((b + 2))"
  VTCTLD_GRPC="$((b + 3))"
  VTGATE_HTTP="$((b + 4))"
  VTGATE_GRPC="$((b + 5))"
  VTGATE_MYSQL="$((b + 6))"
}
set_ports "$BASE"

# tablet_ports UID: sets T_HTTP, T_GRPC, T_MYSQL (uid 100 -> BASE+10.., 200 -> BASE+20..).
tablet_ports() {
  local b; b="$(live_base)"
  local o=$(($1 / 10))
  T_HTTP=$((b + o))
  T_GRPC=$((b + o + 1))
  T_MYSQL=$((b + o + 2))
}

topo_flags() {
  echo "--topo-implementation etcd2 --topo-global-server-address 127.0.0.1:$ETCD_PORT --topo-global-root /vitess/global"
}

print_env() {
  set_ports "$(live_base)"
  echo "SLUICE_TEST_VTCLUSTER_GRPC=127.0.0.1:$VTGATE_GRPC"
  echo "SLUICE_TEST_VTCLUSTER_MYSQL=127.0.0.1:$VTGATE_MYSQL"
  echo "SLUICE_TEST_VTCLUSTER_VTCTLD=127.0.0.1:$VTCTLD_GRPC"
  echo "SLUICE_TEST_VTCLUSTER_VTCTLDCLIENT=$VTROOT/bin/vtctldclient"
  echo "SLUICE_TEST_VTCLUSTER_KEYSPACE=$KEYSPACE"
}

# Processes of this instance: the Vitess binaries run from its VTROOT, mysqld from its
# data dir, etcd with its data dir.
instance_pids() {
  pgrep -f -- "^($(ere_escape "$VTROOT/bin/")|[^ ]*mysqld .*$(ere_escape "$DATA/")|[^ ]*etcd .*$(ere_escape "$ETCD_DATA"))" || true
}

terminate_pids() {
  local grace="$1" pids i
  shift
  pids="$*"
  [ -n "${pids// /}" ] || return 0
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    local alive=0 p
    for p in $pids; do [ -d "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.1
  done
  log "killing what did not stop within $grace s: $pids"
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
  sleep 0.2
}

running() {
  [ -f "$PORTF" ] || return 1
  set_ports "$(live_base)"
  port_open "$VTGATE_GRPC" && port_open "$ETCD_PORT" && [ -n "$(instance_pids)" ]
}

# as_user CMD...: run CMD as RUN_USER (when root) with the cluster's environment.
as_user() {
  local prefix=()
  if [ "$(id -u)" = 0 ]; then
    prefix=(setpriv --reuid="$(id -u "$RUN_USER")" --regid="$(id -g "$RUN_USER")" --clear-groups)
  fi
  "${prefix[@]}" env HOME="$DIR/home" TMPDIR="$DIR/home" VTROOT="$VTROOT" VTDATAROOT="$DATA" \
    VT_MYSQL_ROOT=/usr EXTRA_MY_CNF="$DIR/extra.cnf" "$@"
}

# bg NAME CMD...: start CMD as RUN_USER in the background, detached from this shell,
# its output in $LOGS/NAME.log.
bg() {
  local name="$1"
  shift
  # exec, not a redirection of the function call: bash keeps a copy of the caller's
  # stdout while a redirected function runs, and a $(...) reading this script's
  # output would then wait for the daemon to exit.
  (
    exec </dev/null >>"$LOGS/$name.log" 2>&1
    cd "$DIR/home" && as_user setsid nohup "$@" &
  )
}

vtctl() {
  as_user "$VTROOT/bin/vtctldclient" --server "127.0.0.1:$VTCTLD_GRPC" "$@"
}

# wait_http WHAT PORT LOG: until the process answers on PORT; dies with LOG's tail when
# it does not within 120 s or no longer runs (a failed Init exits).
wait_http() {
  local what="$1" port="$2" out="$3" i
  for ((i = 0; i < 1200; i++)); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/debug/status" 2>/dev/null && return 0
    if [ $((i % 10)) = 9 ] && ! pgrep -f -- "^$(ere_escape "$VTROOT/bin/${what%% *}") .*--port $port " >/dev/null; then
      tail -20 "$out" >&2
      die "$what exited during startup (log: $out)"
    fi
    sleep 0.1
  done
  die "$what not up on 127.0.0.1:$port after 120 s (logs: $LOGS)"
}

prepare_instance() {
  rm -rf "$DIR"
  mkdir -p "$VTROOT/bin" "$DATA" "$ETCD_DATA" "$LOGS" "$DIR/home"
  local b
  for b in vtctld vttablet vtgate vtctldclient mysqlctl; do
    ln -f "$CACHE/bin/$b" "$VTROOT/bin/$b" 2>/dev/null || cp -f "$CACHE/bin/$b" "$VTROOT/bin/$b"
  done
  cp -r "$CACHE/config" "$VTROOT/config"
  # MariaDB: no super_read_only, no semisync_master.so plugin (built in since 10.3);
  # test-suite.cnf (patched by vitess.sh build) carries both fixes and small buffers.
  {
    cat "$VTROOT/config/mycnf/test-suite.cnf"
    echo 'bind-address = 127.0.0.1'
  } >"$DIR/extra.cnf"
  chmod -R a+rX "$DIR"
  if [ "$(id -u)" = 0 ]; then
    id -u "$RUN_USER" >/dev/null 2>&1 || die "no user $RUN_USER (set SLUICE_VITESS_USER)"
    chown -R "$RUN_USER:" "$DATA" "$ETCD_DATA" "$LOGS" "$DIR/home"
  fi
}

# init_mysqld UID: a new mysqld for tablet UID (mysqlctl init), output in the log.
init_mysqld() {
  local uid="$1"
  tablet_ports "$uid"
  exec </dev/null >>"$LOGS/mysqlctl-$uid.log" 2>&1
  as_user "$VTROOT/bin/mysqlctl" --tablet-uid "$uid" --mysql-port "$T_MYSQL" \
    --init-db-sql-file "$VTROOT/config/init_db.sql" --log-format text --log-level warn init
}

# start_vttablet UID KEYSPACE SHARD: the tablet in the background (a replica
# until a PlannedReparentShard makes it primary).
start_vttablet() {
  local uid="$1" ks="$2" shard="$3" alias TOPO
  read -r -a TOPO <<<"$(topo_flags)"
  tablet_ports "$uid"
  printf -v alias '%s-%010d' "$CELL" "$uid"
  bg "vttablet-$uid" "$VTROOT/bin/vttablet" "${TOPO[@]}" --tablet-path "$alias" --tablet-hostname 127.0.0.1 \
    --init-keyspace "$ks" --init-shard "$shard" --init-tablet-type replica \
    --health-check-interval 2s --heartbeat-on-demand-duration=5s \
    --backup-storage-implementation file --file-backup-storage-root "$DATA/backups" \
    --port "$T_HTTP" --grpc-port "$T_GRPC" --bind-address 127.0.0.1 --grpc-bind-address 127.0.0.1 \
    --mycnf-file "$DATA/$(printf 'vt_%010d' "$uid")/my.cnf" \
    --service-map 'grpc-queryservice,grpc-tabletmanager,grpc-updatestream' \
    --log-format text --log-level warn
}

# wait_serving KEYSPACE: until vtgate sees a serving PRIMARY of KEYSPACE/0 and
# routes to the shard (SHOW VITESS_SHARDS, from the serving graph, can come a
# few seconds after the tablet's health) (120 s).
wait_serving() {
  local ks="$1" i
  for ((i = 0; i < 600; i++)); do
    mariadb --no-defaults -h 127.0.0.1 -P "$VTGATE_MYSQL" -u root --connect-timeout=2 -N \
      -e 'SHOW VITESS_TABLETS' 2>/dev/null | grep -qE "[[:space:]]${ks}[[:space:]]+0[[:space:]]+PRIMARY[[:space:]]+SERVING" &&
      mariadb --no-defaults -h 127.0.0.1 -P "$VTGATE_MYSQL" -u root --connect-timeout=2 -N \
        -e 'SHOW VITESS_SHARDS' 2>/dev/null | grep -qx "$ks/0" && return 0
    sleep 0.2
  done
  tail -30 "$LOGS/vtgate.log" >&2
  die "vtgate does not see a serving primary of $ks/0 (logs: $LOGS)"
}

# (vtgate reads new tablets from the topo every --tablet-refresh-interval: 2 s
# here, not the 1 min default, which made add-keyspace take ~60 s.)
# add_keyspace [NAME [UID]]: keyspace NAME (mt_source) unsharded, shard 0, its
# PRIMARY tablet UID (400), on the running cluster: the other side of a
# MoveTables. Not part of start, which stays quick for the tests that need
# rs_keyspace only. Nothing happens when the keyspace exists.
add_keyspace() {
  running || die "not running: start the cluster first"
  set_ports "$(live_base)"
  local ks="${1:-$MT_KEYSPACE}" uid="${2:-400}" alias t0
  [[ "$uid" =~ ^[1-9][0-9]*00$ ]] || die "tablet uid $uid: use a multiple of 100 (ports BASE+uid/10..+2)"
  t0="$(now_ms)"
  printf -v alias '%s-%010d' "$CELL" "$uid"
  if ! vtctl GetKeyspace "$ks" >/dev/null 2>&1; then
    vtctl CreateKeyspace --durability-policy=none "$ks" >>"$LOGS/setup.log" 2>&1 ||
      { tail -20 "$LOGS/setup.log" >&2; die "CreateKeyspace $ks failed"; }
    vtctl CreateShard "$ks/0" >>"$LOGS/setup.log" 2>&1 ||
      { tail -20 "$LOGS/setup.log" >&2; die "CreateShard $ks/0 failed"; }
    (init_mysqld "$uid") || { tail -30 "$LOGS/mysqlctl-$uid.log" >&2; die "mysqlctl init failed (logs: $LOGS)"; }
    start_vttablet "$uid" "$ks" 0
    tablet_ports "$uid"
    wait_http "vttablet $uid" "$T_HTTP" "$LOGS/vttablet-$uid.log"
    vtctl PlannedReparentShard --new-primary "$alias" "$ks/0" >>"$LOGS/setup.log" 2>&1 ||
      { tail -30 "$LOGS/setup.log" >&2; die "PlannedReparentShard $ks/0 failed (logs: $LOGS)"; }
    vtctl ApplyVSchema --vschema '{"sharded": false}' "$ks" >>"$LOGS/setup.log" 2>&1 ||
      { tail -20 "$LOGS/setup.log" >&2; die "ApplyVSchema $ks failed"; }
    vtctl RebuildKeyspaceGraph "$ks" >>"$LOGS/setup.log" 2>&1 ||
      { tail -20 "$LOGS/setup.log" >&2; die "RebuildKeyspaceGraph $ks failed"; }
  fi
  wait_serving "$ks"
  log "keyspace $ks served (tablet $uid) in $(($(now_ms) - t0)) ms"
  [ "$ks" = "$MT_KEYSPACE" ] && echo "SLUICE_TEST_VTCLUSTER_MT_KEYSPACE=$ks"
  return 0
}

# tablets_up KEYSPACE UID:SHARD...: creates each shard in the topo (in the
# order given: a shard that overlaps a serving one is created not serving),
# a mysqld for each tablet (in parallel), its vttablet, and makes it the
# PRIMARY of its shard (no vtorc here).
tablets_up() {
  local ks="$1" t uid shard alias p pids=()
  shift
  for t in "$@"; do
    vtctl CreateShard "$ks/${t#*:}" >>"$LOGS/setup.log" 2>&1 ||
      { tail -20 "$LOGS/setup.log" >&2; die "CreateShard $ks/${t#*:} failed"; }
  done
  for t in "$@"; do
    init_mysqld "${t%%:*}" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do
    wait "$p" || { tail -n 30 "$LOGS"/mysqlctl-*.log >&2; die "mysqlctl init failed (logs: $LOGS)"; }
  done
  log "mysqld x$# up"
  for t in "$@"; do
    start_vttablet "${t%%:*}" "$ks" "${t#*:}"
  done
  for t in "$@"; do
    tablet_ports "${t%%:*}"
    wait_http "vttablet ${t%%:*}" "$T_HTTP" "$LOGS/vttablet-${t%%:*}.log"
  done
  for t in "$@"; do
    uid="${t%%:*}"
    shard="${t#*:}"
    printf -v alias '%s-%010d' "$CELL" "$uid"
    vtctl PlannedReparentShard --new-primary "$alias" "$ks/$shard" >>"$LOGS/setup.log" 2>&1 ||
      { tail -30 "$LOGS/setup.log" >&2; die "PlannedReparentShard $ks/$shard failed (logs: $LOGS)"; }
  done
}

# add_shards KEYSPACE UID:SHARD...: tablets for new shards of a keyspace on
# the running cluster, serving nothing until a Reshard switches traffic to
# them: the targets of a second reshard (-80,80- into four:
# add-shards rs_keyspace 600:-40 700:40-80 800:80-c0 900:c0-). Shards that
# exist already are left as they are.
add_shards() {
  running || die "not running: start the cluster first"
  set_ports "$(live_base)"
  local ks="${1:-}" t todo=() t0
  [ $# -ge 2 ] || die "usage: add-shards KEYSPACE UID:SHARD... (e.g. $KEYSPACE 600:-40 700:40-80)"
  shift
  t0="$(now_ms)"
  for t in "$@"; do
    [[ "$t" =~ ^[1-9][0-9]*00:[0-9a-f]*-[0-9a-f]*$ ]] ||
      die "$t: want UID:SHARD with a uid a multiple of 100 (ports BASE+uid/10..+2) and a key range, e.g. 600:-40"
    vtctl GetShard "$ks/${t#*:}" >/dev/null 2>&1 && continue
    todo+=("$t")
  done
  [ ${#todo[@]} -gt 0 ] && tablets_up "$ks" "${todo[@]}"
  log "shards of $ks ready in $(($(now_ms) - t0)) ms: ${*}"
}

start() {
  if running; then
    log "already running, vtgate gRPC 127.0.0.1:$VTGATE_GRPC"
    print_env
    return 0
  fi
  ensure_packages mariadbd mariadb -- mariadb-server-core mariadb-client
  ensure_packages etcd -- etcd-server
  [ -x "$CACHE/bin/vttablet" ] || "$HERE/vitess.sh" build
  local t0; t0="$(now_ms)"
  if [ -n "$(instance_pids)" ]; then
    log "stopping leftover processes of this instance"
    terminate_pids 10 "$(instance_pids | tr '\n' ' ')"
  fi
  set_ports "$BASE"
  local p
  for p in "$ETCD_PORT" "$ETCD_PEER_PORT" "$VTCTLD_HTTP" "$VTCTLD_GRPC" "$VTGATE_HTTP" "$VTGATE_GRPC" "$VTGATE_MYSQL"; do
    port_open "$p" && die "127.0.0.1:$p is in use (set SLUICE_VTCLUSTER_PORT_BASE)"
  done
  prepare_instance
  echo "$BASE" >"$PORTF"
  local TOPO; read -r -a TOPO <<<"$(topo_flags)"

  log "etcd on 127.0.0.1:$ETCD_PORT"
  bg etcd etcd --name vtc --data-dir "$ETCD_DATA" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "vtc=http://127.0.0.1:$ETCD_PEER_PORT" --log-level warn
  local i
  for ((i = 0; i < 300; i++)); do
    curl -fsS "http://127.0.0.1:$ETCD_PORT/health" 2>/dev/null | grep -q true && break
    sleep 0.1
  done
  [ "$i" -lt 300 ] || { tail -20 "$LOGS/etcd.log" >&2; die "etcd not up"; }
  as_user "$VTROOT/bin/vtctldclient" --server internal "${TOPO[@]}" AddCellInfo \
    --root "/vitess/$CELL" --server-address "127.0.0.1:$ETCD_PORT" "$CELL" >>"$LOGS/setup.log" 2>&1 ||
    { tail -20 "$LOGS/setup.log" >&2; die "AddCellInfo failed"; }

  log "vtctld on 127.0.0.1:$VTCTLD_GRPC"
  bg vtctld "$VTROOT/bin/vtctld" "${TOPO[@]}" --cell "$CELL" --service-map 'grpc-vtctl,grpc-vtctld' \
    --backup-storage-implementation file --file-backup-storage-root "$DATA/backups" \
    --port "$VTCTLD_HTTP" --grpc-port "$VTCTLD_GRPC" --bind-address 127.0.0.1 --grpc-bind-address 127.0.0.1 \
    --log-format text --log-level warn
  wait_http vtctld "$VTCTLD_HTTP" "$LOGS/vtctld.log"
  # No semi-sync (durability none): one tablet per shard, and MariaDB's semisync differs.
  vtctl CreateKeyspace --durability-policy=none "$KEYSPACE" >>"$LOGS/setup.log" 2>&1 ||
    { tail -20 "$LOGS/setup.log" >&2; die "CreateKeyspace failed"; }
  # Shard 0 first: -80 and 80- overlap it and so are created not serving (a tablet
  # that creates its shard would race with that).
  tablets_up "$KEYSPACE" "${TABLETS[@]}"
  vtctl ApplyVSchema --vschema '{"sharded": false}' "$KEYSPACE" >>"$LOGS/setup.log" 2>&1 ||
    { tail -20 "$LOGS/setup.log" >&2; die "ApplyVSchema failed"; }
  vtctl RebuildKeyspaceGraph "$KEYSPACE" >>"$LOGS/setup.log" 2>&1 ||
    { tail -20 "$LOGS/setup.log" >&2; die "RebuildKeyspaceGraph failed"; }

  log "vtgate on 127.0.0.1:$VTGATE_GRPC (MySQL $VTGATE_MYSQL)"
  # --gateway-initial-tablet-timeout 3s: at startup vtgate waits for a healthy
  # PRIMARY of every shard, and -80 and 80- serve nothing until a reshard, so it
  # waited out the whole 30 s default on every start ("Timeout waiting for all
  # keyspaces / shards to have healthy tablets"). wait_serving below is what
  # says the cluster is up.
  bg vtgate "$VTROOT/bin/vtgate" "${TOPO[@]}" --cell "$CELL" --cells-to-watch "$CELL" \
    --tablet-types-to-wait PRIMARY --gateway-initial-tablet-timeout 3s \
    --service-map 'grpc-vtgateservice' --tablet-refresh-interval 2s \
    --port "$VTGATE_HTTP" --grpc-port "$VTGATE_GRPC" --bind-address 127.0.0.1 --grpc-bind-address 127.0.0.1 \
    --mysql-server-port "$VTGATE_MYSQL" --mysql-server-bind-address 127.0.0.1 \
    --mysql-server-socket-path "$DIR/home/vtgate.sock" --mysql-auth-server-impl none \
    --enable-buffer --vschema-ddl-authorized-users % \
    --enable-binlog-dump --binlog-dump-authorized-users % \
    --log-format text --log-level warn
  wait_http vtgate "$VTGATE_HTTP" "$LOGS/vtgate.log"
  wait_serving "$KEYSPACE"
  log "up in $(($(now_ms) - t0)) ms: keyspace $KEYSPACE shard 0 served; tablets for -80 and 80- ready (dir $DIR)"
  print_env
}

stop() {
  if [ -z "$(instance_pids)" ]; then
    log "not running"
    return 0
  fi
  local t0; t0="$(now_ms)"
  # vtgate and the tablets first, then mysqld, then etcd.
  terminate_pids 20 "$(pgrep -f -- "^$(ere_escape "$VTROOT/bin/")(vtgate|vttablet|vtctld) " | tr '\n' ' ')"
  terminate_pids 30 "$(pgrep -f -- "^[^ ]*mysqld .*$(ere_escape "$DATA/")" | tr '\n' ' ')"
  terminate_pids 10 "$(instance_pids | tr '\n' ' ')"
  log "stopped in $(($(now_ms) - t0)) ms"
}

status() {
  if running; then
    local served
    served="$(mariadb --no-defaults -h 127.0.0.1 -P "$VTGATE_MYSQL" -u root --connect-timeout=2 -N \
      -e 'SHOW VITESS_SHARDS' 2>/dev/null | tr '\n' ' ')"
    echo "vtcluster[$NAME] running, vtgate gRPC 127.0.0.1:$VTGATE_GRPC MySQL 127.0.0.1:$VTGATE_MYSQL, $(instance_pids | wc -l) processes, serving: ${served:-?} (dir $DIR)"
  else
    echo "vtcluster[$NAME] stopped (dir $DIR)"
    return 3
  fi
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) print_env ;;
  add-keyspace) add_keyspace "$@" ;;
  add-shards) add_shards "$@" ;;
  *) echo "usage: $0 start|stop|status|env|add-keyspace [NAME [UID]]|add-shards KEYSPACE UID:SHARD..." >&2; exit 2 ;;
esac
