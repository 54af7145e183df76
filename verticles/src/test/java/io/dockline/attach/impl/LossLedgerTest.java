package io.dockline.attach.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockline.config.BackgroundPriority;
import io.dockline.wire.Losses;
import io.dockline.wire.Losses.Reason;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossLedgerTest {
  private static final String ID = "c0ffee";
  private final Vertx vertx = Vertx.vertx();
  private final Context ctx = vertx.getOrCreateContext();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  void countsAreKeptAcrossACleanStopAndTheStopIsKnown(@TempDir Path dir) throws Exception {
    Spool spool = spool(dir);
    LossLedger first = LossLedger.open(vertx, spool, AgentDirs.under(dir)).await(30, TimeUnit.SECONDS);
    assertFalse(first.lastRunCrashed(), "no earlier run");
    assertEquals(0, first.lastRunEndedNanos());
    onContext(() -> {
      first.lost(ID, Reason.SPOOL_FULL, 5);
      first.lost(ID, Reason.SPOOL_FULL, 7);
      first.lost(ID, Reason.LATE_ATTACH, 99); // not countable: only the time is noted
    });
    first.close().await(30, TimeUnit.SECONDS);
    long stoppedBy = LateAttach.nowNanos();

    LossLedger second = LossLedger.open(vertx, spool, AgentDirs.under(dir)).await(30, TimeUnit.SECONDS);
    assertFalse(second.lastRunCrashed());
    assertTrue(second.lastRunEndedNanos() > 0 && second.lastRunEndedNanos() <= stoppedBy);
    second.answerOn("t.losses");
    JsonObject lost = ask("t.losses", Losses.request(ID));
    assertEquals(Losses.VERSION, lost.getInteger("v"));
    assertEquals(12L, lost.getLong("lines"));
    assertEquals(1L, lost.getLong("uncounted"));
    assertEquals(2, lost.getJsonArray("reasons").size(), lost.encode());
    JsonObject none = ask("t.losses", Losses.request("other"));
    assertEquals(0L, none.getLong("lines"));
    assertTrue(none.getJsonArray("reasons").isEmpty());
    ReplyException bad = org.junit.jupiter.api.Assertions.assertThrows(ReplyException.class,
        () -> ask("t.losses", new JsonObject()));
    assertEquals(Losses.BAD_REQUEST, bad.failureCode());
    spool.close();
  }

  /** A run that never closed (kill -9) is known as crashed at the next start; counts saved a second after. */
  @Test
  void aRunThatDidNotCloseIsTakenAsCrashed(@TempDir Path dir) throws Exception {
    Spool spool = spool(dir);
    LossLedger first = LossLedger.open(vertx, spool, AgentDirs.under(dir)).await(30, TimeUnit.SECONDS);
    onContext(() -> first.lost(ID, Reason.SPOOL_FULL, 3));
    Thread.sleep(2_000); // saved after a second; no close
    LossLedger second = LossLedger.open(vertx, spool, AgentDirs.under(dir)).await(30, TimeUnit.SECONDS);
    assertTrue(second.lastRunCrashed());
    second.answerOn("t2.losses");
    assertEquals(3L, ask("t2.losses", Losses.request(ID)).getLong("lines"));
    spool.close();
  }

  private Spool spool(Path dir) {
    return new Spool(ctx, AgentDirs.under(dir).spool(), 1 << 20, Spool.Policy.BLOCK, BackgroundPriority.NORMAL);
  }

  private void onContext(Runnable r) throws Exception {
    java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
    ctx.runOnContext(v -> {
      r.run();
      done.complete(null);
    });
    done.get(30, TimeUnit.SECONDS);
  }

  private JsonObject ask(String address, JsonObject request) throws Exception {
    try {
      return vertx.eventBus().<JsonObject>request(address, request).await(30, TimeUnit.SECONDS).body();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof ReplyException r ? r : e;
    }
  }
}
