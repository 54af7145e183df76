package io.dockline.routing;

import io.dockline.config.NodeConfig;
import io.dockline.config.NodeStatus;
import io.dockline.wire.Addresses;
import io.dockline.wire.BatchAck;
import io.dockline.wire.LineBatch;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Role router: sends each container's batches to the collector that owns the container on the hash ring
 * of ready collectors, and passes the collector's acknowledgement back to the agent.
 */
public final class RouterVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(RouterVerticle.class.getName());
  /** Failure code when no collector is ready. */
  public static final int NO_COLLECTOR = 503;
  private static final long REFRESH_MS = 1_000;

  private final NodeConfig config;
  private final NodeStatus status;
  private volatile HashRing ring = new HashRing(List.of());
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  public RouterVerticle(NodeConfig config, NodeStatus status) {
    this.config = config;
    this.status = status;
  }

  @Override
  public Future<?> start() {
    status.set(NodeConfig.Role.ROUTER, false, "waiting for a ready collector");
    consumers.add(vertx.eventBus().<LineBatch>localConsumer(Addresses.ROUTER_BATCH, this::route));
    consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.ROUTER_LAST_SEQ, this::lastSeq));
    vertx.setPeriodic(0, REFRESH_MS, t -> refreshRing());
    return Future.succeededFuture();
  }

  private void refreshRing() {
    vertx.sharedData().<String, JsonObject>getAsyncMap(Addresses.COLLECTOR_REGISTRY_MAP)
        .compose(AsyncMap::entries)
        .onSuccess(entries -> {
          java.util.Set<String> ready = new java.util.TreeSet<>();
          entries.forEach((node, reg) -> { if (reg.getBoolean("ready", false)) ready.add(node); });
          if (!ready.equals(ring.members())) {
            ring = new HashRing(ready);
            LOG.info("collector ring: " + ready);
          }
          status.set(NodeConfig.Role.ROUTER, !ring.isEmpty(),
              ring.isEmpty() ? "waiting for a ready collector" : "routing to " + ring.members());
        })
        .onFailure(e -> LOG.fine(() -> "collector registry unreadable: " + e.getMessage()));
  }

  private void route(Message<LineBatch> msg) {
    LineBatch batch = msg.body();
    String owner = ring.owner(batch.container().id());
    if (owner == null) {
      msg.fail(NO_COLLECTOR, "no collector is ready");
      return;
    }
    DeliveryOptions opts = new DeliveryOptions().setSendTimeout(25_000).setHeaders(msg.headers());
    vertx.eventBus().<BatchAck>request(Addresses.collectorWrite(owner), batch, opts).onComplete(ar -> {
      if (ar.succeeded()) msg.reply(ar.result().body());
      else forwardFailure(msg, ar.cause());
    });
  }

  private void lastSeq(Message<JsonObject> msg) {
    String owner = ring.owner(msg.body().getString("containerId", ""));
    if (owner == null) {
      msg.fail(NO_COLLECTOR, "no collector is ready");
      return;
    }
    JsonObject query = msg.body().copy().put("op", "last-seq");
    vertx.eventBus().<JsonObject>request(Addresses.collectorQuery(owner), query,
        new DeliveryOptions().setSendTimeout(10_000)).onComplete(ar -> {
          if (ar.succeeded()) msg.reply(ar.result().body());
          else forwardFailure(msg, ar.cause());
        });
  }

  private static void forwardFailure(Message<?> msg, Throwable cause) {
    int code = cause instanceof ReplyException ? ((ReplyException) cause).failureCode() : 500;
    msg.fail(code, cause.getMessage());
  }

  @Override
  public Future<?> stop() {
    status.set(NodeConfig.Role.ROUTER, false, "stopped");
    return Future.join(consumers.stream().map(MessageConsumer::unregister).collect(java.util.stream.Collectors.toList()));
  }
}
