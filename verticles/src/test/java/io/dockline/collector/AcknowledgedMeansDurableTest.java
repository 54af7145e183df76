package io.dockline.collector;

import static io.dockline.collector.LogStoreTest.assertContiguous;
import static org.junit.jupiter.api.Assertions.*;

import io.dockline.config.NodeConfig;
import io.dockline.config.NodeStatus;
import io.dockline.wire.Addresses;
import io.dockline.wire.BatchAck;
import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import io.dockline.wire.WireCodecs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Acknowledged means durable", checked at the one place durability is made: every force of the store goes
 * through its {@link LogStoreOptions.Force}, which these tests watch or fail. A power loss keeps of each file
 * exactly what it held at its last force; the tests build that disk and open it.
 */
@Timeout(60)
class AcknowledgedMeansDurableTest {
  private static final List<String> IDS = List.of("aaaa000000000001", "bbbb000000000002", "cccc000000000003");
  private final Vertx vertx = Vertx.vertx();

  @TempDir Path dir;
  @TempDir Path afterPowerLoss;

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Forces for real and remembers what each file held when it was forced: what a power loss leaves. */
  static final class ForcedImage implements LogStoreOptions.Force {
    private final Map<Path, byte[]> forced = new ConcurrentHashMap<>();

    @Override
    public void force(FileChannel channel, Path path, boolean metadata) throws IOException {
      LogStoreOptions.Force.DISK.force(channel, path, metadata);
      if (!Files.isDirectory(path)) forced.put(path, Files.readAllBytes(path));
    }

    /** Writes under {@code to} every file of {@code from} that still exists, as it was at its last force. */
    void powerLoss(Path from, Path to) throws IOException {
      for (Map.Entry<Path, byte[]> file : forced.entrySet()) {
        if (!Files.exists(file.getKey())) continue; // deleted after its force (an old write-ahead log)
        Path copy = to.resolve(from.relativize(file.getKey()));
        Files.createDirectories(copy.getParent());
        Files.write(copy, file.getValue());
      }
    }
  }

  @Test
  void everySyncedLineSurvivesAPowerLossOnBothPaths() throws IOException {
    ForcedImage image = new ForcedImage();
    // small segments: rotation forces too
    LogStoreOptions options = new LogStoreOptions().segmentBytes(600).force(image);
    try (LogStore store = LogStore.open(dir, options)) {
      store.append(batch(IDS.get(0), 1, 10, "alone")); // one container: its segment is forced
      store.sync();
      for (String id : IDS) store.append(batch(id, id.equals(IDS.get(0)) ? 11 : 1, 10, "group"));
      store.sync(); // several containers: the write-ahead log is forced, the segments are not
      for (int g = 0; g < 5; g++) {
        store.append(batch(IDS.get(1), 11 + g * 10L, 10, "rotate"));
        store.sync();
      }
      store.append(batch(IDS.get(2), 11, 10, "never-synced")); // not acknowledged: a power loss may take it
      image.powerLoss(dir, afterPowerLoss);
    }
    try (LogStore store = LogStore.open(afterPowerLoss, new LogStoreOptions())) {
      assertContiguous(store.read(IDS.get(0), 0, 1000), 1, 20);
      assertContiguous(store.read(IDS.get(1), 0, 1000), 1, 60);
      LineBatch third = store.read(IDS.get(2), 0, 1000);
      assertTrue(third.count() >= 10, "the synced lines of " + IDS.get(2) + ": " + third.count());
      assertContiguous(store.read(IDS.get(2), 0, 10), 1, 10);
      assertEquals("group-10", store.read(IDS.get(2), 9, 1).lineText(0));
    }
  }

  @Test
  void noAcknowledgementLeavesBeforeItsForceReturned(@TempDir Path data) throws Exception {
    AtomicBoolean hold = new AtomicBoolean();
    CountDownLatch forcing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    LogStoreOptions.Force held = (channel, path, metadata) -> {
      if (hold.get()) {
        forcing.countDown();
        try {
          if (!release.await(30, TimeUnit.SECONDS)) throw new IOException("never released");
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
      }
      LogStoreOptions.Force.DISK.force(channel, path, metadata);
    };
    deploy(data, held, new NodeStatus("t1"));
    hold.set(true);
    CompletableFuture<Message<Object>> ack = write(batch(IDS.get(0), 1, 5, "x"));
    assertTrue(forcing.await(10, TimeUnit.SECONDS), "the group is forced");
    assertThrows(TimeoutException.class, () -> ack.get(500, TimeUnit.MILLISECONDS),
        "an acknowledgement left while its force had not returned");
    release.countDown();
    BatchAck done = (BatchAck) ack.get(10, TimeUnit.SECONDS).body();
    assertEquals(5, done.storedSeq());
  }

  @Test
  void aFailedForceAcknowledgesNothingAndTakesTheCollectorOffTheRing(@TempDir Path data) throws Exception {
    AtomicBoolean failing = new AtomicBoolean();
    LogStoreOptions.Force flaky = (channel, path, metadata) -> {
      if (failing.get()) throw new IOException("EIO (test)");
      LogStoreOptions.Force.DISK.force(channel, path, metadata);
    };
    NodeStatus status = new NodeStatus("t1");
    deploy(data, flaky, status);
    assertEquals(5, ((BatchAck) write(batch(IDS.get(0), 1, 5, "ok")).get(10, TimeUnit.SECONDS).body()).storedSeq());
    assertNotNull(registered(), "a ready collector is in the registry");

    failing.set(true);
    assertEquals(500, failureCode(write(batch(IDS.get(0), 6, 5, "lost"))), "the group whose force failed");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (registered() != null && System.nanoTime() < deadline) Thread.sleep(50);
    assertNull(registered(), "the collector left the ring");
    assertFalse(status.isReady(NodeConfig.Role.COLLECTOR), "its status says not ready");

    failing.set(false); // the disk answers again: the store's memory still cannot be trusted until a restart
    assertEquals(500, failureCode(write(batch(IDS.get(0), 6, 5, "later"))), "no more lines until restarted");
  }

  private void deploy(Path data, LogStoreOptions.Force force, NodeStatus status) throws Exception {
    WireCodecs.registerAll(vertx.eventBus());
    NodeConfig config = NodeConfig.resolve(Map.of("node-name", "t1", "data-dir", data.toString()));
    await(vertx.deployVerticle(new CollectorVerticle(config, status, new SimpleMeterRegistry(),
        new LogStoreOptions().force(force))));
  }

  private CompletableFuture<Message<Object>> write(LineBatch batch) {
    return vertx.eventBus().request(Addresses.collectorWrite("t1"), batch).toCompletionStage().toCompletableFuture();
  }

  private JsonObject registered() throws Exception {
    return await(vertx.sharedData().<String, JsonObject>getAsyncMap(Addresses.COLLECTOR_REGISTRY_MAP)
        .compose(m -> m.get("t1")));
  }

  private static int failureCode(CompletableFuture<Message<Object>> reply) throws Exception {
    try {
      fail("acknowledged: " + reply.get(10, TimeUnit.SECONDS).body());
      return 0;
    } catch (ExecutionException e) {
      return ((ReplyException) e.getCause()).failureCode();
    }
  }

  private static LineBatch batch(String id, long firstSeq, int count, String prefix) {
    return LogStoreTest.batch(new ContainerMeta(id, "n-" + id, "img", "host", Map.of()), firstSeq, count, prefix);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
