package io.dockline.config;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Every dockline meter is tagged with the node it was measured on. */
public final class Meters {
  private Meters() {}

  public static Counter counter(MeterRegistry registry, String node, String name, String description) {
    return Counter.builder(name).description(description).tag("node", node).register(registry);
  }
}
