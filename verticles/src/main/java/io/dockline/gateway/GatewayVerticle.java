package io.dockline.gateway;

import io.dockline.config.NodeConfig;
import io.dockline.config.NodeStatus;
import io.dockline.wire.Addresses;
import io.dockline.wire.LineBatch;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Role gateway: the HTTP API. Container lists and logs are gathered from every ready collector and merged,
 * so a container's lines read back as one ordered sequence whichever collectors hold them.
 */
public final class GatewayVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(GatewayVerticle.class.getName());
  static final int DEFAULT_LIMIT = 1000;
  static final int MAX_LIMIT = 100_000;
  private static final DeliveryOptions QUERY = new DeliveryOptions().setSendTimeout(15_000);

  private final NodeConfig config;
  private final NodeStatus status;
  private final PrometheusMeterRegistry registry;
  private HttpServer server;

  public GatewayVerticle(NodeConfig config, NodeStatus status, PrometheusMeterRegistry registry) {
    this.config = config;
    this.status = status;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    status.set(NodeConfig.Role.GATEWAY, false, "starting");
    Router router = Router.router(vertx);
    router.get("/health").handler(this::health);
    router.get("/metrics").handler(this::metrics);
    router.get("/api/containers").handler(this::containers);
    router.get("/api/containers/:idOrName/logs").handler(this::logs);
    router.route().last().handler(rc -> error(rc, 404, "no such resource: " + rc.request().path()));
    router.route().failureHandler(rc -> error(rc, rc.statusCode() > 0 ? rc.statusCode() : 500,
        rc.failure() == null ? "request failed" : String.valueOf(rc.failure().getMessage())));
    return vertx.createHttpServer().requestHandler(router).listen(config.httpPort(), config.httpHost())
        .onSuccess(s -> {
          server = s;
          status.set(NodeConfig.Role.GATEWAY, true, "listening on " + config.httpHost() + ":" + s.actualPort());
          LOG.info("HTTP API on http://" + config.httpHost() + ":" + s.actualPort());
        })
        .onFailure(e -> LOG.severe("cannot listen on " + config.httpHost() + ":" + config.httpPort() + ": "
            + e.getMessage()));
  }

  private void health(RoutingContext rc) {
    JsonObject body = status.toJson(config.roles());
    rc.response().setStatusCode(body.getBoolean("ready") ? 200 : 503)
        .putHeader("content-type", "application/json").end(body.encode());
  }

  private void metrics(RoutingContext rc) {
    rc.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape());
  }

  private void containers(RoutingContext rc) {
    allContainers().onSuccess(list -> rc.response().putHeader("content-type", "application/json")
        .end(new JsonArray(new ArrayList<>(list.values())).encode()))
        .onFailure(rc::fail);
  }

  /** Every container any ready collector holds, merged by id. */
  private Future<Map<String, JsonObject>> allContainers() {
    return readyCollectors().compose(nodes -> {
      List<Future<JsonArray>> answers = new ArrayList<>();
      for (String node : nodes) {
        answers.add(vertx.eventBus().<JsonArray>request(Addresses.collectorQuery(node),
            new JsonObject().put("op", "containers"), QUERY).map(m -> m.body()));
      }
      return Future.join(answers).map(cf -> {
        Map<String, JsonObject> merged = new LinkedHashMap<>();
        for (Future<JsonArray> f : answers) {
          if (f.failed()) continue; // a collector gone since the registry was read
          for (Object o : f.result()) {
            JsonObject c = (JsonObject) o;
            JsonObject cur = merged.get(c.getString("id"));
            if (cur == null) {
              cur = new JsonObject().put("id", c.getString("id")).put("name", c.getString("name"))
                  .put("image", c.getString("image")).put("host", c.getString("host")).put("labels", c.getJsonObject("labels"))
                  .put("lines", 0L).put("lastSeq", 0L).put("collectors", new JsonArray());
              merged.put(c.getString("id"), cur);
            }
            cur.put("lines", cur.getLong("lines") + c.getLong("lines"))
                .put("lastSeq", Math.max(cur.getLong("lastSeq"), c.getLong("lastSeq")));
            cur.getJsonArray("collectors").add(new JsonObject().put("node", c.getString("collector"))
                .put("lastSeq", c.getLong("lastSeq")));
          }
        }
        return merged;
      });
    });
  }

  private void logs(RoutingContext rc) {
    long after;
    int limit;
    try {
      after = longParam(rc, "after", 0);
      limit = (int) longParam(rc, "limit", DEFAULT_LIMIT);
    } catch (IllegalArgumentException e) {
      error(rc, 400, e.getMessage());
      return;
    }
    if (after < 0) {
      error(rc, 400, "'after' must be 0 or more");
      return;
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      error(rc, 400, "'limit' must be from 1 to " + MAX_LIMIT);
      return;
    }
    String idOrName = rc.pathParam("idOrName");
    allContainers().compose(all -> {
      JsonObject c = resolve(all, idOrName);
      if (c == null) return Future.succeededFuture((Buffer) null);
      return readLines(c, after, limit);
    }).onSuccess(body -> {
      if (body == null) {
        error(rc, 404, "no container '" + idOrName + "'");
      } else {
        rc.response().putHeader("content-type", "application/x-ndjson").end(body);
      }
    }).onFailure(rc::fail);
  }

  private Future<Buffer> readLines(JsonObject container, long after, int limit) {
    String id = container.getString("id");
    List<Future<LineBatch>> parts = new ArrayList<>();
    JsonArray holders = container.getJsonArray("collectors");
    for (Object h : holders) {
      JsonObject q = new JsonObject().put("op", "logs").put("containerId", id).put("after", after).put("limit", limit);
      String node = ((JsonObject) h).getString("node");
      parts.add(vertx.eventBus().<LineBatch>request(Addresses.collectorQuery(node), q, QUERY).map(m -> m.body()));
    }
    return Future.all(parts).map(cf -> {
      // a collector that answered with less than it holds (a page is bounded in lines and bytes) bounds the
      // merged page: past its last line, lines it holds could be missing from the merge
      long cutoff = Long.MAX_VALUE;
      for (int p = 0; p < parts.size(); p++) {
        LineBatch b = parts.get(p).result();
        long held = holders.getJsonObject(p).getLong("lastSeq");
        if (b.count() > 0 && b.lastSeq() < held) cutoff = Math.min(cutoff, b.lastSeq());
      }
      // merge by sequence; a line held by two collectors (after a handover) is written once
      List<long[]> order = new ArrayList<>(); // {seq, part, index}
      for (int p = 0; p < parts.size(); p++) {
        LineBatch b = parts.get(p).result();
        for (int i = 0; i < b.count(); i++) order.add(new long[] {b.seq(i), p, i});
      }
      order.sort(Comparator.comparingLong(a -> a[0]));
      Buffer out = Buffer.buffer();
      JsonObject[] labels = new JsonObject[parts.size()];
      long last = Long.MIN_VALUE;
      int n = 0;
      for (long[] e : order) {
        if (e[0] > cutoff) break;
        if (e[0] == last) continue;
        if (n++ == limit) break;
        last = e[0];
        LineBatch b = parts.get((int) e[1]).result();
        int p = (int) e[1];
        if (labels[p] == null) labels[p] = LineJson.labelsOf(b);
        out.appendString(LineJson.of(b, (int) e[2], labels[p]).encode()).appendByte((byte) '\n');
      }
      return out;
    });
  }

  /** By exact id, by name (with or without Docker's leading '/'), or by a unique id prefix. */
  static JsonObject resolve(Map<String, JsonObject> all, String idOrName) {
    String key = idOrName.startsWith("/") ? idOrName.substring(1) : idOrName;
    if (all.containsKey(key)) return all.get(key);
    for (JsonObject c : all.values()) if (key.equals(c.getString("name"))) return c;
    JsonObject found = null;
    if (key.length() >= 4) {
      for (JsonObject c : all.values()) {
        if (c.getString("id").startsWith(key)) {
          if (found != null) return null;
          found = c;
        }
      }
    }
    return found;
  }

  private Future<List<String>> readyCollectors() {
    return vertx.sharedData().<String, JsonObject>getAsyncMap(Addresses.COLLECTOR_REGISTRY_MAP)
        .compose(AsyncMap::entries)
        .map(entries -> {
          List<String> nodes = new ArrayList<>();
          entries.forEach((node, reg) -> { if (reg.getBoolean("ready", false)) nodes.add(node); });
          return nodes;
        });
  }

  private static long longParam(RoutingContext rc, String name, long dflt) {
    String v = rc.queryParams().get(name);
    if (v == null || v.isEmpty()) return dflt;
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + name + "' must be a whole number, got '" + v + "'");
    }
  }

  private static void error(RoutingContext rc, int code, String message) {
    if (rc.response().ended()) return;
    rc.response().setStatusCode(code).putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", message).put("status", code).encode());
  }

  @Override
  public Future<?> stop() {
    status.set(NodeConfig.Role.GATEWAY, false, "stopped");
    return server == null ? Future.succeededFuture() : server.close();
  }
}
