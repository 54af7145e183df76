package io.dockline.gateway;

import io.dockline.wire.SearchKey;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;

/** The HTTP API under {@code /api} (see {@code /openapi.json}). */
final class ApiRoutes {
  static final long SSE_KEEPALIVE_MS = 15_000;

  private final Vertx vertx;
  private final ClusterView view;
  private final LogPages pages;
  private final FleetSearches searches;
  private final GatewayMetrics metrics;
  private final int maxTails;
  /** How long a follow across containers holds each line to give lines read later in time order. */
  private final long followSettleMs;
  /** A purge deletes what nothing brings back: only with a full-access token, and so only when one is set. */
  private final boolean tokenSet;

  ApiRoutes(Vertx vertx, ClusterView view, LogPages pages, FleetSearches searches, GatewayMetrics metrics, int maxTails,
            long followSettleMs, boolean tokenSet) {
    this.followSettleMs = followSettleMs;
    this.vertx = vertx;
    this.searches = searches;
    this.view = view;
    this.pages = pages;
    this.metrics = metrics;
    this.maxTails = maxTails;
    this.tokenSet = tokenSet;
  }

  void mount(Router router) {
    router.get("/api/cluster").handler(rc -> Http.reply(rc, view.members()));
    router.get("/api/ring").handler(rc -> Http.reply(rc, view.ring()));
    router.get("/api/networks").handler(rc -> Http.reply(rc, view.networks(networkFilter(rc.queryParams()))));
    router.get("/api/containers").handler(rc -> Http.reply(rc, containers(ContainerSelector.of(rc.queryParams()::get,
        rc.queryParams()::getAll))));
    ContainerLosses losses = new ContainerLosses(vertx);
    router.get("/api/containers/:idOrName").handler(rc -> Http.reply(rc,
        view.container(rc.pathParam("idOrName")).compose(losses::addTo)));
    router.get("/api/logs").handler(this::search);
    router.get("/api/stats").handler(rc -> Http.reply(rc, stats(rc.queryParams()::get, rc.queryParams()::getAll)));
    router.get("/api/containers/:idOrName/logs").handler(this::logs);
    router.delete("/api/containers/:idOrName/logs").handler(this::purge);
  }

  /**
   * {@code DELETE /api/containers/{id}/logs?through=SEQ} or {@code ?before=TIME}: deletes the container's lines
   * through that seq, or those stamped before that time, on every collector holding it; answers each
   * collector's new first seq. The container is named by its whole id or its name (no prefix: this deletes).
   */
  private void purge(RoutingContext rc) {
    if (!tokenSet) {
      Http.error(rc, 403, "purging needs a full-access token: set auth-token on the gateway");
      return;
    }
    if (!BearerAuth.mayChange(rc)) {
      Http.error(rc, 403, "a read-only token cannot purge");
      return;
    }
    String through = rc.queryParams().get("through");
    String before = rc.queryParams().get("before");
    long throughSeq;
    Long beforeMillis;
    try {
      if ((through == null) == (before == null)) throw ApiException.badRequest("give one of 'through' (a seq) or 'before' (a time)");
      throughSeq = through == null ? 0 : parseSeq(through);
      beforeMillis = before == null ? null
          : LogQuery.parseTime(before.trim(), System.currentTimeMillis() * 1_000_000L, "before") / 1_000_000L;
    } catch (ApiException e) {
      Http.fail(rc, e);
      return;
    }
    String idOrName = rc.pathParam("idOrName");
    Http.reply(rc, view.container(idOrName).compose(c -> {
      String id = c.getString("id");
      if (!id.equals(idOrName) && !idOrName.replaceFirst("^/", "").equals(c.getString("name"))) {
        throw ApiException.badRequest("give the whole container id or its name to purge (not a prefix): " + id);
      }
      return view.purge(c, throughSeq, beforeMillis);
    }));
  }

  private static long parseSeq(String v) {
    try {
      long seq = Long.parseLong(v.trim());
      if (seq >= 1) return seq;
    } catch (NumberFormatException e) {
      // refused below
    }
    throw ApiException.badRequest("'through' must be a seq (a whole number from 1), got '" + v + "'");
  }

  /** {@code network} and {@code host} as the network role takes them; absent ones are left out. */
  private static JsonObject networkFilter(MultiMap params) {
    JsonObject filter = new JsonObject();
    for (String key : new String[] {"network", "host"}) {
      String v = params.get(key);
      if (v != null && !v.isBlank()) filter.put(key, v.trim());
    }
    return filter;
  }

  /** Containers passing the filter, with the ring's measured rates when a router reports them. */
  Future<JsonArray> containers(ContainerSelector filter) {
    Future<Map<String, JsonObject>> all = view.containers();
    Future<JsonObject> ring = view.ring().otherwise(new JsonObject());
    return Future.all(all, ring).map(v -> {
      Map<String, JsonObject> rates = ratesByContainer(ring.result());
      JsonArray out = new JsonArray();
      for (JsonObject shared : filter.select(all.result())) {
        JsonObject c = shared.copy();
        JsonObject rate = rates.get(c.getString("id"));
        c.put("linesPerSecond", rate == null ? 0.0 : rate.getDouble("linesPerSecond", 0.0))
            .put("bytesPerSecond", rate == null ? 0.0 : rate.getDouble("bytesPerSecond", 0.0));
        out.add(c);
      }
      return out;
    });
  }

  private static Map<String, JsonObject> ratesByContainer(JsonObject ring) {
    Map<String, JsonObject> rates = new java.util.HashMap<>();
    for (Object c : ring.getJsonArray("collectors", new JsonArray())) {
      for (Object s : ((JsonObject) c).getJsonArray("streamLoads", new JsonArray())) {
        JsonObject load = (JsonObject) s;
        rates.put(load.getString("container"), load);
      }
    }
    return rates;
  }

  /**
   * {@code GET /api/logs}: a page of the lines of every selected container, merged by time ({@link SearchQuery},
   * {@link FleetSearches}), as NDJSON; {@code X-Dockline-Cursor} gives the next page's {@code cursor}.
   */
  private void search(RoutingContext rc) {
    SearchQuery q;
    boolean follow;
    try {
      q = SearchQuery.parse(rc.queryParams()::get, rc.queryParams()::getAll, System.currentTimeMillis() * 1_000_000L);
      follow = LogQuery.bool(rc.queryParams()::get, "follow");
    } catch (ApiException e) {
      Http.fail(rc, e);
      return;
    }
    if (follow) {
      followFleet(rc, q);
      return;
    }
    LineJson.NdjsonWriter out = new LineJson.NdjsonWriter();
    searches.page(q, out).onSuccess(page -> {
      metrics.linesServed(page.count());
      if (page.cursor() != null) rc.response().putHeader("X-Dockline-Cursor", page.cursor().toCursor());
      rc.response().putHeader("X-Dockline-Containers", Integer.toString(page.containers()));
      endNdjson(rc, out);
    }).onFailure(e -> Http.fail(rc, e));
  }

  /**
   * {@code GET /api/stats}: lines and bytes per {@code step} (default {@code 1m}) per group ({@code by}, default
   * {@code service}) of the selected containers, with the filters of {@code GET /api/logs}.
   */
  Future<JsonObject> stats(java.util.function.Function<String, String> param,
                           java.util.function.Function<String, java.util.List<String>> all) {
    try {
      SearchQuery q = SearchQuery.parse(param, all, System.currentTimeMillis() * 1_000_000L);
      String step = param.apply("step");
      long stepNanos;
      try {
        stepNanos = io.dockline.config.Quantities.duration(step == null || step.isBlank() ? "1m" : step.trim(), false).toNanos();
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("'step' must be a duration such as 10s, 1m or 1h, got '" + step + "'");
      }
      String by = param.apply("by");
      return searches.stats(q, stepNanos, by == null || by.isBlank() ? "service" : by.trim());
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
  }

  private void logs(RoutingContext rc) {
    LogQuery q;
    MultiMap params = rc.queryParams();
    try {
      q = LogQuery.parse(params::get, System.currentTimeMillis() * 1_000_000L);
    } catch (ApiException e) {
      Http.fail(rc, e);
      return;
    }
    String idOrName = rc.pathParam("idOrName");
    if (q.follow) {
      follow(rc, idOrName, q);
      return;
    }
    LineJson.NdjsonWriter out = new LineJson.NdjsonWriter();
    view.container(idOrName).compose(c -> pages.page(c, q, out)).onSuccess(page -> {
      metrics.linesServed(page.count);
      if (page.skipped != null) {
        rc.response().putHeader(page.skippedHeader(), page.skipped[0] + "-" + page.skipped[1]);
      }
      rc.response().putHeader("X-Dockline-Scanned-Through", Long.toString(page.scannedThrough))
          .putHeader("X-Dockline-More", Boolean.toString(page.more));
      endNdjson(rc, out);
    }).onFailure(e -> Http.fail(rc, e));
  }

  /**
   * {@code GET /api/logs?follow=true}: Server-Sent Events of every selected container's lines as they come
   * ({@link FleetFollow}), after the stored ones following {@code Last-Event-ID}, {@code cursor} or {@code since}
   * when given.
   */
  private void followFleet(RoutingContext rc, SearchQuery q) {
    SearchKey from;
    try {
      if (q.untilNanos() != Long.MAX_VALUE) throw ApiException.badRequest("'until' and 'follow' exclude each other");
      if (q.descending()) throw ApiException.badRequest("'order=desc' and 'follow' exclude each other");
      String lastEventId = LogQuery.optional(rc.request().getHeader("Last-Event-ID"));
      from = lastEventId != null ? FleetFollow.parseEventId(lastEventId)
          : q.cursor() != null ? q.cursor()
          : q.sinceNanos() != Long.MIN_VALUE ? SearchKey.before(q.sinceNanos()) : null;
    } catch (ApiException e) {
      Http.fail(rc, e);
      return;
    }
    if (!metrics.tryOpenTail(maxTails)) {
      Http.error(rc, 503, "this gateway runs its most live tails already (setting max-tails)");
      return;
    }
    view.containers().onSuccess(all -> {
      List<JsonObject> selected = q.selector().select(all);
      if (selected.size() > FleetFollow.MAX_CONTAINERS) {
        metrics.tailClosed();
        Http.error(rc, 400, "more than " + FleetFollow.MAX_CONTAINERS + " containers match: narrow the selectors");
        return;
      }
      HttpServerResponse resp = rc.response();
      Sse.open(resp, "following " + selected.size() + " containers"
          + (from == null ? "" : " after " + FleetFollow.eventId(from)));
      FleetFollow follow = new FleetFollow(vertx, view, searches, metrics, q, followSettleMs, resp);
      follow.start(selected, from);
      whenClosed(resp, follow::stop);
    }).onFailure(e -> {
      metrics.tailClosed();
      Http.fail(rc, e);
    });
  }

  /**
   * Keeps an event stream open with a comment every {@link #SSE_KEEPALIVE_MS}; once the client is gone or the
   * stream ended, runs {@code stop} and gives back its place under max-tails, once.
   */
  private void whenClosed(HttpServerResponse resp, Runnable stop) {
    long keepalive = vertx.setPeriodic(SSE_KEEPALIVE_MS, t -> {
      if (!resp.ended()) resp.write(Sse.comment("keepalive"));
    });
    boolean[] ended = {false};
    Runnable end = () -> {
      if (ended[0]) return;
      ended[0] = true;
      stop.run();
      vertx.cancelTimer(keepalive);
      metrics.tailClosed();
    };
    // a client gone before the handler is set would hold its place under max-tails for good
    if (resp.closed() || resp.ended()) {
      end.run();
    } else {
      resp.closeHandler(v -> end.run());
      resp.endHandler(v -> end.run());
    }
  }

  /** The pieces as they are, not copied into one buffer; a slow client holds them only until they are sent. */
  private static void endNdjson(RoutingContext rc, LineJson.NdjsonWriter out) {
    rc.response().putHeader("content-type", "application/x-ndjson").putHeader("content-length", Long.toString(out.length()));
    for (Buffer piece : out.pieces()) rc.response().write(piece);
    rc.response().end();
  }

  /**
   * Server-Sent Events: each line is an event {@code line} with its seq as the event id, so a reconnecting
   * EventSource (which sends Last-Event-ID) continues where it stopped.
   */
  private void follow(RoutingContext rc, String idOrName, LogQuery q) {
    Long resumeAfter = lastEventId(rc.request().getHeader("Last-Event-ID"));
    view.container(idOrName).compose(c -> resumeAfter != null ? Future.succeededFuture(resumeAfter) : pages.startAfter(c, q))
        .onSuccess(after -> stream(rc, idOrName, q, after)).onFailure(e -> Http.fail(rc, e));
  }

  /** The seq a reconnecting EventSource saw last, or null when the header is absent or not a seq. */
  private static Long lastEventId(String header) {
    if (header == null || !header.matches("\\d{1,18}")) return null;
    return Long.parseLong(header);
  }

  private void stream(RoutingContext rc, String idOrName, LogQuery q, long after) {
    if (!metrics.tryOpenTail(maxTails)) {
      Http.error(rc, 503, "this gateway runs its most live tails already (setting max-tails)");
      return;
    }
    HttpServerResponse resp = rc.response();
    Sse.open(resp, "following " + idOrName + " after seq " + after);
    LogTail tail = new LogTail(vertx, view, idOrName, after, q::matches, new LogTail.Sink() {
      @Override
      public void line(JsonObject line) {
        metrics.linesServed(1);
        resp.write(Sse.line(Long.toString(line.getLong("seq")), line));
      }

      @Override
      public void gap(long from, long to) {
        resp.write(Sse.range("gap", null, from, to));
      }

      @Override
      public void trimmed(long from, long to) {
        resp.write(Sse.range("trimmed", null, from, to));
      }

      @Override
      public boolean full() {
        return resp.writeQueueFull();
      }
    }).start();
    whenClosed(resp, tail::stop);
  }
}
