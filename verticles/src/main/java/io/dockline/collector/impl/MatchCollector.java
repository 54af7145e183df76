package io.dockline.collector.impl;

import static io.dockline.collector.impl.ChunkFormat.*;

import io.dockline.collector.TextFilter;
import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import io.dockline.wire.LineMatches;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Scans loaded chunks for lines containing a text and gathers only those: the scan runs over a chunk's text in
 * one byte search, and only matching lines are copied. It stops after {@code maxScan} lines, at {@code maxLines}
 * matches, or before a match that would take the answer past {@code maxBytes} (at least one match is taken).
 */
final class MatchCollector extends LineSink {
  private final TextFilter filter;
  private final int maxLines;
  private final int maxBytes;
  private final int maxScan;
  private boolean byteBudgetSpent;
  private int[] lengths = new int[256];
  private boolean[] matches = new boolean[256];
  private long[] seqs;
  private long[] times;
  private byte[] streams;
  private byte[] flags;
  private int[] offsets;
  private byte[] data = new byte[4096];
  private int count;

  MatchCollector(long firstSeq, TextFilter filter, int maxLines, int maxBytes, int maxScan) {
    super(firstSeq);
    this.filter = filter;
    this.maxLines = maxLines;
    this.maxBytes = maxBytes;
    this.maxScan = maxScan;
    int lines = Math.max(1, Math.min(maxLines, 256));
    seqs = new long[lines];
    times = new long[lines];
    streams = new byte[lines];
    flags = new byte[lines];
    offsets = new int[lines + 1];
  }

  @Override
  boolean done() { return byteBudgetSpent || walked() >= maxScan || count >= maxLines; }

  @Override
  int take(ByteBuffer window, int body, ChunkHeader header, int first, int text) {
    int n = (int) Math.min(header.count - first, maxScan - walked());
    if (lengths.length < n) {
      lengths = new int[n];
      matches = new boolean[n];
    }
    for (int i = 0; i < n; i++) lengths[i] = lengthOf(window, body, first + i);
    filter.scan(window.array(), text, lengths, n, matches);
    int at = text;
    for (int i = 0; i < n; i++) {
      if (matches[i]) {
        if (count > 0 && (long) offsets[count] + lengths[i] > maxBytes) {
          byteBudgetSpent = true;
          return i;
        }
        keep(window, body + (first + i) * LINE_RECORD_BYTES, at, lengths[i], header.firstSeq + first + i);
        if (count >= maxLines) return i + 1;
      }
      at += lengths[i];
    }
    return n;
  }

  private void keep(ByteBuffer window, int record, int text, int length, long seq) {
    if (count == times.length) {
      int n = count * 2;
      seqs = Arrays.copyOf(seqs, n);
      times = Arrays.copyOf(times, n);
      streams = Arrays.copyOf(streams, n);
      flags = Arrays.copyOf(flags, n);
      offsets = Arrays.copyOf(offsets, n + 1);
    }
    int end = offsets[count] + length;
    data = grown(data, end);
    System.arraycopy(window.array(), text, data, offsets[count], length);
    seqs[count] = seq;
    times[count] = window.getLong(record + RECORD_TIME_OFFSET);
    streams[count] = window.get(record + RECORD_STREAM_OFFSET);
    flags[count] = window.get(record + RECORD_FLAGS_OFFSET);
    offsets[count + 1] = end;
    count++;
  }

  LineMatches toMatches(ContainerMeta meta) {
    LineBatch lines = new LineBatch(meta, count == 0 ? startSeq() : seqs[0], count, times, streams, flags, offsets, data);
    return new LineMatches(lines, seqs, startSeq(), nextSeq() - 1);
  }

  static LineMatches empty(ContainerMeta meta, long firstSeq) {
    return new LineMatches(LineCollector.empty(meta, firstSeq), new long[0], firstSeq, firstSeq - 1);
  }
}
