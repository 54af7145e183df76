package io.dockline.wire;

import java.util.Arrays;

/**
 * Accumulates lines column-wise and hands them out as {@link LineBatch}es; not thread-safe.
 *
 * <p>Lines {@code first .. first + count - 1} of the arrays are held. Taking every held line hands the arrays
 * themselves to the batch (no copy) and starts new ones sized after it; taking part of them copies that part
 * out and moves {@code first} on, so a long backlog taken a batch at a time is not shifted again each time.
 */
public final class LineBatchBuilder {
  private static final int MIN_LINES = 64;
  private static final int MIN_BYTES = 4096;

  private long[] times = new long[MIN_LINES];
  private byte[] streams = new byte[MIN_LINES];
  private byte[] flags = new byte[MIN_LINES];
  /** Where line i's bytes start in {@code data}; one more entry than lines (the end of the last one). */
  private int[] offsets = new int[MIN_LINES + 1];
  private byte[] data = new byte[MIN_BYTES];
  private int first;
  private int count;

  public int count() { return count; }
  public int dataLength() { return offsets[first + count] - offsets[first]; }
  public boolean isEmpty() { return count == 0; }
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

  /** Takes up to {@code maxLines} lines or about {@code maxBytes} bytes (at least one line) off the front. */
  public LineBatch take(ContainerMeta meta, long firstSeq, int maxLines, int maxBytes) {
    int base = offsets[first];
    int n = 0;
    while (n < count && n < maxLines && (n == 0 || offsets[first + n + 1] - base <= maxBytes)) n++;
    int bytes = offsets[first + n] - base;
    if (first == 0 && n == count) {
      LineBatch batch = new LineBatch(meta, firstSeq, n, times, streams, flags, offsets, data);
      // the next batch of this stream is likely about as large as this one
      allocate(Math.max(MIN_LINES, Integer.highestOneBit(Math.max(n, 1)) * 2),
          Math.max(MIN_BYTES, Integer.highestOneBit(Math.max(bytes, 1)) * 2));
      count = 0;
      return batch;
    }
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
    }
    return batch;
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
