#!/usr/bin/env bash
# A private MariaDB 10.11 on loopback, set up as a CDC source (row binlog, GTIDs).
#
#   deploy/local/mariadb.sh start|stop|status|wipe|client [mariadb client args...]
#
# Environment (defaults):
#   SLUICE_LOCAL_DIR=/tmp/sluice-local   instance dir is $SLUICE_LOCAL_DIR/mariadb-$SLUICE_MARIADB_NAME
#   SLUICE_MARIADB_NAME=main
#   SLUICE_MARIADB_PORT=23306            bound to 127.0.0.1 only
#   SLUICE_MARIADB_ARGS=                 extra mariadbd args, e.g. "--binlog-format=STATEMENT"
#
# Accounts: root@localhost (socket, no password; used by `client`),
#           root/root over TCP (ALL, WITH GRANT OPTION),
#           sluice/sluice (replication + read privileges).
# status exits 0 when running, 3 when stopped.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
. "$HERE/common.sh"

NAME="${SLUICE_MARIADB_NAME:-main}"
PORT="${SLUICE_MARIADB_PORT:-23306}"
LOG_TAG="mariadb[$NAME]"
DIR="$SLUICE_LOCAL_DIR/mariadb-$NAME"
DATA="$DIR/data"
SOCK="$DIR/mariadb.sock"
PIDF="$DIR/mariadb.pid"
CNF="$DIR/my.cnf"
ERRLOG="$DIR/mariadb.err"
OUT="$DIR/mariadbd.out"
INITIALIZED="$DIR/.initialized"

read -r -a EXTRA_ARGS <<<"${SLUICE_MARIADB_ARGS:-}"

ensure_mariadb() {
  ensure_packages mariadbd mariadb-install-db mariadb mariadb-admin -- mariadb-server-core mariadb-client
}

write_cnf() {
  mkdir -p "$DIR"
  cat >"$CNF" <<EOF
# Written by deploy/local/mariadb.sh on every start; edits are lost.
[mariadbd]
user                      = root
datadir                   = $DATA
socket                    = $SOCK
pid-file                  = $PIDF
log-error                 = $ERRLOG
port                      = $PORT
bind-address              = 127.0.0.1
skip-name-resolve
skip-external-locking

server-id                 = 1
log-bin                   = $DATA/mariadb-bin
log-bin-index             = $DATA/mariadb-bin.index
binlog-format             = ROW
binlog-row-image          = FULL
binlog-row-metadata       = FULL
log-slave-updates
gtid-strict-mode          = ON
gtid-domain-id            = 0

character-set-server      = utf8mb4
collation-server          = utf8mb4_general_ci
max-allowed-packet        = 64M
max-connections           = 200

innodb-buffer-pool-size   = 256M
innodb-log-file-size      = 128M
innodb-log-buffer-size    = 16M
# Commits reach the OS at once (survive a killed mariadbd), fsync once a second.
innodb-flush-log-at-trx-commit = 2
sync-binlog               = 0
performance-schema        = OFF
key-buffer-size           = 8M
table-open-cache          = 1000

[client]
socket                    = $SOCK
default-character-set     = utf8mb4
EOF
}

running() { pid_alive "$PIDF" "$CNF"; }

# The port the instance was started with (from its my.cnf), else the configured one.
live_port() {
  local p
  p="$(sed -n 's/^port *= *\([0-9]*\)$/\1/p' "$CNF" 2>/dev/null | head -1)"
  echo "${p:-$PORT}"
}


install_db() {
  [ -d "$DATA/mysql" ] && return 0
  log "initializing datadir $DATA"
  rm -rf "$DATA"
  mkdir -p "$DATA"
  if ! mariadb-install-db --defaults-file="$CNF" --user=root --datadir="$DATA" \
      --auth-root-authentication-method=normal --skip-test-db \
      >"$DIR/install-db.log" 2>&1; then
    tail -30 "$DIR/install-db.log" >&2
    rm -rf "$DATA"
    die "mariadb-install-db failed (log: $DIR/install-db.log)"
  fi
  rm -f "$INITIALIZED"
}

# Accounts, created once, kept out of the binlog so a fresh instance has an empty
# @@gtid_binlog_pos.
init_accounts() {
  [ -f "$INITIALIZED" ] && return 0
  log "creating accounts root/root (TCP) and sluice/sluice"
  # --defaults-file first: read only our [client] group, never /etc/mysql.
  mariadb --defaults-file="$CNF" -uroot <<'SQL'
SET SESSION sql_log_bin = 0;
-- anonymous and host-named accounts that mariadb-install-db may create
DELETE FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host NOT IN ('localhost', '127.0.0.1'));
DELETE FROM mysql.proxies_priv WHERE Host <> 'localhost';
FLUSH PRIVILEGES;
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';
CREATE USER IF NOT EXISTS 'root'@'%';
ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY 'root';
ALTER USER 'root'@'%' IDENTIFIED BY 'root';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS 'sluice'@'%' IDENTIFIED BY 'sluice';
CREATE USER IF NOT EXISTS 'sluice'@'localhost' IDENTIFIED BY 'sluice';
CREATE USER IF NOT EXISTS 'sluice'@'127.0.0.1' IDENTIFIED BY 'sluice';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR
  ON *.* TO 'sluice'@'%', 'sluice'@'localhost', 'sluice'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
  touch "$INITIALIZED"
}

start() {
  if running; then
    log "already running (pid $(cat "$PIDF")) on 127.0.0.1:$(live_port)"
    return 0
  fi
  ensure_mariadb
  if port_open "$PORT"; then
    die "127.0.0.1:$PORT is in use by another process (set SLUICE_MARIADB_PORT)"
  fi
  local t0; t0="$(now_ms)"
  write_cnf
  install_db
  rm -f "$PIDF" "$SOCK"
  # setsid + nohup: the server outlives the calling shell and its process group.
  setsid nohup mariadbd --defaults-file="$CNF" "${EXTRA_ARGS[@]}" </dev/null >>"$OUT" 2>&1 &
  local launcher=$! i
  for ((i = 0; i < 600; i++)); do
    if ! kill -0 "$launcher" 2>/dev/null && ! running; then
      tail -40 "$ERRLOG" >&2 2>/dev/null || true
      tail -10 "$OUT" >&2 || true
      die "mariadbd exited during startup (log: $ERRLOG)"
    fi
    if [ -S "$SOCK" ] && mariadb-admin --defaults-file="$CNF" -uroot --connect-timeout=1 ping >/dev/null 2>&1; then
      break
    fi
    sleep 0.1
  done
  [ "$i" -lt 600 ] || die "mariadbd not ready after 60s (log: $ERRLOG)"
  # mariadbd writes its own pid file; fall back to the launcher's pid.
  [ -s "$PIDF" ] || echo "$launcher" >"$PIDF"
  init_accounts
  log "listening on 127.0.0.1:$PORT (socket $SOCK, dir $DIR), ready in $(($(now_ms) - t0)) ms"
}

stop() { stop_pid "$PIDF" "$CNF" "mariadbd" 120; }

status() {
  if running; then
    echo "mariadb[$NAME] running pid $(cat "$PIDF") on 127.0.0.1:$(live_port) (dir $DIR)"
  else
    echo "mariadb[$NAME] stopped (dir $DIR)"
    return 3
  fi
}

wipe() {
  stop
  rm -rf "$DIR"
  log "wiped $DIR"
}

client() {
  running || die "not running (start it with: $0 start)"
  exec mariadb --defaults-file="$CNF" -uroot "$@"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  wipe) wipe ;;
  client) client "$@" ;;
  *) echo "usage: $0 start|stop|status|wipe|client [args...]" >&2; exit 2 ;;
esac
