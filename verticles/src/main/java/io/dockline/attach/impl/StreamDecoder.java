package io.dockline.attach.impl;

import io.dockline.wire.StreamKind;

/**
 * Turns the bytes of an attach response into lines per stream. Non-TTY containers send multiplexed frames,
 * {@code [stream, 0, 0, 0, size (4 bytes, big-endian)] + payload}; TTY containers send raw bytes (stdout only,
 * "\r\n" line ends). Frames and lines may be cut anywhere between two reads.
 */
public final class StreamDecoder {
  private static final int HEADER = 8;

  private final boolean tty;
  private final LineAssembler stdout;
  private final LineAssembler stderr;
  private final byte[] header = new byte[HEADER];
  private int headerLen;
  private int frameRemaining;
  private LineAssembler frameTarget;

  public StreamDecoder(boolean tty, int maxLineBytes, LineSink sink) {
    this.tty = tty;
    this.stdout = new LineAssembler(StreamKind.STDOUT.code(), maxLineBytes, tty, sink);
    this.stderr = new LineAssembler(StreamKind.STDERR.code(), maxLineBytes, tty, sink);
  }

  public void feed(byte[] buf, int off, int len) {
    if (tty) {
      stdout.feed(buf, off, len);
      return;
    }
    int end = off + len;
    int p = off;
    while (p < end) {
      if (frameRemaining > 0) {
        int n = Math.min(frameRemaining, end - p);
        frameTarget.feed(buf, p, n);
        frameRemaining -= n;
        p += n;
        continue;
      }
      int n = Math.min(HEADER - headerLen, end - p);
      System.arraycopy(buf, p, header, headerLen, n);
      headerLen += n;
      p += n;
      if (headerLen < HEADER) break;
      headerLen = 0;
      // stdin (0) never carries container output; anything but 2 is treated as stdout
      frameTarget = header[0] == StreamKind.STDERR.code() ? stderr : stdout;
      frameRemaining = ((header[4] & 0xff) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8)
          | (header[7] & 0xff);
      if (frameRemaining < 0) throw new IllegalStateException("attach frame size out of range");
    }
  }

  /** The stream ended: unterminated last lines of both streams are emitted. */
  public void finish() {
    stdout.finish();
    stderr.finish();
  }

  /** The reader stops while the stream goes on: held pieces are emitted flagged partial. */
  public void flushPartial() {
    stdout.flushPartial();
    stderr.flushPartial();
  }
}
