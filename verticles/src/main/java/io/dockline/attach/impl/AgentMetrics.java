package io.dockline.attach.impl;

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
  final AtomicLong streamsOpen = new AtomicLong();
  final AtomicLong pendingLines = new AtomicLong();

  public AgentMetrics(MeterRegistry registry, String node) {
    linesRead = Counter.builder("dockline.lines.read").description("lines read from containers")
        .tag("node", node).register(registry);
    bytesRead = Counter.builder("dockline.bytes.read").description("bytes read from attach streams")
        .tag("node", node).register(registry);
    batchesSent = Counter.builder("dockline.batches.sent").description("line batches sent to a collector (first sends)")
        .tag("node", node).register(registry);
    batchesAcked = Counter.builder("dockline.batches.acked").description("line batches acknowledged as stored")
        .tag("node", node).register(registry);
    batchesResent = Counter.builder("dockline.batches.resent").description("line batches sent again after a failure")
        .tag("node", node).register(registry);
    readerPauses = Counter.builder("dockline.agent.reader.pauses")
        .description("times a container's reading paused because its unacknowledged buffer was full")
        .tag("node", node).register(registry);
    lateAttaches = Counter.builder("dockline.attach.late")
        .description("attach streams opened after the container started: output before it is not read")
        .tag("node", node).register(registry);
    registry.gauge("dockline.attach.streams.open", io.micrometer.core.instrument.Tags.of("node", node), streamsOpen);
    registry.gauge("dockline.agent.pending.lines", io.micrometer.core.instrument.Tags.of("node", node), pendingLines);
  }
}
