package io.dockline.attach.impl;

import io.dockline.wire.Losses.Reason;
import java.time.Instant;
import java.util.logging.Logger;

/**
 * Attach has no history: what a container wrote while no attach stream was open is lost (log driver none),
 * and noted in the loss ledger without a count: once per start the stream opened after (a late attach, or a
 * restart the agent attached to late; also metered), and once when the agent finds running a container that
 * ran while no agent did (one an earlier run of the agent read, or one started after that run ended).
 * {@code docker run -d} races the attach; {@code docker create} then {@code docker start} does not.
 */
final class LateAttach {
  private static final Logger LOG = Logger.getLogger(LateAttach.class.getName());
  private final ReaderContext ctx;
  /** Inspect said the container is read by attach (a logs-mode container's early stream loses nothing). */
  private boolean readByAttach;
  private int opens;
  private long openedNanos;
  private long knownStartNanos;
  private long countedStartNanos;
  /** The container's current run began before this agent's run (it ran while no agent may have). */
  private boolean startedBeforeRun;
  /** ... and after the agent's earlier run ended: its first output was written while no agent ran. */
  private boolean startedWhileNoAgent;
  /** An earlier run of the agent read this container. */
  private boolean readByEarlierRun;
  private boolean unreadSpanNoted;

  LateAttach(ReaderContext ctx) {
    this.ctx = ctx;
  }

  /** Inspect said the container is read by attach. */
  void readByAttach() {
    readByAttach = true;
    count();
  }

  /** An attach stream opened now. */
  void opened() {
    opens++;
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
      // (measured against this run's start: a reconnect to the daemon watches anew, the agent ran all along)
      if (started < ctx.ledger().runStartedNanos()) {
        startedBeforeRun = true;
        if (started > ctx.ledger().lastRunEndedNanos() && ctx.ledger().lastRunEndedNanos() > 0) startedWhileNoAgent = true;
      }
    } catch (RuntimeException e) {
      return;
    }
    count();
  }

  /** An earlier run of this agent numbered the container's lines. */
  void readByEarlierRun() {
    readByEarlierRun = true;
    count();
  }

  private void count() {
    if (!readByAttach || openedNanos == 0) return;
    if (!unreadSpanNoted && startedBeforeRun && (readByEarlierRun || startedWhileNoAgent)) {
      unreadSpanNoted = true;
      Reason why = ctx.ledger().lastRunCrashed() ? Reason.AGENT_CRASHED : Reason.AGENT_STOPPED;
      ctx.lost(why, 0);
      LOG.fine(() -> ctx.name() + " ran while no agent read it (" + why.wireName + ")");
    }
    if (knownStartNanos == 0 || knownStartNanos == countedStartNanos) return;
    if (knownStartNanos < openedNanos) {
      countedStartNanos = knownStartNanos;
      ctx.metrics().lateAttaches.increment();
      ctx.lost(opens > 1 ? Reason.RESTART : Reason.LATE_ATTACH, 0);
      LOG.fine(() -> "attached to " + ctx.name() + " after it started: its first output may be missing");
    }
  }

  static long nowNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
