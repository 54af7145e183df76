package io.dockline.attach.impl;

import io.dockline.wire.LineBatch;

/**
 * Rebuilds lines of one stream from chunks cut anywhere. A line longer than {@code maxLineBytes} is emitted in
 * pieces of that size, each but the last flagged partial. TTY output ends lines with "\r\n": the '\r' is
 * dropped when {@code stripCarriageReturn} is set.
 */
public final class LineAssembler {
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
    for (int i = off; (i = indexOfNewline(buf, i, end)) >= 0; i++) {
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

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  /**
   * The first '\n' in {@code buf[from, end)}, or -1. Eight bytes at a time: this scan is most of the reader's
   * work on a fast writer, and a byte-at-a-time loop takes several times longer.
   */
  static int indexOfNewline(byte[] buf, int from, int end) {
    int i = from;
    for (; i + 8 <= end; i += 8) {
      long x = (long) LONGS.get(buf, i) ^ NEWLINES; // a zero byte where there was a '\n'
      long found = (x - ONES) & ~x & HIGHS; // exact for the lowest zero byte, which is the one wanted
      if (found != 0) return i + (Long.numberOfTrailingZeros(found) >>> 3);
    }
    for (; i < end; i++) {
      if (buf[i] == '\n') return i;
    }
    return -1;
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
