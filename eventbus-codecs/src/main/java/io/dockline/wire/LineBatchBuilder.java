package io.dockline.wire;

import java.util.Arrays;

/**
 * Accumulates lines column-wise and hands them out as {@link LineBatch}es; not thread-safe.
 *
 * <p>Lines {@code first .. first + count - 1} of the arrays are held. A take copies its lines out into arrays
 * of their exact size and moves {@code first} on, so a long backlog taken a batch at a time is not shifted
 * again each time; the builder's arrays are reused, so a fast writer's lines cost one allocation of their size
 * (the batch's) rather than new arrays grown by doubling for every batch.
 */
public final class LineBatchBuilder {
  private static final int MIN_LINES = 64;
  private static final int MIN_BYTES = 4096;
  /** Arrays this many times larger than the batches taken are oversized ... */
  private static final int SHRINK_FACTOR = 4;
  /** ... and shrunk after this many such takes in a row. */
  private static final int SHRINK_AFTER_TAKES = 8;

  private long[] times = new long[MIN_LINES];
  private byte[] streams = new byte[MIN_LINES];
  private byte[] flags = new byte[MIN_LINES];
  /** Where line i's bytes start in {@code data}; one more entry than lines (the end of the last one). */
  private int[] offsets = new int[MIN_LINES + 1];
  private byte[] data = new byte[MIN_BYTES];
  private int first;
  private int count;
  /** Takes in a row that emptied oversized arrays. */
  private int oversizedTakes;

  public int count() { return count; }
  public int dataLength() { return offsets[first + count] - offsets[first]; }
  public boolean isEmpty() { return count == 0; }
  /** The bytes of line text the builder can hold before it grows (memory held between batches). */
  int capacityBytes() { return data.length; }
  /** The time of held line {@code i} (0 is the oldest). */
  public long timeNanos(int i) { return times[first + i]; }
  public byte streamCode(int i) { return streams[first + i]; }

  public void add(long timeNanos, byte stream, byte flag, byte[] src, int off, int len) {
    int i = first + count;
    if (i == times.length) {
      if (first > 0) {
        compact();
        i = count;
      }
      if (i == times.length) growLines(i * 2);
    }
    int end = offsets[i];
    if (end + len > data.length) {
      if (offsets[first] > 0) {
        compact();
        i = count;
        end = offsets[i];
      }
      if (end + len > data.length) data = Arrays.copyOf(data, Math.max(data.length * 2, end + len));
    }
    System.arraycopy(src, off, data, end, len);
    times[i] = timeNanos;
    streams[i] = stream;
    flags[i] = flag;
    offsets[i + 1] = end + len;
    count++;
  }

  /**
   * Takes up to {@code maxLines} lines or about {@code maxBytes} bytes (at least one line) off the front, copied
   * into arrays of their exact size.
   */
  public LineBatch take(ContainerMeta meta, long firstSeq, int maxLines, int maxBytes) {
    int base = offsets[first];
    int n = 0;
    while (n < count && n < maxLines && (n == 0 || offsets[first + n + 1] - base <= maxBytes)) n++;
    int bytes = offsets[first + n] - base;
    int[] offs = new int[n + 1];
    for (int j = 0; j <= n; j++) offs[j] = offsets[first + j] - base;
    LineBatch batch = new LineBatch(meta, firstSeq, n, Arrays.copyOfRange(times, first, first + n),
        Arrays.copyOfRange(streams, first, first + n), Arrays.copyOfRange(flags, first, first + n), offs,
        Arrays.copyOfRange(data, base, base + bytes));
    first += n;
    count -= n;
    if (count == 0) {
      first = 0;
      offsets[0] = 0;
      keepOrShrink(n, bytes, maxBytes);
    }
    return batch;
  }

  /**
   * After a take that emptied the builder: its arrays are kept for the next batches (no allocation per batch
   * but the batch's own), unless they are far larger than the batches taken lately (a burst is over) or than
   * two batches may be: then they are allocated anew, sized after this batch.
   */
  private void keepOrShrink(int lines, int bytes, int maxBytes) {
    boolean oversized = data.length > SHRINK_FACTOR * Math.max(bytes, MIN_BYTES)
        || times.length > SHRINK_FACTOR * Math.max(lines, MIN_LINES);
    oversizedTakes = oversized ? oversizedTakes + 1 : 0;
    if (oversizedTakes >= SHRINK_AFTER_TAKES || (oversized && data.length / 2 > maxBytes)) {
      oversizedTakes = 0;
      allocate(Math.max(MIN_LINES, Integer.highestOneBit(Math.max(lines, 1)) * 2),
          Math.max(MIN_BYTES, Integer.highestOneBit(Math.max(bytes, 1)) * 2));
    }
  }

  private void allocate(int lines, int bytes) {
    times = new long[lines];
    streams = new byte[lines];
    flags = new byte[lines];
    offsets = new int[lines + 1];
    data = new byte[bytes];
    first = 0;
  }

  private void growLines(int lines) {
    times = Arrays.copyOf(times, lines);
    streams = Arrays.copyOf(streams, lines);
    flags = Arrays.copyOf(flags, lines);
    offsets = Arrays.copyOf(offsets, lines + 1);
  }

  /** Moves the held lines to the front of the arrays. */
  private void compact() {
    int base = offsets[first];
    System.arraycopy(times, first, times, 0, count);
    System.arraycopy(streams, first, streams, 0, count);
    System.arraycopy(flags, first, flags, 0, count);
    for (int j = 0; j <= count; j++) offsets[j] = offsets[first + j] - base;
    System.arraycopy(data, base, data, 0, offsets[count]);
    first = 0;
  }
}
