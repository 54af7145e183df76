package io.dockline.collector;

/**
 * One stretch of a container's stored lines that a scan takes whole (a segment): its seqs and the range of
 * its lines' times. Times are not in seq order (logs mode stamps stdout and stderr apart), so a time-bounded
 * scan looks at every span whose range overlaps what it wants, and none other.
 */
public record LineSpan(long key, long firstSeq, long lastSeq, long minTimeNanos, long maxTimeNanos) {
  /** Whether it may hold a line with seq in {@code from .. to} stamped in {@code fromNanos .. toNanos}. */
  public boolean overlaps(long from, long to, long fromNanos, long toNanos) {
    return firstSeq <= to && lastSeq >= from && minTimeNanos <= toNanos && maxTimeNanos >= fromNanos;
  }
}
