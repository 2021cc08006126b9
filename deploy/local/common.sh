# shellcheck shell=bash
# Helpers shared by mariadb.sh and kafka.sh. Sourced, not run.
# Human-readable messages go to stderr; stdout is kept for machine-readable output.

SLUICE_LOCAL_DIR="${SLUICE_LOCAL_DIR:-/tmp/sluice-local}"
SLUICE_CACHE_DIR="${SLUICE_CACHE_DIR:-${HOME:-/root}/.cache/sluice}"
# mariadbd lives in /usr/sbin, which a non-login PATH may lack.
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

log() { printf '%s: %s\n' "${LOG_TAG:-local}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ensure_packages CMD... -- PKG...
# Installs the Debian packages when any of the commands is missing.
ensure_packages() {
  local cmds=() pkgs=() missing=0
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do cmds+=("$1"); shift; done
  shift
  pkgs=("$@")
  local c
  for c in "${cmds[@]}"; do command -v "$c" >/dev/null 2>&1 || missing=1; done
  [ "$missing" = 0 ] && return 0
  log "installing ${pkgs[*]} (missing: ${cmds[*]})"
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "need root or sudo to apt-get install ${pkgs[*]}"
    sudo=(sudo)
  fi
  # test.sh starts servers side by side: one apt-get at a time (dpkg's own
  # lock fails the second instead of waiting), and what the other installed
  # is not installed again.
  mkdir -p "$SLUICE_CACHE_DIR"
  (
    flock 8
    missing=0
    for c in "${cmds[@]}"; do command -v "$c" >/dev/null 2>&1 || missing=1; done
    [ "$missing" = 0 ] && exit 0
    "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -q >&2
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -q "${pkgs[@]}" >&2
  ) 8>"$SLUICE_CACHE_DIR/apt.lock"
  for c in "${cmds[@]}"; do command -v "$c" >/dev/null 2>&1 || die "$c still missing after installing ${pkgs[*]}"; done
}

# pid_alive PIDFILE MARKER: true when the pid in PIDFILE runs and its command line
# contains MARKER (guards against a stale pid file whose pid was reused).
pid_alive() {
  local pidfile="$1" marker="$2" pid
  [ -s "$pidfile" ] || return 1
  pid="$(cat "$pidfile" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker"
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# stop_pid PIDFILE MARKER NAME TIMEOUT_S: SIGTERM, wait, then SIGKILL.
stop_pid() {
  local pidfile="$1" marker="$2" name="$3" timeout="${4:-60}" pid i
  if ! pid_alive "$pidfile" "$marker"; then
    rm -f "$pidfile"
    log "$name is not running"
    return 0
  fi
  pid="$(cat "$pidfile")"
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    [ -d "/proc/$pid" ] || break
    # a zombie (not reaped yet) counts as gone
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && break
    sleep 0.1
  done
  if [ -d "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then
    log "$name did not stop within ${timeout}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$pidfile"
  log "$name stopped"
}

# wait_started WHAT LOGFILE PIDFILE: waits up to 120 s for the calling
# script's `ready` while its `running` holds, and dies with the log's tail
# when the process exits or never gets ready.
wait_started() {
  local what="$1" out="$2" pidf="$3" i
  for ((i = 0; i < 1200; i++)); do
    if ! running; then
      tail -40 "$out" >&2
      rm -f "$pidf"
      die "$what exited during startup (log: $out)"
    fi
    ready && return 0
    sleep 0.1
  done
  tail -40 "$out" >&2
  die "$what not ready after 120s (log: $out)"
}

# Milliseconds since the epoch, for the timing lines.
now_ms() { date +%s%3N; }
