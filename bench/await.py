"""The benches' waiter: one process, one kept-alive HTTP connection.

A waiter that starts `curl` and a Python interpreter per poll costs more CPU than it measures on a 2-core
machine (a pyenv shim alone takes 0.4 CPU-seconds per start): the dockline runs were measured against a
poller that took most of a core, and the raw runs had none.

  await.py stored API CONTAINER WANT LIMIT_S [INTERVAL_S]
      until the cluster holds WANT lines of CONTAINER (asked every INTERVAL_S, default 0.05: each answer costs
      the node a query of its collectors); prints the epoch seconds when it did.
      Exits 1 on a shortfall after LIMIT_S seconds or a surplus.
  await.py metric API NAME WANT LIMIT_S [INTERVAL_S]
      until the sum of the node's Prometheus metric NAME reaches WANT (every INTERVAL_S, default 0.1:
      rendering /metrics costs the node more than a container query); prints the epoch seconds when it did.
"""
import http.client
import json
import sys
import time
import urllib.parse


class Node:
    def __init__(self, api):
        u = urllib.parse.urlparse(api)
        self.host, self.port = u.hostname, u.port
        self.conn = None

    def get(self, path):
        for attempt in (0, 1):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
                self.conn.request("GET", path)
                r = self.conn.getresponse()
                body = r.read()
                return r.status, body
            except (OSError, http.client.HTTPException):
                self.conn = None
                if attempt:
                    return 0, b""


def stored(node, container):
    status, body = node.get("/api/containers/" + container)
    if status != 200:
        return 0
    try:
        return int(json.loads(body).get("lines", 0))
    except ValueError:
        return 0


def metric(node, name):
    status, body = node.get("/metrics")
    if status != 200:
        return 0
    total = 0.0
    for line in body.decode().splitlines():
        if line.startswith(name) and line[len(name):len(name) + 1] in ("{", " "):
            total += float(line.rsplit(" ", 1)[1])
    return total


def wait_until(read, want, limit, interval, what):
    """Polls read() until it reaches want; returns (the value, the epoch seconds it did), or None past limit."""
    end = time.time() + limit
    while (got := read()) < want:
        if time.time() > end:
            print(f"{what}: {got:.0f} of {want:.0f} after {limit:.0f} s", file=sys.stderr)
            return None
        time.sleep(interval)
    return got, time.time()


def main(argv):
    mode, api = argv[1], argv[2]
    node = Node(api)
    if mode == "stored":
        container, want, limit = argv[3], int(argv[4]), float(argv[5])
        interval = float(argv[6]) if len(argv) > 6 else 0.05
        done = wait_until(lambda: stored(node, container), want, limit, interval, f"container {container[:12]}: lines stored")
    elif mode == "metric":
        name, want, limit = argv[3], float(argv[4]), float(argv[5])
        interval = float(argv[6]) if len(argv) > 6 else 0.1
        done = wait_until(lambda: metric(node, name), want, limit, interval, name)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    if done is None:
        return 1
    got, at = done
    if mode == "stored" and got != want:
        print(f"container {container[:12]}: {got} lines stored, {want} written", file=sys.stderr)
        return 1
    print(f"{at:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
