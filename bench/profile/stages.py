#!/usr/bin/env python3
"""Shares of a node's CPU samples by ingest stage, and of its allocated bytes by site, from a JFR recording
(bench/profile/java). Each sample counts for the innermost frame that matches a stage's rule.
Usage: bench/profile/stages.py node-PID.jfr [LAST_SECONDS]
LAST_SECONDS: only the samples of the recording's last seconds (a warm node: bench/cpu.sh's last runs).
The JIT compiler's and the garbage collector's threads are not Java threads and have no samples here."""
import collections, datetime, json, subprocess, sys

RULES = [
  ("agent: level detection", ["LevelDetector."]),
  ("agent: batching (LineBatchBuilder)", ["LineBatchBuilder."]),
  ("agent: frame decode + line assembly", ["LineAssembler.", "FrameParser.", "StreamDecoder."]),
  ("store: fsync", ["FileChannelImpl.force", "Fsync.", "FileDispatcherImpl.force"]),
  ("store: compaction (zstd)", ["Compactor.", "Zstd"]),
  ("store: encode + write", ["ChunkEncoder.", "FileLogStore.append", "ContainerLog.append", "SegmentWriter.", "WriteAheadLog.", "FileLogStore.syncAll", "FileLogStore.sync"]),
  ("collector: disk check", ["DiskSpace.", "UnixFileStore", "statfs"]),
  ("metrics (micrometer)", ["micrometer"]),
  ("hazelcast", ["com.hazelcast", "HazelcastAsyncMap", "HazelcastClusterManager", "SubsMapHelper"]),
  ("event bus", ["io.vertx.core.eventbus", "MessageConsumerImpl", "HandlerRegistration"]),
  ("agent: attach HTTP read (netty, vertx http client)", ["Http1xClientConnection", "HttpClientResponseImpl", "HttpEventHandler", "HttpClientCodec"]),
  ("gateway (API, metrics scrape)", ["io.dockline.gateway", "Http1xServerConnection", "HttpServerCodec", "io.vertx.ext.web"]),
  ("collector: group commit, acks", ["CollectorVerticle."]),
  ("router", ["RouterVerticle.", "HashRing.", "BoundedLoadRing.", "ReplicaAcks."]),
  ("agent: reader, window, spool", ["ContainerReader", "DeliveryWindow.", "AttachSource.", "DockerStream.", "Spool", "LineLevels"]),
  ("agent: docker API (docker-java)", ["dockerjava", "AgentVerticle", "EventWatch"]),
  ("netty I/O (read, select, buffers)", ["io.netty"]),
  ("class loading, JIT, start", ["ClassLoader", "ZipFile", "Hazelcast.newHazelcastInstance", "Launcher", "Main.main"]),
]


def events(jfr, kind, depth):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", str(depth), "--events", kind, jfr],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["recording"]["events"]


def frames(e):
    st = e["values"].get("stackTrace")
    return [x["method"]["type"]["name"].replace("/", ".") + "." + x["method"]["name"] for x in (st["frames"] if st else [])]


def stage(names):
    for f in names:  # innermost first
        hit = next((name for name, pats in RULES if any(p.replace("/", ".") in f for p in pats)), None)
        if hit:
            return hit
    return "other"


def start(e):
    return datetime.datetime.fromisoformat(e["values"]["startTime"].replace("Z", "+00:00")).timestamp()


def last(evs, seconds):
    if not seconds or not evs:
        return evs
    end = max(start(e) for e in evs)
    return [e for e in evs if start(e) >= end - seconds]


def main(jfr, seconds=0.0):
    samples = last(events(jfr, "jdk.ExecutionSample", 96), seconds)
    shares = collections.Counter(stage(frames(e)) for e in samples)
    print(f"CPU: {len(samples)} samples")
    for k, v in shares.most_common():
        print(f"  {k:52s} {v * 100 / len(samples):5.1f} %")
    allocs = collections.Counter()
    total = 0
    for e in last(events(jfr, "jdk.ObjectAllocationSample", 4), seconds):
        w = e["values"]["weight"]
        total += w
        allocs[" < ".join(n.rsplit(".", 2)[-2] + "." + n.rsplit(".", 1)[-1] for n in frames(e)[:3])] += w
    print(f"allocation: {total / 1e9:.2f} GB sampled weight")
    for k, w in allocs.most_common(12):
        print(f"  {w * 100 / max(total, 1):5.1f} % {k}")


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 0.0)
