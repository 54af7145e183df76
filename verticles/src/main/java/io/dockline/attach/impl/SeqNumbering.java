package io.dockline.attach.impl;

import io.dockline.wire.Addresses;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.logging.Logger;

/**
 * The sequence numbers of one container's lines, on the agent's context.
 *
 * <p>Contract: {@link #next()} is -1 until the first number is known, then only grows; a number is never
 * given twice, even across a restart after kill -9. The first number comes from, in this order: what this
 * agent numbered before (the seq mark under {@code <data-dir>/agent/seqs/}, or its spool), the log's
 * checkpoint (logs mode), 1 for a container this agent saw being created, or what the collectors store
 * (asked; if none answers for 5 s, the current time in microseconds). Attach mode numbers no further than a
 * reservation saved in the seq mark, a million at a time and half a reservation ahead, so numbering never
 * waits in practice; logs mode needs none (its numbers are a function of the log). {@code changed} runs when
 * numbering may go on after waiting.
 */
final class SeqNumbering {
  private static final Logger LOG = Logger.getLogger(SeqNumbering.class.getName());
  static final long RESERVATION = 1_000_000;
  private static final long WITHOUT_COLLECTOR_AFTER_MS = 5_000;

  private final ReaderContext ctx;
  private final Spool spool;
  private final Runnable changed;
  private final Path markFile;
  private long next = -1;
  private boolean fromLog;
  private long reservedThrough;
  private boolean reserving;
  /** When asking the collectors for the stored seq first failed (0: it has not). */
  private long firstAskFailedMs;

  SeqNumbering(ReaderContext ctx, Runnable changed) {
    this.ctx = ctx;
    this.spool = ctx.spool();
    this.changed = changed;
    this.markFile = AgentDirs.ofSpool(spool.dir).seqMark(ctx.containerId());
  }

  boolean isKnown() {
    return next >= 0;
  }

  /** The next number to give; -1 while unknown. */
  long next() {
    return next;
  }

  /** {@code count} numbers from {@link #next()} on were given. */
  void advance(int count) {
    next += count;
  }

  /** Nobody read the container before (this agent saw it created): numbering starts at 1. */
  void startFresh() {
    if (next >= 0) return;
    next = 1;
    changed.run();
  }

  /** Numbers up to {@code highest} were given before (by an earlier run): continue above them. */
  void continueAbove(long highest) {
    next = Math.max(next, highest + 1);
  }

  /** Logs mode: numbering is a function of the log and starts at {@code first}; no reservation is needed. */
  void startFromLog(long first) {
    fromLog = true;
    next = first;
  }

  /** Whether {@code lines} more lines may be numbered now; asks for a new reservation in time. */
  boolean mayNumber(int lines) {
    if (fromLog) return true;
    long last = next + lines - 1;
    if (last + RESERVATION / 2 > reservedThrough && !reserving) reserve(last + RESERVATION);
    return last <= reservedThrough;
  }

  private void reserve(long through) {
    reserving = true;
    spool.run(() -> {
      writeMark(through);
      return null;
    }).onComplete(ar -> {
      reserving = false;
      if (ar.failed()) {
        // numbering goes on as without reservations; a restart then asks the collectors
        LOG.warning("saving the seq reservation of " + ctx.name() + " failed: " + ar.cause());
        reservedThrough = Long.MAX_VALUE;
      } else {
        reservedThrough = Math.max(reservedThrough, through);
      }
      changed.run();
    });
  }

  /** The seq mark an earlier run left (0: none): the exact last seq after a clean stop, a reservation after a crash. */
  Future<Long> loadMark() {
    return spool.run(() -> {
      if (!Files.exists(markFile)) return 0L;
      try {
        return Long.parseLong(Files.readString(markFile).trim());
      } catch (NumberFormatException e) {
        return 0L;
      }
    });
  }

  /** Stopping: the highest seq given replaces the reservation, so the next run continues right after it. */
  Future<Void> saveLast() {
    long last = next - 1;
    if (last <= 0) return Future.succeededFuture();
    return spool.run(() -> {
      writeMark(last);
      return null;
    });
  }

  private void writeMark(long seq) throws IOException {
    Files.createDirectories(markFile.getParent());
    Files.writeString(markFile, Long.toString(seq));
  }

  /** The container is gone: its seq mark is deleted. */
  Future<Void> forget() {
    return spool.run(() -> {
      Files.deleteIfExists(markFile);
      return null;
    });
  }

  /** Asks the collectors what they store of the container, until one answers (or 5 s passed). */
  void askCollectors() {
    if (next >= 0) return;
    ctx.vertx().eventBus().<JsonObject>request(Addresses.ROUTER_LAST_SEQ, new JsonObject().put("containerId", ctx.containerId()),
        new DeliveryOptions().setSendTimeout(10_000)).onComplete(ar -> {
          if (ar.succeeded()) {
            // a fresh container may have been numbered meanwhile; the collectors hold nothing of it then
            if (next < 0) next = ar.result().body().getLong("lastSeq", 0L) + 1;
            ctx.retries().succeeded();
            changed.run();
          } else if (next < 0) {
            LOG.log(ctx.retries().level(), () -> "asking the stored sequence of container " + ctx.name() + " failed ("
                + ar.cause().getMessage() + "); retrying");
            long now = System.currentTimeMillis();
            if (firstAskFailedMs == 0) firstAskFailedMs = now;
            if (now - firstAskFailedMs >= WITHOUT_COLLECTOR_AFTER_MS) {
              numberWithoutCollectors();
            } else {
              ctx.vertx().setTimer(ctx.retries().nextDelay(), t -> askCollectors());
            }
          }
        });
  }

  /**
   * No collector has answered for a while and this agent has no record of the container: rather than stall
   * it, numbering starts at the current time in microseconds, above any seq the container can have had
   * (it would need more lines than microseconds since 1970). The collectors see a hole before it, which the
   * agent can vouch for: no line was ever numbered in it.
   */
  private void numberWithoutCollectors() {
    Instant now = Instant.now();
    next = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    LOG.info("no collector answered for container " + ctx.name() + "; numbering its lines from " + next);
    changed.run();
  }
}
