#!/usr/bin/env bash
# A soak: a small cluster under mixed, changing load, with members restarted, checked line by line.
#   members: one agent node (agent, router, gateway) and two collectors, three processes on loopback;
#   containers: 44 that live the whole run, each writing a known number of numbered lines ("soak N") at its
#     own pace: quiet (a line every 5 s), chatty (~200/s, stdout and stderr mixed), bursty (10,000 at once
#     every 30 s), TTY; half in logs mode (log drivers local / json-file), half in attach mode (driver none);
#     and a short-lived container (2,000 lines in ~5 s) created every 10 s and removed once it has exited
#     and its lines are read (removing a logs-mode container deletes the log file its unread lines are in);
#   restarts: a collector every RESTART_EVERY seconds (the two in turn; SIGTERM and kill -9 in turn, back on
#     its data dir 3 s later), the agent node once at half time (SIGTERM, back 3 s later).
#     (The shell reports each kill -9 as "Killed": that is the soak, not a failure.)
# Every 10 s it prints each member's RSS, threads and open files. At the end it reads every container's lines
# through the API and checks them against the container's own count:
#   - none lost, except in attach mode one run of lines per container around the agent restart (attach has
#     no history: what a container writes while no agent is attached is gone; README, "Restarts");
#   - no line twice in what is read (what each collector's disk holds is checked by the integration tests,
#     which read the stores themselves: the API's per-collector counts span holes, so they cannot tell);
#   - per member lifetime of 5 minutes or more: RSS growth after a 2-minute warm-up < 10 %, and no growth of
#     threads (+5) or open files (+20) between the warm-up and the end.
# Exits non-zero when a check fails. SOAK_SECONDS=1800 is the long form (by hand); CI runs SOAK_SECONDS=100.
set -euo pipefail
cd "$(dirname "$0")/.."
SOAK_SECONDS=${SOAK_SECONDS:-1800}
RESTART_EVERY=${RESTART_EVERY:-$(( SOAK_SECONDS >= 900 ? 300 : SOAK_SECONDS / 3 ))}
. bench/lib.sh
work=$(mktemp -d)
declare -A pid port
CLUSTER="soak-$$"
cleanup() {
  for r in agent c1 c2; do [ -n "${pid[$r]:-}" ] && kill9_tree "${pid[$r]}"; done
  wait 2>/dev/null || true
  docker ps -aq --filter label=dockline.soak | xargs -r -n 50 docker rm -f >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] && echo "soak: kept $work" || rm -rf "$work"
}
trap cleanup EXIT
docker ps -aq --filter label=dockline.soak | xargs -r -n 50 docker rm -f >/dev/null 2>&1 || true

port[c1]=$(port); port[c2]=$(port); port[agent]=$(port); HTTP_PORT=$(port)
API="http://127.0.0.1:$HTTP_PORT"
JOIN="127.0.0.1:${port[c1]},127.0.0.1:${port[c2]}"
declare -A started
start_member() {   # $1 role name
  local r=$1
  case $r in
    agent) java -jar "$JAR" --roles agent,router,gateway --node-name soak-agent --data-dir "$work/agent" \
             --include-labels dockline.soak --http-port "$HTTP_PORT" --cluster-port "${port[agent]}" \
             --cluster-name "$CLUSTER" --join "$JOIN" >>"$work/agent.log" 2>&1 & ;;
    *) java -jar "$JAR" --roles collector --node-name "soak-$r" --data-dir "$work/$r" \
         --cluster-port "${port[$r]}" --cluster-name "$CLUSTER" --join "$JOIN" >>"$work/$r.log" 2>&1 & ;;
  esac
  pid[$r]=$!
  started[$r]=$(date +%s)
  echo "$(date +%s) start $r ${pid[$r]}" >>"$work/events"
}
stop_member() {   # $1 role, $2 signal
  local r=$1 sig=$2
  if [ "$sig" = KILL ]; then kill9_tree "${pid[$r]}"; else kill "-$sig" "${pid[$r]}" 2>/dev/null || true; fi
  timeout 60 tail --pid="${pid[$r]}" -f /dev/null || fail "$r did not end within 60 s of SIG$sig"
  echo "$(date +%s) stop $r $sig" >>"$work/events"
  record_lifetime "$r"
}
# a member's lifetime of samples, checked for growth when it ends (or at the end of the run)
record_lifetime() { echo "$1 ${started[$1]} $(date +%s)" >>"$work/lifetimes"; }

start_member c1; start_member c2; start_member agent
for _ in $(seq 1 600); do
  curl -sf "$API/health" >/dev/null 2>&1 && [ "$(curl -s "$API/api/ring" | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("collectors", [])))' 2>/dev/null)" = 2 ] && break
  sleep 0.5
done
[ "$(curl -s "$API/api/ring" | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("collectors", [])))' 2>/dev/null)" = 2 ] \
  || { tail -n 20 "$work"/*.log; fail "the cluster (agent + 2 collectors) was not ready within 300 s"; }

# gen N K S: N numbered lines, a pause of S seconds after every K; ERR=1 sends even lines to stderr
gen() { echo "i=1; while [ \$i -le $1 ]; do if [ \"\${ERR:-0}\" = 1 ] && [ \$((i % 2)) = 0 ]; then echo \"soak \$i\" >&2; else echo \"soak \$i\"; fi; [ \$((i % $2)) = 0 ] && sleep $3; i=\$((i+1)); done"; }
# create KIND MODE N K S [extra docker args]: records "id kind mode N" in $work/containers
create() {
  local kind=$1 mode=$2 n=$3 k=$4 s=$5; shift 5
  local drv=none; [ "$mode" = logs ] && drv=${LOGS_DRIVER:-local}
  local id
  id=$(docker create --network none --log-driver "$drv" --label dockline.soak=1 --label "soak.kind=$kind" "$@" \
    "$IMAGE" sh -c "$(gen "$n" "$k" "$s")")
  echo "$id $kind $mode $n" >>"$work/containers"
  echo "$id"
}
D=$SOAK_SECONDS
long_lived() {
  for i in $(seq 1 14); do create quiet attach $((D / 5)) 1 5 >/dev/null; done
  for i in $(seq 1 10); do create quiet logs $((D / 5)) 1 5 >/dev/null; done
  for i in $(seq 1 4); do create chatty attach $((D * 200)) 20 0.1 -e ERR=1 >/dev/null; done
  for i in $(seq 1 4); do create chatty logs $((D * 200)) 20 0.1 -e ERR=1 >/dev/null; done
  for i in $(seq 1 3); do create bursty attach $(( (D / 30 + 1) * 10000 )) 10000 30 >/dev/null; done
  for i in $(seq 1 3); do LOGS_DRIVER=json-file create bursty logs $(( (D / 30 + 1) * 10000 )) 10000 30 >/dev/null; done
  for i in $(seq 1 4); do create tty attach $((D * 10)) 10 1 -t >/dev/null; done
  for i in $(seq 1 2); do create tty logs $((D * 10)) 10 1 -t >/dev/null; done
}
long_lived
awk '{print $1}' "$work/containers" | xargs -n 50 docker start >/dev/null
echo "bench/soak: ${D} s, $(wc -l <"$work/containers") long-lived containers + one short-lived every 10 s," \
  "a collector restarted every ${RESTART_EVERY} s, the agent once at $((D / 2)) s; $(nproc) cores"

sample() {   # one line per member: time role rss_mb threads fds
  local t r p; t=$(date +%s)
  for r in agent c1 c2; do
    p=${pid[$r]}
    [ -r "/proc/$p/status" ] || continue
    echo "$t $r $p $(( $(status_sum VmRSS "$p") / 1024 )) $(status_sum Threads "$p") $(fds_sum "$p")"
  done
}
t_start=$(date +%s)
next_restart=$((t_start + RESTART_EVERY)); restarts=0
agent_restart_at=$((t_start + D / 2)); agent_restarted=0
next_churn=$t_start; next_sample=$t_start
churn_ids=()
while [ "$(date +%s)" -lt $((t_start + D)) ]; do
  now=$(date +%s)
  if [ "$now" -ge "$next_sample" ]; then
    sample | tee -a "$work/samples" | awk '{printf "  %4ds %-5s rss %4d MB  threads %3d  fds %4d\n", $1 - '"$t_start"', $2, $4, $5, $6}'
    next_sample=$((now + 10))
  fi
  if [ "$agent_restarted" = 0 ] && [ "$now" -ge "$agent_restart_at" ]; then
    echo "  $((now - t_start))s: agent node stopped (SIGTERM), back in 3 s"
    stop_member agent TERM; sleep 3; start_member agent; agent_restarted=1
    next_churn=$((now + 15))   # no short-lived container is born while no agent is up
  elif [ "$now" -ge "$next_restart" ]; then
    r=$([ $((restarts % 2)) = 0 ] && echo c1 || echo c2)
    sig=$(case $((restarts % 4)) in 0|3) echo KILL;; *) echo TERM;; esac)   # each collector killed and stopped
    echo "  $((now - t_start))s: collector $r stopped (SIG$sig), back in 3 s"
    stop_member "$r" "$sig"; sleep 3; start_member "$r"
    restarts=$((restarts + 1)); next_restart=$((now + RESTART_EVERY))
  fi
  if [ "$now" -ge "$next_churn" ] && [ "$now" -lt $((t_start + D - 10)) ]; then
    mode=$([ $(( (now / 10) % 2 )) = 0 ] && echo attach || echo logs)
    id=$(create short "$mode" 2000 200 0.5)
    docker start "$id" >/dev/null
    churn_ids+=("$id"); next_churn=$((now + 10))
  fi
  # A short-lived container is removed once it has exited and its lines are read (or 60 s after it
  # exited): removing a logs-mode container deletes its log file, and what no agent had read yet with it.
  keep=()
  for id in "${churn_ids[@]}"; do
    state=$(docker inspect -f '{{.State.Status}} {{.State.FinishedAt}}' "$id" 2>/dev/null || echo gone)
    if [ "${state%% *}" = exited ] && { [ "$(curl -s --max-time 5 "$API/api/containers/$id" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin).get("lastSeq", 0))' 2>/dev/null || echo 0)" -ge 2000 ] \
        || [ $(( $(date +%s) - $(date -d "${state#* }" +%s) )) -gt 60 ]; }; then
      docker rm "$id" >/dev/null
    else keep+=("$id"); fi
  done
  churn_ids=("${keep[@]}")
  sleep 1
done
echo "  waiting for the containers to finish writing"
awk '{print $1}' "$work/containers" | while read -r id; do
  docker inspect "$id" >/dev/null 2>&1 || continue
  timeout 600 docker wait "$id" >/dev/null || fail "container ${id:0:12} still running 600 s after the soak's end"
done
sample >>"$work/samples"
for r in agent c1 c2; do record_lifetime "$r"; done
killed=$(grep -c ' stop c[12] KILL' "$work/events" || true)

echo "  checking every container's lines through the API"
API=$API WORK=$work KILLED=$killed AGENT_DOWN="$(grep ' agent' "$work/events" | awk '$2 == "stop" {s=$1} $2 == "start" && s {print s, $1; s=""}')" \
python3 - <<'PY' || fail "lines lost or repeated (above)"
import json, os, sys, time, urllib.request
api, work = os.environ["API"], os.environ["WORK"]
killed = int(os.environ["KILLED"])
def get(path, timeout=60):
    with urllib.request.urlopen(api + path, timeout=timeout) as r:
        return r.read(), dict(r.headers)
containers = [l.split() for l in open(f"{work}/containers")]
# the cluster has stored everything once the counts stop moving for 10 s (deadline 300 s)
def held():
    body, _ = get("/api/containers?label=dockline.soak")
    return {c["id"]: c for c in json.loads(body)}
last, still, deadline = None, 0, time.time() + 300
while time.time() < deadline:
    h = held(); total = sum(c["lines"] for c in h.values())
    still = still + 1 if total == last else 0
    last = total
    if still >= 10: break
    time.sleep(1)
h = held()
written = lost = dup_read = bad = 0
by_kind = {}
for cid, kind, mode, n in containers:
    n = int(n); written += n
    seen, after = {}, 0
    while True:
        body, headers = get(f"/api/containers/{cid}/logs?after={after}&limit=100000")
        for raw in body.splitlines():
            l = json.loads(raw)
            text = l.get("line", "").rstrip("\r")
            num = int(text.split()[1]) if text.startswith("soak ") else None
            if num is None or not 1 <= num <= n:
                print(f"  {cid[:12]} {kind}/{mode}: unexpected line {text[:60]!r}"); bad += 1; continue
            seen[num] = seen.get(num, 0) + 1
        after = int(headers.get("X-Dockline-Scanned-Through", after))
        if headers.get("X-Dockline-More") != "true": break
    missing = [i for i in range(1, n + 1) if i not in seen]
    repeats = sum(c - 1 for c in seen.values())
    runs = sum(1 for i, m in enumerate(missing) if i == 0 or missing[i - 1] != m - 1)
    k = by_kind.setdefault(f"{kind}/{mode}", [0, 0, 0])
    k[0] += 1; k[1] += n; k[2] += len(missing)
    lost += len(missing); dup_read += repeats
    allowed = mode == "attach" and runs <= 1
    if missing and not allowed:
        print(f"  {cid[:12]} {kind}/{mode}: {len(missing)} of {n} lost in {runs} runs, first {missing[:5]}"); bad += 1
    if repeats:
        print(f"  {cid[:12]} {kind}/{mode}: {repeats} lines read twice"); bad += 1
for kind, (count, n, miss) in sorted(by_kind.items()):
    print(f"  {kind:14} {count:3} containers  {n:9} written  {miss:6} lost")
print(f"  total: {written} lines written by {len(containers)} containers, {lost} lost (attach mode, agent restart),"
      f" {dup_read} read twice ({killed} collector kill -9)")
sys.exit(1 if bad else 0)
PY

echo "  member lifetimes (RSS after a 2-minute warm-up, threads, open files):"
WORK=$work python3 - <<'PY' || fail "a member grew (above)"
import os, sys
work = os.environ["WORK"]
samples = [l.split() for l in open(f"{work}/samples")]
bad = 0
for role, start, end in (l.split() for l in open(f"{work}/lifetimes")):
    start, end = int(start), int(end)
    s = [x for x in samples if x[1] == role and start + 120 <= int(x[0]) <= end]
    if end - start < 300 or len(s) < 3:
        continue
    first, last = s[0], s[-1]
    rss0, rss1 = int(first[3]), int(last[3]); t0, t1 = int(first[4]), int(last[4]); f0, f1 = int(first[5]), int(last[5])
    growth = (rss1 - rss0) / rss0
    print(f"  {role:5} {end - start:5}s  rss {rss0} -> {rss1} MB ({growth:+.1%}, target < 10 %)"
          f"  threads {t0} -> {t1}  fds {f0} -> {f1}")
    if growth >= 0.10 or t1 > t0 + 5 or f1 > f0 + 20:
        bad += 1
sys.exit(1 if bad else 0)
PY
echo "bench/soak: passed"
