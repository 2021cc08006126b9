# shellcheck shell=bash
# Helpers shared by the start scripts. Sourced, not run.
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

# ere_escape STRING: STRING as an extended regex that matches it literally (for pgrep -f).
ere_escape() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'; }

# detach PIDFILE MARKER LOGFILE CMD...: starts CMD in a session of its own (it
# outlives the calling shell and its process group), output appended to
# LOGFILE, and writes to PIDFILE the pid whose command line holds MARKER once
# setsid and nohup have exec'd into CMD. $! is not that pid to check at once:
# until the exec the child's command line is still this script's (a CI run
# lost the registry to that window: "exited during startup" while it was
# starting), and setsid forks when it leads a process group, leaving $! to exit.
detach() {
  local pidf="$1" marker="$2" out="$3" launcher p arg0 i re before gone=0
  shift 3
  re="$(ere_escape "$marker")"
  rm -f "$pidf"
  # An older process with the marker (one a failed run left behind) is not ours.
  before=" $( (pgrep -f -- "$re" || true) | tr '\n' ' ')"
  setsid nohup "$@" </dev/null >>"$out" 2>&1 &
  launcher=$!
  for ((i = 0; i < 600; i++)); do
    for p in $(pgrep -f -- "$re" || true); do
      [[ "$before" == *" $p "* ]] && continue
      arg0="$(tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | head -1)"
      case "${arg0##*/}" in '' | setsid | nohup) continue ;; esac
      echo "$p" >"$pidf"
      return 0
    done
    # The launcher gone and still no new process with the marker a second
    # later: CMD failed to start or exited at once.
    if ! kill -0 "$launcher" 2>/dev/null; then
      ((gone++ < 20)) || return 1
    fi
    sleep 0.05
  done
  return 1
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

# warn_low_disk DIR: a warning when the filesystem holding DIR has less
# than 5 GiB free. The local servers keep their data dirs across runs (a
# suite run adds about 3 GB to Kafka's); a full disk stops the broker in the
# middle of a run, and every test after it fails with "connection refused".
warn_low_disk() {
  local dir="$1" free
  mkdir -p "$dir"
  free="$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')"
  if [ -n "$free" ] && [ "$free" -lt $((5 * 1024 * 1024)) ]; then
    log "warning: only $((free / 1024)) MiB free where $dir is ($(du -sh "$dir" 2>/dev/null | cut -f1) there); a full disk stops the servers mid-run: free space, or wipe the local servers' data with deploy/local/down.sh --wipe"
  fi
}
