"""Where a node's CPU went, by thread kind: the JIT compilers and the garbage collector are not Java threads, so
a JFR profile does not show them, yet they are part of the CPU a line costs while a node warms up.

  threads.py snap PID...            prints the CPU ticks of every thread of the processes (JSON)
  threads.py diff SNAP_FILE PID...  prints the ticks since the snapshot by kind, largest first
"""
import collections
import json
import os
import re
import sys

# /proc gives thread names cut to 15 characters
KINDS = [
    ("event loop", r"^vert\.x-eventlo"),
    ("collector writer", r"^dockline-colle"),
    ("JIT C2", r"^C2 Compiler"),
    ("JIT C1", r"^C1 Compiler"),
    ("GC", r"^(VM Thread|GC Thread|G1 |VM Periodic)"),
    ("hazelcast", r"^hz\."),
    ("vert.x worker", r"^vert\.x-(internal-blocking|worker)"),
]


def threads(pids):
    out = {}
    for pid in pids:
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                stat = open(f"/proc/{pid}/task/{tid}/stat").read()
            except OSError:
                continue
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2:].split()
            out[f"{pid}/{tid}"] = [name, int(fields[11]) + int(fields[12])]
    return out


def kind(name):
    return next((k for k, pattern in KINDS if re.search(pattern, name)), "other")


def main(argv):
    if argv[1] == "snap":
        print(json.dumps(threads(argv[2:])))
        return 0
    before = json.load(open(argv[2]))
    now = threads(argv[3:])
    by_kind = collections.Counter()
    for key, (name, ticks) in now.items():
        by_kind[kind(name)] += ticks - before.get(key, [name, 0])[1]
    total = sum(by_kind.values()) or 1
    print(", ".join(f"{k} {v * 100 // total}%" for k, v in by_kind.most_common() if v > 0))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
