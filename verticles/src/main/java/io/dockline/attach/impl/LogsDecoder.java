package io.dockline.attach.impl;

import io.dockline.wire.LineBatch;
import io.dockline.wire.StreamKind;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Turns the bytes of a logs response ({@code timestamps=1}) into lines with Docker's own timestamps.
 * Non-TTY: one frame per log message, {@code "<RFC 3339 nano> <text>[\n]"}. Docker cuts a longer line into
 * messages of exactly {@link #PIECE_BYTES} without the newline, all stamped with the time of the first; the
 * next message of that stream continues the line. A message without the newline that is shorter ends the line:
 * the last piece of a long line on the {@code local} driver (which drops its newline) or a line the container
 * left unterminated when it stopped. TTY: raw bytes, a message ends at "\n" or after {@link #PIECE_BYTES} of
 * text (the next message's timestamp follows). Pieces are merged up to the maximum line size; past it the line
 * is cut, like in attach mode, into pieces flagged partial, so output without newlines (a progress bar
 * redrawn with "\r") holds at most one message and one maximum line in memory.
 */
public final class LogsDecoder {
  /** Receives whole lines with the time of their first message; the bytes are only valid during the call. */
  public interface Sink {
    void line(byte stream, byte flags, long timeNanos, byte[] buf, int off, int len);

    /** The first message of a line arrived: its time is the line's (checked against the order of the log). */
    default void lineStarted(byte stream, long timeNanos) {}
  }

  private static final int TIMESTAMP_CHARS = 30; // 2026-11-29T04:15:35.379196340Z
  /** Docker's log copier cuts a line without a newline into messages of this size (its buffer's). */
  static final int PIECE_BYTES = 16 * 1024;
  /** The longest TTY message: a timestamp, a space and one piece. */
  private static final int TTY_MESSAGE_BYTES = TIMESTAMP_CHARS + 1 + PIECE_BYTES;

  private final boolean tty;
  private final int maxLineBytes;
  private final Sink sink;
  private final Held stdout = new Held(StreamKind.STDOUT.code());
  private final Held stderr = new Held(StreamKind.STDERR.code());
  private final Bytes message = new Bytes();
  private final FrameParser frames = new FrameParser((stream, buf, off, len, frameEnd) -> {
    message.write(buf, off, len);
    if (frameEnd) onMessage(stream == StreamKind.STDERR.code() ? stderr : stdout);
  });
  /** The date and time down to the second of the last message, and what it is in epoch seconds. */
  private final byte[] cachedSecondPrefix = new byte[19];
  private long cachedSecond;

  /** The unfinished line of one stream. */
  private static final class Held {
    final byte stream;
    final Bytes text = new Bytes();
    long timeNanos = -1;

    Held(byte stream) {
      this.stream = stream;
    }
  }

  /** A growable byte buffer read in place: a message or a line is not copied out to be looked at. */
  private static final class Bytes extends ByteArrayOutputStream {
    byte[] array() {
      return buf;
    }
  }

  public LogsDecoder(boolean tty, int maxLineBytes, Sink sink) {
    this.tty = tty;
    this.maxLineBytes = maxLineBytes;
    this.sink = sink;
  }

  public void feed(byte[] buf, int off, int len) {
    int end = off + len;
    int p = off;
    if (tty) {
      while (p < end) {
        int limit = Math.min(end, p + TTY_MESSAGE_BYTES - message.size());
        int nl = indexOf(buf, p, limit, (byte) '\n');
        int upTo = nl < 0 ? limit : nl + 1;
        message.write(buf, p, upTo - p);
        p = upTo;
        if (nl >= 0 || message.size() == TTY_MESSAGE_BYTES) onMessage(stdout);
      }
      return;
    }
    frames.feed(buf, off, len);
  }

  /** The time of the line {@code stream} has in pieces, or Long.MAX_VALUE when none is held. */
  public long heldTimeNanos(byte stream) {
    Held h = stream == StreamKind.STDERR.code() ? stderr : stdout;
    return h.timeNanos < 0 ? Long.MAX_VALUE : h.timeNanos;
  }

  /** The stream ended: unterminated last lines are complete lines. */
  public void finish() {
    emit(stdout, (byte) 0);
    emit(stderr, (byte) 0);
  }

  private void onMessage(Held target) {
    byte[] m = message.array(); // valid until the reset at the end
    int length = message.size();
    int sp = length > TIMESTAMP_CHARS && m[TIMESTAMP_CHARS] == ' ' ? TIMESTAMP_CHARS : indexOf(m, 0, length, (byte) ' ');
    long t;
    int textStart;
    try {
      t = parseTime(m, sp);
      textStart = sp + 1;
    } catch (RuntimeException e) {
      // not a timestamp: keep the message whole, timed like the line before it
      t = Math.max(0, target.timeNanos);
      textStart = 0;
    }
    int textEnd = length;
    boolean newline = textEnd > textStart && m[textEnd - 1] == '\n';
    if (newline) textEnd--;
    // without the newline: a piece (the line goes on), unless shorter than Docker's pieces (it ends there)
    boolean complete = newline || (!tty && textEnd - textStart < PIECE_BYTES);
    if (tty && newline && textEnd > textStart && m[textEnd - 1] == '\r') textEnd--;
    if (target.timeNanos < 0) {
      target.timeNanos = t;
      sink.lineStarted(target.stream, t);
    }
    int from = textStart;
    if (complete && target.text.size() == 0 && textEnd - from <= maxLineBytes) {
      // the common case, a whole line in one message: handed on from the message itself
      long lineTime = target.timeNanos;
      target.timeNanos = -1;
      sink.line(target.stream, (byte) 0, lineTime, m, from, textEnd - from);
      message.reset();
      return;
    }
    while (target.text.size() + (textEnd - from) > maxLineBytes) {
      int take = maxLineBytes - target.text.size();
      target.text.write(m, from, take);
      from += take;
      emit(target, LineBatch.FLAG_PARTIAL);
      target.timeNanos = t;
    }
    target.text.write(m, from, textEnd - from);
    message.reset();
    if (complete) emit(target, (byte) 0);
  }

  private void emit(Held h, byte flags) {
    if (h.timeNanos < 0) return;
    long t = h.timeNanos;
    h.timeNanos = -1;
    sink.line(h.stream, flags, t, h.text.array(), 0, h.text.size());
    h.text.reset();
  }

  /** Parses Docker's fixed-width RFC 3339 with nanoseconds, caching the part down to the second. */
  private long parseTime(byte[] m, int end) {
    if (end < 20 || m[end - 1] != 'Z') throw new IllegalArgumentException("no timestamp");
    if (!java.util.Arrays.equals(m, 0, 19, cachedSecondPrefix, 0, 19)) {
      cachedSecond = LocalDateTime.parse(new String(m, 0, 19, StandardCharsets.US_ASCII))
          .toEpochSecond(ZoneOffset.UTC);
      System.arraycopy(m, 0, cachedSecondPrefix, 0, 19);
    }
    long nanos = 0;
    int digits = 0;
    if (m[19] == '.') {
      for (int i = 20; i < end - 1; i++) {
        int d = m[i] - '0';
        if (d < 0 || d > 9) throw new IllegalArgumentException("bad fraction");
        nanos = nanos * 10 + d;
        digits++;
      }
    }
    for (; digits < 9; digits++) nanos *= 10;
    return cachedSecond * 1_000_000_000L + nanos;
  }

  private static int indexOf(byte[] b, int from, int to, byte v) {
    for (int i = from; i < to; i++) if (b[i] == v) return i;
    return -1;
  }
}
