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
  private static final int FIRST_TEXT_BYTES = 256 << 10;
  private final TextFilter filter;
  private final int maxLines;
  private final int maxBytes;
  private final int maxScan;
  private boolean byteBudgetSpent;
  private int[] lengths = new int[256];
  private boolean[] matches = new boolean[256];
  private final LineColumns columns;
  private long[] seqs;

  MatchCollector(long firstSeq, TextFilter filter, int maxLines, int maxBytes, int maxScan) {
    super(firstSeq);
    this.filter = filter;
    this.maxLines = maxLines;
    this.maxBytes = maxBytes;
    this.maxScan = maxScan;
    int lines = Math.max(1, Math.min(maxLines, 256));
    columns = new LineColumns(lines);
    columns.reserve(lines, Math.min(maxBytes, FIRST_TEXT_BYTES)); // a search's matches come in many small copies
    seqs = new long[lines];
  }

  @Override
  boolean done() { return byteBudgetSpent || walked() >= maxScan || columns.count() >= maxLines; }

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
        if (columns.count() > 0 && (long) columns.bytes() + lengths[i] > maxBytes) {
          byteBudgetSpent = true;
          return i;
        }
        keep(window, body + (first + i) * LINE_RECORD_BYTES, at, lengths[i], header.firstSeq + first + i);
        if (columns.count() >= maxLines) return i + 1;
      }
      at += lengths[i];
    }
    return n;
  }

  private void keep(ByteBuffer window, int record, int text, int length, long seq) {
    int count = columns.count();
    if (count == seqs.length) seqs = Arrays.copyOf(seqs, count * 2);
    seqs[count] = seq;
    columns.add(window, record);
    columns.copyText(window.array(), text, length);
  }

  LineMatches toMatches(ContainerMeta meta) {
    LineBatch lines = columns.toBatch(meta, columns.count() == 0 ? startSeq() : seqs[0]);
    return new LineMatches(lines, seqs, startSeq(), nextSeq() - 1);
  }

  static LineMatches empty(ContainerMeta meta, long firstSeq) {
    return new LineMatches(LineCollector.empty(meta, firstSeq), new long[0], firstSeq, firstSeq - 1);
  }
}
