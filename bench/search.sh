#!/usr/bin/env bash
# Search and counts across the fleet (issue 22), in one run on one Docker daemon:
#   cluster: 3 collectors (replication factor 2, the default) and one agent + router + gateway node, four
#     processes on loopback; segments sealed after SEAL_AFTER and compacted as the default (zstd) stores them;
#   data: CONTAINERS containers (default 20; 5 Compose services of 4 replicas, label com.docker.compose.service)
#     each writing LINES real-looking lines (bench/loggen.py, its own seed each; ~100 bytes a line) in BURSTS
#     bursts BURST_GAP seconds apart, so the data spans a few minutes and the last burst of one service is
#     1/(5 x BURSTS) of it (1 % with the defaults);
#   measured, once everything is stored (verified: every line of every container, the stats' sums too):
#   1. a `text` search over everything (GET /api/logs, every page through the cursor): MB/s of raw lines
#      scanned, against `grep -c` over the same raw text; the count must equal grep's;
#   2. a `service` + time-bounded query touching 1 % of the data (one service's last burst): the latency of its
#      first page (the default limit) and of the whole answer paged through; the count is checked;
#   3. `stats` over everything by service per minute: latency; the sums must equal what was written;
#   4. ingest (INGEST_CONTAINERS more containers of LINES lines at once, from start to every line stored)
#      alone, and again while 4 clients run full text searches in a loop: the ratio.
# Each measurement is the median of RUNS runs. Targets: search >= 0.5 x grep; 1 % query < 100 ms; stats < 1 s;
# ingest while searching >= 0.8 x alone. HOLD=SECONDS keeps the loaded cluster up after step 3, for a look.
set -euo pipefail
cd "$(dirname "$0")/.."
CONTAINERS=${CONTAINERS:-20}
LINES=${LINES:-200000}
BURSTS=${BURSTS:-20}
BURST_GAP=${BURST_GAP:-4}
SEAL_AFTER=${SEAL_AFTER:-30}
INGEST_CONTAINERS=${INGEST_CONTAINERS:-4}
RUNS=${RUNS:-5}
NEEDLE=${NEEDLE:-StripeClient}
. bench/lib.sh
work=$(mktemp -d)
declare -A pid
CLUSTER="search-$$"
LABEL="dockline.bench.search=$CLUSTER"
cleanup() {
  for r in "${!pid[@]}"; do kill9_tree "${pid[$r]}"; done
  wait 2>/dev/null || true
  docker ps -aq --filter "label=$LABEL" | xargs -r -n 50 docker rm -f >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] && echo "search: kept $work" || rm -rf "$work"
}
trap cleanup EXIT

echo "bench/search: $CONTAINERS containers x $LINES lines in $BURSTS bursts, 3 collectors, $(nproc) cores"
for i in $(seq 1 $(( CONTAINERS + INGEST_CONTAINERS ))); do
  mkdir -p "$work/lines/$i"
  python3 bench/loggen.py "$LINES" "$i" > "$work/lines/$i/all.txt"
  (cd "$work/lines/$i" && split -n "l/$BURSTS" -d -a 3 all.txt part.)
done
cat $(for i in $(seq 1 "$CONTAINERS"); do echo "$work/lines/$i/all.txt"; done) > "$work/raw.txt"
RAW=$(stat -c %s "$work/raw.txt")
echo "  raw: $(( CONTAINERS * LINES )) lines, $RAW bytes"

declare -A port
for r in c1 c2 c3 agent; do port[$r]=$(port); done
HTTP_PORT=$(port)
API="http://127.0.0.1:$HTTP_PORT"
JOIN="127.0.0.1:${port[c1]},127.0.0.1:${port[c2]},127.0.0.1:${port[c3]}"
for r in c1 c2 c3; do
  java -jar "$JAR" --roles collector --node-name "search-$r" --data-dir "$work/$r" --cluster-port "${port[$r]}" \
    --cluster-name "$CLUSTER" --join "$JOIN" --segment-seal-after "${SEAL_AFTER}s" >"$work/$r.log" 2>&1 &
  pid[$r]=$!
done
java -jar "$JAR" --roles agent,router,gateway --node-name search-agent --data-dir "$work/agent" \
  --include-labels "$LABEL" --http-port "$HTTP_PORT" --cluster-port "${port[agent]}" \
  --cluster-name "$CLUSTER" --join "$JOIN" >"$work/agent.log" 2>&1 &
pid[agent]=$!
ring_ready() { curl -s --max-time 5 "$API/api/ring" | python3 -c 'import json,sys
print(sum(1 for c in json.load(sys.stdin)["collectors"] if c["ready"]))' 2>/dev/null || echo 0; }
for _ in $(seq 1 240); do [ "$(ring_ready)" = 3 ] && break; sleep 0.5; done
[ "$(ring_ready)" = 3 ] || { tail -20 "$work"/*.log; fail "the ring did not show 3 ready collectors within 120 s"; }

LAST_PART=$(printf 'part.%03d' $(( BURSTS - 1 )))
# container $1 (1-based), Compose service svc-((i-1) % 5), writing its parts BURST_GAP s apart ($2: the gap);
# the last part only once the bench creates /lines/go, so the last burst starts after a time the bench knows
create() {
  local i=$1 gap=$2
  docker create --network none --log-driver none --label "$LABEL" --label com.docker.compose.project=bench \
    --label "com.docker.compose.service=svc-$(( (i - 1) % 5 ))" --name "search-$$-$i" \
    -v "$work/lines/$i:/lines:ro" "$IMAGE" sh -c "for f in /lines/part.*; do
      if [ \$f = /lines/$LAST_PART ]; then while [ ! -e /lines/go ]; do sleep 0.1; done; fi; cat \$f; sleep $gap; done"
}
# starts the given containers once the agent has attached to all of them (attach mode: nothing missed)
start_all() {
  local want=$1; shift
  for _ in $(seq 1 300); do [ "$(metric dockline_attach_streams_open)" -ge "$want" ] && break; sleep 0.1; done
  [ "$(metric dockline_attach_streams_open)" -ge "$want" ] || fail "the agent attached to fewer than $want containers"
  sleep 0.3
  docker start "$@" >/dev/null
}
# lines the cluster holds for the containers named search-$$-FROM..TO
stored_sum() {
  curl -s --max-time 30 "$API/api/containers?label=$LABEL" | python3 -c "import json,sys
names = {'search-$$-%d' % i for i in range($1, $2 + 1)}
print(sum(c['lines'] for c in json.load(sys.stdin) if c['name'] in names))" 2>/dev/null || echo 0
}
await_sum() {   # $1 $2 range, $3 lines wanted, $4 seconds at most
  local end=$(( $(date +%s) + $4 )) got
  while got=$(stored_sum "$1" "$2"); [ "$got" -lt "$3" ]; do
    [ "$(date +%s)" -lt "$end" ] || fail "$got of $3 lines stored after $4 s"
    sleep 0.2
  done
  [ "$got" -eq "$3" ] || fail "$got lines stored, $3 written"
}

ids=()
for i in $(seq 1 "$CONTAINERS"); do ids+=("$(create "$i" "$BURST_GAP")"); done
# lines in the last parts: of every container, and of svc-0's (containers 1, 6, 11, ...)
last_of() { for i in $(seq "$1" "$2" "$CONTAINERS"); do cat "$work/lines/$i/$LAST_PART"; done | wc -l; }
LAST_ALL=$(last_of 1 1); LAST_BURST=$(last_of 1 5)
t0=$(date +%s)
start_all "$CONTAINERS" "${ids[@]}"
await_sum 1 "$CONTAINERS" $(( CONTAINERS * LINES - LAST_ALL )) $(( BURSTS * BURST_GAP + 600 ))
# every earlier line is stored, so stamped before now; the last burst starts after the next whole second
SINCE=$(date -u -d "@$(( $(date +%s) + 1 ))" +%Y-%m-%dT%H:%M:%SZ)
sleep 2.2
for i in $(seq 1 "$CONTAINERS"); do touch "$work/lines/$i/go"; done
await_sum 1 "$CONTAINERS" $(( CONTAINERS * LINES )) 600
echo "  stored $(( CONTAINERS * LINES )) lines in $(( $(date +%s) - t0 )) s"
for id in "${ids[@]}"; do wait_exited "$id" 60; done
# every segment sealed (SEAL_AFTER) and compacted, as the data sits once it is not new
sleep $(( SEAL_AFTER + 5 ))
for r in c1 c2 c3; do store_settled "$work/$r/collector" 3; done
disk=$(du -sb "$work"/c?/collector | awk '{s += $1} END {print s}')
echo "  on the collectors' disks: $disk bytes for $RAW raw, x2 replicas: $(awk -v d="$disk" -v r="$RAW" 'BEGIN {printf "%.3f", d / 2 / r}') x raw per copy"

python3 bench/search_measure.py "$API" "$LABEL" "$RAW" "$NEEDLE" "$work/raw.txt" $(( CONTAINERS * LINES )) "$LAST_BURST" "$RUNS" "$SINCE"
if [ -n "${HOLD:-}" ]; then   # keeps the loaded cluster up for a look (profiling, queries by hand)
  echo "  holding the cluster for $HOLD s: $API, label $LABEL, raw text $work/raw.txt"
  sleep "$HOLD"
fi

# 4. ingest alone and while 4 clients search, in turn, RUNS times each: lines per second from the start of
# INGEST_CONTAINERS containers writing all their lines at once to every line stored
searchers=()
search_loop() {
  while :; do curl -s --max-time 120 "$API/api/logs?label=$LABEL&text=$NEEDLE&limit=10000" >/dev/null; done
}
ingest() {   # $1 run name: prints lines per second
  local run=$1 ids=() i t0 t1
  await_no_streams
  for i in $(seq $(( CONTAINERS + 1 )) $(( CONTAINERS + INGEST_CONTAINERS ))); do
    ids+=("$(docker create --network none --log-driver none --label "$LABEL" --label "dockline.bench.run=$run" \
      -v "$work/lines/$i:/lines:ro" "$IMAGE" cat /lines/all.txt)")
  done
  for _ in $(seq 1 300); do [ "$(metric dockline_attach_streams_open)" -ge "$INGEST_CONTAINERS" ] && break; sleep 0.1; done
  sleep 0.3
  t0=$(now)
  docker start "${ids[@]}" >/dev/null
  local want=$(( INGEST_CONTAINERS * LINES )) got end=$(( $(date +%s) + 600 ))
  while got=$(curl -s --max-time 30 "$API/api/containers?label=dockline.bench.run=$run" \
      | python3 -c 'import json,sys; print(sum(c["lines"] for c in json.load(sys.stdin)))' 2>/dev/null || echo 0)
      [ "$got" -lt "$want" ]; do
    [ "$(date +%s)" -lt "$end" ] || fail "ingest $run: $got of $want lines stored after 600 s"
    sleep 0.05
  done
  t1=$(now)
  [ "$got" -eq "$want" ] || fail "ingest $run: $got lines stored, $want written"
  for i in "${ids[@]}"; do wait_exited "$i" 60; done
  awk -v n="$want" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", n / (b - a)}'
}
alone=(); busy=()
for k in $(seq 1 "$RUNS"); do
  alone+=("$(ingest "alone-$k")")
  for _ in 1 2 3 4; do search_loop & searchers+=($!); done
  sleep 1
  busy+=("$(ingest "busy-$k")")
  kill "${searchers[@]}" 2>/dev/null; wait "${searchers[@]}" 2>/dev/null || true; searchers=()
done
a=$(median "${alone[@]}"); b=$(median "${busy[@]}")
echo "  4. ingest of $INGEST_CONTAINERS x $LINES lines: alone ${alone[*]} lines/s (median $a); while 4 searches run" \
  "${busy[*]} (median $b); ratio $(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", b / a}') (target >= 0.8)"
