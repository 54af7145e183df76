#!/usr/bin/env bash
# 500 containers per node without a thread each. Starts COUNT containers (busybox, log driver none) that each
# write one numbered line per second for SECONDS seconds, read by one all-in-one dockline node, and prints
# the node's resident memory, live thread count and CPU share (of one core) while they run, then checks
# that every line of every container was stored (the bench fails otherwise). Targets: < 300 MB RSS, < 100 threads, < 10 % of one core.
# The node runs as the README says, `java -jar dockline.jar` with no JVM flag (JAVA_OPTS to try others);
# memory, threads and CPU are those of the node's process and every process it started.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-500}
SECONDS_RUN=${SECONDS_RUN:-240}   # longer than starting them all takes, so all run while measured
# none by default: the command users run (README, "The two commands")
JAVA_OPTS=${JAVA_OPTS:-}

. bench/lib.sh
work=$(mktemp -d)
node_pid=""
cleanup() {
  [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null || true
  docker ps -aq --filter label=dockline.scale | xargs -r -P 8 -n 50 docker rm -f >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
docker ps -aq --filter label=dockline.scale | xargs -r -P 8 -n 50 docker rm -f >/dev/null 2>&1 || true

HTTP_PORT=$(port)
API="http://127.0.0.1:$HTTP_PORT"

# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$JAR" --node-name scale --data-dir "$work/data" --http-port "$HTTP_PORT" --cluster-port "$(port)" \
  --cluster-name "scale-$$" --include-labels dockline.scale >"$work/node.log" 2>&1 &
node_pid=$!
ready=0
for _ in $(seq 1 240); do curl -sf "$API/health" >/dev/null 2>&1 && { ready=1; break; }; sleep 0.5; done
[ "$ready" = 1 ] || { cat "$work/node.log"; fail "node not ready within 120 s"; }

echo "bench/scale: $COUNT containers, one line per second each for $SECONDS_RUN s, $(nproc) cores, node JVM flags: ${JAVA_OPTS:-(none)}"
SCRIPT="i=1; while [ \$i -le $SECONDS_RUN ]; do echo \"line \$i of \$HOSTNAME\"; i=\$((i+1)); sleep 1; done"
t0=$(date +%s)
seq 1 "$COUNT" | xargs -P 8 -I{} docker create --network none --log-driver none --label dockline.scale=1 \
  "$IMAGE" sh -c "$SCRIPT" >"$work/ids"
echo "  created $COUNT containers in $(( $(date +%s) - t0 )) s"
for _ in $(seq 1 600); do
  [ "$(metric dockline_attach_streams_open)" -ge "$COUNT" ] && break
  sleep 0.5
done
echo "  attach streams open: $(metric dockline_attach_streams_open)"
[ "$(metric dockline_attach_streams_open)" -ge "$COUNT" ] || fail "the node attached to fewer than $COUNT containers"
t0=$(date +%s)
xargs -P 8 -n 25 docker start <"$work/ids" >/dev/null
echo "  started them in $(( $(date +%s) - t0 )) s"

# the node's process and its descendants (the start gate, or anything the launcher starts)
HZ=$(getconf CLK_TCK)
sleep 10   # let the starts settle: measure the steady state
c0=$(cpu_ticks "$node_pid"); w0=$(now)
peak_rss=0; peak_threads=0
for _ in $(seq 1 30); do
  rss=$(status_sum VmRSS "$node_pid")
  thr=$(status_sum Threads "$node_pid")
  [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss
  [ "$thr" -gt "$peak_threads" ] && peak_threads=$thr
  sleep 1
done
c1=$(cpu_ticks "$node_pid"); w1=$(now)
cpu=$(echo "$c0 $c1 $w0 $w1 $HZ" | awk '{printf "%.1f", 100 * ($2-$1) / $5 / ($4-$3)}')
running=$(docker ps -q --filter label=dockline.scale | wc -l)
echo "  during 30 s with $running containers running and $(metric dockline_attach_streams_open) streams open:"
echo "  node RSS peak $((peak_rss / 1024)) MB (target < 300), threads peak $peak_threads (target < 100), CPU $cpu % of one core (target < 10)"

timeout $((SECONDS_RUN + 300)) xargs -P 8 -n 50 docker wait <"$work/ids" >/dev/null \
  || fail "containers still running $((SECONDS_RUN + 300)) s after the start"
expected=$((COUNT * SECONDS_RUN))
# lines held (not lastSeq: a container numbered from a later seq, or with a hole, would count lines never stored)
count_stored() {
  curl -s --max-time 30 "$API/api/containers" | python3 -c "import json,sys
cs = [c for c in json.load(sys.stdin) if c['labels'].get('dockline.scale') == '1']
print(len(cs), sum(c['lines'] for c in cs), sum(1 for c in cs if c['lines'] != $SECONDS_RUN))"
}
for _ in $(seq 1 120); do
  read -r containers stored off <<<"$(count_stored)"
  [ "$stored" -ge "$expected" ] && break
  sleep 1
done
echo "  lines stored $stored of $expected written, in $containers containers ($off not holding $SECONDS_RUN lines);" \
  "late attaches $(metric dockline_attach_late_total)"
[ "$containers" -eq "$COUNT" ] && [ "$stored" -eq "$expected" ] && [ "$off" -eq 0 ] \
  || fail "$stored lines stored in $containers containers, $expected written by $COUNT"
