#!/bin/sh
# Regenerates golden.json by running Kafka Connect's own transforms (see
# SmtGolden.java) over cases.json. Needs a JDK (17+) and Kafka Connect's
# jars: connect-api, connect-transforms, connect-json, kafka-clients,
# jackson-*, slf4j-api. Not run by the test suite.
set -eu
cd "$(dirname "$0")"
LIB=${KAFKA_CONNECT_LIB:-$HOME/.cache/sluice/connect-4.1.2-debezium-3.5.0.Final/worker}
# A JDK whose Float.toString is the shortest form (19+), as Kafka
# Connect's images run; JDK 17 prints some floats with an extra digit.
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
	JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
if [ -n "${JAVA_HOME:-}" ]; then
	PATH=$JAVA_HOME/bin:$PATH
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
javac -cp "$LIB/*" -d "$OUT" SmtGolden.java
TZ=UTC java -Duser.timezone=UTC -cp "$LIB/*:$OUT" SmtGolden cases.json > golden.json
echo "wrote $(pwd)/golden.json"
