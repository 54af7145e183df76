package io.dockline.routing;

import io.dockline.collector.CollectorRegistry;
import io.dockline.config.Meters;
import io.dockline.config.NodeConfig;
import io.dockline.config.NodeStatus;
import io.dockline.routing.impl.RepairDuty;
import io.dockline.routing.impl.ReplicaAcks;
import io.dockline.routing.impl.StreamRates;
import io.dockline.wire.Addresses;
import io.dockline.wire.CollectorQuery;
import io.dockline.wire.BatchAck;
import io.dockline.wire.LineBatch;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Role router: sends each container's batches to every collector of the container's replica set on the
 * bounded-load ring of ready collectors (its owner and the next distinct collectors clockwise, {@code
 * replication-factor} of them at most), and acknowledges to the agent only once each of them has stored and
 * fsynced the batch, stored through the lowest seq they all hold. A replica that fails or does not answer fails
 * the batch: the agent sends it again, by when the ring is read afresh. Fewer ready collectors than the factor:
 * those there are acknowledge (the stream counts as under-replicated); fewer than {@code min-insync-replicas}:
 * nothing is acknowledged and the agents hold and spool.
 *
 * <p>The ring is built from two cluster maps (ready collectors, and the stream loads every router measures and
 * publishes each {@link #PUBLISH_MS}, one entry per router, each stream with the collector it is on: the ring's
 * sticky state) by one collector, the ring leader ({@link RingLeaderVerticle}), which publishes it as a small
 * {@link PublishedRing} and the owner of each stream. A router reads the published ring each second, and the
 * owners of its own streams only when the ring says they may have moved: what it reads does not grow with the
 * fleet. With no leader (a cluster of the release before, or none for {@link #RING_STALE_MS}) the router builds
 * the ring itself from the two maps, as the leader would. Routers agree on owners up to the time it takes a
 * change to be seen; during that time a batch may reach a collector that no longer (or not yet) owns its
 * stream, which the delivery protocol tolerates (see {@link BatchAck#STORED_THROUGH_HEADER}).
 */
public final class RouterVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(RouterVerticle.class.getName());
  private static final long REFRESH_MS = 1_000;
  private static final long PUBLISH_MS = 5_000;
  private static final long LOAD_TTL_MS = 20_000;
  /** A published ring whose version has not moved this long has no leader any more. */
  static final long RING_STALE_MS = 3 * RingLeaderVerticle.LOADS_EVERY_MS;
  private static final long REFRESH_STUCK_NANOS = 30_000_000_000L;
  /** A replica's failure reads the ring afresh, at most this often (every batch in flight to it fails). */
  private static final long REFRESH_ON_FAILURE_NANOS = 250_000_000L;
  /** How often the replicas of this router's streams are checked for lines they lack. */
  private static final long CATCH_UP_CHECK_MS = 10_000;
  /** How long a replica that did not answer a write is left out of the sets this router writes to. */
  private static final long OUT_OF_SYNC_MS = 30_000;

  private final NodeConfig config;
  /** Settings read per batch, resolved once. */
  private final int replicationFactor;
  private final int minInsyncReplicas;
  private final NodeStatus status;
  private final MeterRegistry registry;
  private final StreamRates rates = new StreamRates();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private BoundedLoadRing ring;
  private ReplicaCatchUp catchUp;
  private long lastRefresh;
  private boolean refreshing;
  /** The published ring this router routes by; null while it builds the ring itself. */
  private PublishedRing publishedRing;
  /** The last published version seen, and when it was first seen (a version that stops moving: no leader). */
  private long seenVersion = -1;
  private long seenVersionAtMs;
  /** The owners of this router's streams as read from the published owners, and the streams whose owner was read. */
  private final Map<String, String> ownOwners = new HashMap<>();
  private final Set<String> ownersRead = new java.util.HashSet<>();
  /** The loads the ring was last built from, while this router builds it itself. */
  private PublishedLoads loads = PublishedLoads.NONE;
  /** What this router last published as its streams' collectors: published again at once when the ring moves one. */
  private Map<String, String> publishedOwners = Map.of();
  /** Collectors that serve reads, write-ready or not (one short of disk still holds the newest lines of streams). */
  private Set<String> readable = Set.of();
  private Counter rebalances;
  private Counter streamsMoved;
  private Counter linesRouted;
  private Counter bytesRouted;
  private Counter replicaFailures;
  /** This router's streams with fewer ready replicas than the factor, as last counted. */
  private volatile int underReplicated;
  /**
   * The most ready collectors this router's ring has had: a cluster that never had as many as the factor (one
   * node alone) is not short of replicas, one that lost members is.
   */
  private int mostCollectors;
  /**
   * Older streams (not forwarded by this router lately) whose replicas the catch-up checks until a check finds
   * them whole: the ones this router is on duty for, listed once a collector is gone for good.
   */
  private final Set<String> repairing = new java.util.HashSet<>();
  /**
   * Replicas that failed a write without answering (unreachable, no answer in time, a handshake refused), to the
   * time they are written to again: as Kafka drops a replica from its in-sync set, the streams go on with the
   * others (at least {@code min-insync-replicas}), counted under-replicated, and the catch-up fills the replica
   * when it is back. A collector that answers a write with a refusal is not left out.
   */
  private final Map<String, Long> outOfSync = new HashMap<>();
  /** When the older streams are listed next (a collector left the ring), 0 when not due. */
  private long repairDueAt;
  private Timer batchLatency;
  private MultiGauge streamsPerCollector;

  public RouterVerticle(NodeConfig config, NodeStatus status, MeterRegistry registry) {
    this.config = config;
    this.replicationFactor = config.replicationFactor();
    this.minInsyncReplicas = config.minInsyncReplicas();
    this.status = status;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    ring = BoundedLoadRing.build(List.of(), Map.of(), config.ringEpsilon());
    String node = config.nodeName();
    rebalances = Meters.counter(registry, node, "dockline.ring.rebalances",
        "times this router's ring changed (collectors joined or left, or loads moved streams)");
    streamsMoved = Meters.counter(registry, node, "dockline.ring.streams.moved",
        "streams forwarded by this router whose collector changed");
    Gauge.builder("dockline.ring.collectors", () -> ring.members().size()).tag("node", node)
        .description("ready collectors on this router's ring").register(registry);
    Gauge.builder("dockline.ring.version", () -> publishedRing == null ? -1 : publishedRing.version())
        .tag("node", node).description("version of the published ring this router routes by; -1 while it builds "
            + "the ring itself (no ring leader)").register(registry);
    linesRouted = Meters.counter(registry, node, "dockline.lines.routed", "lines this router forwarded to collectors");
    bytesRouted = Meters.counter(registry, node, "dockline.bytes.routed", "line bytes this router forwarded");
    replicaFailures = Meters.counter(registry, node, "dockline.replica.failures",
        "batches not acknowledged because a replica refused them or did not answer (the agent sends them again)");
    Gauge.builder("dockline.streams.underreplicated", () -> underReplicated).tag("node", node)
        .description("streams this router forwards with fewer ready replicas than replication-factor, or a replica "
            + "still being brought up to date").register(registry);
    catchUp = new ReplicaCatchUp(vertx, Meters.counter(registry, node, "dockline.replication.bytes.copied",
        "line bytes copied to replicas new to a stream, to bring them up to date"), this::afterCheck);
    Gauge.builder("dockline.replication.copy.lag", catchUp::lag).tag("node", node)
        .description("lines still to copy to replicas new to a stream (copies running)").register(registry);
    batchLatency = Timer.builder("dockline.batch.latency")
        .description("from a router forwarding a batch to the collector's acknowledgement (stored and fsynced)")
        .tag("node", node).serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofSeconds(5))
        .register(registry);
    streamsPerCollector = MultiGauge.builder("dockline.ring.streams").tag("node", node)
        .description("streams each collector owns on this router's ring").register(registry);
    status.set(NodeConfig.Role.ROUTER, false, "waiting for a ready collector");
    consumers.add(vertx.eventBus().<LineBatch>localConsumer(Addresses.ROUTER_BATCH, this::route));
    consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.ROUTER_LAST_SEQ, this::lastSeq));
    consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.RING_STATE, this::ringState));
    vertx.setPeriodic(0, REFRESH_MS, t -> refreshRing());
    vertx.setPeriodic(PUBLISH_MS, PUBLISH_MS, t -> publishLoads());
    vertx.setPeriodic(CATCH_UP_CHECK_MS, CATCH_UP_CHECK_MS, t -> checkReplicas());
    return Future.succeededFuture();
  }

  private void refreshRing() {
    // one read at a time; one that never ends (a data member lost mid-call) does not stop the next for long
    if (refreshing && System.nanoTime() - lastRefresh < REFRESH_STUCK_NANOS) return;
    refreshing = true;
    lastRefresh = System.nanoTime();
    this.<JsonObject>clusterMap(Addresses.RING_MAP).compose(m -> m.get(PublishedRing.KEY)).compose(json -> {
      PublishedRing published = PublishedRing.fromJson(json);
      long now = System.currentTimeMillis();
      if (published != null && published.version() != seenVersion) {
        seenVersion = published.version();
        seenVersionAtMs = now;
      }
      if (published == null || now - seenVersionAtMs > RING_STALE_MS) {
        if (publishedRing != null) LOG.info("no ring leader publishes the ring: this router builds it");
        publishedRing = null;
        return buildRing();
      }
      return followRing(published);
    }).onComplete(ar -> {
      refreshing = false;
      if (ar.failed()) {
        LOG.fine(() -> "ring unreadable: " + ar.cause().getMessage());
        // the maps are gone with the last data member, say: collectors that left the cluster leave the ring anyway
        if (publishedRing != null) {
          BoundedLoadRing next = publishedRing.view(alive(), ownOwners);
          if (!sameRing(next, ring)) adopt(next);
        }
      }
      status.set(NodeConfig.Role.ROUTER, !ring.isEmpty(),
          ring.isEmpty() ? "waiting for a ready collector" : "routing to " + ring.members());
    });
  }

  /**
   * Routes by the leader's ring: reads the owners of this router's streams that may have moved since the version
   * it had (all of them when it cannot tell) and of its streams not read yet.
   */
  private Future<Void> followRing(PublishedRing published) {
    Set<String> mine = rates.streams();
    Set<Integer> moved = publishedRing == null ? null : published.movedSince(publishedRing.version());
    ownersRead.retainAll(mine);
    ownOwners.keySet().retainAll(mine);
    List<String> toRead = new ArrayList<>();
    for (String s : mine) {
      if (moved == null || !ownersRead.contains(s) || moved.contains(PublishedRing.bucket(s))) toRead.add(s);
    }
    return this.<String>clusterMap(Addresses.RING_OWNERS_MAP).compose(m -> {
      List<Future<String>> reads = new ArrayList<>(toRead.size());
      for (String s : toRead) reads.add(m.get(s));
      return Future.all(reads).map(v -> {
        for (int i = 0; i < toRead.size(); i++) {
          String owner = reads.get(i).result();
          ownersRead.add(toRead.get(i));
          if (owner != null) ownOwners.put(toRead.get(i), owner);
          else ownOwners.remove(toRead.get(i));
        }
        return null;
      });
    }).map(v -> {
      publishedRing = published;
      loads = PublishedLoads.NONE;
      java.util.function.Predicate<String> alive = alive();
      readable = published.readable(alive);
      BoundedLoadRing next = published.view(alive, ownOwners);
      if (!sameRing(next, ring)) adopt(next);
      return null;
    });
  }

  /** Builds the ring from the registry and every router's published loads, as the ring leader does. */
  private Future<Void> buildRing() {
    Future<Map<String, JsonObject>> collectors = this.<JsonObject>clusterMap(Addresses.COLLECTOR_REGISTRY_MAP)
        .compose(AsyncMap::entries);
    Future<Map<String, JsonObject>> published = this.<JsonObject>clusterMap(Addresses.STREAM_LOAD_MAP)
        .compose(AsyncMap::entries);
    return Future.all(collectors, published).map(v -> {
      Set<String> ready = CollectorRegistry.ready(vertx, collectors.result());
      readable = CollectorRegistry.readable(vertx, collectors.result());
      PublishedLoads newLoads = PublishedLoads.of(published.result());
      if (!ready.equals(ring.members()) || !newLoads.sameAs(loads)) {
        adopt(newLoads.ring(ready, config.ringEpsilon()));
        loads = newLoads;
      }
      return null;
    });
  }

  /** Whether a cluster member id is a current member (every id when not clustered). */
  private java.util.function.Predicate<String> alive() {
    Set<String> members = CollectorRegistry.members(vertx);
    return id -> members == null || (id != null && members.contains(id));
  }

  private void adopt(BoundedLoadRing next) {
    Set<String> ready = next.members();
    int moved = 0;
    for (String stream : rates.streams()) {
      String before = ring.owner(stream);
      if (before != null && !before.equals(next.owner(stream))) moved++;
    }
    if (!ready.equals(ring.members())) LOG.info("collector ring: " + ready);
    if (moved > 0) LOG.fine("ring change moves " + moved + " of this router's streams");
    rebalances.increment();
    streamsMoved.increment(moved);
    if (!ready.containsAll(ring.members())) {
      // a collector left: if it stays away, the older streams it was a replica of need new replicas too
      repairDueAt = System.currentTimeMillis() + config.replicaGoneAfter().toMillis();
    }
    ring = next;
    mostCollectors = Math.max(mostCollectors, ready.size());
    checkReplicas(); // a replica new to a stream is brought up to date at once
    countUnderReplicated();
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (String c : next.members()) rows.add(MultiGauge.Row.of(Tags.of("collector", c), next.streamCount(c)));
    streamsPerCollector.register(rows, true);
    // the other routers (and the leader) keep a moved stream where it went only once they read where it is
    if (publishedOwners.entrySet().stream().anyMatch(e -> !e.getValue().equals(next.owner(e.getKey())))) publish();
  }

  /** Same collectors with the same loads and bound, and the same owners: routing is unchanged. */
  private static boolean sameRing(BoundedLoadRing a, BoundedLoadRing b) {
    if (!a.members().equals(b.members()) || a.capacity() != b.capacity()
        || !a.assignments().equals(b.assignments())) {
      return false;
    }
    for (String c : a.members()) if (a.load(c) != b.load(c)) return false;
    return true;
  }

  private void publishLoads() {
    rates.tick();
    countUnderReplicated();
    publish();
  }

  /**
   * Publishes this router's measured stream loads, each with the collector the ring has the stream on, with a
   * TTL so a router that died stops counting.
   */
  private void publish() {
    JsonObject mine = new JsonObject();
    Map<String, String> owners = new HashMap<>();
    rates.snapshot().forEach((id, l) -> {
      String owner = ring.owner(id);
      if (owner != null) owners.put(id, owner);
      mine.put(id, new JsonArray().add(l[0]).add(l[1]).add(owner));
    });
    publishedOwners = owners;
    this.<JsonObject>clusterMap(Addresses.STREAM_LOAD_MAP)
        .compose(m -> mine.isEmpty() ? m.remove(config.nodeName()).mapEmpty()
            : m.put(config.nodeName(), mine, LOAD_TTL_MS))
        .onFailure(e -> LOG.fine(() -> "publishing stream loads failed: " + e.getMessage()));
  }

  private <V> Future<AsyncMap<String, V>> clusterMap(String name) {
    return vertx.sharedData().getAsyncMap(name);
  }

  private void route(Message<LineBatch> msg) {
    LineBatch batch = msg.body();
    List<String> replicas = inSync(ring.replicas(batch.container().id(), replicationFactor));
    if (replicas.isEmpty()) {
      msg.fail(CollectorQuery.NO_COLLECTOR, "no collector is ready");
      return;
    }
    if (replicas.size() < minInsyncReplicas) {
      msg.fail(CollectorQuery.NO_COLLECTOR, "only " + replicas.size() + " collector(s) ready, min-insync-replicas is "
          + minInsyncReplicas);
      return;
    }
    rates.record(batch.container().id(), batch.count(), batch.dataLength());
    linesRouted.increment(batch.count());
    bytesRouted.increment(batch.dataLength());
    long sent = System.nanoTime();
    List<Future<BatchAck>> acks = new ArrayList<>(replicas.size());
    for (int i = 0; i < replicas.size(); i++) {
      // each replica its own headers: the sender's, and its place in the set
      DeliveryOptions opts = new DeliveryOptions().setSendTimeout(10_000)
          .setHeaders(io.vertx.core.MultiMap.caseInsensitiveMultiMap().addAll(msg.headers())
              .add(BatchAck.REPLICA_HEADER, Integer.toString(i)));
      acks.add(vertx.eventBus().<BatchAck>request(Addresses.collectorWrite(replicas.get(i)), batch, opts)
          .map(Message::body));
    }
    Future.join(acks).onComplete(ar -> {
      List<BatchAck> stored = new ArrayList<>();
      Throwable failed = null;
      for (int i = 0; i < acks.size(); i++) {
        Future<BatchAck> a = acks.get(i);
        if (a.succeeded()) {
          stored.add(a.result());
        } else {
          failed = a.cause();
          if (!refusedByCollector(a.cause())) leaveOutOfSync(replicas.get(i), a.cause());
        }
      }
      if (failed != null) replicaFailures.increment();
      if (failed == null || (allUnanswered(acks) && stored.size() >= minInsyncReplicas)) {
        // stored by every replica, or by every one that answered, and at least min-insync-replicas of them
        batchLatency.record(System.nanoTime() - sent, TimeUnit.NANOSECONDS);
        msg.reply(ReplicaAcks.combine(stored));
      } else {
        // a replica that failed may have left: the agent's resend goes to the set as it is by then
        if (System.nanoTime() - lastRefresh > REFRESH_ON_FAILURE_NANOS) refreshRing();
        forwardFailure(msg, failed);
      }
    });
  }

  private void checkReplicas() {
    if (repairDueAt != 0 && System.currentTimeMillis() >= repairDueAt) {
      repairDueAt = 0;
      listOlderStreams();
    }
    catchUp.check(() -> {
      Map<String, List<String>> sets = new HashMap<>();
      for (String stream : checkedStreams()) sets.put(stream, ring.replicas(stream, replicationFactor));
      return sets;
    });
  }

  /** The streams whose replicas are checked: those this router forwards and the older ones under repair. */
  private Set<String> checkedStreams() {
    if (repairing.isEmpty()) return rates.streams();
    Set<String> all = new java.util.HashSet<>(rates.streams());
    all.addAll(repairing);
    return all;
  }

  /**
   * Lists the streams every collector on the ring holds and takes into {@link #repairing} the ones this router
   * is on duty for ({@link RepairDuty}, among the cluster's routers) and does not forward itself. A collector
   * that does not answer makes the listing due again at the next check.
   */
  private void listOlderStreams() {
    Future<List<String>> routers = members(ring).map(all -> {
      List<String> names = new ArrayList<>();
      for (Object o : all) {
        JsonObject m = (JsonObject) o;
        if (m.getJsonArray("roles", new JsonArray()).contains(NodeConfig.Role.ROUTER.label())) {
          names.add(m.getString("node"));
        }
      }
      return names;
    });
    List<Future<JsonArray>> held = new ArrayList<>();
    for (String c : ring.members()) {
      held.add(vertx.eventBus().<JsonArray>request(Addresses.collectorQuery(c), CollectorQuery.containers(),
          new DeliveryOptions().setSendTimeout(30_000)).map(Message::body));
    }
    Future.all(routers, Future.all(held)).onComplete(ar -> {
      if (ar.failed()) {
        LOG.info("listing the older streams for their replicas failed (" + ar.cause().getMessage()
            + "); tried again at the next check");
        repairDueAt = System.currentTimeMillis();
        return;
      }
      int before = repairing.size();
      for (Future<JsonArray> h : held) {
        for (Object o : h.result()) {
          String id = ((JsonObject) o).getString("id");
          if (id != null && !rates.streams().contains(id)
              && RepairDuty.mine(id, config.nodeName(), routers.result(), HashRing::hash)) {
            repairing.add(id);
          }
        }
      }
      LOG.info("a collector is gone for good: checking the replicas of " + (repairing.size() - before)
          + " older streams");
      checkReplicas();
    });
  }

  /** After a check: an older stream found whole leaves the repair. */
  private void afterCheck() {
    repairing.removeIf(s -> !catchUp.catchingUp(s, ring.replicas(s, replicationFactor)));
    countUnderReplicated();
  }

  /**
   * A stream is fully replicated when it has factor ready replicas (or as many as the cluster ever had) and none
   * of them lacks lines the others hold.
   */
  private boolean fullyReplicated(List<String> replicas, String stream) {
    return replicas.size() >= Math.min(replicationFactor, mostCollectors)
        && replicas.stream().noneMatch(this::isOutOfSync) && !catchUp.catchingUp(stream, replicas);
  }

  /** Counts this router's streams not fully replicated, for the gauge (read off the event loop). */
  private void countUnderReplicated() {
    int n = 0;
    for (String stream : checkedStreams()) {
      if (!fullyReplicated(ring.replicas(stream, replicationFactor), stream)) n++;
    }
    underReplicated = n;
    status.underReplicated(n);
  }

  /**
   * The highest seq any readable collector holds for the container: a stream that moved has its latest lines
   * on whichever collector owned it last, which may since have left the write ring short of disk. Every
   * collector must answer, or an agent could reuse seqs.
   */
  private void lastSeq(Message<JsonObject> msg) {
    if (ring.isEmpty()) {
      msg.fail(CollectorQuery.NO_COLLECTOR, "no collector is ready");
      return;
    }
    JsonObject query = CollectorQuery.lastSeq(msg.body().getString("containerId", ""));
    List<Future<Long>> answers = new ArrayList<>();
    Set<String> holders = new java.util.TreeSet<>(readable);
    holders.addAll(ring.members());
    for (String collector : holders) {
      answers.add(vertx.eventBus().<JsonObject>request(Addresses.collectorQuery(collector), query,
          new DeliveryOptions().setSendTimeout(10_000)).map(r -> r.body().getLong("lastSeq", 0L)));
    }
    Future.all(answers).onComplete(ar -> {
      if (ar.failed()) {
        forwardFailure(msg, ar.cause());
        return;
      }
      long max = 0;
      for (Future<Long> a : answers) max = Math.max(max, a.result());
      msg.reply(new JsonObject().put("lastSeq", max));
    });
  }

  /**
   * The ring as this router sees it, with every stream's measured load (read now, not kept: what a router keeps
   * does not grow with the fleet): collectors with their streams, load and disk use, then those that serve reads
   * only (short of disk), with {@code "ready": false}. {@code "version"} is the published ring's, absent while
   * this router builds the ring itself.
   */
  private void ringState(Message<JsonObject> msg) {
    PublishedRing published = publishedRing;
    Future<Map<String, JsonObject>> collectors = this.<JsonObject>clusterMap(Addresses.COLLECTOR_REGISTRY_MAP)
        .compose(AsyncMap::entries);
    Future<Map<String, JsonObject>> measured = this.<JsonObject>clusterMap(Addresses.STREAM_LOAD_MAP)
        .compose(AsyncMap::entries);
    Future<Map<String, String>> owners = published == null ? Future.succeededFuture(Map.of())
        : this.<String>clusterMap(Addresses.RING_OWNERS_MAP).compose(AsyncMap::entries);
    Future.all(collectors, measured, owners).onComplete(ar -> {
      if (ar.failed()) {
        forwardFailure(msg, ar.cause());
        return;
      }
      BoundedLoadRing r = published == null ? ring : published.view(alive(), owners.result());
      JsonObject state = ringState(r, PublishedLoads.of(measured.result()).loads(), collectors.result());
      if (published != null) state.put("version", published.version()).put("leader", published.leader());
      members(r).onComplete(m -> msg.reply(state.put("members", m.succeeded() ? m.result() : new JsonArray())));
    });
  }

  private JsonObject ringState(BoundedLoadRing r, Map<String, double[]> l, Map<String, JsonObject> entries) {
    int factor = replicationFactor;
    Map<String, JsonArray> streamsOf = new HashMap<>();
    Map<String, double[]> totals = new HashMap<>();
    for (String c : r.members()) {
      streamsOf.put(c, new JsonArray());
      totals.put(c, new double[2]);
    }
    l.forEach((id, rate) -> {
      String owner = r.owner(id);
      if (owner == null) return;
      List<String> replicas = r.replicas(id, factor);
      streamsOf.get(owner).add(new JsonObject().put("container", id).put("bytesPerSecond", rate[0])
          .put("linesPerSecond", rate[1]).put("replicas", new JsonArray(replicas))
          .put("fullyReplicated", fullyReplicated(replicas, id)));
      totals.get(owner)[0] += rate[0];
      totals.get(owner)[1] += rate[1];
    });
    JsonArray collectors = new JsonArray();
    for (String c : r.members()) {
      collectors.add(new JsonObject().put("node", c).put("ready", true).put("streams", r.streamCount(c))
          .put("bytesPerSecond", totals.get(c)[0]).put("linesPerSecond", totals.get(c)[1])
          .put("load", r.load(c)).put("streamLoads", streamsOf.get(c)).put("disk", diskOf(entries.get(c))));
    }
    for (String c : CollectorRegistry.readable(vertx, entries)) {
      if (r.members().contains(c)) continue;
      collectors.add(new JsonObject().put("node", c).put("ready", false).put("streams", 0)
          .put("bytesPerSecond", 0.0).put("linesPerSecond", 0.0).put("load", 0.0)
          .put("streamLoads", new JsonArray()).put("disk", diskOf(entries.get(c))));
    }
    return new JsonObject().put("router", config.nodeName()).put("epsilon", r.epsilon())
        .put("replicationFactor", factor).put("capacity", r.capacity()).put("collectors", collectors);
  }

  /**
   * Every cluster member with the name and roles it announced, and whether it is on this ring (a member that
   * runs a collector but is not on the ring is not ready yet, or is leaving).
   */
  private Future<JsonArray> members(BoundedLoadRing r) {
    ClusterManager cm = ((VertxInternal) vertx).clusterManager();
    if (cm == null) return Future.succeededFuture(new JsonArray());
    List<Future<JsonObject>> infos = new ArrayList<>();
    for (String memberId : cm.getNodes()) {
      io.vertx.core.Promise<io.vertx.core.spi.cluster.NodeInfo> p = io.vertx.core.Promise.promise();
      cm.getNodeInfo(memberId, p);
      infos.add(p.future().map(info -> {
        JsonObject meta = info == null || info.metadata() == null ? new JsonObject() : info.metadata();
        String node = meta.getString("node", memberId);
        return new JsonObject().put("node", node).put("memberId", memberId)
            .put("roles", meta.getJsonArray("roles", new JsonArray())).put("onRing", r.members().contains(node));
      }).otherwise(e -> new JsonObject().put("memberId", memberId).put("onRing", false)));
    }
    return Future.join(infos).map(v -> {
      JsonArray out = new JsonArray();
      for (Future<JsonObject> f : infos) out.add(f.result());
      return out;
    });
  }

  private static JsonObject diskOf(JsonObject entry) {
    return entry == null ? new JsonObject() : entry.getJsonObject("disk", new JsonObject());
  }

  /** The ring's set without the replicas left out of sync for now. */
  private List<String> inSync(List<String> replicas) {
    if (outOfSync.isEmpty()) return replicas;
    long now = System.currentTimeMillis();
    outOfSync.values().removeIf(until -> until <= now);
    List<String> in = new ArrayList<>(replicas.size());
    for (String r : replicas) if (!outOfSync.containsKey(r)) in.add(r);
    return in.isEmpty() ? replicas : in; // none left: trying them beats refusing the batch
  }

  private boolean isOutOfSync(String replica) {
    Long until = outOfSync.get(replica);
    return until != null && until > System.currentTimeMillis();
  }

  private void leaveOutOfSync(String replica, Throwable cause) {
    if (!isOutOfSync(replica)) {
      LOG.warning("collector " + replica + " did not take a write (" + cause.getMessage() + "); left out of the "
          + "in-sync replicas for " + OUT_OF_SYNC_MS / 1000 + " s");
    }
    outOfSync.put(replica, System.currentTimeMillis() + OUT_OF_SYNC_MS);
  }

  /** A failure the collector itself answered (a gap, a full disk, a broken store), not one of reaching it. */
  private static boolean refusedByCollector(Throwable cause) {
    return cause instanceof ReplyException r && r.failureType() == io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE;
  }

  /** Every failed write of the batch failed for want of an answer. */
  private static boolean allUnanswered(List<Future<BatchAck>> acks) {
    for (Future<BatchAck> a : acks) if (a.failed() && refusedByCollector(a.cause())) return false;
    return true;
  }

  private static void forwardFailure(Message<?> msg, Throwable cause) {
    int code = cause instanceof ReplyException ? ((ReplyException) cause).failureCode() : 500;
    msg.fail(code, cause.getMessage());
  }

  @Override
  public Future<?> stop() {
    status.set(NodeConfig.Role.ROUTER, false, "stopped");
    return Future.join(consumers.stream().map(MessageConsumer::unregister).collect(Collectors.toList()));
  }
}
