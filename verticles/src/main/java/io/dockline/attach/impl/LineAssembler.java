package io.dockline.attach.impl;

import io.dockline.attach.ByteScan;
import io.dockline.wire.LineBatch;

/**
 * Rebuilds lines of one stream from chunks cut anywhere. A line longer than {@code maxLineBytes} is emitted in
 * pieces of that size, each but the last flagged partial. TTY output ends lines with "\r\n": the '\r' is
 * dropped when {@code stripCarriageReturn} is set.
 */
public final class LineAssembler {
  private static final byte NEWLINE = '\n';
  private final byte stream;
  private final int maxLineBytes;
  private final boolean stripCarriageReturn;
  private final LineSink sink;
  private byte[] pending = new byte[256];
  private int pendingLen;

  public LineAssembler(byte stream, int maxLineBytes, boolean stripCarriageReturn, LineSink sink) {
    this.stream = stream;
    this.maxLineBytes = maxLineBytes;
    this.stripCarriageReturn = stripCarriageReturn;
    this.sink = sink;
  }

  public void feed(byte[] buf, int off, int len) {
    int end = off + len;
    int start = off;
    for (int i = off; (i = ByteScan.indexOf(buf, i, end, NEWLINE)) >= 0; i++) {
      if (pendingLen == 0 && i - start <= maxLineBytes) {
        emitWhole(buf, start, i - start);
      } else {
        append(buf, start, i - start);
        emitWhole(pending, 0, pendingLen);
        pendingLen = 0;
      }
      start = i + 1;
    }
    if (start < end) append(buf, start, end - start);
  }

  /** The stream ended: an unterminated last line is emitted as it is. */
  public void finish() {
    if (pendingLen > 0) {
      emitWhole(pending, 0, pendingLen);
      pendingLen = 0;
    }
  }

  /** The reader stops before the stream ended: what is held is emitted, flagged partial. */
  public void flushPartial() {
    if (pendingLen > 0) {
      sink.line(stream, LineBatch.FLAG_PARTIAL, pending, 0, pendingLen);
      pendingLen = 0;
    }
  }

  public int pendingBytes() {
    return pendingLen;
  }

  private void emitWhole(byte[] b, int off, int len) {
    if (stripCarriageReturn && len > 0 && b[off + len - 1] == '\r') len--;
    // a line that grew past the limit was already cut while appending; what is left is its last piece
    sink.line(stream, (byte) 0, b, off, len);
  }

  private void append(byte[] b, int off, int len) {
    while (len > 0) {
      int room = maxLineBytes - pendingLen;
      if (room == 0) {
        sink.line(stream, LineBatch.FLAG_PARTIAL, pending, 0, pendingLen);
        pendingLen = 0;
        room = maxLineBytes;
      }
      int n = Math.min(room, len);
      if (pendingLen + n > pending.length) {
        pending = java.util.Arrays.copyOf(pending, Math.min(maxLineBytes, Math.max(pending.length * 2, pendingLen + n)));
      }
      System.arraycopy(b, off, pending, pendingLen, n);
      pendingLen += n;
      off += n;
      len -= n;
    }
  }
}
