#!/usr/bin/env bash
# The node's own CPU per line (issue 20): CPU-microseconds (user + system, from /proc, summed over the node's
# process tree) that a node spends per line stored, for LINES lines of ~140 bytes (busybox `yes | head`,
# attach mode) per run, on one node: the first run (cold), the median of the WARMUP runs after it (default 30:
# warming, the JIT still compiling: C2 takes 25-45 % of the node's CPU in one run of three through the first 25
# million lines or so, about two minutes, and in one of ten after; bench/RESULTS.md, 2026-12-01 session 3),
# then the median of RUNS more (default 5: warm). Each run's window is from just before its container starts until every line is stored and
# acknowledged and the node's store has settled (sealed segments compacted: compression is part of a line's
# cost), less the node's idle CPU over that window (measured before the runs: heartbeats, metrics, timers).
# Each run checks its container's lines were all stored, once, and prints where the node's CPU went by thread
# kind (bench/threads.py: event loop, collector writer, JIT compilers, GC, ...) and the kernel's share of it
# (system time: on a VM, wake-ups and new page-cache pages cost the most there).
#   MODE=all (default): one all-in-one node, compression COMPRESSION (zstd default, or none).
#   MODE=split: an agent member (agent, router, gateway) and a collector member; each member's figure.
# Targets (issue 20): all-in-one warm <= 0.6 us/line with compression none, <= 0.9 with zstd.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${LINES:-1000000}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-30}
MODE=${MODE:-all}
COMPRESSION=${COMPRESSION:-zstd}
# the node answers the bench's "stored yet?" twice a second, not 20 times: each answer is a query of its
# collectors, node CPU that would count as the lines' (the window ends when the store settles anyway)
AWAIT_INTERVAL=${AWAIT_INTERVAL:-0.5}
. bench/lib.sh
CMD="yes '$LINE' | head -n $LINES"
work=$(mktemp -d)
node_pid=""
collector_pid=""
cleanup() {
  [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null || true
  [ -n "$collector_pid" ] && kill "$collector_pid" 2>/dev/null && wait "$collector_pid" 2>/dev/null || true
  docker ps -aq --filter label=dockline.bench | xargs -r docker rm -f >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

HTTP_PORT=$(port)
CLUSTER_PORT=$(port)
API="http://127.0.0.1:$HTTP_PORT"
if [ "$MODE" = split ]; then
  COLLECTOR_PORT=$(port)
  DOCKLINE_COMPRESSION=$COMPRESSION java -jar "$JAR" --roles collector --node-name cpu-collector \
    --data-dir "$work/collector" --cluster-port "$COLLECTOR_PORT" --cluster-name "cpu-$$" >"$work/collector.log" 2>&1 &
  collector_pid=$!
  java -jar "$JAR" --roles agent,router,gateway --include-labels dockline.bench --node-name cpu-agent \
    --data-dir "$work/agent" --http-port "$HTTP_PORT" --cluster-port "$CLUSTER_PORT" --cluster-name "cpu-$$" \
    --join "127.0.0.1:$COLLECTOR_PORT" >"$work/node.log" 2>&1 &
  node_pid=$!
  store="$work/collector/collector"
  members="agent:$node_pid collector:$collector_pid"
else
  DOCKLINE_COMPRESSION=$COMPRESSION java -jar "$JAR" --include-labels dockline.bench --node-name cpu \
    --data-dir "$work/data" --http-port "$HTTP_PORT" --cluster-port "$CLUSTER_PORT" --cluster-name "cpu-$$" \
    >"$work/node.log" 2>&1 &
  node_pid=$!
  store="$work/data/collector"
  members="node:$node_pid"
fi
for _ in $(seq 1 240); do
  curl -sf "$API/health" >/dev/null 2>&1 && [ "$(metric dockline_ring_collectors)" -ge 1 ] && break
  sleep 0.5
done
[ "$(metric dockline_ring_collectors)" -ge 1 ] || { cat "$work/node.log"; fail "the node did not become ready"; }

HZ=$(getconf CLK_TCK)
declare -A idle_rate idle0
sleep 5
t0=$(now)
for m in $members; do idle0[${m%%:*}]=$(cpu_ticks "${m#*:}"); done
sleep 10
t1=$(now)
for m in $members; do
  idle_rate[${m%%:*}]=$(awk -v a="${idle0[${m%%:*}]}" -v b="$(cpu_ticks "${m#*:}")" -v t0="$t0" -v t1="$t1" \
    'BEGIN {printf "%.4f", (b - a) / (t1 - t0)}')
done
echo "bench/cpu: $LINES lines of 140 bytes per run, 1 cold + $WARMUP warming + $RUNS warm runs, $(nproc) cores, mode $MODE, compression $COMPRESSION"
for m in $members; do
  echo "  idle: ${m%%:*} $(awk -v r="${idle_rate[${m%%:*}]}" -v hz="$HZ" 'BEGIN {printf "%.1f", r * 100 / hz}') % of a core"
done

declare -A results
for run in $(seq 1 $(( 1 + WARMUP + RUNS ))); do
  await_no_streams
  id=$(docker create --network none --log-driver none --label dockline.bench=1 "$IMAGE" sh -c "$CMD")
  declare -A before
  # shellcheck disable=SC2046
  for m in $members; do "$PY" bench/threads.py snap $(proc_tree "${m#*:}") >"$work/threads-${m%%:*}.json"; done
  declare -A sys_before
  for m in $members; do before[${m%%:*}]=$(cpu_ticks "${m#*:}"); sys_before[${m%%:*}]=$(sys_ticks "${m#*:}"); done
  a=$(now)
  start_attached "$id"
  await_stored "$id" "$LINES" 300
  store_settled "$store" 0.5
  b=$(now)
  label=""; [ "$run" = 1 ] && label=" (cold)"; [ "$run" -gt 1 ] && [ "$run" -le $(( 1 + WARMUP )) ] && label=" (warming)"
  line="  run $run$label:"
  for m in $members; do
    k=${m%%:*}
    ticks=$(cpu_ticks "${m#*:}")
    us=$(awk -v t0="${before[$k]}" -v t1="$ticks" -v idle="${idle_rate[$k]}" -v s="$(awk -v a="$a" -v b="$b" 'BEGIN {print b - a}')" \
      -v n="$LINES" -v hz="$HZ" 'BEGIN {printf "%.3f", ((t1 - t0) - idle * s) * 1000000 / hz / n}')
    results[$k]="${results[$k]:-} $us"
    kernel=$(awk -v s0="${sys_before[$k]}" -v s1="$(sys_ticks "${m#*:}")" -v t0="${before[$k]}" -v t1="$ticks" \
      'BEGIN {printf "%.0f", (t1 > t0 ? (s1 - s0) * 100 / (t1 - t0) : 0)}')
    # shellcheck disable=SC2046
    line="$line $k $us us/line, kernel $kernel % [$("$PY" bench/threads.py diff "$work/threads-$k.json" $(proc_tree "${m#*:}"))]"
  done
  echo "$line ($(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.1f", b - a}') s)"
  docker rm -f "$id" >/dev/null
done
for m in $members; do
  k=${m%%:*}
  # shellcheck disable=SC2086
  set -- ${results[$k]}
  cold=$1; shift
  warming=("${@:1:$WARMUP}"); shift "$WARMUP"
  echo "$k: cold $cold us/line, warming median $(median "${warming[@]:-0}") us/line (runs 2-$(( 1 + WARMUP ))), warm median $(median "$@") us/line (runs $(( 2 + WARMUP ))-$(( 1 + WARMUP + RUNS )))"
done
[ "$MODE" = all ] && echo "target (issue 20): warm <= $([ "$COMPRESSION" = none ] && echo 0.6 || echo 0.9) us/line"
exit 0
