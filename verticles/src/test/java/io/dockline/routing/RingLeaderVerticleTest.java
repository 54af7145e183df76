package io.dockline.routing;

import static org.junit.jupiter.api.Assertions.*;

import io.dockline.collector.CollectorRegistry;
import io.dockline.config.NodeConfig;
import io.dockline.config.NodeStatus;
import io.dockline.wire.Addresses;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ring leader and a router on one (unclustered) Vert.x instance, through the same async maps a cluster
 * uses: the leader publishes the ring every router would build, another collector takes over when it goes,
 * and a router routes by the published ring, or builds the ring itself when no leader publishes one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingLeaderVerticleTest {
  private static final int STREAMS = 60;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static NodeConfig config(String node) {
    return NodeConfig.resolve(Map.of("node-name", node));
  }

  private <V> AsyncMap<String, V> map(String name) throws Exception {
    return vertx.sharedData().<String, V>getAsyncMap(name).await(5, TimeUnit.SECONDS);
  }

  /** Three collectors registered, and one router's published loads of {@link #STREAMS} streams. */
  private Map<String, JsonObject> setUp() throws Exception {
    AsyncMap<String, JsonObject> registry = map(Addresses.COLLECTOR_REGISTRY_MAP);
    for (String c : List.of("c1", "c2", "c3")) registry.put(c, CollectorRegistry.entry(c, null)).await(5, TimeUnit.SECONDS);
    JsonObject loads = new JsonObject();
    for (int i = 0; i < STREAMS; i++) loads.put("stream-" + i, new JsonArray().add(1e5 / (i + 1)).add(10.0));
    map(Addresses.STREAM_LOAD_MAP).put("other-router", loads).await(5, TimeUnit.SECONDS);
    return Map.of("other-router", loads);
  }

  private PublishedRing published() throws Exception {
    return PublishedRing.fromJson(this.<JsonObject>map(Addresses.RING_MAP).get(PublishedRing.KEY).await(5, TimeUnit.SECONDS));
  }

  private static <T> T await(Supplier<T> probe, java.util.function.Predicate<T> done, String what) throws Exception {
    long until = System.currentTimeMillis() + 20_000;
    T last = null;
    while (System.currentTimeMillis() < until) {
      last = probe.get();
      if (last != null && done.test(last)) return last;
      Thread.sleep(100);
    }
    throw new AssertionError(what + "; last seen: " + last);
  }

  private PublishedRing awaitRing(java.util.function.Predicate<PublishedRing> done, String what) throws Exception {
    return await(() -> {
      try {
        return published();
      } catch (Exception e) {
        return null;
      }
    }, done, what);
  }

  @Test
  void theLeaderPublishesTheRingEveryRouterWouldBuildAndTheNextCollectorTakesOver() throws Exception {
    Map<String, JsonObject> loads = setUp();
    String c1 = vertx.deployVerticle(new RingLeaderVerticle(config("c1"))).await(5, TimeUnit.SECONDS);
    vertx.deployVerticle(new RingLeaderVerticle(config("c2"))).await(5, TimeUnit.SECONDS);
    PublishedRing first = awaitRing(r -> r.collectors().size() == 3, "the ring of three collectors published");
    assertEquals("c1", first.leader());
    BoundedLoadRing expected = PublishedLoads.of(loads).ring(Set.of("c1", "c2", "c3"), 0.25);
    Map<String, String> owners = this.<String>map(Addresses.RING_OWNERS_MAP).entries().await(5, TimeUnit.SECONDS);
    assertEquals(expected.assignments(), owners, "the owners every router would compute");

    // c1 leaves: c2 leads, goes on from c1's version and moves c1's streams
    vertx.undeploy(c1).await(5, TimeUnit.SECONDS);
    map(Addresses.COLLECTOR_REGISTRY_MAP).remove("c1").await(5, TimeUnit.SECONDS);
    PublishedRing next = awaitRing(r -> "c2".equals(r.leader()) && r.collectors().size() == 2, "c2 leads");
    assertTrue(next.version() > first.version(), "versions go on: " + first.version() + " then " + next.version());
    Map<String, String> after = this.<String>map(Addresses.RING_OWNERS_MAP).entries().await(5, TimeUnit.SECONDS);
    BoundedLoadRing without = PublishedLoads.of(loads).ring(Set.of("c2", "c3"), 0.25);
    assertEquals(without.assignments(), after);
    assertFalse(after.containsValue("c1"));
  }

  @Test
  void aRouterRoutesByThePublishedRingOrBuildsItWhenNoLeaderPublishes() throws Exception {
    setUp();
    vertx.deployVerticle(new RouterVerticle(config("r1"), new NodeStatus("r1"), new SimpleMeterRegistry()))
        .await(5, TimeUnit.SECONDS);
    // collectors of the release before: no leader, the router builds the ring from the registry and loads
    JsonObject own = await(this::ringState, s -> s.getJsonArray("collectors").size() == 3, "the router's own ring");
    assertNull(own.getLong("version"));
    vertx.deployVerticle(new RingLeaderVerticle(config("c1"))).await(5, TimeUnit.SECONDS);
    PublishedRing ring = awaitRing(r -> r.collectors().size() == 3, "ring published");
    JsonObject followed = await(this::ringState, s -> s.getLong("version") != null, "the router follows the leader");
    assertEquals("c1", followed.getString("leader"));
    assertTrue(followed.getLong("version") >= ring.version());
    int streams = 0;
    for (Object c : followed.getJsonArray("collectors")) streams += ((JsonObject) c).getJsonArray("streamLoads").size();
    assertEquals(STREAMS, streams, "every stream shown on its owner");
  }

  private JsonObject ringState() {
    try {
      return vertx.eventBus().<JsonObject>request(Addresses.RING_STATE, new JsonObject()).map(m -> m.body())
          .await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      return null;
    }
  }
}
