package io.dockline.routing;

import io.dockline.collector.CollectorRegistry;
import io.dockline.config.NodeConfig;
import io.dockline.wire.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Runs on every collector; the one that is the ring leader ({@link CollectorRegistry#ringLeader}: the first live
 * collector by name) builds the cluster's bounded-load ring from the registry and the stream loads the routers
 * publish, exactly as routers of the release before each built it, and publishes it ({@link PublishedRing} and
 * the owners that changed). So the whole load map is read by one member every few seconds, not by every router
 * every second: what a router reads no longer grows with the fleet.
 *
 * <p>The collectors are checked every second (a join or leave is published within about a second); the loads are
 * read every {@link #LOADS_EVERY_MS}, as often as routers publish them; the ring is published at least that often,
 * so a version that stops moving tells routers there is no leader. A collector that becomes leader takes over the
 * version and the owners published before it, after seeing itself leader twice (one second), so a leader that
 * just left has stopped by then.
 */
public final class RingLeaderVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(RingLeaderVerticle.class.getName());
  private static final long TICK_MS = 1_000;
  static final long LOADS_EVERY_MS = 5_000;
  /** The ring entry lives this long unless published again: a cluster left without a leader drops it. */
  static final long RING_TTL_MS = 30_000;

  private final NodeConfig config;
  private static final long TICK_STUCK_MS = 30_000;
  private boolean busy;
  private long tickStartedMs;
  private int ticksAsLeader;
  /** The last ring this leader published, null when not leading. */
  private PublishedRing last;
  /** The owners as published in {@link Addresses#RING_OWNERS_MAP}. */
  private Map<String, String> owners = new HashMap<>();
  /** What the last ring was built from: a leader that stops publishes it once more without itself. */
  private Inputs built = Inputs.NONE;

  /** What a ring is built from, and when it was published. */
  private record Inputs(Set<String> ready, Set<String> readable, Map<String, String> memberIds, PublishedLoads loads,
                        long publishedAtMs) {
    static final Inputs NONE = new Inputs(Set.of(), Set.of(), Map.of(), PublishedLoads.NONE, 0);
  }

  public RingLeaderVerticle(NodeConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(TICK_MS, TICK_MS, t -> {
      // one tick at a time; one that never ends (a data member lost mid-call) does not stop the next for long
      if (busy && System.currentTimeMillis() - tickStartedMs < TICK_STUCK_MS) return;
      busy = true;
      tickStartedMs = System.currentTimeMillis();
      tick().onComplete(ar -> {
        busy = false;
        if (ar.failed()) LOG.fine(() -> "ring leader: " + ar.cause().getMessage());
      });
    });
    return Future.succeededFuture();
  }

  private Future<Void> tick() {
    return this.<JsonObject>map(Addresses.COLLECTOR_REGISTRY_MAP).compose(AsyncMap::entries).compose(entries -> {
      Set<String> members = CollectorRegistry.members(vertx);
      if (!config.nodeName().equals(CollectorRegistry.ringLeader(entries, members))) {
        if (last != null) LOG.info("no longer the ring leader");
        last = null;
        ticksAsLeader = 0;
        return Future.succeededFuture();
      }
      if (++ticksAsLeader < 2) return Future.succeededFuture();
      Set<String> ready = CollectorRegistry.ready(entries, members);
      Set<String> readable = CollectorRegistry.readable(entries, members);
      Map<String, String> memberIds = new HashMap<>();
      entries.forEach((node, e) -> memberIds.put(node, e.getString("memberId")));
      Future<Void> takeOver = last != null ? Future.succeededFuture() : takeOver();
      return takeOver.compose(v -> {
        long now = System.currentTimeMillis();
        boolean collectorsChanged = !ready.equals(built.ready()) || !readable.equals(built.readable());
        if (!collectorsChanged && now - built.publishedAtMs() < LOADS_EVERY_MS) return Future.succeededFuture();
        return this.<JsonObject>map(Addresses.STREAM_LOAD_MAP).compose(AsyncMap::entries)
            .compose(byRouter -> publish(ready, readable, memberIds, PublishedLoads.of(byRouter)));
      });
    });
  }

  /** Continues from the ring and owners a leader before this one published. */
  private Future<Void> takeOver() {
    Future<JsonObject> ring = this.<JsonObject>map(Addresses.RING_MAP).compose(m -> m.get(PublishedRing.KEY));
    Future<Map<String, String>> published = this.<String>map(Addresses.RING_OWNERS_MAP).compose(AsyncMap::entries);
    return Future.all(ring, published).map(v -> {
      PublishedRing before = PublishedRing.fromJson(ring.result());
      last = before != null ? before
          : new PublishedRing(0, null, null, config.ringEpsilon(), 0, List.of(), List.of(), List.of());
      owners = new HashMap<>(published.result());
      built = Inputs.NONE;
      LOG.info("ring leader: publishing the ring from version " + (last.version() + 1) + " (" + owners.size()
          + " stream owners published before)");
      return null;
    });
  }

  private Future<Void> publish(Set<String> ready, Set<String> readable, Map<String, String> memberIds,
                               PublishedLoads loads) {
    BoundedLoadRing ring = loads.ring(ready, config.ringEpsilon());
    Map<String, String> next = ring.assignments();
    List<String> changed = new ArrayList<>();
    next.forEach((stream, owner) -> {
      if (!owner.equals(owners.get(stream))) changed.add(stream);
    });
    List<String> gone = new ArrayList<>();
    for (String stream : owners.keySet()) if (!next.containsKey(stream)) gone.add(stream);
    List<String> moved = new ArrayList<>(changed);
    moved.addAll(gone);
    List<Future<?>> writes = new ArrayList<>();
    long version = last.version() + 1;
    String memberId = ((VertxInternal) vertx).clusterManager() == null ? null
        : ((VertxInternal) vertx).clusterManager().getNodeId();
    PublishedRing ringEntry = PublishedRing.of(version, config.nodeName(), memberId, ring, memberIds, readable,
        PublishedRing.append(last.moves(), new PublishedRing.Moves(version, PublishedRing.bucketsOf(moved))));
    // the owners first: a router that sees the new version reads owners at least as new
    return this.<String>map(Addresses.RING_OWNERS_MAP).compose(m -> {
      for (String s : changed) writes.add(m.put(s, next.get(s)));
      for (String s : gone) writes.add(m.remove(s));
      return Future.all(writes);
    }).compose(v -> this.<JsonObject>map(Addresses.RING_MAP))
        .compose(m -> m.put(PublishedRing.KEY, ringEntry.toJson(), RING_TTL_MS))
        .onSuccess(v -> {
          if (!ready.equals(built.ready())) LOG.info("ring leader: collectors " + ready + ", version " + version);
          if (!moved.isEmpty()) LOG.fine("ring version " + version + " moves " + moved.size() + " streams");
          owners = new HashMap<>(next);
          last = ringEntry;
          built = new Inputs(ready, readable, memberIds, loads, System.currentTimeMillis());
        });
  }

  /**
   * A leader that stops (its collector leaves) publishes the ring without its collector, so routers stop
   * writing to it at once rather than when the next leader takes over.
   */
  @Override
  public Future<?> stop() {
    if (last == null) return Future.succeededFuture();
    Set<String> ready = new java.util.TreeSet<>(built.ready());
    Set<String> readable = new java.util.TreeSet<>(built.readable());
    ready.remove(config.nodeName());
    readable.remove(config.nodeName());
    return publish(ready, readable, built.memberIds(), built.loads()).timeout(5, java.util.concurrent.TimeUnit.SECONDS)
        .onFailure(e -> LOG.info("the last ring without this collector was not published: " + e.getMessage()))
        .otherwiseEmpty();
  }

  private <V> Future<AsyncMap<String, V>> map(String name) {
    return vertx.sharedData().getAsyncMap(name);
  }
}
