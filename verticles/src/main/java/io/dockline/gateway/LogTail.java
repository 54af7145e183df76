package io.dockline.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Predicate;

/**
 * Follows a container: polls the collectors for lines after the last one given and hands each to a sink,
 * in seq order. The container is looked up again on every poll, so when its stream moves to another collector
 * (a handover) the tail reads from the new holder without a seam. A missing seq is waited for a while (its
 * collector may be catching up or re-registering) and then reported as a gap rather than stalling forever.
 * Seqs before the container's first held line (deleted by retention or a purge) are reported at once as
 * trimmed, and the tail goes on from the first kept line.
 */
final class LogTail {
  static final long IDLE_POLL_MS = 250;
  static final long GAP_WAIT_MS = 5_000;
  private static final int PAGE = 1_000;

  /** Where a tail's lines go. */
  interface Sink {
    void line(JsonObject line);

    /** A line as read, before it is rendered; rendered and given to {@link #line(JsonObject)} unless overridden. */
    default void line(StoredLine line) {
      line(line.toJson());
    }

    /** Seqs {@code from..to} were not found within the wait. */
    void gap(long from, long to);

    /** Seqs {@code from..to} were deleted (retention, purge): the tail goes on from {@code to + 1}. */
    void trimmed(long from, long to);

    /** While true the tail waits (the client reads slower than the container writes). */
    default boolean full() {
      return false;
    }
  }

  private final Vertx vertx;
  private final ClusterView view;
  private final String idOrName;
  private final Predicate<StoredLine> filter;
  private final Sink sink;
  private long after;
  private long gapSeenAt = -1;
  private long timer = -1;
  private boolean stopped;

  LogTail(Vertx vertx, ClusterView view, String idOrName, long after, Predicate<StoredLine> filter, Sink sink) {
    this.vertx = vertx;
    this.view = view;
    this.idOrName = idOrName;
    this.after = after;
    this.filter = filter;
    this.sink = sink;
  }

  LogTail start() {
    poll();
    return this;
  }

  void stop() {
    stopped = true;
    if (timer >= 0) vertx.cancelTimer(timer);
  }

  private void poll() {
    timer = -1;
    if (stopped) return;
    if (sink.full()) {
      schedule(50);
      return;
    }
    view.container(idOrName).compose(this::read)
        .onSuccess(more -> schedule(more ? 0 : IDLE_POLL_MS))
        // not there yet, or a collector between registrations: keep trying
        .onFailure(e -> schedule(IDLE_POLL_MS));
  }

  /** Whether the container, as listed, holds lines past the last one given (a read would ask its collectors). */
  boolean behind(JsonObject container) {
    return container.getLong("lastSeq", 0L) > after;
  }

  /**
   * Reads and gives what follows in the container ({@code container} as {@link ClusterView} lists it); true when
   * more may be read at once. A container listed with nothing new costs no read: idle tails ask no collector.
   */
  Future<Boolean> read(JsonObject container) {
    if (stopped || !behind(container)) return Future.succeededFuture(false);
    return view.lines(container, after, PAGE).map(lines -> deliver(lines, container.getLong("firstSeq", 0L)));
  }

  /**
   * Gives the lines that follow on; true when there may be more to read at once. {@code firstSeq}: the first
   * line any collector holds (0: unknown).
   */
  private boolean deliver(List<StoredLine> lines, long firstSeq) {
    if (stopped) return false;
    int given = 0;
    for (StoredLine l : lines) {
      long seq = l.seq();
      if (seq <= after) continue;
      // a client reading slower than the page comes: the rest is read again once it has drained, so what waits
      // for it is the socket's queue, not a page of up to 1,000 long lines
      if (sink.full()) return true;
      if (seq > after + 1 && seq <= firstSeq) {
        sink.trimmed(after + 1, seq - 1);
      } else if (seq > after + 1) {
        long now = System.currentTimeMillis();
        if (gapSeenAt < 0) gapSeenAt = now;
        if (now - gapSeenAt < GAP_WAIT_MS) break;
        sink.gap(after + 1, seq - 1);
      }
      gapSeenAt = -1;
      after = seq;
      given++;
      if (filter.test(l)) sink.line(l);
    }
    return given == PAGE;
  }

  private void schedule(long delayMs) {
    if (stopped) return;
    timer = vertx.setTimer(Math.max(1, delayMs), t -> poll());
  }
}
