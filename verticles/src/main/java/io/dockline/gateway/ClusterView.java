package io.dockline.gateway;

import io.dockline.collector.CollectorRegistry;

import io.dockline.config.NodeConfig;
import io.dockline.config.NodeStatus;
import io.dockline.wire.Addresses;
import io.dockline.wire.CollectorQuery;
import io.dockline.collector.TextFilter;
import io.dockline.wire.LineBatch;
import io.dockline.wire.LineMatches;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the gateway knows of the cluster, gathered over the event bus: containers and their lines from every
 * ready collector (merged, so a container reads as one ordered sequence whichever collectors hold it), the
 * members and their readiness, the ring as the routers see it.
 */
final class ClusterView {
  private static final DeliveryOptions QUERY = new DeliveryOptions().setSendTimeout(15_000);
  private static final DeliveryOptions STATUS = new DeliveryOptions().setSendTimeout(3_000);

  /** How long one gathering of the container list serves every caller (each live tail looks it up per poll). */
  private static final long FRESH_NANOS = 200_000_000L;

  private final Vertx vertx;
  private final NodeConfig config;
  private final NodeStatus status;
  private Future<Map<String, JsonObject>> recentContainers;
  private long recentAt;

  ClusterView(Vertx vertx, NodeConfig config, NodeStatus status) {
    this.vertx = vertx;
    this.config = config;
    this.status = status;
  }

  /**
   * Every container any ready collector holds, merged by id; at most 200 ms old, so a hundred live tails cost
   * the collectors no more than one. Callers must not change the objects (copy them).
   */
  Future<Map<String, JsonObject>> containers() {
    long now = System.nanoTime();
    if (recentContainers == null || (recentContainers.isComplete() && now - recentAt > FRESH_NANOS)) {
      recentAt = now;
      recentContainers = gatherContainers();
    }
    return recentContainers;
  }

  private Future<Map<String, JsonObject>> gatherContainers() {
    return readableCollectors().compose(nodes -> {
      if (nodes.isEmpty()) return Future.failedFuture(ApiException.unavailable("no collector is ready (role collector)"));
      List<Future<JsonArray>> answers = new ArrayList<>();
      for (String node : nodes) {
        answers.add(vertx.eventBus().<JsonArray>request(Addresses.collectorQuery(node),
            CollectorQuery.containers(), QUERY).map(m -> m.body()));
      }
      return Future.join(answers).otherwiseEmpty().map(cf -> merge(answers));
    });
  }

  private static Map<String, JsonObject> merge(List<Future<JsonArray>> answers) {
    Map<String, JsonObject> merged = new LinkedHashMap<>();
    Map<String, List<long[]>> spans = new HashMap<>();
    for (Future<JsonArray> f : answers) {
      if (f.failed()) continue; // a collector gone since the registry was read
      for (Object o : f.result()) {
        JsonObject c = (JsonObject) o;
        JsonObject cur = merged.get(c.getString("id"));
        if (cur == null) {
          cur = new JsonObject().put("id", c.getString("id")).put("name", c.getString("name"))
              .put("image", c.getString("image")).put("host", c.getString("host")).put("labels", c.getJsonObject("labels"))
              .put("lines", 0L).put("firstSeq", 0L).put("lastSeq", 0L).put("collectors", new JsonArray());
          merged.put(c.getString("id"), cur);
        }
        cur.put("lines", cur.getLong("lines") + c.getLong("lines"));
        long first = c.getLong("firstSeq", 0L);
        if (first > 0) spans.computeIfAbsent(c.getString("id"), k -> new ArrayList<>()).add(new long[] {first, c.getLong("lastSeq")});
        // the first line any collector still holds: what retention or a purge left (0 when none holds a line)
        if (first > 0 && (cur.getLong("firstSeq") == 0 || first < cur.getLong("firstSeq"))) cur.put("firstSeq", first);
        if (c.getLong("lastSeq") >= cur.getLong("lastSeq")) {
          // the collector holding the newest lines is the one the stream is routed to now
          cur.put("lastSeq", c.getLong("lastSeq")).put("collector", c.getString("collector"));
        }
        cur.getJsonArray("collectors").add(new JsonObject().put("node", c.getString("collector"))
            .put("firstSeq", first).put("lastSeq", c.getLong("lastSeq")).put("lines", c.getLong("lines")));
      }
    }
    spans.forEach((id, s) -> merged.get(id).put("lines", distinctLines(s, merged.get(id).getLong("lines"))));
    return merged;
  }

  /**
   * The lines held, counted once: a replica's copies, or the seqs a collector's span reaches over while another
   * holds them (a stream moved away and back), are not lines of their own. At most the seqs the collectors'
   * spans cover together, at most what they count.
   */
  static long distinctLines(List<long[]> spans, long counted) {
    List<long[]> sorted = new ArrayList<>(spans);
    sorted.sort(Comparator.comparingLong(a -> a[0]));
    long covered = 0;
    long end = 0;
    for (long[] span : sorted) {
      long from = Math.max(span[0], end + 1);
      if (span[1] >= from) covered += span[1] - from + 1;
      end = Math.max(end, span[1]);
    }
    return Math.min(covered, counted);
  }

  /** The container by id, name or unique id prefix; fails with 404 when there is none. */
  Future<JsonObject> container(String idOrName) {
    return containers().map(all -> {
      JsonObject c = resolve(all, idOrName);
      if (c == null) throw ApiException.notFound("no container '" + idOrName + "'");
      return c.copy();
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

  /** Up to {@code limit} lines with seq above {@code after}, merged from every collector holding the container. */
  Future<List<StoredLine>> lines(JsonObject container, long after, int limit) {
    return scan(container, after, limit, null, 0).map(Scan::lines);
  }

  /**
   * What a read after {@code after} found, merged from every collector holding the container: {@code lines} in
   * seq order, and every seq in {@code from .. through} was looked at (nothing was when {@code through <= after}).
   * With a {@code filter}, the lines are those a collector matched, or all it holds where it answered unfiltered
   * (a collector that does not know filtered reads): the caller still filters.
   */
  record Scan(List<StoredLine> lines, long from, long through) {}

  /**
   * Up to {@code limit} lines with seq above {@code after}; with a {@code filter}, the collectors look at up to
   * {@code maxScan} lines each and answer only those that match (up to {@code limit}).
   */
  Future<Scan> scan(JsonObject container, long after, int limit, TextFilter filter, int maxScan) {
    String id = container.getString("id");
    List<Future<Object>> parts = new ArrayList<>();
    JsonArray holders = container.getJsonArray("collectors");
    JsonObject q = filter == null ? CollectorQuery.logs(id, after, limit)
        : CollectorQuery.logs(id, after, limit, filter.text(), maxScan);
    for (Object h : holders) {
      String node = ((JsonObject) h).getString("node");
      parts.add(vertx.eventBus().request(Addresses.collectorQuery(node), q, QUERY).map(m -> m.body()));
    }
    return Future.all(parts).map(cf -> {
      Answer[] answers = new Answer[parts.size()];
      for (int p = 0; p < answers.length; p++) answers[p] = Answer.of(parts.get(p).result());
      // a collector that answered with less than it holds (a page is bounded in lines and bytes, and stops
      // before a hole) bounds the merged page: past where it stopped, lines it holds could be missing
      long cutoff = Long.MAX_VALUE;
      long end = after;
      long from = Long.MAX_VALUE;
      for (int p = 0; p < answers.length; p++) {
        Answer a = answers[p];
        if (a.through < a.from) continue;
        from = Math.min(from, a.from);
        end = Math.max(end, a.through);
        if (a.through < holders.getJsonObject(p).getLong("lastSeq")) cutoff = Math.min(cutoff, a.through);
      }
      // merge by sequence (each answer is in seq order); a line held by two collectors (after a handover) is given once
      List<StoredLine> out = new ArrayList<>();
      LineJson.Source[] sources = new LineJson.Source[answers.length];
      int[] next = new int[answers.length];
      long last = Long.MIN_VALUE;
      while (out.size() < limit) {
        int p = -1;
        for (int k = 0; k < answers.length; k++) {
          if (next[k] < answers[k].count() && (p < 0 || answers[k].seq(next[k]) < answers[p].seq(next[p]))) p = k;
        }
        if (p < 0) break;
        long seq = answers[p].seq(next[p]++);
        if (seq > cutoff) break;
        if (seq == last) continue;
        last = seq;
        if (sources[p] == null) sources[p] = LineJson.Source.of(answers[p].lines);
        out.add(new StoredLine(sources[p], next[p] - 1, seq));
      }
      long through = out.size() == limit ? last : Math.min(cutoff, end);
      return new Scan(out, from, through);
    });
  }

  /** One collector's answer: a plain read ({@link LineBatch}) or a filtered one ({@link LineMatches}). */
  private record Answer(LineBatch lines, long[] seqs, long from, long through) {
    static Answer of(Object body) {
      if (body instanceof LineMatches) {
        LineMatches m = (LineMatches) body;
        long[] seqs = new long[m.count()];
        for (int i = 0; i < seqs.length; i++) seqs[i] = m.seq(i);
        return new Answer(m.lines(), seqs, m.scannedFrom(), m.scannedThrough());
      }
      LineBatch b = (LineBatch) body;
      return new Answer(b, null, b.firstSeq(), b.count() == 0 ? b.firstSeq() - 1 : b.lastSeq());
    }

    int count() { return lines.count(); }

    long seq(int i) { return seqs == null ? lines.seq(i) : seqs[i]; }
  }

  /**
   * Deletes a container's lines through {@code throughSeq} (or those before {@code beforeMillis}) on every
   * collector holding it; answers {@code {"container", "collectors": [{"node", "firstSeq", "deletedThrough"}]}}.
   * The container list is gathered afresh afterwards.
   */
  Future<JsonObject> purge(JsonObject container, long throughSeq, Long beforeMillis) {
    String id = container.getString("id");
    JsonObject q = CollectorQuery.purge(id, throughSeq, beforeMillis);
    List<Future<JsonObject>> answers = new ArrayList<>();
    for (Object h : container.getJsonArray("collectors")) {
      String node = ((JsonObject) h).getString("node");
      answers.add(vertx.eventBus().<JsonObject>request(Addresses.collectorQuery(node), q, QUERY)
          .map(m -> m.body().copy().put("node", node))
          .recover(e -> Future.failedFuture(replyFailure(e, "collector " + node + " left"))));
    }
    return Future.all(answers).eventually(() -> {
      recentContainers = null;
      return Future.succeededFuture();
    }).map(v -> {
      JsonArray out = new JsonArray();
      answers.forEach(a -> out.add(a.result()));
      return new JsonObject().put("container", id).put("collectors", out);
    });
  }

  /** Collectors that serve reads: write-ready ones and those short of disk, which still hold their lines. */
  Future<List<String>> readableCollectors() {
    return vertx.sharedData().<String, JsonObject>getAsyncMap(Addresses.COLLECTOR_REGISTRY_MAP)
        .compose(AsyncMap::entries)
        .map(entries -> new ArrayList<>(CollectorRegistry.readable(vertx, entries))); // sorted, members only
  }

  /** The ring as a router sees it; 503 when no router answers. */
  Future<JsonObject> ring() {
    return this.<JsonObject>ask(Addresses.RING_STATE, "no router is running (role router)");
  }

  /** The networks and their leases, as the network role lists them ({@code filter}: network, host); 503 without it. */
  Future<Object> networks(JsonObject filter) {
    return ask(Addresses.NETWORK_LEASES, filter, "network role not running");
  }

  private <T> Future<T> ask(String address, String whenNobody) {
    return ask(address, new JsonObject(), whenNobody);
  }

  private <T> Future<T> ask(String address, JsonObject request, String whenNobody) {
    return vertx.eventBus().<T>request(address, request, QUERY).map(m -> m.body())
        .recover(e -> Future.failedFuture(replyFailure(e, whenNobody)));
  }

  /**
   * The status answer with its {@code clockNanos} replaced by {@code clockOffsetMs} and {@code clockUncertaintyMs}
   * (the measured offset is kept for follows); unchanged when the member sent no clock.
   */
  private JsonObject clock(String node, JsonObject status, long sentNanos, long receivedNanos) {
    Object memberClock = status.remove("clockNanos");
    if (!(memberClock instanceof Number)) return status;
    long half = (receivedNanos - sentNanos) / 2;
    ClockOffset o = new ClockOffset(((Number) memberClock).longValue() - (sentNanos + half), Math.max(half, 0));
    clocks.put(node, o);
    return status.put("clockOffsetMs", o.offsetNanos() / 1e6).put("clockUncertaintyMs", o.uncertaintyNanos() / 1e6);
  }

  /** An event-bus failure as the HTTP error to give: nobody listening 503, timeout 504, a refusal its own code. */
  static ApiException replyFailure(Throwable e, String whenNobody) {
    if (e instanceof ApiException) return (ApiException) e;
    if (e instanceof ReplyException) {
      ReplyException r = (ReplyException) e;
      if (r.failureType() == ReplyFailure.NO_HANDLERS) return ApiException.unavailable(whenNobody);
      if (r.failureType() == ReplyFailure.TIMEOUT) return new ApiException(504, "no answer in time: " + r.getMessage());
      if (r.failureCode() >= 400 && r.failureCode() < 600) return new ApiException(r.failureCode(), r.getMessage());
    }
    return new ApiException(502, String.valueOf(e.getMessage()));
  }

  /**
   * Every cluster member with its roles and their readiness: names and roles from the cluster membership,
   * readiness asked of each member (a member that does not answer is shown not ready).
   */
  Future<JsonObject> members() {
    ClusterManager cm = ((VertxInternal) vertx).clusterManager();
    if (cm == null) {
      JsonObject self = status.toJson(config.roles()).put("memberId", "local");
      return Future.succeededFuture(new JsonObject().put("gateway", config.nodeName())
          .put("members", new JsonArray().add(self)));
    }
    List<Future<JsonObject>> members = new ArrayList<>();
    for (String memberId : cm.getNodes()) members.add(member(cm, memberId));
    return Future.join(members).otherwiseEmpty().map(v -> {
      JsonArray out = new JsonArray();
      members.stream().filter(Future::succeeded).map(Future::result)
          .sorted(Comparator.comparing(m -> m.getString("node"))).forEach(out::add);
      return new JsonObject().put("gateway", config.nodeName()).put("members", out);
    });
  }

  /**
   * A host's clock against the gateway's, measured as NTP does from one status round trip: the member's clock
   * at its answer less the middle of the gateway's send and receive times. The true offset is within
   * {@code uncertaintyNanos} (half the round trip) of it. Positive: the host's clock is ahead.
   */
  record ClockOffset(long offsetNanos, long uncertaintyNanos) {
    /** The offset to assume when the host's clock may be behind by the most: offset less its uncertainty. */
    long earliestNanos() {
      return offsetNanos - uncertaintyNanos;
    }
  }

  /** How often a follow's use of the offsets measures them again (a status round trip to every member). */
  private static final long CLOCKS_FRESH_NANOS = 10_000_000_000L;
  /** The last measured offset of each member, by node name. */
  private final Map<String, ClockOffset> clocks = new java.util.concurrent.ConcurrentHashMap<>();
  private long clocksAskedAt = Long.MIN_VALUE;

  /**
   * Each member's last measured clock offset, by node name (an agent's node name is its containers' {@code host});
   * measured again in the background when older than 10 s. A member of a release that does not send its clock
   * has none.
   */
  Map<String, ClockOffset> clockOffsets() {
    long now = System.nanoTime();
    if (clocksAskedAt == Long.MIN_VALUE || now - clocksAskedAt > CLOCKS_FRESH_NANOS) {
      clocksAskedAt = now;
      members();
    }
    return clocks;
  }

  private Future<JsonObject> member(ClusterManager cm, String memberId) {
    Promise<NodeInfo> info = Promise.promise();
    cm.getNodeInfo(memberId, info);
    return info.future().compose(ni -> {
      JsonObject meta = ni.metadata() == null ? new JsonObject() : ni.metadata();
      String name = meta.getString("node", memberId);
      JsonObject base = new JsonObject().put("node", name).put("memberId", memberId)
          .put("address", ni.host() + ":" + ni.port());
      long sent = io.dockline.config.NodeStatus.wallClockNanos();
      return vertx.eventBus().<JsonObject>request(Addresses.nodeStatus(name), new JsonObject(), STATUS)
          .map(m -> base.mergeIn(clock(name, m.body().copy(), sent, io.dockline.config.NodeStatus.wallClockNanos()))
              .put("node", name))
          .otherwise(e -> {
            JsonObject roles = new JsonObject();
            for (Object r : meta.getJsonArray("roles", new JsonArray())) {
              roles.put(String.valueOf(r), new JsonObject().put("ready", false).put("detail", "not answering"));
            }
            return base.put("ready", false).put("roles", roles).put("error", "not answering: " + e.getMessage());
          });
    });
  }
}
