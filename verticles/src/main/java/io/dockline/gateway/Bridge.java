package io.dockline.gateway;

import io.dockline.config.NodeConfig;
import io.dockline.wire.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The event-bus bridge for other services: SockJS at {@code /eventbus} and plain request/reply at
 * {@code POST /bridge/{address}}. Only the configured addresses pass, inbound and outbound. The gateway
 * answers its own addresses ({@link Addresses#API_LOGS} and the like) and runs a live tail for each
 * {@link Addresses#TAIL_PREFIX} address a SockJS client registers on, for as long as one is registered.
 */
final class Bridge {
  private static final long DEFAULT_TIMEOUT_MS = 10_000;
  private static final long MAX_TIMEOUT_MS = 60_000;

  private final Vertx vertx;
  private final ClusterView view;
  private final LogPages pages;
  private final ApiRoutes api;
  private final GatewayMetrics metrics;
  private final List<String> inbound;
  private final List<String> outbound;
  private final List<String> origins;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  /** Tail address to its running tail; one tail feeds every client registered on the address. */
  private final Map<String, SharedTail> tails = new HashMap<>();
  /** What each SockJS socket registered, to let go of its tails when it closes without unregistering. */
  private final Map<SockJSSocket, List<String>> registrations = new HashMap<>();

  Bridge(Vertx vertx, NodeConfig config, ClusterView view, LogPages pages, ApiRoutes api, GatewayMetrics metrics) {
    this.vertx = vertx;
    this.view = view;
    this.pages = pages;
    this.api = api;
    this.metrics = metrics;
    this.inbound = config.bridgeInbound();
    this.outbound = config.bridgeOutbound();
    this.origins = config.bridgeOrigins();
  }

  /** Answers the gateway's own addresses, on this node only: a bridge client is answered by the gateway it reached. */
  Future<Void> start() {
    consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.API_CONTAINERS,
        m -> answer(m, api.containers(ApiRoutes.ContainerFilter.of(k -> param(m.body(), k), labels(m.body()))))));
    consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.API_LOGS, this::logs));
    consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.API_CLUSTER, m -> answer(m, view.members())));
    return Future.join(consumers.stream().map(MessageConsumer::completion).collect(Collectors.toList())).mapEmpty();
  }

  void mount(Router router) {
    OriginCheck sameOrigin = new OriginCheck(origins);
    router.route("/eventbus/*").handler(sameOrigin);
    router.route("/bridge/*").handler(sameOrigin);
    SockJSBridgeOptions options = new SockJSBridgeOptions()
        .setInboundPermitteds(inbound.stream().map(Bridge::permitted).collect(Collectors.toList()))
        .setOutboundPermitteds(outbound.stream().map(Bridge::permitted).collect(Collectors.toList()));
    // SockJS's XHR transports post their frames: they need the body read
    router.post("/eventbus/*").handler(BodyHandler.create().setBodyLimit(1 << 20));
    router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx).bridge(options, this::onBridgeEvent));
    router.post("/bridge/:address").handler(BodyHandler.create().setBodyLimit(1 << 20)).handler(this::request);
  }

  /** A configured entry: an exact address, or a prefix when it ends in '*'. */
  static PermittedOptions permitted(String entry) {
    return entry.endsWith("*")
        ? new PermittedOptions().setAddressRegex(Pattern.quote(entry.substring(0, entry.length() - 1)) + ".*")
        : new PermittedOptions().setAddress(entry);
  }

  static boolean isPermitted(List<String> entries, String address) {
    return NodeConfig.listed(entries, address);
  }

  private void request(RoutingContext rc) {
    String address = rc.pathParam("address");
    if (!isPermitted(inbound, address)) {
      metrics.bridgeRefused();
      Http.error(rc, 403, "address '" + address + "' is not permitted on the bridge");
      return;
    }
    JsonObject body;
    long timeout;
    try {
      body = rc.body().length() == 0 ? new JsonObject() : rc.body().asJsonObject();
      String t = rc.queryParams().get("timeout");
      timeout = t == null ? DEFAULT_TIMEOUT_MS : Long.parseLong(t);
      if (timeout < 1 || timeout > MAX_TIMEOUT_MS) throw new NumberFormatException();
    } catch (DecodeException | ClassCastException e) {
      Http.error(rc, 400, "the body must be a JSON object");
      return;
    } catch (NumberFormatException e) {
      Http.error(rc, 400, "'timeout' must be milliseconds from 1 to " + MAX_TIMEOUT_MS);
      return;
    }
    metrics.bridgeRequest();
    vertx.eventBus().request(address, body, new DeliveryOptions().setSendTimeout(timeout)).onSuccess(m -> {
      Object reply = m.body();
      if (reply instanceof JsonObject || reply instanceof JsonArray || reply instanceof String
          || reply instanceof Number || reply instanceof Boolean || reply == null) {
        Http.json(rc, reply);
      } else {
        Http.error(rc, 502, "the reply from '" + address + "' is not JSON");
      }
    }).onFailure(e -> Http.fail(rc, ClusterView.replyFailure(e, "no handler for '" + address + "'")));
  }

  private void logs(Message<JsonObject> m) {
    JsonObject body = m.body() == null ? new JsonObject() : m.body();
    String container = body.getString("container");
    if (container == null || container.isBlank()) {
      m.fail(400, "'container' (id or name) is required");
      return;
    }
    Future<JsonObject> page;
    try {
      LogQuery q = LogQuery.parse(k -> k.equals("follow") ? null : param(body, k), System.currentTimeMillis() * 1_000_000L);
      page = view.container(container).compose(c -> pages.page(c, q).map(p -> {
        metrics.linesServed(p.lines.size());
        return p.toJson(c);
      }));
    } catch (ApiException e) {
      page = Future.failedFuture(e);
    }
    answer(m, page);
  }

  private static void answer(Message<?> m, Future<?> result) {
    result.onSuccess(m::reply).onFailure(e -> {
      ApiException a = ClusterView.replyFailure(e, "not available");
      m.fail(a.status, a.getMessage());
    });
  }

  private static String param(JsonObject body, String key) {
    Object v = body == null ? null : body.getValue(key);
    return v == null ? null : String.valueOf(v);
  }

  private static List<String> labels(JsonObject body) {
    Object v = body == null ? null : body.getValue("label");
    List<String> out = new ArrayList<>();
    if (v instanceof JsonArray) for (Object o : (JsonArray) v) out.add(String.valueOf(o));
    else if (v != null) out.add(String.valueOf(v));
    return out;
  }

  private void onBridgeEvent(BridgeEvent event) {
    JsonObject raw = event.getRawMessage();
    String address = raw == null ? null : raw.getString("address");
    switch (event.type()) {
      case SEND:
      case PUBLISH:
        if (address != null && isPermitted(inbound, address)) metrics.bridgeRequest();
        else metrics.bridgeRefused();
        break;
      case REGISTER:
        // the bridge checks permissions after this hook: only a permitted registration starts a tail
        if (address != null && address.startsWith(Addresses.TAIL_PREFIX) && isPermitted(outbound, address)) {
          registrations.computeIfAbsent(event.socket(), s -> new ArrayList<>()).add(address);
          tails.computeIfAbsent(address, this::startTail).clients++;
        }
        break;
      case UNREGISTER:
        List<String> mine = registrations.get(event.socket());
        if (address != null && mine != null && mine.remove(address)) release(address);
        break;
      case SOCKET_CLOSED:
        List<String> all = registrations.remove(event.socket());
        if (all != null) all.forEach(this::release);
        break;
      default:
        break;
    }
    event.complete(true);
  }

  /** A tail shared by every client registered on one address; lines are published to this node only. */
  private final class SharedTail {
    int clients;
    LogTail tail;
    boolean stopped;
  }

  private SharedTail startTail(String address) {
    SharedTail shared = new SharedTail();
    String idOrName = address.substring(Addresses.TAIL_PREFIX.length());
    DeliveryOptions localOnly = new DeliveryOptions().setLocalOnly(true);
    // from the container's newest line on; one not seen yet is followed from its first line
    view.container(idOrName).map(c -> c.getLong("lastSeq")).otherwise(0L).onSuccess(after -> {
      if (shared.stopped) return;
      shared.tail = new LogTail(vertx, view, idOrName, after, l -> true, new LogTail.Sink() {
        @Override
        public void line(JsonObject line) {
          metrics.linesServed(1);
          vertx.eventBus().publish(address, line, localOnly);
        }

        @Override
        public void gap(long from, long to) {
          vertx.eventBus().publish(address, new JsonObject().put("gap", true).put("from", from).put("to", to), localOnly);
        }
      }).start();
      metrics.tailOpened();
    });
    return shared;
  }

  private void release(String address) {
    SharedTail shared = tails.get(address);
    if (shared == null || --shared.clients > 0) return;
    tails.remove(address);
    shared.stopped = true;
    if (shared.tail != null) {
      shared.tail.stop();
      metrics.tailClosed();
    }
  }

  Future<Void> stop() {
    new ArrayList<>(tails.keySet()).forEach(a -> {
      SharedTail t = tails.get(a);
      t.clients = 1;
      release(a);
    });
    return Future.join(consumers.stream().map(MessageConsumer::unregister).collect(Collectors.toList())).mapEmpty();
  }
}
