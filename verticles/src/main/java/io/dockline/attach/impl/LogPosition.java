package io.dockline.attach.impl;

import java.util.zip.CRC32C;

/**
 * How far a container's log has been passed (read, or acknowledged), stream by stream. Docker stamps each
 * stream's lines in the order it writes them (one copier per stream), so within a stream a line is named by
 * its time and its index among that stream's lines with exactly that time. A position keeps, per stream, the
 * last line passed: its time, that index (its run), and its length and CRC32C, to check it when it is read
 * again. Between the two streams Docker's order and its times disagree (a line can carry an earlier time than
 * one of the other stream written before it), which is why nothing here compares times across streams.
 *
 * <p>A mark with run 0 is a floor: it says only that no line of the stream at or after its time was passed.
 * Mutable and not thread-safe; {@link #copy()} takes a snapshot.
 */
final class LogPosition {
  /** Indexed by stream code (1 stdout, 2 stderr). */
  private static final int SLOTS = 3;

  /** The last line of one stream that was passed, or a floor (run 0, no length). */
  record Mark(long timeNanos, int run, int length, int crc) {
    static Mark floor(long timeNanos) {
      return new Mark(timeNanos, 0, -1, 0);
    }

    boolean isFloor() {
      return run == 0;
    }

    /** Whether the {@code index}-th line (from 1) of this stream with time {@code t} is at or before this mark. */
    boolean covers(long t, int index) {
      return t < timeNanos || (t == timeNanos && index <= run);
    }
  }

  private final long[] times = new long[SLOTS];
  private final int[] runs = new int[SLOTS];
  private final int[] lengths = new int[SLOTS];
  private final int[] crcs = new int[SLOTS];
  private final CRC32C crc = new CRC32C();

  private LogPosition() {}

  /** Nothing passed yet: a log read from its beginning. */
  static LogPosition start() {
    return of(Mark.floor(Long.MIN_VALUE), Mark.floor(Long.MIN_VALUE));
  }

  static LogPosition of(Mark stdout, Mark stderr) {
    LogPosition p = new LogPosition();
    p.set(1, stdout);
    p.set(2, stderr);
    return p;
  }

  /** {@code stream}'s mark becomes {@code m}. */
  void set(byte stream, Mark m) {
    set(slot(stream), m);
  }

  private void set(int slot, Mark m) {
    times[slot] = m.timeNanos();
    runs[slot] = m.run();
    lengths[slot] = m.length();
    crcs[slot] = m.crc();
  }

  /** One more line of {@code stream} is passed: it becomes that stream's mark. */
  void pass(byte stream, long timeNanos, byte[] buf, int off, int len) {
    int s = slot(stream);
    runs[s] = timeNanos == times[s] ? runs[s] + 1 : 1;
    times[s] = timeNanos;
    lengths[s] = len;
    crcs[s] = crcOf(buf, off, len);
  }

  int crcOf(byte[] buf, int off, int len) {
    crc.reset();
    crc.update(buf, off, len);
    return (int) crc.getValue();
  }

  Mark mark(byte stream) {
    int s = slot(stream);
    return new Mark(times[s], runs[s], lengths[s], crcs[s]);
  }

  /** Whether both positions have the same mark for {@code stream}. */
  boolean sameMark(LogPosition other, byte stream) {
    int s = slot(stream);
    return times[s] == other.times[s] && runs[s] == other.runs[s];
  }

  LogPosition copy() {
    return of(mark((byte) 1), mark((byte) 2));
  }

  private static int slot(byte stream) {
    return stream == 2 ? 2 : 1; // anything but stderr is stdout, as in the decoders
  }

  @Override
  public String toString() {
    return "stdout " + mark((byte) 1) + ", stderr " + mark((byte) 2);
  }
}
