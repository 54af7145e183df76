#!/usr/bin/env bash
# Storage, in one run on one daemon, over the same LINES real-looking lines (bench/loggen.py, its parameters
# stated there; ~100 bytes a line, four formats mixed):
#   - bytes on disk per raw byte: Docker's json-file, Docker's local driver (20 MB files, compressed when
#     rotated, enough files to hold every line) and a dockline node (all-in-one, compression as COMPRESSION
#     says, segment-bytes SEGMENT_BYTES), measured twice: once the lines are stored and the sealed segments
#     compacted (the segment being written is not compressed: up to SEGMENT_BYTES of it), and at rest, once
#     that segment too is sealed by time (segment-seal-after SEAL_AFTER) and compacted: the target's figure;
#   - a full read-back through the API (lines/s, MB/s), paging limit=100000, and the node's CPU seconds for it
#     (its process tree's, from /proc: the node runs in a JVM of its own under the launcher);
#   - a text search through the API (MB/s of raw lines scanned) against `grep -c` over the same text;
#   - both again, on the warmed-up node;
#   - E2E=1 also runs bench/e2e.sh with compression on and off (DOCKLINE_COMPRESSION), RUNS each.
# Targets (issue 17): stored <= 0.15 x raw; read-back >= 250,000 lines/s; search >= 0.5 x grep; e2e on >= 0.95 x off.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${LINES:-1000000}
SEED=${SEED:-1}
COMPRESSION=${COMPRESSION:-zstd}
SEGMENT_BYTES=${SEGMENT_BYTES:-16777216}
SEAL_AFTER=${SEAL_AFTER:-20}
NEEDLE=${NEEDLE:-StripeClient}
. bench/lib.sh
work=$(mktemp -d)
node_pid=""
cleanup() {
  [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null || true
  docker ps -aq --filter label=dockline.bench | xargs -r docker rm -f >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

python3 bench/loggen.py "$LINES" "$SEED" > "$work/lines.txt"
RAW=$(stat -c %s "$work/lines.txt")
echo "raw: $LINES lines, $RAW bytes"

# a container that prints the lines file, with the given log driver and options
create() {
  docker create --network none --label dockline.bench=1 -v "$work/lines.txt:/lines.txt:ro" "$@" "$IMAGE" cat /lines.txt
}
ratio() { awk -v a="$1" -v b="$RAW" 'BEGIN {printf "%.3f", a/b}'; }

id=$(create --log-driver json-file)
docker start "$id" >/dev/null; wait_exited "$id"
json_bytes=$(stat -c %s "$(docker inspect -f '{{.LogPath}}' "$id")")
docker rm -f "$id" >/dev/null
echo "docker json-file: $json_bytes bytes = $(ratio "$json_bytes") x raw"

files=$(( RAW / 20000000 + 2 ))
id=$(create --log-driver local --log-opt max-size=20m --log-opt max-file="$files")
docker start "$id" >/dev/null; wait_exited "$id"
sleep 2   # rotated files are compressed in the background
local_bytes=$(du -sb "$(docker info -f '{{.DockerRootDir}}')/containers/$id/local-logs" | cut -f1)
docker rm -f "$id" >/dev/null
echo "docker local: $local_bytes bytes = $(ratio "$local_bytes") x raw"

HTTP_PORT=$(port)
CLUSTER_PORT=$(port)
API="http://127.0.0.1:$HTTP_PORT"
DOCKLINE_COMPRESSION=$COMPRESSION java -jar "$JAR" --include-labels dockline.bench --node-name bench \
  --data-dir "$work/data" --http-port "$HTTP_PORT" --cluster-port "$CLUSTER_PORT" --cluster-name "bench-$$" \
  --segment-bytes "$SEGMENT_BYTES" --segment-seal-after "${SEAL_AFTER}s" >"$work/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 1 240); do curl -sf "$API/health" >/dev/null 2>&1 && break; sleep 0.5; done
curl -sf "$API/health" >/dev/null || { cat "$work/node.log"; fail "node did not become ready"; }

await_no_streams
id=$(create --log-driver none)
start_attached "$id"
await_stored "$id" "$LINES" 600
stored_at=$(date +%s)
# the container's segment files' bytes (no write-ahead log, directories or meta.json)
segment_bytes() { find "$work/data/collector/$id" -name '*.seg' -printf '%s\n' | awk '{s += $1} END {print s + 0}'; }
store_settled "$work/data/collector"
store_bytes=$(segment_bytes)
echo "dockline ($COMPRESSION, segments of $SEGMENT_BYTES bytes), the segment being written not compressed: $store_bytes bytes = $(ratio "$store_bytes") x raw"
sleep $(( SEAL_AFTER + 5 - ($(date +%s) - stored_at) > 0 ? SEAL_AFTER + 5 - ($(date +%s) - stored_at) : 0 ))
store_settled "$work/data/collector"
store_bytes=$(segment_bytes)
echo "dockline ($COMPRESSION) at rest, every segment sealed and compacted: $store_bytes bytes = $(ratio "$store_bytes") x raw (target <= 0.15)"

# read-back and search through the API: pages of up to 100000 lines, each from where the last one ended
# (the node's CPU seconds for each, from /proc: a figure that holds when other processes share the machine)
python3 - "$API" "$id" "$LINES" "$RAW" "$NEEDLE" "$work/lines.txt" $(proc_tree "$node_pid") <<'PY'
import os, sys, time, urllib.request, subprocess
api, cid, lines, raw, needle, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
node_pids = sys.argv[7:]
def cpu():
    total = 0
    for pid in node_pids:
        with open("/proc/%s/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")
cpus = []
def scan(extra):
    c0 = cpu()
    try:
        return scan_pages(extra)
    finally:
        cpus.append(cpu() - c0)
def scan_pages(extra):
    after, got, t0 = 0, 0, time.time()
    while True:
        with urllib.request.urlopen("%s/api/containers/%s/logs?after=%d&limit=100000%s" % (api, cid, after, extra), timeout=600) as r:
            body = r.read()
            got += body.count(b"\n")
            through = int(r.headers["X-Dockline-Scanned-Through"])
            more = r.headers["X-Dockline-More"] == "true"
        if not more or through <= after:
            return got, time.time() - t0
        after = through
n, s = scan("")
if n != lines: print("FAIL: read back %d of %d lines" % (n, lines)); sys.exit(1)
print("read-back: %d lines in %.2f s = %.0f lines/s, %.1f MB/s of raw lines (target >= 250000 lines/s); node CPU %.2f s" % (
    n, s, n / s, raw / s / 1e6, cpus[-1]))
m, s2 = scan("&text=" + needle)
t0 = time.time()
g = int(subprocess.run(["grep", "-c", needle, path], capture_output=True, text=True).stdout)
s3 = time.time() - t0
if m != g: print("FAIL: search found %d lines, grep %d" % (m, g)); sys.exit(1)
print("search '%s': %d lines, %.1f MB/s through the API; grep -c %.1f MB/s; ratio %.3f (target >= 0.5); node CPU %.2f s" % (
    needle, m, raw / s2 / 1e6, raw / s3 / 1e6, s3 / s2, cpus[-1]))
# the same twice more: the first reads of a fresh node include its JIT warm-up
n2, s4 = scan("")
m2, s5 = scan("&text=" + needle)
print("again: read-back %.0f lines/s (node CPU %.2f s); search %.1f MB/s (node CPU %.2f s)" % (
    n2 / s4, cpus[-2], raw / s5 / 1e6, cpus[-1]))
PY

if [ "${E2E:-0}" = 1 ]; then
  kill "$node_pid"; wait "$node_pid" 2>/dev/null || true; node_pid=""
  for c in zstd none; do
    echo "e2e with compression $c:"
    DOCKLINE_COMPRESSION=$c bash bench/e2e.sh | tail -3
  done
fi
