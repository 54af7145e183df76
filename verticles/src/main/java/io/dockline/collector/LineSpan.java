package io.dockline.collector;

/**
 * One stretch of a container's stored lines that a scan takes whole (a segment, or one block of a compacted
 * segment once the store knows its blocks): its seqs and the range of its lines' times. Times are not in seq
 * order (logs mode stamps stdout and stderr apart), so a time-bounded scan looks at every span whose range
 * overlaps what it wants, and none other. {@code key}, {@code start} and {@code end} say where it lies, for the
 * store only ({@link #WHOLE}: the whole segment).
 */
public record LineSpan(long key, long firstSeq, long lastSeq, long minTimeNanos, long maxTimeNanos, long start, long end) {
  /** {@code start} and {@code end} of a span that is a whole segment. */
  public static final long WHOLE = -1;

  /** A whole segment. */
  public LineSpan(long key, long firstSeq, long lastSeq, long minTimeNanos, long maxTimeNanos) {
    this(key, firstSeq, lastSeq, minTimeNanos, maxTimeNanos, WHOLE, WHOLE);
  }

  public boolean isWhole() { return start == WHOLE; }

  /** Whether it may hold a line with seq in {@code from .. to} stamped in {@code fromNanos .. toNanos}. */
  public boolean overlaps(long from, long to, long fromNanos, long toNanos) {
    return firstSeq <= to && lastSeq >= from && minTimeNanos <= toNanos && maxTimeNanos >= fromNanos;
  }
}
