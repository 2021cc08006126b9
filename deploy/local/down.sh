#!/usr/bin/env bash
# Stops the local Kafka and MariaDB started by up.sh, and the schema registry
# (registry.sh) if it runs; data stays (the registry keeps none).
#   deploy/local/down.sh          # stop
#   deploy/local/down.sh --wipe   # stop and delete their data dirs (Kafka jars stay cached)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

action=stop
case "${1:-}" in
  "") ;;
  --wipe) action=wipe ;;
  *) echo "usage: $0 [--wipe]" >&2; exit 2 ;;
esac
rc=0
# The registry of this instance: without its own name, the one named as
# Kafka is, so that stopping a private instance (SLUICE_KAFKA_NAME=x) leaves
# the main registry running.
export SLUICE_REGISTRY_NAME="${SLUICE_REGISTRY_NAME:-${SLUICE_KAFKA_NAME:-main}}"
if "$HERE/registry.sh" status >/dev/null 2>&1; then
  "$HERE/registry.sh" "$action" >&2 || rc=$?
fi
"$HERE/kafka.sh" "$action" >&2 || rc=$?
"$HERE/mariadb.sh" "$action" >&2 || rc=$?
exit "$rc"
