package io.dockline.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockline.attach.impl.AgentMetrics;
import io.dockline.attach.impl.ContainerReader;
import io.dockline.collector.CollectorVerticle;
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
    WireCodecs.registerAll(vertx.eventBus());
    NodeConfig config = NodeConfig.resolve(Map.of("node-name", "t1", "data-dir", dir.toString()));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    await(vertx.deployVerticle(new CollectorVerticle(config, new NodeStatus("t1"), registry)));

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

    HttpServer docker = await(vertx.createHttpServer().requestHandler(req -> {
      HttpServerResponse resp = req.response().setChunked(true).putHeader("content-type", "application/vnd.docker.raw-stream");
      writeFrames(resp, 1);
    }).listen(0, "127.0.0.1"));

    AgentMetrics metrics = new AgentMetrics(registry, "t1");
    ContainerReader[] holder = new ContainerReader[1];
    vertx.runOnContext(v -> {
      holder[0] = new ContainerReader(vertx, vertx.createHttpClient(), SocketAddress.inetSocketAddress(docker.actualPort(),
          "127.0.0.1"), metrics, ID, "t1", 1 << 20, 64 << 20);
      holder[0].attach();
      holder[0].describe(new ContainerMeta(ID, "web", "img", "t1", Map.of()), false);
    });

    long end = System.currentTimeMillis() + 60_000;
    long stored = 0;
    while (System.currentTimeMillis() < end && stored < LINES) {
      Thread.sleep(100);
      stored = lastSeq();
    }
    assertEquals(LINES, stored, "every line stored");
    LineBatch all = await(vertx.eventBus().<LineBatch>request(Addresses.collectorQuery("t1"),
        new JsonObject().put("op", "logs").put("containerId", ID).put("after", 0).put("limit", 100_000),
        new DeliveryOptions())).body();
    assertEquals(LINES, all.count());
    for (int i = 0; i < LINES; i++) {
      assertEquals(i + 1, all.seq(i));
      assertEquals("line " + (i + 1), all.lineText(i), "in order, none twice");
    }
    assertTrue(lostAcks.get() > 0);
    assertTrue(registry.counter("dockline.batches.resent", "node", "t1").count() > 0, "failed batches were resent");
    // a batch stored but not acknowledged is either covered by a later cumulative acknowledgement or sent
    // again and dropped by the collector; either way the store above holds it once
    assertEquals(LINES, registry.counter("dockline.lines.stored", "node", "t1").count(), 0.0,
        "the collector wrote each line once");
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
