package io.dockline.collector.impl;

import static io.dockline.collector.impl.ChunkFormat.*;

import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import java.nio.ByteBuffer;

/** Gathers lines out of loaded chunks into the columns of the {@link LineBatch} a read returns. */
final class LineCollector extends LineSink {
  private final int maxLines;
  private final int maxBytes;
  private final LineColumns columns;
  private boolean byteBudgetSpent;

  LineCollector(long firstSeq, int maxLines, int maxBytes) {
    super(firstSeq);
    this.maxLines = maxLines;
    this.maxBytes = maxBytes;
    this.columns = new LineColumns(Math.min(maxLines, 256));
  }

  @Override
  boolean done() { return columns.count() >= maxLines || byteBudgetSpent; }

  @Override
  int take(ByteBuffer window, int body, ChunkHeader header, int first, int text) {
    int before = columns.count();
    if (before == 0) sizeFor(header.rawBodyLength - header.count * LINE_RECORD_BYTES, header.count);
    int copyBytes = 0;
    for (int i = first; i < header.count && !done(); i++) {
      int length = lengthOf(window, body, i);
      if (columns.count() > 0 && (long) columns.bytes() + length > maxBytes) {
        byteBudgetSpent = true;
        break;
      }
      columns.add(window, body + i * LINE_RECORD_BYTES);
      copyBytes += length;
    }
    columns.copyText(window.array(), text, copyBytes);
    return columns.count() - before;
  }

  LineBatch toBatch(ContainerMeta meta) {
    return columns.toBatch(meta, startSeq());
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
    columns.reserve(lines, (int) Math.min(Integer.MAX_VALUE - 8, bytes));
  }
}
