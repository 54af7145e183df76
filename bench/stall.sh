#!/usr/bin/env bash
# Is the application slowed by being read? In one run on one daemon, the time a container takes to write
# LINES lines of 140 bytes (busybox `yes | head`, log driver none), from Docker's State.StartedAt to
# State.FinishedAt (the application's own run time), when:
#   (a) a raw reader (curl on the attach stream into /dev/null) reads it: the baseline;
#   (b) dockline reads it (an all-in-one node: agent, router, collector with fsync, gateway);
#   (c) dockline reads it while no collector is up (an agent node alone: everything goes to its disk spool).
# Target: (b) and (c) <= 1.15 x (a).
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${LINES:-1000000}
RUNS=${RUNS:-3}
. bench/lib.sh
CMD="yes '$LINE' | head -n $LINES"
work=$(mktemp -d)
node_pid=""
stop_node() {
  if [ -n "$node_pid" ]; then kill "$node_pid" 2>/dev/null || true; wait "$node_pid" 2>/dev/null || true; fi
  node_pid=""
}
cleanup() {
  stop_node
  docker ps -aq --filter label=dockline.bench | xargs -r docker rm -f >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

create() { docker create --network none --log-driver none --label dockline.bench=1 "$IMAGE" sh -c "$CMD"; }
runtime() {  # seconds from StartedAt to FinishedAt
  local s f
  s=$(date -d "$(docker inspect -f '{{.State.StartedAt}}' "$1")" +%s.%N)
  f=$(date -d "$(docker inspect -f '{{.State.FinishedAt}}' "$1")" +%s.%N)
  echo "$s $f" | awk '{printf "%.3f", $2-$1}'
}
wait_exit() { docker wait "$1" >/dev/null; }

raw_run() {
  local id; id=$(create)
  curl -sN --unix-socket "$SOCK" -X POST "http://localhost/containers/$id/attach?stream=1&stdout=1&stderr=1" -o /dev/null &
  local curl_pid=$!
  sleep 0.5
  docker start "$id" >/dev/null
  wait_exit "$id"; wait "$curl_pid" || true
  runtime "$id"; docker rm -f "$id" >/dev/null
}

HTTP_PORT=$(port)
API="http://127.0.0.1:$HTTP_PORT"

start_node() {  # $1: roles
  rm -rf "$work/data"
  java -jar "$JAR" --roles "$1" --node-name stall --data-dir "$work/data" --http-port "$HTTP_PORT" \
    --cluster-port "$(port)" --cluster-name "stall-$$" >"$work/node.log" 2>&1 &
  node_pid=$!
  for _ in $(seq 1 240); do   # the agent watches Docker's events (with no collector, /health says 503)
    curl -s "$API/health" 2>/dev/null | grep -q '"agent":{"ready":true' && return 0
    sleep 0.5
  done
  echo "node did not start"; cat "$work/node.log"; exit 1
}

dockline_run() {
  local id; id=$(create)
  local before; before=$(metric dockline_attach_streams_open)
  for _ in $(seq 1 100); do
    [ "$(metric dockline_attach_streams_open)" -gt "$before" ] && break
    sleep 0.1
  done
  sleep 0.3
  docker start "$id" >/dev/null
  wait_exit "$id"
  runtime "$id"; docker rm -f "$id" >/dev/null
}

echo "bench/stall: time for a container to write $LINES lines of 140 bytes, $RUNS runs each, $(nproc) cores"
a=(); for i in $(seq 1 "$RUNS"); do a+=("$(raw_run)"); echo "  (a) raw reader           run $i: ${a[-1]} s"; done
start_node agent,router,collector,gateway
b=(); for i in $(seq 1 "$RUNS"); do b+=("$(dockline_run)"); echo "  (b) dockline             run $i: ${b[-1]} s"; done
stop_node
start_node agent,router,gateway
c=(); for i in $(seq 1 "$RUNS"); do c+=("$(dockline_run)"); echo "  (c) dockline, no collector run $i: ${c[-1]} s"; done
echo "  (c) agent: lines read $(metric dockline_lines_read_total), spool bytes $(metric dockline_agent_spool_bytes), reader pauses $(metric dockline_agent_reader_pauses_total), dropped $(metric dockline_lines_dropped_total)"
stop_node
A=$(median "${a[@]}"); B=$(median "${b[@]}"); C=$(median "${c[@]}")
echo "median (a) raw: $A s   (b) dockline: $B s   (c) no collector: $C s"
awk -v a="$A" -v b="$B" -v c="$C" 'BEGIN {printf "ratios (b)/(a) = %.2f, (c)/(a) = %.2f (target <= 1.15)\n", b/a, c/a}'
