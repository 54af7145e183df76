#!/usr/bin/env bash
# A soak: a small cluster under mixed, changing load, with members restarted, checked line by line.
#   members: one agent node (agent, router, gateway) and two collectors, three processes on loopback;
#   containers: 44 that live the whole run, each writing numbered lines ("soak N") at its own pace until the
#     soak's end: quiet (a line every 5 s), chatty (~200/s, stdout and stderr mixed), bursty (10,000 at once
#     every 30 s), TTY; half in logs mode (log drivers local / json-file), half in attach mode (driver none);
#     and a short-lived container (~2,000 lines for 5 s) created every 10 s and removed once it has exited
#     and its lines are read (removing a logs-mode container deletes the log file its unread lines are in).
#     Writers are paced by time, not count, so a slow machine writes fewer lines, never later: when its time
#     is up each writes how many lines it wrote to a file in a bind-mounted directory (not to its output,
#     which in attach mode is partly lost while no agent is attached);
#   restarts: a collector every RESTART_EVERY seconds (the two in turn; SIGTERM and kill -9 in turn, back on
#     its data dir 3 s later), the agent node once at half time (SIGTERM, back 3 s later).
#     (The shell reports each kill -9 as "Killed": that is the soak, not a failure.)
# Every 10 s it prints each member's RSS, threads and open files. At the end it reads every container's lines
# through the API and checks them against the count the container wrote:
#   - none lost, except in attach mode one run of lines per container around the agent restart (attach has
#     no history: what a container writes while no agent is attached is gone; README, "Restarts"): the line
#     before the run was read before the agent stopped, the line after it once the agent was started again;
#   - no line twice in what is read (what each collector's disk holds is checked by the integration tests,
#     which read the stores themselves: the API's per-collector counts span holes, so they cannot tell);
#   - per member lifetime under load of 5 minutes or more: RSS growth after a 2-minute warm-up < 10 %, and
#     no trend in threads (+5) or open files (+20): bench/soak_growth.py (its --self-test shows what it catches).
# Exits non-zero when a check fails. SOAK_SECONDS=1800 is the long form (by hand); CI runs SOAK_SECONDS=100.
set -euo pipefail
cd "$(dirname "$0")/.."
SOAK_SECONDS=${SOAK_SECONDS:-1800}
RESTART_EVERY=${RESTART_EVERY:-$(( SOAK_SECONDS >= 900 ? 300 : SOAK_SECONDS / 3 ))}
. bench/lib.sh
python3 bench/soak_growth.py --self-test >/dev/null || fail "the growth check's self-test (bench/soak_growth.py --self-test)"
work=$(mktemp -d)
declare -A pid port
CLUSTER="soak-$$"
# This run's containers carry label dockline.soak=$CLUSTER, which its agent reads alone: two soaks on one
# Docker (CI and one by hand) neither read nor remove each other's containers.
RUN_LABEL="dockline.soak=$CLUSTER"
cleanup() {
  for r in agent c1 c2; do [ -n "${pid[$r]:-}" ] && kill9_tree "${pid[$r]}"; done
  wait 2>/dev/null || true
  docker ps -aq --filter "label=$RUN_LABEL" | xargs -r -n 50 docker rm -f >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] && echo "soak: kept $work" || rm -rf "$work"
}
trap cleanup EXIT
# leftovers of soaks that ended without their cleanup (their script's pid is gone)
docker ps -a --filter label=dockline.soak --format '{{.ID}} {{.Label "dockline.soak"}}' \
  | while read -r id run; do [[ $run =~ ^soak-([0-9]+)$ ]] && [ -d "/proc/${BASH_REMATCH[1]}" ] || echo "$id"; done \
  | xargs -r -n 50 docker rm -f >/dev/null 2>&1 || true

port[c1]=$(port); port[c2]=$(port); port[agent]=$(port); HTTP_PORT=$(port)
API="http://127.0.0.1:$HTTP_PORT"
JOIN="127.0.0.1:${port[c1]},127.0.0.1:${port[c2]}"
declare -A started
start_member() {   # $1 role name
  local r=$1
  case $r in
    agent) java -jar "$JAR" --roles agent,router,gateway --node-name soak-agent --data-dir "$work/agent" \
             --include-labels "$RUN_LABEL" --http-port "$HTTP_PORT" --cluster-port "${port[agent]}" \
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
  echo "$(date +%s) signal $r $sig" >>"$work/events"
  if [ "$sig" = KILL ]; then kill9_tree "${pid[$r]}"; else kill "-$sig" "${pid[$r]}" 2>/dev/null || true; fi
  timeout 60 tail --pid="${pid[$r]}" -f /dev/null || fail "$r did not end within 60 s of SIG$sig"
  echo "$(date +%s) stop $r $sig" >>"$work/events"
  record_lifetime "$r"
}
# a member's lifetime under the soak's load (from its start, or the load's if later), checked for growth
# when it ends (or at the end of the run)
record_lifetime() {
  local from=${started[$1]}; [ "$from" -ge "${t_start:-0}" ] || from=$t_start
  echo "$1 $from $(date +%s)" >>"$work/lifetimes"
}

start_member c1; start_member c2; start_member agent
for _ in $(seq 1 600); do
  curl -sf "$API/health" >/dev/null 2>&1 && [ "$(curl -s "$API/api/ring" | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("collectors", [])))' 2>/dev/null)" = 2 ] && break
  sleep 0.5
done
[ "$(curl -s "$API/api/ring" | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("collectors", [])))' 2>/dev/null)" = 2 ] \
  || { tail -n 20 "$work"/*.log; fail "the cluster (agent + 2 collectors) was not ready within 300 s"; }

# The writer: numbered lines until its deadline, a pause of PAUSE seconds after every EVERY lines (none that
# would end past the deadline); ERR=1 sends even lines to stderr. Then the count of lines written goes to
# /counts/KEY. The deadline: LIFE seconds after it started, or without LIFE the soak's end, which the soak
# writes to /counts/end once every long-lived container is started (they begin then, all together). The
# clock is the host's /proc/uptime (containers share the kernel), read by the shell itself (no process) at
# each pause and every 100 lines: a burst ends within 100 lines of the deadline.
WRITER='if [ -n "${LIFE:-}" ]; then read up _ </proc/uptime; end=$((${up%.*} + LIFE))
else while [ ! -e /counts/end ]; do sleep 1; done; read end </counts/end; fi
i=0
while :; do
  i=$((i + 1))
  if [ "${ERR:-0}" = 1 ] && [ $((i % 2)) = 0 ]; then echo "soak $i" >&2; else echo "soak $i"; fi
  if [ $((i % EVERY)) = 0 ]; then
    read up _ </proc/uptime; [ $((${up%.*} + ${PAUSE%.*})) -lt $end ] || break
    sleep $PAUSE
  elif [ $((i % 100)) = 0 ]; then
    read up _ </proc/uptime; [ ${up%.*} -lt $end ] || break
  fi
done
echo $i >/counts/$KEY'
mkdir -p "$work/counts"; : >"$work/containers"
# create KIND MODE LIFE EVERY PAUSE [extra docker args]: LIFE "" writes until the soak's end. Records
# "id kind mode key seconds created" in $work/containers, prints "id key"; the count of lines the container wrote
# will be in $work/counts/KEY
create() {
  local kind=$1 mode=$2 life=$3 every=$4 pause=$5; shift 5
  local drv=none; [ "$mode" = logs ] && drv=${LOGS_DRIVER:-local}
  local key id
  key=$(( $(wc -l <"$work/containers") + 1 ))
  id=$(docker create --network none --log-driver "$drv" --label "$RUN_LABEL" --label "soak.kind=$kind" \
    -v "$work/counts:/counts" -e KEY="$key" -e LIFE="$life" -e EVERY="$every" -e PAUSE="$pause" "$@" \
    "$IMAGE" sh -c "$WRITER")
  echo "$id $kind $mode $key ${life:-$D} $(date +%s)" >>"$work/containers"
  echo "$id $key"
}
# lines the writer of key $1 wrote (0 while it writes)
written() { cat "$work/counts/$1" 2>/dev/null || echo 0; }
D=$SOAK_SECONDS
long_lived() {
  for i in $(seq 1 14); do create quiet attach "" 1 5 >/dev/null; done
  for i in $(seq 1 10); do create quiet logs "" 1 5 >/dev/null; done
  for i in $(seq 1 4); do create chatty attach "" 20 0.1 -e ERR=1 >/dev/null; done
  for i in $(seq 1 4); do create chatty logs "" 20 0.1 -e ERR=1 >/dev/null; done
  for i in $(seq 1 3); do create bursty attach "" 10000 30 >/dev/null; done
  for i in $(seq 1 3); do LOGS_DRIVER=json-file create bursty logs "" 10000 30 >/dev/null; done
  for i in $(seq 1 4); do create tty attach "" 10 1 -t >/dev/null; done
  for i in $(seq 1 2); do create tty logs "" 10 1 -t >/dev/null; done
}
long_lived
awk '{print $1}' "$work/containers" | xargs -n 50 docker start >/dev/null
t_start=$(date +%s)
read -r up _ </proc/uptime
echo $(( ${up%.*} + D )) >"$work/counts/end.new" && mv "$work/counts/end.new" "$work/counts/end"
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
next_restart=$((t_start + RESTART_EVERY)); restarts=0
agent_restart_at=$((t_start + D / 2)); agent_restarted=0
next_churn=$t_start; next_sample=$t_start
churn=()   # "id key" of each short-lived container not yet removed
while [ "$(date +%s)" -lt $((t_start + D)) ]; do
  now=$(date +%s)
  if [ "$now" -ge "$next_sample" ]; then
    sample | tee -a "$work/samples" | awk '{printf "  %4ds %-5s rss %4d MB  threads %3d  fds %4d\n", $1 - '"$t_start"', $2, $4, $5, $6}'
    next_sample=$((now + 10))
  fi
  if [ "$agent_restarted" = 0 ] && [ "$now" -ge "$agent_restart_at" ]; then
    echo "  $((now - t_start))s: agent node stopped (SIGTERM), back in 3 s"
    stop_member agent TERM; sleep 3; start_member agent; agent_restarted=1
    next_churn=$((now + 15))   # no short-lived container is born while no agent is up (nor before health)
  elif [ "$now" -ge "$next_restart" ]; then
    r=$([ $((restarts % 2)) = 0 ] && echo c1 || echo c2)
    sig=$(case $((restarts % 4)) in 0|3) echo KILL;; *) echo TERM;; esac)   # each collector killed and stopped
    echo "  $((now - t_start))s: collector $r stopped (SIG$sig), back in 3 s"
    stop_member "$r" "$sig"; sleep 3; start_member "$r"
    restarts=$((restarts + 1)); next_restart=$((now + RESTART_EVERY))
  fi
  if [ "$now" -ge "$next_churn" ] && [ "$now" -lt $((t_start + D - 10)) ] \
      && curl -sf --max-time 5 "$API/health" >/dev/null; then
    mode=$([ $(( (now / 10) % 2 )) = 0 ] && echo attach || echo logs)
    c=$(create short "$mode" 5 200 0.5)
    docker start "${c% *}" >/dev/null
    churn+=("$c"); next_churn=$((now + 10))
  fi
  # A short-lived container is removed once it has exited and its lines are read (or 60 s after it
  # exited): removing a logs-mode container deletes its log file, and what no agent had read yet with it.
  keep=()
  for c in "${churn[@]}"; do
    id=${c% *}
    state=$(docker inspect -f '{{.State.Status}} {{.State.FinishedAt}}' "$id" 2>/dev/null || echo gone)
    if [ "${state%% *}" = exited ] && { [ "$(curl -s --max-time 5 "$API/api/containers/$id" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin).get("lastSeq", 0))' 2>/dev/null || echo 0)" -ge "$(written "${c#* }")" ] \
        || [ $(( $(date +%s) - $(date -d "${state#* }" +%s) )) -gt 60 ]; }; then
      docker rm "$id" >/dev/null
    else keep+=("$c"); fi
  done
  churn=("${keep[@]}")
  sleep 1
done
echo "  waiting for the containers to end (their time is up)"
wait_until=$(( $(date +%s) + 120 ))   # one Docker call at a time: a loaded machine answers each in seconds
while running=$(docker ps -q --filter "label=$RUN_LABEL" --filter status=running); [ -n "$running" ]; do
  [ "$(date +%s)" -lt "$wait_until" ] || fail "$(wc -l <<<"$running") containers still running 120 s after the soak's end"
  sleep 2
done
sample >>"$work/samples"
for r in agent c1 c2; do record_lifetime "$r"; done
killed=$(grep -c ' stop c[12] KILL' "$work/events" || true)

echo "  checking every container's lines through the API"
RUN_LABEL=$RUN_LABEL API=$API WORK=$work KILLED=$killed AGENT_DOWN="$(grep ' agent' "$work/events" \
  | awk '$2 == "signal" {g=$1} $2 == "stop" {s=$1} $2 == "start" && s {print g, s, $1; s=""}')" \
python3 - <<'PY' || fail "lines lost or repeated (above)"
import json, os, sys, time, urllib.error, urllib.request
from datetime import datetime
api, work = os.environ["API"], os.environ["WORK"]
killed = int(os.environ["KILLED"])
def get(path, timeout=60):
    with urllib.request.urlopen(api + path, timeout=timeout) as r:
        return r.read(), dict(r.headers)
def read_logs(cid, after):   # a container of which no line is stored is not found
    try:
        return get(f"/api/containers/{cid}/logs?after={after}&limit=100000")
    except urllib.error.HTTPError as e:
        if e.code == 404: return b"", {}
        raise
containers = [l.split() for l in open(f"{work}/containers")]
# the cluster has stored everything once the counts stop moving for 10 s (deadline 300 s)
def held():
    body, _ = get("/api/containers?label=" + os.environ["RUN_LABEL"])
    return {c["id"]: c for c in json.loads(body)}
last, still, deadline = None, 0, time.time() + 300
while time.time() < deadline:
    h = held(); total = sum(c["lines"] for c in h.values())
    still = still + 1 if total == last else 0
    last = total
    if still >= 10: break
    time.sleep(1)
h = held()
# the agent's downtimes: (signalled, ended, started again) in Unix seconds, from the events the soak wrote
downs = [tuple(map(int, d.split())) for d in os.environ["AGENT_DOWN"].splitlines() if d.strip()]
def stamp(t):
    return datetime.fromisoformat(t).timestamp()
def around_agent_restart(before, after, created, ended):
    """A run of lost lines the agent's downtime explains (attach lines carry the time read): the line before
    it read before the agent ended, or none while the container was created by the agent's start; the line
    after it once the agent was started again, or none while the container wrote on till the agent's stop."""
    return any((before < stop + 1 if before is not None else created <= start + 1)
               and (after >= start if after is not None else ended >= signalled - 1)
               for signalled, stop, start in downs)
written = lost = dup_read = bad = 0
by_kind = {}
for cid, kind, mode, key, life, created in containers:
    try:
        n = int(open(f"{work}/counts/{key}").read())
        ended = os.stat(f"{work}/counts/{key}").st_mtime   # the writer wrote its count as its time was up
    except (OSError, ValueError):
        print(f"  {cid[:12]} {kind}/{mode}: no count of the lines it wrote (its writer did not end)"); bad += 1
        continue
    if n < 1:
        print(f"  {cid[:12]} {kind}/{mode}: wrote no line"); bad += 1
    written += n
    seen, read_at, after = {}, {}, 0
    while True:
        body, headers = read_logs(cid, after)
        for raw in body.splitlines():
            l = json.loads(raw)
            text = l.get("line", "").rstrip("\r")
            num = int(text.split()[1]) if text.startswith("soak ") else None
            if num is None or not 1 <= num <= n:
                print(f"  {cid[:12]} {kind}/{mode}: unexpected line {text[:60]!r} (it wrote {n})"); bad += 1
                continue
            seen[num] = seen.get(num, 0) + 1
            read_at.setdefault(num, stamp(l["time"]))
        after = int(headers.get("X-Dockline-Scanned-Through", after))
        if headers.get("X-Dockline-More") != "true": break
    missing = [i for i in range(1, n + 1) if i not in seen]
    repeats = sum(c - 1 for c in seen.values())
    runs = sum(1 for i, m in enumerate(missing) if i == 0 or missing[i - 1] != m - 1)
    k = by_kind.setdefault(f"{kind}/{mode}", [0, 0, 0, int(life)])
    k[0] += 1; k[1] += n; k[2] += len(missing)
    lost += len(missing); dup_read += repeats
    print(f"  {cid[:12]} {kind + '/' + mode:14} wrote {n:6}, read {sum(seen.values()):6}, lost {len(missing):5}")
    if missing:
        before, after_run = read_at.get(missing[0] - 1), read_at.get(missing[-1] + 1)
        if not (mode == "attach" and runs == 1 and around_agent_restart(before, after_run, int(created), ended)):
            t0 = downs[0][0] if downs else 0
            print(f"  {cid[:12]} {kind}/{mode}: {len(missing)} of {n} lost in {runs} runs, first {missing[:5]}"
                  f" (read before/after the first run at {before and round(before - t0)}/"
                  f"{after_run and round(after_run - t0)} s from the agent's SIGTERM)"); bad += 1
    if repeats:
        print(f"  {cid[:12]} {kind}/{mode}: {repeats} lines read twice"); bad += 1
print("  kind/mode     containers  lines written  per container per s  lost")
for kind, (count, n, miss, life) in sorted(by_kind.items()):
    print(f"  {kind:14} {count:3}  {n:13}  {n / count / life:20.1f}  {miss:6}")
print(f"  total: {written} lines written by {len(containers)} containers, all read and checked; {lost} lost"
      f" (attach mode, agent restart), {dup_read} read twice ({killed} collector kill -9)")
sys.exit(1 if bad else 0)
PY

echo "  member lifetimes (RSS after a 2-minute warm-up, threads, open files):"
python3 bench/soak_growth.py "$work" || fail "a member grew (above)"
echo "bench/soak: passed"
