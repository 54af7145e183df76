#!/usr/bin/env bash
# The ring's figures, from the same code the routers run (io.dockline.routing.BoundedLoadRing):
# fraction of 200 streams moved when a collector joins and when one leaves (target <= 1.2/N), and the busiest
# collector's load over the mean with stream rates following a Zipf law (target <= 1.25), beside the plain
# consistent-hash ring (the baseline) on the same streams. "floor" is the heaviest single stream over the mean:
# no assignment can go below it. Arguments: zipf exponent (default 1.0), epsilon (default 0.25).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=launcher/target/dockline.jar
[ -f "$JAR" ] || mvn -B -q -DskipTests package
exec java -cp "$JAR" bench/RingBench.java "$@"
