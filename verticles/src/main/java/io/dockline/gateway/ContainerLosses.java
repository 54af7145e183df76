package io.dockline.gateway;

import io.dockline.wire.Addresses;
import io.dockline.wire.Losses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * A container's loss ledger ({@link Losses}), asked of the agent that reads it (the container's {@code host})
 * and added to the container as {@code lost}. An agent that does not answer leaves {@code lost} with an
 * {@code error} instead: the container is still described.
 */
final class ContainerLosses {
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(3_000);

  private final Vertx vertx;

  ContainerLosses(Vertx vertx) {
    this.vertx = vertx;
  }

  /** {@code container} (the gateway's JSON of it) with {@code lost}: {@code {"lines", "uncounted", "reasons"}}. */
  Future<JsonObject> addTo(JsonObject container) {
    String host = container.getString("host", "");
    if (host.isEmpty()) {
      return Future.succeededFuture(container.put("lost", new JsonObject().put("error", "no agent named")));
    }
    return vertx.eventBus().<JsonObject>request(Addresses.agentLosses(host), Losses.request(container.getString("id")), ASK)
        .map(m -> {
          JsonObject ledger = m.body().copy();
          ledger.remove("v");
          ledger.remove("containerId");
          return container.put("lost", ledger);
        })
        .otherwise(e -> container.put("lost", new JsonObject().put("error",
            "agent " + host + " did not answer: " + e.getMessage())));
  }
}
