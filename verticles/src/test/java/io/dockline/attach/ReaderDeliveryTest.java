package io.dockline.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockline.attach.impl.AgentDirs;
import io.dockline.attach.impl.AgentMetrics;
import io.dockline.attach.impl.LossLedger;
import io.dockline.attach.impl.ContainerReader;
import io.dockline.attach.impl.Spool;
import io.dockline.collector.CollectorVerticle;
import io.dockline.config.BackgroundPriority;
import io.dockline.config.NodeConfig;
import io.dockline.config.NodeStatus;
import io.dockline.wire.Addresses;
import io.dockline.wire.BatchAck;
import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import io.dockline.wire.WireCodecs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader against a stand-in for the Docker attach endpoint (an HTTP server streaming frames), the real
 * collector and its files, and a router that fails batches on purpose: every line must be stored once, in
 * order, however the deliveries fail.
 */
class ReaderDeliveryTest {
  private static final String ID = "c0ffee";
  private static final int LINES = 30_000;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void failedAndLostAcknowledgementsAreResentWithoutLossOrDuplicates(@TempDir Path dir) throws Exception {
    SimpleMeterRegistry registry = deployCollector(dir);

    // the router's stand-in: fails every 5th batch outright, and for every 7th stores it but loses the answer
    AtomicInteger seen = new AtomicInteger();
    AtomicInteger lostAcks = new AtomicInteger();
    vertx.eventBus().<LineBatch>localConsumer(Addresses.ROUTER_BATCH, msg -> {
      int n = seen.incrementAndGet();
      if (n % 5 == 0) {
        msg.fail(503, "injected failure");
        return;
      }
      vertx.eventBus().<BatchAck>request(Addresses.collectorWrite("t1"), msg.body()).onComplete(ar -> {
        if (n % 7 == 0) {
          lostAcks.incrementAndGet();
          msg.fail(504, "injected lost acknowledgement");
        } else if (ar.succeeded()) {
          msg.reply(ar.result().body());
        } else {
          msg.fail(500, ar.cause().getMessage());
        }
      });
    });
    vertx.eventBus().<JsonObject>localConsumer(Addresses.ROUTER_LAST_SEQ, msg -> vertx.eventBus()
        .<JsonObject>request(Addresses.collectorQuery("t1"), msg.body().copy().put("op", "last-seq"))
        .onSuccess(r -> msg.reply(r.body())).onFailure(e -> msg.fail(500, e.getMessage())));

    HttpServer docker = dockerStandIn();

    startReader(docker, registry, dir, 64 << 20, false);

    long end = System.currentTimeMillis() + 60_000;
    long stored = 0;
    while (System.currentTimeMillis() < end && stored < LINES) {
      Thread.sleep(100);
      stored = lastSeq();
    }
    assertAllStoredOnceInOrder();
    assertTrue(lostAcks.get() > 0);
    assertTrue(registry.counter("dockline.batches.resent", "node", "t1").count() > 0, "failed batches were resent");
    // a batch stored but not acknowledged is either covered by a later cumulative acknowledgement or sent
    // again and dropped by the collector; either way the store above holds it once
    assertEquals(LINES, registry.counter("dockline.lines.stored", "node", "t1").count(), 0.0,
        "the collector wrote each line once");
  }

  /**
   * Group commit: the first lines go at once, and while that batch waits for its acknowledgement the lines
   * read meanwhile are not sent off in one small batch per read but in batches of at least a quarter of the
   * maximum (4,096 lines here).
   */
  @Test
  void whileABatchIsInFlightTheNextOnesWaitUntilTheyAreLarge(@TempDir Path dir) throws Exception {
    SimpleMeterRegistry registry = deployCollector(dir);
    // the hold runs 3 s from the first batch (not from the test's start: a loaded machine may take longer to
    // get the reader going)
    long[] holdFrom = {0};
    java.util.List<int[]> sent = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    vertx.eventBus().<LineBatch>localConsumer(Addresses.ROUTER_BATCH, msg -> {
      if (holdFrom[0] == 0) holdFrom[0] = System.currentTimeMillis();
      long holdUntil = holdFrom[0] + 3_000;
      boolean held = System.currentTimeMillis() < holdUntil;
      sent.add(new int[] {msg.body().count(), held ? 1 : 0});
      vertx.eventBus().<BatchAck>request(Addresses.collectorWrite("t1"), msg.body(),
          new DeliveryOptions().setHeaders(msg.headers())).onComplete(ar -> {
            // the acknowledgements of what came during the first 3 s are held back until then
            long wait = Math.max(1, holdUntil - System.currentTimeMillis());
            vertx.setTimer(wait, t -> {
              if (ar.succeeded()) msg.reply(ar.result().body());
              else msg.fail(500, ar.cause().getMessage());
            });
          });
    });
    vertx.eventBus().<JsonObject>localConsumer(Addresses.ROUTER_LAST_SEQ, msg -> msg.fail(503, "unused"));
    startReader(dockerStandIn(), registry, dir, 64 << 20, true);
    long end = System.currentTimeMillis() + 60_000;
    while (lastSeq() < LINES && System.currentTimeMillis() < end) Thread.sleep(100);
    assertAllStoredOnceInOrder();
    java.util.List<int[]> duringHold = new java.util.ArrayList<>();
    synchronized (sent) {
      for (int[] b : sent) if (b[1] == 1 && b[0] > 0) duringHold.add(b);
    }
    assertTrue(duringHold.size() >= 2, "the first batch and more were sent while it waited: " + duringHold.size());
    assertTrue(duringHold.size() <= 4, "no more than 4 in flight: " + duringHold.size());
    for (int i = 1; i < duringHold.size(); i++) {
      assertTrue(duringHold.get(i)[0] >= 4096, "batch " + i + " sent with one in flight has "
          + duringHold.get(i)[0] + " lines");
    }
  }

  @Test
  void linesReadWhileNoCollectorTakesThemAreSpooledAndSentAfterARestart(@TempDir Path dir) throws Exception {
    SimpleMeterRegistry registry = deployCollector(dir);
    AtomicBoolean collectorsDown = new AtomicBoolean(true);
    vertx.eventBus().<LineBatch>localConsumer(Addresses.ROUTER_BATCH, msg -> {
      if (collectorsDown.get()) {
        msg.fail(503, "no collector is ready");
        return;
      }
      vertx.eventBus().<BatchAck>request(Addresses.collectorWrite("t1"), msg.body(),
          new DeliveryOptions().setHeaders(msg.headers())).onComplete(ar -> {
            if (ar.succeeded()) msg.reply(ar.result().body());
            else msg.fail(500, ar.cause().getMessage());
          });
    });
    vertx.eventBus().<JsonObject>localConsumer(Addresses.ROUTER_LAST_SEQ, msg -> msg.fail(503, "no collector"));
    HttpServer docker = dockerStandIn();

    // the first run reads everything while no collector answers; a 256 KiB memory budget makes it spool
    ContainerReader first = startReader(docker, registry, dir, 256 << 10, true);
    long end = System.currentTimeMillis() + 60_000;
    while (registry.counter("dockline.lines.read", "node", "t1").count() < LINES && System.currentTimeMillis() < end) {
      Thread.sleep(50);
    }
    assertEquals(LINES, registry.counter("dockline.lines.read", "node", "t1").count(), 0.0, "reading never stalled");
    assertTrue(registry.get("dockline.agent.spool.bytes").gauge().value() > 0, "lines went to the spool");
    assertEquals(0, lastSeq(), "nothing stored yet");
    // stop: nothing acknowledged within the drain, so everything is written to the spool
    java.util.concurrent.CompletableFuture<Void> spilled = new java.util.concurrent.CompletableFuture<>();
    vertx.runOnContext(v -> {
      first.stop();
      first.spillOnStop().onComplete(ar -> spilled.complete(null));
    });
    spilled.get(30, TimeUnit.SECONDS);
    Path spoolFile = dir.resolve("agent/spool/" + ID + ".spool");
    assertTrue(java.nio.file.Files.size(spoolFile) > LINES * 10L, "the spool holds every line");

    // the next run (a new reader and spool on the same directory) sends the spool once collectors are back
    collectorsDown.set(false);
    ContainerReader second = startReader(null, new SimpleMeterRegistry(), dir, 256 << 10, false);
    end = System.currentTimeMillis() + 60_000;
    while (lastSeq() < LINES && System.currentTimeMillis() < end) Thread.sleep(100);
    assertAllStoredOnceInOrder();
    java.util.concurrent.CompletableFuture<Void> idle = new java.util.concurrent.CompletableFuture<>();
    vertx.runOnContext(v -> second.whenIdle(() -> second.closeSpool().onComplete(ar -> idle.complete(null))));
    idle.get(30, TimeUnit.SECONDS);
    assertTrue(!java.nio.file.Files.exists(spoolFile), "an emptied spool file is removed");
    // a clean stop leaves the highest seq numbered, so a next run continues after it without the collectors
    java.util.concurrent.CompletableFuture<Void> stopped = new java.util.concurrent.CompletableFuture<>();
    vertx.runOnContext(v -> second.spillOnStop().onComplete(ar -> stopped.complete(null)));
    stopped.get(30, TimeUnit.SECONDS);
    assertEquals(Integer.toString(LINES), java.nio.file.Files.readString(dir.resolve("agent/seqs/" + ID)));
  }

  /**
   * Once lines wait in the spool, newer ones cannot overtake them: they follow each time a batch's worth has
   * come (4,096 lines) instead of piling up in memory to half the budget (here 128 KiB, about 11,600 lines)
   * first, and when the stream ends the rest follows.
   */
  @Test
  void whileLinesWaitInTheSpoolNewLinesFollowThemABatchAtATime(@TempDir Path dir) throws Exception {
    SimpleMeterRegistry registry = deployCollector(dir);
    vertx.eventBus().<LineBatch>localConsumer(Addresses.ROUTER_BATCH, msg -> msg.fail(503, "no collector is ready"));
    startReader(dockerStandIn(), registry, dir, 256 << 10, true);
    double spooledAt = -1;
    long mostPending = 0;
    long end = System.currentTimeMillis() + 60_000;
    while (registry.counter("dockline.lines.read", "node", "t1").count() < LINES && System.currentTimeMillis() < end) {
      long pending = (long) registry.get("dockline.agent.pending.lines").gauge().value();
      if (spooledAt < 0 && registry.get("dockline.agent.spool.bytes").gauge().value() > 0) {
        spooledAt = registry.counter("dockline.lines.read", "node", "t1").count();
      } else if (spooledAt >= 0) {
        mostPending = Math.max(mostPending, pending);
      }
      Thread.sleep(2);
    }
    assertEquals(LINES, registry.counter("dockline.lines.read", "node", "t1").count(), 0.0, "reading never stalled");
    // (with lines enough left to read that the old way would have held 11,600 of them in memory again)
    assertTrue(spooledAt > 0 && spooledAt < LINES * 2 / 3, "the spool took lines early on: " + spooledAt);
    assertTrue(mostPending < 8192, "lines held in memory behind the spool: " + mostPending);
    // the stream has ended: its last lines follow the others into the spool rather than wait on the heap
    while (registry.get("dockline.agent.pending.lines").gauge().value() > 0 && System.currentTimeMillis() < end) {
      Thread.sleep(10);
    }
    assertEquals(0, registry.get("dockline.agent.pending.lines").gauge().value(), 0.0, "nothing left in memory");
    assertTrue(java.nio.file.Files.size(dir.resolve("agent/spool/" + ID + ".spool")) > LINES * 10L,
        "the spool holds every line");
  }

  @Test
  void afterACrashNumberingContinuesAboveTheSavedReservationWithoutAskingTheCollectors(@TempDir Path dir)
      throws Exception {
    SimpleMeterRegistry registry = deployCollector(dir);
    AtomicBoolean collectorsAway = new AtomicBoolean(false);
    vertx.eventBus().<LineBatch>localConsumer(Addresses.ROUTER_BATCH, msg -> vertx.eventBus()
        .<BatchAck>request(Addresses.collectorWrite("t1"), msg.body(), new DeliveryOptions().setHeaders(msg.headers()))
        .onSuccess(r -> msg.reply(r.body())).onFailure(e -> msg.fail(500, e.getMessage())));
    vertx.eventBus().<JsonObject>localConsumer(Addresses.ROUTER_LAST_SEQ, msg -> {
      if (collectorsAway.get()) {
        msg.fail(503, "the collector with the newest lines is away");
        return;
      }
      vertx.eventBus().<JsonObject>request(Addresses.collectorQuery("t1"), msg.body().copy().put("op", "last-seq"))
          .onSuccess(r -> msg.reply(r.body())).onFailure(e -> msg.fail(500, e.getMessage()));
    });
    HttpServer docker = dockerStandIn();
    startReader(docker, registry, dir, 64 << 20, false);
    long end = System.currentTimeMillis() + 60_000;
    while (lastSeq() < LINES && System.currentTimeMillis() < end) Thread.sleep(100);
    assertEquals(LINES, lastSeq());

    // the agent dies without stopping (its reader is simply abandoned); a new one starts while no collector
    // can say what is stored: it must number above everything numbered before, at once
    collectorsAway.set(true);
    startReader(docker, new SimpleMeterRegistry(), dir, 64 << 20, false);
    end = System.currentTimeMillis() + 4_000; // before the 5 s no-collector fallback
    while (lastSeq() < LINES + 1 && System.currentTimeMillis() < end) Thread.sleep(50);
    LineBatch second = await(vertx.eventBus().<LineBatch>request(Addresses.collectorQuery("t1"),
        new JsonObject().put("op", "logs").put("containerId", ID).put("after", LINES).put("limit", 10),
        new DeliveryOptions())).body();
    assertTrue(second.count() > 0, "the new reader numbered and stored without the collectors' answer");
    assertTrue(second.firstSeq() > LINES && second.firstSeq() <= LINES + 2_000_000L,
        "continues above the reservation, not over old seqs: " + second.firstSeq());
    assertEquals("line 1", second.lineText(0));
  }

  /** Docker's attach endpoint as far as a reader sees it: every request streams LINES lines in frames. */
  private HttpServer dockerStandIn() throws Exception {
    return await(vertx.createHttpServer().requestHandler(req -> {
      HttpServerResponse resp = req.response().setChunked(true).putHeader("content-type", "application/vnd.docker.raw-stream");
      writeFrames(resp, 1);
    }).listen(0, "127.0.0.1"));
  }

  /** The real collector "t1", storing under {@code dir}; the registry holds its meters. */
  private SimpleMeterRegistry deployCollector(Path dir) throws Exception {
    WireCodecs.registerAll(vertx.eventBus());
    NodeConfig config = NodeConfig.resolve(Map.of("node-name", "t1", "data-dir", dir.toString()));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    await(vertx.deployVerticle(new CollectorVerticle(config, new NodeStatus("t1"), registry)));
    return registry;
  }

  /**
   * A reader on the verticle-less test context, attached to {@code docker} (none: nothing left to read) and
   * described as a non-TTY container; {@code fresh}: numbered from 1 without asking the collectors.
   */
  private ContainerReader startReader(HttpServer docker, SimpleMeterRegistry registry, Path dir, long bufferCap,
                                      boolean fresh) throws Exception {
    java.util.concurrent.CompletableFuture<ContainerReader> made = new java.util.concurrent.CompletableFuture<>();
    vertx.runOnContext(v -> {
      Spool spool = new Spool(vertx.getOrCreateContext(), dir.resolve("agent/spool"), 1L << 30, Spool.Policy.BLOCK,
          BackgroundPriority.NORMAL);
      AgentMetrics metrics = new AgentMetrics(registry, "t1", spool);
      SocketAddress address = SocketAddress.inetSocketAddress(docker == null ? 1 : docker.actualPort(), "127.0.0.1");
      LossLedger.open(vertx, spool, AgentDirs.under(dir)).onSuccess(ledger -> {
        ContainerReader r = new ContainerReader(vertx, vertx.createHttpClient(), address, metrics, spool, ledger, ID,
            "t1", 1 << 20, bufferCap, MultilineSettings.NONE);
        if (fresh) r.markFresh();
        if (docker != null) r.attach();
        r.describe(new ContainerMeta(ID, "web", "img", "t1", Map.of()), false);
        made.complete(r);
      }).onFailure(made::completeExceptionally);
    });
    return made.get(30, TimeUnit.SECONDS);
  }

  private void assertAllStoredOnceInOrder() throws Exception {
    assertEquals(LINES, lastSeq(), "every line stored");
    LineBatch all = await(vertx.eventBus().<LineBatch>request(Addresses.collectorQuery("t1"),
        new JsonObject().put("op", "logs").put("containerId", ID).put("after", 0).put("limit", 100_000),
        new DeliveryOptions())).body();
    assertEquals(LINES, all.count());
    for (int i = 0; i < LINES; i++) {
      assertEquals(i + 1, all.seq(i));
      assertEquals("line " + (i + 1), all.lineText(i), "in order, none twice");
    }
  }

  /** Writes LINES lines in frames of uneven sizes, a few at a time, letting the reader take them. */
  private void writeFrames(HttpServerResponse resp, int from) {
    if (from > LINES) {
      resp.end();
      return;
    }
    StringBuilder sb = new StringBuilder();
    int to = Math.min(LINES, from + 97);
    for (int i = from; i <= to; i++) sb.append("line ").append(i).append('\n');
    byte[] payload = sb.toString().getBytes(StandardCharsets.UTF_8);
    int cut = payload.length / 3; // a line cut across two frames
    Buffer out = Buffer.buffer();
    frame(out, payload, 0, cut);
    frame(out, payload, cut, payload.length - cut);
    resp.write(out);
    vertx.setTimer(1, t -> writeFrames(resp, to + 1));
  }

  private static void frame(Buffer out, byte[] p, int off, int len) {
    out.appendByte((byte) 1).appendByte((byte) 0).appendByte((byte) 0).appendByte((byte) 0).appendInt(len)
        .appendBytes(p, off, len);
  }

  private long lastSeq() throws Exception {
    return await(vertx.eventBus().<JsonObject>request(Addresses.collectorQuery("t1"),
        new JsonObject().put("op", "last-seq").put("containerId", ID))).body().getLong("lastSeq");
  }

  private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
