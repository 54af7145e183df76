package io.dockline.attach.impl;

/**
 * Docker's multiplexed stream format (attach and logs of a non-TTY container): frames
 * {@code [stream, 0, 0, 0, size (4 bytes, big-endian)] + payload}, cut anywhere between two reads.
 */
final class FrameParser {
  /** A piece of a frame's payload; {@code frameEnd} on the last piece of the frame. */
  interface Handler {
    void part(byte stream, byte[] buf, int off, int len, boolean frameEnd);
  }

  private static final int HEADER = 8;
  private final Handler handler;
  private final byte[] header = new byte[HEADER];
  private int headerLen;
  private int frameRemaining;
  private byte stream;

  FrameParser(Handler handler) {
    this.handler = handler;
  }

  void feed(byte[] buf, int off, int len) {
    int end = off + len;
    int p = off;
    while (p < end) {
      if (frameRemaining > 0) {
        int n = Math.min(frameRemaining, end - p);
        frameRemaining -= n;
        handler.part(stream, buf, p, n, frameRemaining == 0);
        p += n;
        continue;
      }
      int n = Math.min(HEADER - headerLen, end - p);
      System.arraycopy(buf, p, header, headerLen, n);
      headerLen += n;
      p += n;
      if (headerLen < HEADER) break;
      headerLen = 0;
      stream = header[0];
      frameRemaining = ((header[4] & 0xff) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8)
          | (header[7] & 0xff);
      if (frameRemaining < 0) throw new IllegalStateException("frame size out of range");
    }
  }
}
