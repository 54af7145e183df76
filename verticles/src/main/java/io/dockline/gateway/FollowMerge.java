package io.dockline.gateway;

import io.dockline.wire.SearchKey;
import java.util.PriorityQueue;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * The order of a follow across containers ({@code GET /api/logs?follow=true}): lines read from many containers,
 * each in its own seq order, come out in the search's order (time, container id, seq: {@link SearchKey}). A line
 * is held until the watermark (the gateway's clock less a settle delay, see {@link FleetFollow}) passes its time,
 * so lines read a little later than others of the same time still come out in order. The position is the key of
 * the last line given in order: the follow's resume point.
 *
 * <p>A line whose key is before the position when it is read (it reached its collector after later lines were
 * given) is late: it is not held but given at once, flagged, and the position stays. A line read again (its key
 * is the position's or a held line's) is dropped. Held lines are bounded in
 * count and bytes: while the bound is reached the earliest are given before the watermark passes them, rather
 * than reading stopping for good. Pure logic, not thread-safe (one event loop).
 */
final class FollowMerge<T> {
  private record Held<T>(SearchKey key, T line, long bytes) {}

  private final PriorityQueue<Held<T>> held = new PriorityQueue<>((a, b) -> a.key.compareTo(b.key));
  private final java.util.Set<SearchKey> heldKeys = new java.util.HashSet<>();
  private final int maxLines;
  private final long maxBytes;
  private long bytes;
  private SearchKey position;

  /** @param position the key of the last line already given (a resumed follow), or null */
  FollowMerge(SearchKey position, int maxLines, long maxBytes) {
    this.position = position;
    this.maxLines = maxLines;
    this.maxBytes = maxBytes;
  }

  /** What became of a line offered. */
  enum Offer {
    /** Held until it is due. */
    HELD,
    /** Its key is before the position: to be given now, flagged late. */
    LATE,
    /** Its key is the position's, or a held line's: the same line again (keys are unique), dropped. */
    AGAIN
  }

  /** Takes a line just read; {@code bytes} is about what holding it costs. */
  Offer offer(SearchKey key, T line, long bytes) {
    int c = position == null ? 1 : key.compareTo(position);
    if (c == 0 || heldKeys.contains(key)) return Offer.AGAIN;
    if (c < 0) return Offer.LATE;
    held.add(new Held<>(key, line, bytes));
    heldKeys.add(key);
    this.bytes += bytes;
    return Offer.HELD;
  }

  /** Whether no more lines should be read for now: the held ones are at their bound. */
  boolean full() {
    return held.size() >= maxLines || bytes >= maxBytes;
  }

  /**
   * Gives, in order, the held lines stamped at or before {@code watermarkNanos}, and while {@link #full()} the
   * earliest others too; stops while {@code blocked} (the client's socket is full).
   */
  void release(long watermarkNanos, BooleanSupplier blocked, BiConsumer<SearchKey, T> give) {
    while (!held.isEmpty() && (held.peek().key.timeNanos() <= watermarkNanos || full()) && !blocked.getAsBoolean()) {
      Held<T> h = held.poll();
      heldKeys.remove(h.key);
      bytes -= h.bytes;
      position = h.key;
      give.accept(h.key, h.line);
    }
  }

  /** The key of the last line given in order, or null before any (and no resume point). */
  SearchKey position() {
    return position;
  }

  int heldLines() {
    return held.size();
  }
}
