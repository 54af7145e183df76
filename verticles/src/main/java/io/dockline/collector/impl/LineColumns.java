package io.dockline.collector.impl;

import static io.dockline.collector.impl.ChunkFormat.*;

import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The columns of the {@link LineBatch} a read gathers out of loaded chunks: each line's time, stream, flags and
 * where its text ends, and the text. They grow by doubling; {@link #reserve} sizes them once when the answer's
 * size can be told.
 */
final class LineColumns {
  private long[] times;
  private byte[] streams;
  private byte[] flags;
  private int[] offsets;
  private byte[] data = new byte[4096];
  private int count;

  LineColumns(int lines) {
    times = new long[lines];
    streams = new byte[lines];
    flags = new byte[lines];
    offsets = new int[lines + 1];
  }

  int count() { return count; }

  /** Bytes of text held. */
  int bytes() { return offsets[count]; }

  /** Makes room for {@code lines} lines and {@code bytes} of text at once. */
  void reserve(int lines, int bytes) {
    if (lines > times.length) growTo(lines);
    if (bytes > data.length) data = Arrays.copyOf(data, bytes);
  }

  /** Adds the line whose record is at {@code record} in {@code window}; its text comes by {@link #copyText}. */
  void add(ByteBuffer window, int record) {
    if (count == times.length) growTo(count + 1);
    times[count] = window.getLong(record + RECORD_TIME_OFFSET);
    streams[count] = window.get(record + RECORD_STREAM_OFFSET);
    flags[count] = window.get(record + RECORD_FLAGS_OFFSET);
    offsets[count + 1] = offsets[count] + window.getInt(record + RECORD_LENGTH_OFFSET);
    count++;
  }

  /**
   * Copies the text of the lines added last, {@code bytes} of it from {@code at} in {@code from}: a chunk holds
   * the text of consecutive lines contiguously, so one copy moves them all.
   */
  void copyText(byte[] from, int at, int bytes) {
    int end = offsets[count];
    if (data.length < end) {
      data = Arrays.copyOf(data, (int) Math.max(end, Math.min(Integer.MAX_VALUE - 8, data.length * 2L)));
    }
    System.arraycopy(from, at, data, end - bytes, bytes);
  }

  LineBatch toBatch(ContainerMeta meta, long firstSeq) {
    // LineBatch accepts arrays longer than count, so no trimming copy is made.
    return new LineBatch(meta, firstSeq, count, times, streams, flags, offsets, data);
  }

  private void growTo(int lines) {
    int n = Math.max(lines, times.length * 2);
    times = Arrays.copyOf(times, n);
    streams = Arrays.copyOf(streams, n);
    flags = Arrays.copyOf(flags, n);
    offsets = Arrays.copyOf(offsets, n + 1);
  }
}
