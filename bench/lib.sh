# Shared by the bench scripts (sourced after `cd` to the repository root): Docker and the test image ready,
# the fat jar built, and small helpers. API must be set before `metric` is used.
JAR=${DOCKLINE_JAR:-launcher/target/dockline.jar}   # another build to measure: DOCKLINE_JAR=path
IMAGE=${DOCKLINE_TEST_IMAGE:-dockline-test/busybox:1}
SOCK=/var/run/docker.sock
LINE=$(printf 'dockline-bench %0125d' 0)   # 140 bytes with the newline

bash .ci/docker-env.sh >/dev/null
# the interpreter itself: a shim (pyenv) costs 0.4 CPU-seconds per start
PY=$(python3 -c 'import sys; print(sys.executable)')
[ -f "$JAR" ] || mvn -B -q -DskipTests package

# a free loopback port
# (below the kernel's ephemeral range, so no outgoing connection takes it before the node binds it)
port() { python3 -c '
import random, socket
for _ in range(1000):
    p = random.randrange(20000, 32000)
    try:
        s = socket.socket(); s.bind(("0.0.0.0", p)); s.close(); print(p); break
    except OSError: pass'; }
# the sum of a Prometheus metric's samples on the node at $API
metric() { curl -s "$API/metrics" | awk -v m="$1" '$1 ~ "^"m"[{ ]" || $1 == m {s += $2} END {printf "%.0f", s}'; }
# a process and its descendants: `java -jar dockline.jar` runs the node in a JVM of its own, its child
proc_tree() { local p=$1 c; echo "$p"; for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do proc_tree "$c"; done; }
# the sum of a /proc/PID/status field (VmRSS, Threads: kB or a count) over process $2 and its descendants
status_sum() { for p in $(proc_tree "$2"); do awk -v k="$1:" '$1 == k {print $2}' "/proc/$p/status" 2>/dev/null; done \
  | awk '{s += $1} END {print s + 0}'; }
# open files of process $1 and its descendants
fds_sum() { for p in $(proc_tree "$1"); do ls "/proc/$p/fd" 2>/dev/null | wc -l; done | awk '{s += $1} END {print s + 0}'; }
# kill -9 of a node: its own JVM first (a parent killed alone stops its node cleanly), then the parent
kill9_tree() { local p; for p in $(proc_tree "$1" | tac); do kill -9 "$p" 2>/dev/null || true; done; }
# the sum of awk expression $1 over /proc/PID/stat of process $2 and its descendants
stat_sum() { for p in $(proc_tree "$2"); do awk "{print $1}" "/proc/$p/stat" 2>/dev/null; done \
  | awk '{s += $1} END {print s + 0}'; }
# CPU ticks (1/CLK_TCK s, from /proc) used so far by process $1 and its descendants
cpu_ticks() { stat_sum '$14 + $15' "$1"; }
# the system (kernel) part of those ticks
sys_ticks() { stat_sum '$15' "$1"; }
now() { date +%s.%N; }
# Waits until the files under $1 stop changing for $2 seconds (default 2): a store's sealed segments compacted.
# At most 240 s.
store_settled() {
  local prev=-1 bytes step=${2:-2} end=$(( $(date +%s) + 240 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    bytes=$(du -sb "$1" 2>/dev/null | cut -f1)
    [ "$bytes" = "$prev" ] && return 0
    prev=$bytes; sleep "$step"
  done
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# A bench fails loudly when what it measured was not what it counts (the script exits non-zero).
fail() { echo "FAIL: $*" >&2; exit 1; }
# lines the cluster holds for container $1 (its collectors' counts summed), 0 when none yet
stored_lines() {
  curl -s --max-time 10 "$API/api/containers/$1" \
    | "$PY" -c 'import json,sys; print(json.load(sys.stdin).get("lines", 0))' 2>/dev/null || echo 0
}
# waits up to $3 seconds (default 120) until container $1 holds $2 lines; fails on a shortfall or a surplus.
# STORED_AT: the epoch seconds when it did (asked every AWAIT_INTERVAL s, default 0.05). One poller process (bench/await.py), not a process per poll.
await_stored() {
  STORED_AT=$("$PY" bench/await.py stored "$API" "$1" "$2" "${3:-120}" "${AWAIT_INTERVAL:-0.05}") || fail "container ${1:0:12}: not stored as written (above)"
}
# docker wait, bounded: $1 container, $2 seconds (default 300)
wait_exited() { timeout "${2:-300}" docker wait "$1" >/dev/null || fail "container ${1:0:12} still running after ${2:-300} s"; }
# Before a measured container is created: the node (reading only the bench's containers) has closed the
# attach streams of earlier ones, so the next stream that opens is the new container's. At most 30 s.
await_no_streams() {
  local open
  for _ in $(seq 1 300); do open=$(metric dockline_attach_streams_open); [ "$open" -eq 0 ] && return 0; sleep 0.1; done
  fail "$open attach streams of earlier containers still open after 30 s"
}
# Starts measured container $1 once the node has attached to it; fails if that takes over 30 s.
start_attached() {
  local id=$1 open
  for _ in $(seq 1 300); do open=$(metric dockline_attach_streams_open); [ "$open" -ge 1 ] && break; sleep 0.1; done
  [ "$open" -ge 1 ] || fail "the node did not attach to ${id:0:12} within 30 s"
  sleep 0.3
  docker start "$id" >/dev/null
}
