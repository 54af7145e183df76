package io.dockline.attach.impl;

import io.dockline.config.Meters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/** The agent's meters, created once per agent. */
public final class AgentMetrics {
  final Counter linesRead;
  final Counter bytesRead;
  final Counter batchesSent;
  final Counter batchesAcked;
  final Counter batchesResent;
  final Counter readerPauses;
  final Counter lateAttaches;
  final Counter linesDropped;
  final Counter logsOutOfOrder;
  final Counter logsResumeMismatches;
  final AtomicLong streamsOpen = new AtomicLong();
  final AtomicLong pendingLines = new AtomicLong();

  public AgentMetrics(MeterRegistry registry, String node, Spool spool) {
    linesRead = Meters.counter(registry, node, "dockline.lines.read", "lines read from containers");
    bytesRead = Meters.counter(registry, node, "dockline.bytes.read", "bytes read from attach streams");
    batchesSent = Meters.counter(registry, node, "dockline.batches.sent", "line batches sent to a collector (first sends)");
    batchesAcked = Meters.counter(registry, node, "dockline.batches.acked", "line batches acknowledged as stored");
    batchesResent = Meters.counter(registry, node, "dockline.batches.resent", "line batches sent again after a failure");
    readerPauses = Meters.counter(registry, node, "dockline.agent.reader.pauses", "times a container's reading paused because its unacknowledged buffer was full");
    lateAttaches = Meters.counter(registry, node, "dockline.attach.late", "attach streams opened after the container started: output before it is not read");
    registry.gauge("dockline.attach.streams.open", io.micrometer.core.instrument.Tags.of("node", node), streamsOpen);
    linesDropped = Meters.counter(registry, node, "dockline.lines.dropped", "lines discarded: spool full under the drop-newest policy, or never numbered when stopping");
    logsOutOfOrder = Meters.counter(registry, node, "dockline.logs.out.of.order", "logs-mode lines stamped before a"
        + " line of their stream written earlier, or more than logs-reorder-tolerance before any line written earlier");
    logsResumeMismatches = Meters.counter(registry, node, "dockline.logs.resume.mismatches", "logs-mode resumes that"
        + " did not find the checkpoint's last line as saved (the log rotated past it or changed)");
    io.micrometer.core.instrument.FunctionCounter.builder("dockline.agent.spool.write.failures", spool,
            s -> s.failedWrites.get()).tag("node", node)
        .description("spool writes that failed (its disk full, say): the spool then counts as full a few seconds")
        .register(registry);
    registry.gauge("dockline.agent.spool.bytes", io.micrometer.core.instrument.Tags.of("node", node), spool.usedBytes);
    registry.gauge("dockline.agent.pending.lines", io.micrometer.core.instrument.Tags.of("node", node), pendingLines);
  }
}
