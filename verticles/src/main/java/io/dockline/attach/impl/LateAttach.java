package io.dockline.attach.impl;

import java.time.Instant;
import java.util.logging.Logger;

/**
 * Attach has no history: if the container (re)started before its attach stream was open, what it wrote in
 * between is lost (log driver none) and counted, once per start. {@code docker run -d} races the attach this
 * way; {@code docker create} then {@code docker start} does not.
 */
final class LateAttach {
  private static final Logger LOG = Logger.getLogger(LateAttach.class.getName());
  private final ReaderContext ctx;
  private long openedNanos;
  private long knownStartNanos;
  private long countedStartNanos;

  LateAttach(ReaderContext ctx) {
    this.ctx = ctx;
  }

  /** An attach stream opened now. */
  void opened() {
    openedNanos = nowNanos();
    count();
  }

  /** Inspect told when the container started ({@code startedAt}, RFC 3339; "0001-..." when it never did). */
  void started(String startedAt, long watchingSinceNanos) {
    if (startedAt == null || startedAt.startsWith("0001-")) return;
    try {
      Instant t = Instant.parse(startedAt);
      long started = t.getEpochSecond() * 1_000_000_000L + t.getNano();
      // a start before the agent watched is not a race: such containers are read from the attach on
      if (started > watchingSinceNanos && started > knownStartNanos) knownStartNanos = started;
    } catch (RuntimeException e) {
      return;
    }
    count();
  }

  private void count() {
    if (knownStartNanos == 0 || openedNanos == 0 || knownStartNanos == countedStartNanos) return;
    if (knownStartNanos < openedNanos) {
      countedStartNanos = knownStartNanos;
      ctx.metrics().lateAttaches.increment();
      LOG.fine(() -> "attached to " + ctx.name() + " after it started: its first output may be missing");
    }
  }

  static long nowNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
