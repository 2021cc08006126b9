#!/bin/sh
# Regenerates golden.json by running Debezium 3.5.0.Final's transforms (on
# Kafka Connect 4.1.2) over inputs.json as cases.json says. Needs Java 17 and
# the jars deploy/local caches under ~/.cache/sluice. The Go tests do not run
# this; they compare against the golden.json it wrote.
set -eu
cd "$(dirname "$0")"
base=${SLUICE_CACHE:-$HOME/.cache/sluice}/connect-4.1.2-debezium-3.5.0.Final
cp="$base/worker/*:$base/plugins/debezium-connector-vitess/*:$base/plugins/debezium-connector-mysql/debezium-connector-mysql-3.5.0.Final.jar"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
javac -nowarn -d "$out" -cp "$cp" Golden.java
java -Dlog4j2.level=error -cp "$out:$cp" Golden
