package io.dockline.gateway;

import io.dockline.config.Meters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/** What the gateway gives out: lines served, live tails open, bridge traffic. */
final class GatewayMetrics {
  private final Counter linesServed;
  private final AtomicInteger tailsOpen = new AtomicInteger();
  private final Counter bridgeIn;
  private final Counter bridgeRefused;
  private final Counter tailsRefused;

  GatewayMetrics(MeterRegistry registry, String node) {
    linesServed = Meters.counter(registry, node, "dockline.gateway.lines.served",
        "lines given out by this gateway (API pages, live tails, bridge)");
    Gauge.builder("dockline.gateway.tails.open", tailsOpen, AtomicInteger::get).tag("node", node)
        .description("live tails open on this gateway (SSE and bridge)").register(registry);
    bridgeIn = Meters.counter(registry, node, "dockline.bridge.requests",
        "requests sent through the event-bus bridge (SockJS and POST /bridge)");
    bridgeRefused = Meters.counter(registry, node, "dockline.bridge.refused",
        "bridge messages refused: address not permitted, or not for a read-only token");
    tailsRefused = Meters.counter(registry, node, "dockline.gateway.tails.refused",
        "live tails refused at a cap (max-tails, max-tails-per-socket)");
  }

  void linesServed(int n) { linesServed.increment(n); }

  /** Takes a live tail's place unless {@code max} tails are open; a refusal is counted. */
  boolean tryOpenTail(int max) {
    if (tailsOpen.get() >= max) {
      tailsRefused.increment();
      return false;
    }
    tailsOpen.incrementAndGet();
    return true;
  }

  void tailRefused() { tailsRefused.increment(); }
  void tailClosed() { tailsOpen.decrementAndGet(); }
  void bridgeRequest() { bridgeIn.increment(); }
  void bridgeRefused() { bridgeRefused.increment(); }
}
