package io.dockline.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.dockline.config.NodeConfig;
import io.dockline.config.NodeStatus;
import io.dockline.wire.Addresses;
import io.dockline.wire.BatchAck;
import io.dockline.wire.CollectorQuery;
import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import io.dockline.wire.WireCodecs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector's side of the storage lifecycle, against a real store in a temporary directory: below
 * {@code min-free-disk} it refuses writes and leaves the write ring but deletes nothing; over
 * {@code retention-disk-bytes} its retention job deletes the oldest segments.
 */
@Timeout(60)
class CollectorDiskTest {
  private static final List<String> IDS = List.of("aaaa000000000001", "bbbb000000000002");
  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final NodeStatus status = new NodeStatus("t1");

  @TempDir Path data;

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void belowMinFreeDiskItRefusesWritesServesReadsAndDeletesNothing() throws Exception {
    deploy(Map.of("retention-age", "none"));
    assertEquals(5, ((BatchAck) write(batch(IDS.get(0), 1, 5)).body()).storedSeq());
    assertEquals(1.0, roleGauge("dockline.role.ready"), "ready, as /health says");
    assertEquals(0.0, roleGauge("dockline.role.short.of.disk"));
    vertx.undeploy(vertx.deploymentIDs().iterator().next()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

    // more free space than the whole file system has: as if another process had filled it
    long total = Files.getFileStore(data).getTotalSpace();
    deploy(Map.of("retention-age", "none", "min-free-disk", Long.toString(total)));
    assertEquals(BatchAck.STORE_FULL_FAILURE, failureCode(batch(IDS.get(0), 6, 5)));
    assertEquals(BatchAck.STORE_FULL_FAILURE, failureCode(batch(IDS.get(1), 1, 5)), "and every later batch");
    JsonObject health = status.toJson(List.of(NodeConfig.Role.COLLECTOR));
    assertTrue(health.getJsonObject("roles").getJsonObject("collector").getString("shortOfDisk").contains("min-free-disk"),
        health.encode());
    assertEquals(0.0, roleGauge("dockline.role.ready"), "the gauges alerts read say what /health says");
    assertEquals(1.0, roleGauge("dockline.role.short.of.disk"));
    JsonObject entry = await(vertx.sharedData().<String, JsonObject>getAsyncMap(Addresses.COLLECTOR_REGISTRY_MAP)
        .compose(m -> m.get("t1")));
    assertFalse(entry.getBoolean("ready"), "off the write ring: " + entry.encode());
    assertTrue(entry.getBoolean("readable"), "still read: " + entry.encode());
    JsonArray held = (JsonArray) query(CollectorQuery.containers());
    assertEquals(1, held.size());
    assertEquals(1L, held.getJsonObject(0).getLong("firstSeq"), "nothing deleted for another process's lack of room");
    assertEquals(5L, held.getJsonObject(0).getLong("lastSeq"));
    assertTrue(meters.get("dockline.batches.refused.full").counter().count() >= 2);
  }

  @Test
  void overTheDiskBudgetTheOldestSegmentsGo() throws Exception {
    deploy(Map.of("retention-age", "none", "retention-disk-bytes", "16KiB", "segment-bytes", "4096",
        "segment-seal-after", "1s", "compression", "none")); // sizes are the lines' own
    for (int b = 0; b < 40; b++) {
      for (String id : IDS) write(batch(id, 1 + b * 20L, 20));
    }
    long end = System.currentTimeMillis() + 30_000;
    double deleted = 0;
    while (System.currentTimeMillis() < end && deleted == 0) {
      Thread.sleep(200);
      deleted = meters.get("dockline.retention.deleted.segments").tag("reason", "disk").counter().count();
    }
    assertTrue(deleted > 0, "retention deleted segments for the disk budget");
    long firstKept = 0;
    for (Object o : (JsonArray) query(CollectorQuery.containers())) {
      JsonObject c = (JsonObject) o;
      assertEquals(800L, c.getLong("lastSeq"));
      firstKept = Math.max(firstKept, c.getLong("firstSeq"));
    }
    assertTrue(firstKept > 1, "the oldest lines went");
    assertEquals(0.0, meters.get("dockline.retention.deleted.segments").tag("reason", "age").counter().count());
  }

  CollectorDiskTest() {
    WireCodecs.registerAll(vertx.eventBus());
    status.register(meters, List.of(NodeConfig.Role.COLLECTOR));
  }

  private double roleGauge(String name) {
    return meters.get(name).tag("role", "collector").gauge().value();
  }

  private void deploy(Map<String, String> settings) throws Exception {
    Map<String, String> all = new HashMap<>(settings);
    all.put("node-name", "t1");
    all.put("data-dir", data.toString());
    await(vertx.deployVerticle(new CollectorVerticle(NodeConfig.resolve(all), status, meters)));
  }

  private io.vertx.core.eventbus.Message<Object> write(LineBatch batch) throws Exception {
    return await(vertx.eventBus().request(Addresses.collectorWrite("t1"), batch));
  }

  private Object query(JsonObject q) throws Exception {
    return await(vertx.eventBus().request(Addresses.collectorQuery("t1"), q)).body();
  }

  private int failureCode(LineBatch batch) throws Exception {
    try {
      fail("acknowledged: " + write(batch).body());
      return 0;
    } catch (ExecutionException e) {
      return ((ReplyException) e.getCause()).failureCode();
    }
  }

  private static LineBatch batch(String id, long firstSeq, int count) {
    return LogStoreTest.batch(new ContainerMeta(id, "n-" + id, "img", "host", Map.of()), firstSeq, count,
        "a line long enough that forty batches of twenty fill several segments of four KiB");
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
