#!/usr/bin/env bash
# Fleet scale test (bench/FleetBench.java): COLLECTORS collectors as real processes, agent members as Hazelcast
# lite members many to a JVM (synthetic streams through the real router and codecs, no Docker), the fleet growing
# through SIZES. Prints per size: start and ring-agreement time, death noticed, CPU/heap/threads per agent member,
# cluster-map operations per second on the data members, lines/s acked and streams verified stored.
# Environment: SIZES (default 25,50), COLLECTORS (3), STREAMS per agent (2), LPS lines/s per stream (20),
# WINDOW seconds measured per size (30), HEAP of the agents' JVM (3g).
# The agents' JVM trims Hazelcast's threads per member (one IO, partition, generic and event thread): stated
# in the output; heartbeats are Hazelcast's defaults (5 s interval, 60 s timeout; a killed process is noticed
# sooner, by its closed connections).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${DOCKLINE_JAR:-launcher/target/dockline.jar}
[ -f "$JAR" ] || mvn -o -B -q -DskipTests package -pl launcher -am
LOGCONF=$(mktemp)
trap 'rm -f "$LOGCONF"' EXIT
printf '.level=WARNING\nhandlers=java.util.logging.ConsoleHandler\njava.util.logging.ConsoleHandler.level=WARNING\n' >"$LOGCONF"
HZ_THREADS="-Dhazelcast.io.thread.count=1 -Dhazelcast.operation.thread.count=1 -Dhazelcast.operation.generic.thread.count=1 -Dhazelcast.event.thread.count=1"
echo "agents' JVM: -Xmx${HEAP:-3g} -XX:+UseSerialGC $HZ_THREADS"
# shellcheck disable=SC2086
exec java -Xmx"${HEAP:-3g}" -XX:+UseSerialGC $HZ_THREADS -Dhazelcast.logging.type=jdk \
  -Djava.util.logging.config.file="$LOGCONF" -cp "$JAR" bench/FleetBench.java --jar "$JAR" \
  --sizes "${SIZES:-25,50}" --collectors "${COLLECTORS:-3}" --streams "${STREAMS:-2}" \
  --lines-per-second "${LPS:-20}" --window "${WINDOW:-30}"
