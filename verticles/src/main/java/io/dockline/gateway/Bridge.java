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
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
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
  /** A request body or SockJS frame posted to the bridge. */
  private static final long MAX_BODY_BYTES = 1 << 20;
  /**
   * The addresses a read-only token may send to: they answer questions and change nothing. Every other
   * address, including any an operator adds to {@code bridge-inbound}, needs a full-access token.
   */
  static final Set<String> READ_ADDRESSES = Set.of(Addresses.API_LOGS, Addresses.API_SEARCH, Addresses.API_STATS,
      Addresses.API_CONTAINERS,
      Addresses.API_CLUSTER, Addresses.RING_STATE, Addresses.NETWORK_LEASES);

  private final Vertx vertx;
  private final ClusterView view;
  private final LogPages pages;
  private final FleetSearches searches;
  private final ApiRoutes api;
  private final GatewayMetrics metrics;
  private final List<String> inbound;
  private final List<String> outbound;
  private final int maxTails;
  private final int maxTailsPerSocket;
  private int maxAddressLength;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  /** Tail address to its running tail; one tail feeds every client registered on the address. */
  private final Map<String, SharedTail> tails = new HashMap<>();
  /** What each SockJS socket registered, to let go of its tails when it closes without unregistering. */
  private final Map<SockJSSocket, List<String>> registrations = new HashMap<>();

  Bridge(Vertx vertx, NodeConfig config, ClusterView view, LogPages pages, ApiRoutes api, FleetSearches searches,
         GatewayMetrics metrics) {
    this.vertx = vertx;
    this.searches = searches;
    this.view = view;
    this.pages = pages;
    this.api = api;
    this.metrics = metrics;
    this.inbound = config.bridgeInbound();
    this.outbound = config.bridgeOutbound();
    this.maxTails = config.maxTails();
    this.maxTailsPerSocket = config.maxTailsPerSocket();
  }

  /** Answers the gateway's own addresses, on this node only: a bridge client is answered by the gateway it reached. */
  Future<Void> start() {
    consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.API_CONTAINERS,
        m -> answer(m, () -> api.containers(ContainerSelector.of(k -> param(m.body(), k), k -> params(m.body(), k))))));
    consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.API_LOGS, m -> answer(m, () -> logs(m.body()))));
    consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.API_SEARCH, m -> answer(m, () -> search(m.body()))));
    consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.API_STATS,
        m -> answer(m, () -> api.stats(k -> param(m.body(), k), k -> params(m.body(), k)))));
    consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.API_CLUSTER, m -> answer(m, view::members)));
    return Future.join(consumers.stream().map(MessageConsumer::completion).collect(Collectors.toList())).mapEmpty();
  }

  void mount(Router router) {
    SockJSBridgeOptions options = new SockJSBridgeOptions()
        .setInboundPermitteds(inbound.stream().map(Bridge::permitted).collect(Collectors.toList()))
        .setOutboundPermitteds(outbound.stream().map(Bridge::permitted).collect(Collectors.toList()));
    maxAddressLength = options.getMaxAddressLength();
    // SockJS's XHR transports post their frames: they need the body read
    router.post("/eventbus/*").handler(Http.bodyOf(MAX_BODY_BYTES));
    router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx).bridge(options, this::onBridgeEvent));
    // the address is checked before the body is read: a refused request costs no more than its headers
    router.post("/bridge/:address").handler(this::mayRequest).handler(Http.bodyOf(MAX_BODY_BYTES)).handler(this::request);
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

  private void mayRequest(RoutingContext rc) {
    String address = rc.pathParam("address");
    if (!isPermitted(inbound, address)) {
      metrics.bridgeRefused();
      Http.error(rc, 403, "address '" + address + "' is not permitted on the bridge");
    } else if (!BearerAuth.mayChange(rc) && !READ_ADDRESSES.contains(address)) {
      metrics.bridgeRefused();
      Http.error(rc, 403, "a read-only token may not send to '" + address + "' (setting read-token)");
    } else {
      rc.next();
    }
  }

  private void request(RoutingContext rc) {
    String address = rc.pathParam("address");
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

  private Future<JsonObject> logs(JsonObject request) {
    JsonObject body = request == null ? new JsonObject() : request;
    String container = param(body, "container");
    if (container == null || container.isBlank()) throw ApiException.badRequest("'container' (id or name) is required");
    LogQuery q = LogQuery.parse(k -> k.equals("follow") ? null : param(body, k), System.currentTimeMillis() * 1_000_000L);
    return view.container(container).compose(c -> pages.page(c, q).map(p -> {
      metrics.linesServed(p.lines.size());
      return p.toJson(c);
    }));
  }

  private Future<JsonObject> search(JsonObject request) {
    JsonObject body = request == null ? new JsonObject() : request;
    SearchQuery q = SearchQuery.parse(k -> param(body, k), k -> params(body, k), System.currentTimeMillis() * 1_000_000L);
    FleetSearches.JsonLines out = new FleetSearches.JsonLines();
    return searches.page(q, out).map(p -> {
      metrics.linesServed(p.count());
      return new JsonObject().put("lines", out.lines).put("cursor", p.cursor() == null ? null : p.cursor().toCursor());
    });
  }

  /**
   * Replies with what {@code work} gives, or fails the message with the code it failed with: every request is
   * answered, one that throws too (a bridge client would otherwise wait for its timeout).
   */
  private static void answer(Message<?> m, Supplier<Future<?>> work) {
    Future<?> result;
    try {
      result = work.get();
    } catch (ApiException e) {
      result = Future.failedFuture(e);
    } catch (ClassCastException e) {
      result = Future.failedFuture(ApiException.badRequest("the body must be a JSON object of the documented fields"));
    }
    result.onSuccess(m::reply).onFailure(e -> {
      ApiException a = ClusterView.replyFailure(e, "not available");
      m.fail(a.status, a.getMessage());
    });
  }

  private static String param(JsonObject body, String key) {
    Object v = body == null ? null : body.getValue(key);
    return v == null ? null : String.valueOf(v);
  }

  /** A field that may be given once or as an array. */
  private static List<String> params(JsonObject body, String key) {
    Object v = body == null ? null : body.getValue(key);
    List<String> out = new ArrayList<>();
    if (v instanceof JsonArray) for (Object o : (JsonArray) v) out.add(String.valueOf(o));
    else if (v != null) out.add(String.valueOf(v));
    return out;
  }

  private void onBridgeEvent(BridgeEvent event) {
    JsonObject raw = event.getRawMessage();
    String address = raw == null ? null : raw.getString("address");
    boolean take = true;
    switch (event.type()) {
      case SEND:
      case PUBLISH:
        if (address == null || !isPermitted(inbound, address)) {
          metrics.bridgeRefused(); // the bridge answers access_denied itself
        } else if (!BearerAuth.mayChange(event.socket().routingContext()) && !READ_ADDRESSES.contains(address)) {
          metrics.bridgeRefused();
          take = false;
        } else {
          metrics.bridgeRequest();
        }
        break;
      case REGISTER:
        take = register(event.socket(), address);
        break;
      case UNREGISTER:
        List<String> mine = registrations.get(event.socket());
        if (address != null && mine != null && mine.remove(address)) release(address, event.socket());
        break;
      case SOCKET_CLOSED:
        List<String> all = registrations.remove(event.socket());
        if (all != null) all.forEach(a -> release(a, event.socket()));
        break;
      default:
        break;
    }
    event.complete(take);
  }

  /**
   * Vert.x checks a registration (address length, permission, a second one for the same address) only after
   * this hook, so they are checked here first: only a registration the bridge will take starts or joins a tail.
   * One it will refuse passes untouched (the client gets the bridge's own error); one past a cap is refused
   * here (the client gets {@code rejected}) and counted.
   */
  private boolean register(SockJSSocket socket, String address) {
    if (address == null || !address.startsWith(Addresses.TAIL_PREFIX) || address.length() > maxAddressLength
        || !isPermitted(outbound, address)) {
      return true;
    }
    List<String> mine = registrations.computeIfAbsent(socket, s -> new ArrayList<>());
    if (mine.contains(address)) return true;
    if (mine.size() >= maxTailsPerSocket) {
      metrics.tailRefused();
      return false;
    }
    SharedTail shared = tails.get(address);
    if (shared == null) {
      if (!metrics.tryOpenTail(maxTails)) return false;
      shared = startTail(address);
      tails.put(address, shared);
    }
    shared.sockets.add(socket);
    mine.add(address);
    return true;
  }

  /** A tail shared by every client registered on one address; lines are published to this node only. */
  private static final class SharedTail {
    final Set<SockJSSocket> sockets = new HashSet<>();
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

        @Override
        public void trimmed(long from, long to) {
          vertx.eventBus().publish(address, new JsonObject().put("trimmed", true).put("from", from).put("to", to),
              localOnly);
        }

        /** The tail goes at the pace of its slowest client: what a socket has not sent yet is bounded. */
        @Override
        public boolean full() {
          for (SockJSSocket s : shared.sockets) if (s.writeQueueFull()) return true;
          return false;
        }
      }).start();
    });
    return shared;
  }

  private void release(String address, SockJSSocket socket) {
    SharedTail shared = tails.get(address);
    if (shared == null) return;
    shared.sockets.remove(socket);
    if (!shared.sockets.isEmpty()) return;
    tails.remove(address);
    shared.stopped = true;
    if (shared.tail != null) shared.tail.stop();
    metrics.tailClosed();
  }

  Future<Void> stop() {
    for (SharedTail t : tails.values()) {
      t.stopped = true;
      if (t.tail != null) t.tail.stop();
      metrics.tailClosed();
    }
    tails.clear();
    return Future.join(consumers.stream().map(MessageConsumer::unregister).collect(Collectors.toList())).mapEmpty();
  }
}
