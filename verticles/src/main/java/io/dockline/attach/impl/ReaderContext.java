package io.dockline.attach.impl;

import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * What every part of a {@link ContainerReader} knows of it: the agent's Vert.x (all parts run on its
 * context), meters and spool, the container's id, the longest line kept whole, the container's current name
 * (for messages), and the failures in a row of its exchanges with the collectors.
 */
record ReaderContext(Vertx vertx, AgentMetrics metrics, Spool spool, String containerId, int maxLineBytes,
                     Supplier<String> currentName, Retries retries) {
  String name() {
    return currentName.get();
  }
}
