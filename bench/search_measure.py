#!/usr/bin/env python3
"""bench/search.sh's queries 1-3 against a loaded cluster; each checked against what was written.

usage: search_measure.py API LABEL RAW_BYTES NEEDLE RAW_FILE LINES LAST_BURST_LINES RUNS SINCE
"""
import json
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

api, label, raw, needle, raw_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
lines, last_burst, runs, since = int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8]), sys.argv[9]
sel = {"label": label}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def get(path, params):
    t0 = time.time()
    with urllib.request.urlopen(api + path + "?" + urllib.parse.urlencode(params), timeout=600) as r:
        return r.read(), r.headers, time.time() - t0


def search(params):
    """(lines, seconds of the first page, seconds of the whole answer), every page through the cursor."""
    got, first, t0, cursor = 0, None, time.time(), None
    while True:
        p = dict(sel, **params)
        if cursor:
            p["cursor"] = cursor
        body, h, s = get("/api/logs", p)
        got += body.count(b"\n")
        first = s if first is None else first
        cursor = h.get("X-Dockline-Cursor")
        if not cursor:
            return got, first, time.time() - t0


def ms(s):
    return "%.0f ms" % (s * 1000)


# 1. a text search over everything
grep_s, search_s, g = [], [], None
for _ in range(runs):
    t0 = time.time()
    g = int(subprocess.run(["grep", "-c", needle, raw_path], capture_output=True, text=True).stdout)
    grep_s.append(time.time() - t0)
for _ in range(runs):
    n, _, s = search({"text": needle, "limit": 10000})
    if n != g:
        fail("text search found %d lines, grep -c %d" % (n, g))
    search_s.append(s)
sm, gm = statistics.median(search_s), statistics.median(grep_s)
print("  1. text search '%s' over everything (%d lines found): %s s, median %.2f s = %.1f MB/s of raw lines; "
      "grep -c %.1f MB/s; ratio %.2f (target >= 0.5)"
      % (needle, g, " ".join("%.2f" % x for x in search_s), sm, raw / sm / 1e6, raw / gm / 1e6, gm / sm))

# 2. svc-0's last burst: every line stamped from SINCE on (the bench started the last parts after it)
firsts, wholes = [], []
for _ in range(runs):
    n, first, whole = search({"service": "svc-0", "since": since, "limit": 10000})
    if n != last_burst:
        fail("svc-0 since %s: %d lines, its last burst wrote %d" % (since, n, last_burst))
    wholes.append(whole)
    _, _, first = get("/api/logs", dict(sel, service="svc-0", since=since, order="desc"))
    firsts.append(first)
print("  2. service svc-0 since %s (its last burst, %d lines = %.2f %% of the data): first page (default limit, "
      "newest first) %s, median %s (target < 100 ms); every line, paged by 10,000: median %s"
      % (since, last_burst, 100.0 * last_burst / lines, " ".join(ms(x) for x in firsts),
         ms(statistics.median(firsts)), ms(statistics.median(wholes))))

# 3. stats over everything, by service per minute
stats_s = []
for _ in range(runs):
    body, _, s = get("/api/stats", dict(sel, by="service", step="1m"))
    total = sum(gr["lines"] for gr in json.loads(body)["groups"])
    if total != lines:
        fail("stats counted %d lines, %d were written" % (total, lines))
    stats_s.append(s)
print("  3. stats by service per minute over everything (%d lines counted): %s, median %s (target < 1 s)"
      % (lines, " ".join(ms(x) for x in stats_s), ms(statistics.median(stats_s))))
