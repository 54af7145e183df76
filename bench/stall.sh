#!/usr/bin/env bash
# Is the application slowed by being read? The time a container takes to write LINES lines of 140 bytes
# (busybox `yes | head`, log driver none), from Docker's State.StartedAt to State.FinishedAt (the
# application's own run time), when:
#   (a) a raw reader (curl on the attach stream into /dev/null) reads it: the baseline;
#   (b) dockline reads it (an all-in-one node: agent, router, collector with fsync, gateway);
#   (c) dockline reads it while no collector is up (an agent node alone: everything goes to its disk spool).
# Target: (b) and (c) <= 1.10 x (a) (issue 20; 1.15 before). Every dockline run is checked: in (b) all its lines stored, in (c) all
# read (into the spool); otherwise the bench fails (a node that lost its attach would look faster).
#
# Runs of (a) alternate with runs of (b) (then of (c)) on the same running node, so both see the same machine:
# the (a) containers carry dockline.ignore=true and the node leaves them alone. Each node first reads WARMUP
# containers that are not counted: a node that has run for a while has its code compiled (JIT); a fresh JVM
# is still compiling (C2) through its first ten million lines or so.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${LINES:-1000000}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-10}
CASES=${CASES:-bc}   # b: all-in-one node, c: agent node without collector
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

create() { docker create --network none --log-driver none --label dockline.bench=1 "$@" "$IMAGE" sh -c "$CMD"; }
runtime() {  # seconds from StartedAt to FinishedAt
  local s f
  s=$(date -d "$(docker inspect -f '{{.State.StartedAt}}' "$1")" +%s.%N)
  f=$(date -d "$(docker inspect -f '{{.State.FinishedAt}}' "$1")" +%s.%N)
  echo "$s $f" | awk '{printf "%.3f", $2-$1}'
}
# the machine settles between runs (the node catches up, the disk writes back)
settle() { sleep "${SETTLE:-3}"; }

raw_run() {
  local id; id=$(create --label dockline.ignore=true)
  curl -sN --max-time 600 --unix-socket "$SOCK" -X POST \
    "http://localhost/containers/$id/attach?stream=1&stdout=1&stderr=1" -o /dev/null &
  local curl_pid=$!
  sleep 0.5
  docker start "$id" >/dev/null
  wait_exited "$id"; wait "$curl_pid" || true
  runtime "$id"; docker rm -f "$id" >/dev/null
  settle
}

HTTP_PORT=$(port)
API="http://127.0.0.1:$HTTP_PORT"

start_node() {  # $1: roles, then more options
  rm -rf "$work/data"
  local roles=$1; shift
  # only the bench's containers: others on the daemon would add load and lines to the counts
  java -jar "$JAR" --roles "$roles" "$@" --include-labels dockline.bench --node-name stall --data-dir "$work/data" \
    --http-port "$HTTP_PORT" \
    --cluster-port "$(port)" --cluster-name "stall-$$" >"$work/node.log" 2>&1 &
  node_pid=$!
  for _ in $(seq 1 240); do   # the agent watches Docker's events (with no collector, /health says 503)
    curl -s "$API/health" 2>/dev/null | grep -q '"agent":{"ready":true' && return 0
    sleep 0.5
  done
  echo "node did not start"; cat "$work/node.log"; exit 1
}

# one measured container; checks that dockline read every line of it, and in (b) stored every line
dockline_run() {
  await_no_streams
  local id; id=$(create)
  local read_before; read_before=$(metric dockline_lines_read_total)
  start_attached "$id"
  wait_exited "$id"
  local t; t=$(runtime "$id")
  if [ "$STORED" = 1 ]; then
    await_stored "$id" "$LINES" 120
  else
    local read=0
    for _ in $(seq 1 600); do
      read=$(( $(metric dockline_lines_read_total) - read_before ))
      [ "$read" -ge "$LINES" ] && break
      sleep 0.1
    done
    [ "$read" -eq "$LINES" ] || fail "container ${id:0:12}: the agent read $read of $LINES lines"
  fi
  docker rm -f "$id" >/dev/null
  echo "$t"
  settle
}

# $1: label of the dockline case; fills RAW and OURS with alternating runs
measure() {
  RAW=(); OURS=()
  local t
  for i in $(seq 1 "$WARMUP"); do t=$(dockline_run); echo "  warm-up $i: $t s"; done
  for i in $(seq 1 "$RUNS"); do
    RAW+=("$(raw_run)"); OURS+=("$(dockline_run)")
    echo "  run $i: (a) raw ${RAW[-1]} s   $1 ${OURS[-1]} s"
  done
}

echo "bench/stall: time for a container to write $LINES lines of 140 bytes; $(nproc) cores; $WARMUP warm-up and $RUNS measured runs per node"
A1=(); B=(); A2=(); C=()
if [[ $CASES == *b* ]]; then
start_node agent,router,collector,gateway
STORED=1   # every run's lines are checked stored, not only read
echo " all-in-one node:"
measure "(b) dockline"
A1=("${RAW[@]}"); B=("${OURS[@]}")
echo "  (b) agent: lines read $(metric dockline_lines_read_total) in $(metric dockline_batches_sent_total) batches, reader pauses $(metric dockline_agent_reader_pauses_total), dropped $(metric dockline_lines_dropped_total)"
stop_node
fi
if [[ $CASES == *c* ]]; then
# every run's lines stay in the spool (no collector comes): room for all of them, so the 'block' policy at a
# full spool (the default cap is 1 GiB) does not stop the container
STORED=0   # no collector: every run's lines are checked read (they go to the spool)
start_node agent,router,gateway --agent-spool-bytes $(( (WARMUP + RUNS + 1) * LINES * 200 ))
echo " agent node, no collector:"
measure "(c) no collector"
A2=("${RAW[@]}"); C=("${OURS[@]}")
echo "  (c) agent: lines read $(metric dockline_lines_read_total), spool bytes $(metric dockline_agent_spool_bytes), reader pauses $(metric dockline_agent_reader_pauses_total), dropped $(metric dockline_lines_dropped_total)"
stop_node
fi
A1m=$(median "${A1[@]:-1}"); Bm=$(median "${B[@]:-0}"); A2m=$(median "${A2[@]:-1}"); Cm=$(median "${C[@]:-0}")
echo "medians: (a) $A1m s, (b) $Bm s on the all-in-one node; (a) $A2m s, (c) $Cm s on the agent node"
awk -v a1="$A1m" -v b="$Bm" -v a2="$A2m" -v c="$Cm" \
  'BEGIN {printf "ratios (b)/(a) = %.2f, (c)/(a) = %.2f (target <= 1.10, issue 20)\n", b/a1, c/a2}'
