package io.dockline.attach.impl;

import io.dockline.wire.StreamKind;

/**
 * Turns the bytes of an attach response into lines per stream. Non-TTY containers send multiplexed frames,
 * {@code [stream, 0, 0, 0, size (4 bytes, big-endian)] + payload}; TTY containers send raw bytes (stdout only,
 * "\r\n" line ends). Frames and lines may be cut anywhere between two reads.
 */
public final class StreamDecoder {
  private final boolean tty;
  private final LineAssembler stdout;
  private final LineAssembler stderr;
  private final FrameParser frames;

  public StreamDecoder(boolean tty, int maxLineBytes, LineSink sink) {
    this.tty = tty;
    this.stdout = new LineAssembler(StreamKind.STDOUT.code(), maxLineBytes, tty, sink);
    this.stderr = new LineAssembler(StreamKind.STDERR.code(), maxLineBytes, tty, sink);
    // stdin (0) never carries container output; anything but 2 is treated as stdout
    this.frames = new FrameParser((stream, buf, off, len, frameEnd) ->
        (stream == StreamKind.STDERR.code() ? stderr : stdout).feed(buf, off, len));
  }

  public void feed(byte[] buf, int off, int len) {
    if (tty) {
      stdout.feed(buf, off, len);
      return;
    }
    frames.feed(buf, off, len);
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
