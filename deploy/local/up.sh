#!/usr/bin/env bash
# Starts the local MariaDB and Kafka (see mariadb.sh, kafka.sh) and prints, on
# stdout only, KEY=VALUE lines for tests:
#   set -a; eval "$(deploy/local/up.sh)"; set +a      # or: export $(deploy/local/up.sh)
# Progress messages go to stderr. Idempotent: servers already running are left as they are.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

"$HERE/mariadb.sh" start >&2
"$HERE/kafka.sh" start >&2

echo "SLUICE_BOOTSTRAP_SERVERS=127.0.0.1:${SLUICE_KAFKA_PORT:-29092}"
echo "SLUICE_TEST_MYSQL_ADDR=127.0.0.1:${SLUICE_MARIADB_PORT:-23306}"
echo "SLUICE_TEST_MYSQL_ROOT_PASSWORD=root"
# The broker's secure listeners and the test CA (kafka.sh).
echo "SLUICE_TEST_KAFKA_SASL=127.0.0.1:${SLUICE_KAFKA_SASL_PORT:-29094}"
echo "SLUICE_TEST_KAFKA_SSL=127.0.0.1:${SLUICE_KAFKA_SSL_PORT:-29095}"
echo "SLUICE_TEST_KAFKA_SASL_SSL=127.0.0.1:${SLUICE_KAFKA_SASL_SSL_PORT:-29096}"
echo "SLUICE_TEST_KAFKA_TLS_DIR=${SLUICE_LOCAL_DIR:-/tmp/sluice-local}/kafka-${SLUICE_KAFKA_NAME:-main}/tls"
