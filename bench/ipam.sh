#!/usr/bin/env bash
# Role network: (a) allocations per second through the event bus, answered by three members (ALLOCATIONS
# concurrent requests per round, ROUNDS rounds after a warm-up); (b) the time from a labelled container's start
# (docker run; Docker's State.StartedAt) until Docker shows it on the macvlan network with its leased address.
# Three hosts on this machine: own Docker daemons and a veth pair (see NetLab), removed at the end. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/docker-env.sh >/dev/null
[ -f launcher/target/dockline.jar ] && [ -d launcher/target/test-classes ] || mvn -B -q -DskipTests package test-compile
exec java -Dallocations="${ALLOCATIONS:-1000}" -Drounds="${ROUNDS:-5}" -Dcontainers="${CONTAINERS:-10}" \
  -Ddockline.jar=launcher/target/dockline.jar \
  -cp launcher/target/dockline.jar:launcher/target/test-classes io.dockline.launcher.IpamBench
