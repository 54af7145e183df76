package io.dockline.attach.impl;

import io.dockline.attach.MultilineSettings;
import io.dockline.wire.Losses;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * What every part of a {@link ContainerReader} knows of it: the agent's Vert.x (all parts run on its
 * context), meters and spool, the container's id, the longest line kept whole, the container's current name
 * (for messages), the failures in a row of its exchanges with the collectors, the agent's loss ledger and the
 * node's multiline settings.
 */
record ReaderContext(Vertx vertx, AgentMetrics metrics, Spool spool, String containerId, int maxLineBytes,
                     Supplier<String> currentName, Retries retries, LossLedger ledger, MultilineSettings multiline) {
  String name() {
    return currentName.get();
  }

  /** {@code lines} of this container were lost for {@code reason} (0 when they cannot be counted). */
  void lost(Losses.Reason reason, long lines) {
    ledger.lost(containerId, reason, lines);
  }
}
