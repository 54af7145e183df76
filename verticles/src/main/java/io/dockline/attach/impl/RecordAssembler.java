package io.dockline.attach.impl;

import io.dockline.attach.MultilineRule;
import io.dockline.wire.LineBatch;

/**
 * Groups the lines of a container into records (a stack trace is one record), per stream: stdout and stderr
 * never mix. The reader's stage between its decoder and its numbering, so one record gets one seq.
 *
 * <p>A record is its lines joined with '\n' (pieces of a line cut at the maximum line size are joined as they
 * were). It ends at a line its {@link MultilineRule} does not continue, at a line stamped more than
 * {@code flushNanos} after the one before it on its stream, when nothing came for that long ({@link #flushIdle},
 * which the owner calls from a timer: a flush never waits for the next line), at the stream's end
 * ({@link #finish}), or at {@code maxRecordBytes}: then what is held is emitted flagged partial, and the rest
 * follows in pieces, all but the last flagged partial, as with long lines.
 *
 * <p>Each line fed carries a tag (logs mode: the log position after it); a record is emitted with its last
 * line's tag and whether it ends there ({@code boundary}: false for the pieces of a record cut at the size
 * cap). Pure logic on the reader's context, not thread-safe.
 */
final class RecordAssembler {
  /** Receives records; the bytes are only valid during the call. */
  interface Sink {
    void record(byte stream, byte flags, long timeNanos, byte[] buf, int off, int len, boolean boundary, Object tag);
  }

  private final MultilineRule rule;
  private final long flushNanos;
  private final int maxRecordBytes;
  private final Sink sink;
  private final Open stdout;
  private final Open stderr;

  /** The record open on one stream. */
  private final class Open {
    final byte stream;
    final MultilineRule.State state;
    byte[] text = new byte[512];
    int length;
    /** Whether a record is open (it may hold no bytes: its first piece was emitted at the cap). */
    boolean open;
    /** The time of the record's first line: a resume must read from there. */
    long firstTimeNanos = Long.MAX_VALUE;
    /** The time of what is held (the record's, or the piece's after a cut). */
    long heldTimeNanos;
    long lastLineTimeNanos;
    long lastFedAt;
    /** The last line fed ended in a piece: the next one continues that line, joined without '\n'. */
    boolean lineCut;
    /** Some of the record was emitted already (cut at the size cap). */
    boolean cut;
    Object tag;

    Open(byte stream) {
      this.stream = stream;
      this.state = rule.newState();
    }
  }

  RecordAssembler(MultilineRule rule, long flushNanos, int maxRecordBytes, Sink sink) {
    this.rule = rule;
    this.flushNanos = flushNanos;
    this.maxRecordBytes = maxRecordBytes;
    this.sink = sink;
    this.stdout = new Open((byte) 1);
    this.stderr = new Open((byte) 2);
  }

  private Open of(byte stream) {
    return stream == 2 ? stderr : stdout;
  }

  /**
   * A line (or a piece of one, {@code flags} partial) of {@code stream}, stamped {@code timeNanos}, fed at
   * {@code nowNanos} (a monotonic clock, for {@link #flushIdle}).
   */
  void feed(byte stream, byte flags, long timeNanos, byte[] b, int off, int len, Object tag, long nowNanos) {
    Open r = of(stream);
    boolean continuation = r.lineCut;
    if (!continuation && r.open) {
      continuation = timeNanos - r.lastLineTimeNanos <= flushNanos && r.state.continues(b, off, len);
      if (!continuation) emitEnd(r);
    }
    if (!continuation && !r.open) {
      r.state.start(b, off, len);
      r.open = true;
      r.firstTimeNanos = timeNanos;
      r.heldTimeNanos = timeNanos;
    } else if (!r.lineCut) {
      append(r, NEWLINE, 0, 1, timeNanos);
    }
    append(r, b, off, len, timeNanos);
    r.lineCut = (flags & LineBatch.FLAG_PARTIAL) != 0;
    r.lastLineTimeNanos = timeNanos;
    r.lastFedAt = nowNanos;
    r.tag = tag;
  }

  private static final byte[] NEWLINE = {'\n'};

  private void append(Open r, byte[] b, int off, int len, long timeNanos) {
    while (len > 0) {
      int room = maxRecordBytes - r.length;
      if (room == 0) {
        sink.record(r.stream, LineBatch.FLAG_PARTIAL, r.heldTimeNanos, r.text, 0, r.length, false, r.tag);
        r.length = 0;
        r.cut = true;
        r.heldTimeNanos = timeNanos;
        room = maxRecordBytes;
      }
      int n = Math.min(room, len);
      if (r.length + n > r.text.length) {
        r.text = java.util.Arrays.copyOf(r.text, Math.min(maxRecordBytes, Math.max(r.text.length * 2, r.length + n)));
      }
      System.arraycopy(b, off, r.text, r.length, n);
      r.length += n;
      off += n;
      len -= n;
    }
  }

  /** The open record of {@code r} ends: emitted whole (or its last piece), its line flags kept. */
  private void emitEnd(Open r) {
    if (!r.open) return;
    byte flags = r.lineCut ? LineBatch.FLAG_PARTIAL : 0;
    r.open = false;
    r.cut = false;
    r.lineCut = false;
    r.firstTimeNanos = Long.MAX_VALUE;
    int len = r.length;
    r.length = 0;
    sink.record(r.stream, flags, r.heldTimeNanos, r.text, 0, len, true, r.tag);
    if (r.text.length > 64 * 1024) r.text = new byte[512]; // a big record's buffer is not kept
  }

  /**
   * Emits the records that got no line for the flush time; returns the monotonic time at which the next one
   * would be due (Long.MAX_VALUE: none open). A line cut short is waited for: its rest is on its way.
   */
  long flushIdle(long nowNanos) {
    long next = Long.MAX_VALUE;
    for (Open r : new Open[] {stdout, stderr}) {
      if (!r.open) continue;
      long due = r.lastFedAt + flushNanos;
      if (due <= nowNanos && !r.lineCut) {
        emitEnd(r);
      } else {
        next = Math.min(next, Math.max(due, nowNanos + 1));
      }
    }
    return next;
  }

  /** The stream ended: open records are complete. */
  void finish() {
    emitEnd(stdout);
    emitEnd(stderr);
  }

  /** Whether a record is open on any stream. */
  boolean holdsRecords() {
    return stdout.open || stderr.open;
  }

  /** Bytes held in open records. */
  int heldBytes() {
    return stdout.length + stderr.length;
  }

  /**
   * Per stream (index 1 and 2), lowers {@code times} to the time of the first line of the record open there,
   * even when pieces of it were emitted: a resume reads the whole record again.
   */
  void earliestOpen(long[] times) {
    times[1] = Math.min(times[1], stdout.firstTimeNanos);
    times[2] = Math.min(times[2], stderr.firstTimeNanos);
  }
}
