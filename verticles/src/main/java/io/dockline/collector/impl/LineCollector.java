package io.dockline.collector.impl;

import static io.dockline.collector.impl.ChunkFormat.*;

import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** Gathers lines out of loaded chunks into the columns of the {@link LineBatch} a read returns. */
final class LineCollector extends LineSink {
  private final int maxLines;
  private final int maxBytes;
  private long[] times;
  private byte[] streams;
  private byte[] flags;
  private int[] offsets;
  private byte[] data = new byte[4096];
  private int count;
  private boolean byteBudgetSpent;

  LineCollector(long firstSeq, int maxLines, int maxBytes) {
    super(firstSeq);
    this.maxLines = maxLines;
    this.maxBytes = maxBytes;
    int lines = Math.min(maxLines, 256);
    times = new long[lines];
    streams = new byte[lines];
    flags = new byte[lines];
    offsets = new int[lines + 1];
  }

  @Override
  boolean done() { return count >= maxLines || byteBudgetSpent; }

  @Override
  int take(ByteBuffer window, int body, ChunkHeader header, int first, int text) {
    if (count == 0) sizeFor(header.rawBodyLength - header.count * LINE_RECORD_BYTES, header.count);
    int taken = count;
    int copyBytes = 0;
    for (int i = first; i < header.count && !done(); i++) {
      int record = body + i * LINE_RECORD_BYTES;
      int length = window.getInt(record + RECORD_LENGTH_OFFSET);
      int end = offsets[count] + length;
      if (count > 0 && (long) offsets[count] + length > maxBytes) {
        byteBudgetSpent = true;
        break;
      }
      growFor(count + 1);
      times[count] = window.getLong(record + RECORD_TIME_OFFSET);
      streams[count] = window.get(record + RECORD_STREAM_OFFSET);
      flags[count] = window.get(record + RECORD_FLAGS_OFFSET);
      offsets[count + 1] = end;
      count++;
      copyBytes += length;
    }
    // Lines taken from one chunk are contiguous in its text, so one copy moves them all.
    int dataEnd = offsets[count];
    data = grown(data, dataEnd);
    System.arraycopy(window.array(), text, data, dataEnd - copyBytes, copyBytes);
    return count - taken;
  }

  LineBatch toBatch(ContainerMeta meta) {
    // LineBatch accepts arrays longer than count, so no trimming copy is made.
    return new LineBatch(meta, startSeq(), count, times, streams, flags, offsets, data);
  }

  static LineBatch empty(ContainerMeta meta, long firstSeq) {
    return new LineBatch(meta, firstSeq, 0, new long[0], new byte[0], new byte[0], new int[1], new byte[0]);
  }

  /** The first seq an empty answer to "lines after {@code afterSeq}" reports; seqs start at 1. */
  static long seqAfter(long afterSeq) {
    return afterSeq == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(afterSeq + 1, 1);
  }

  /**
   * Sizes the columns once, for the answer the first chunk's lines suggest (its mean line length, up to the
   * byte and line bounds): growing them by doubling allocated and copied a bulk read's megabytes many times over.
   */
  private void sizeFor(int chunkTextBytes, int chunkLines) {
    long mean = Math.max(1, chunkTextBytes / chunkLines);
    int lines = (int) Math.min(maxLines, maxBytes / mean + 1);
    long bytes = Math.min((long) maxBytes + mean, lines * mean + lines * mean / 8);
    if (lines > times.length) growFor(lines);
    if (bytes > data.length) data = new byte[(int) Math.min(Integer.MAX_VALUE - 8, bytes)];
  }

  private void growFor(int lines) {
    if (lines <= times.length) return;
    int n = Math.max(lines, times.length * 2);
    times = Arrays.copyOf(times, n);
    streams = Arrays.copyOf(streams, n);
    flags = Arrays.copyOf(flags, n);
    offsets = Arrays.copyOf(offsets, n + 1);
  }
}
