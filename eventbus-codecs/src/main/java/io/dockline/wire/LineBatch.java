package io.dockline.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Consecutive lines of one container, sequence {@code firstSeq .. firstSeq + count - 1}.
 * Stored column-wise (one byte array for all the text) so a batch of thousands of lines is a
 * handful of objects, and the codec copies it in bulk. Line bytes are kept exactly as the
 * container wrote them, without the newline; they may be any bytes, not only UTF-8.
 */
public final class LineBatch {
  /** Flag bit: the line was cut because it exceeded the maximum line size; the next piece continues it. */
  public static final byte FLAG_PARTIAL = 1;
  // bits 1-3: the line's LogLevel (see there); bits 4-7: unused, written as 0

  private final ContainerMeta container;
  private final long firstSeq;
  private final int count;
  private final long[] timesNanos;
  private final byte[] streams;
  private final byte[] flags;
  private final int[] offsets; // count + 1 entries; line i is data[offsets[i] .. offsets[i+1])
  private final byte[] data;

  public LineBatch(ContainerMeta container, long firstSeq, int count, long[] timesNanos, byte[] streams,
                   byte[] flags, int[] offsets, byte[] data) {
    if (count < 0 || timesNanos.length < count || streams.length < count || flags.length < count
        || offsets.length < count + 1 || offsets[count] > data.length) {
      throw new IllegalArgumentException("inconsistent batch arrays for " + count + " lines");
    }
    this.container = container;
    this.firstSeq = firstSeq;
    this.count = count;
    this.timesNanos = timesNanos;
    this.streams = streams;
    this.flags = flags;
    this.offsets = offsets;
    this.data = data;
  }

  public ContainerMeta container() { return container; }
  public long firstSeq() { return firstSeq; }
  public long lastSeq() { return firstSeq + count - 1; }
  public int count() { return count; }
  public long seq(int i) { return firstSeq + i; }
  public long timeNanos(int i) { return timesNanos[i]; }
  public byte streamCode(int i) { return streams[i]; }
  public StreamKind stream(int i) { return StreamKind.ofCode(streams[i]); }
  public byte flags(int i) { return flags[i]; }
  public boolean partial(int i) { return (flags[i] & FLAG_PARTIAL) != 0; }
  public LogLevel level(int i) { return LogLevel.ofFlags(flags[i]); }
  public int lineOffset(int i) { return offsets[i]; }
  public int lineLength(int i) { return offsets[i + 1] - offsets[i]; }
  /** The shared text array; read line i at {@link #lineOffset(int)} for {@link #lineLength(int)} bytes. */
  public byte[] data() { return data; }
  /** Total bytes of line text in the batch. */
  public int dataLength() { return offsets[count]; }

  public byte[] lineBytes(int i) {
    return Arrays.copyOfRange(data, offsets[i], offsets[i + 1]);
  }

  /** The line as text; invalid UTF-8 becomes U+FFFD (see README, "Output that is not UTF-8"). */
  public String lineText(int i) {
    return new String(data, offsets[i], lineLength(i), StandardCharsets.UTF_8);
  }

  /** The same lines from {@code fromIndex} on, sharing this batch's arrays' content (copied). */
  public LineBatch tail(int fromIndex) {
    if (fromIndex <= 0) return this;
    int n = count - fromIndex;
    int base = offsets[fromIndex];
    int[] offs = new int[n + 1];
    for (int i = 0; i <= n; i++) offs[i] = offsets[fromIndex + i] - base;
    return new LineBatch(container, firstSeq + fromIndex, n,
        Arrays.copyOfRange(timesNanos, fromIndex, count), Arrays.copyOfRange(streams, fromIndex, count),
        Arrays.copyOfRange(flags, fromIndex, count), offs, Arrays.copyOfRange(data, base, offsets[count]));
  }

  /** The first {@code n} lines (copied). */
  public LineBatch head(int n) {
    if (n >= count) return this;
    int[] offs = Arrays.copyOf(offsets, n + 1);
    return new LineBatch(container, firstSeq, n, Arrays.copyOf(timesNanos, n), Arrays.copyOf(streams, n),
        Arrays.copyOf(flags, n), offs, Arrays.copyOf(data, offsets[n]));
  }

  @Override
  public String toString() {
    return "LineBatch{" + container.id() + " seq " + firstSeq + ".." + lastSeq() + "}";
  }
}
