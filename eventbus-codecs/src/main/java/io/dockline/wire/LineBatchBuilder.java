package io.dockline.wire;

import java.util.Arrays;

/** Accumulates lines column-wise and hands them out as {@link LineBatch}es; not thread-safe. */
public final class LineBatchBuilder {
  private long[] times = new long[64];
  private byte[] streams = new byte[64];
  private byte[] flags = new byte[64];
  private int[] offsets = new int[65];
  private byte[] data = new byte[4096];
  private int count;

  public int count() { return count; }
  public int dataLength() { return offsets[count]; }
  public boolean isEmpty() { return count == 0; }

  public void add(long timeNanos, byte stream, byte flag, byte[] src, int off, int len) {
    if (count == times.length) {
      int n = count * 2;
      times = Arrays.copyOf(times, n);
      streams = Arrays.copyOf(streams, n);
      flags = Arrays.copyOf(flags, n);
      offsets = Arrays.copyOf(offsets, n + 1);
    }
    int end = offsets[count];
    if (end + len > data.length) {
      data = Arrays.copyOf(data, Math.max(data.length * 2, end + len));
    }
    System.arraycopy(src, off, data, end, len);
    times[count] = timeNanos;
    streams[count] = stream;
    flags[count] = flag;
    offsets[count + 1] = end + len;
    count++;
  }

  /** Takes up to {@code maxLines} lines or about {@code maxBytes} bytes (at least one line) off the front. */
  public LineBatch take(ContainerMeta meta, long firstSeq, int maxLines, int maxBytes) {
    int n = 0;
    while (n < count && n < maxLines && (n == 0 || offsets[n + 1] <= maxBytes)) n++;
    int bytes = offsets[n];
    LineBatch batch = new LineBatch(meta, firstSeq, n, Arrays.copyOf(times, n), Arrays.copyOf(streams, n),
        Arrays.copyOf(flags, n), Arrays.copyOf(offsets, n + 1), Arrays.copyOf(data, bytes));
    int rest = count - n;
    System.arraycopy(times, n, times, 0, rest);
    System.arraycopy(streams, n, streams, 0, rest);
    System.arraycopy(flags, n, flags, 0, rest);
    for (int i = 0; i <= rest; i++) offsets[i] = offsets[n + i] - bytes;
    System.arraycopy(data, bytes, data, 0, offsets[rest]);
    count = rest;
    return batch;
  }
}
