package io.dockline.attach.impl;

/**
 * Tells, line by line, which lines of a container's logs stream were passed before and which are new, so that
 * a stream opened again (after a crash, a container restart, a daemon restart) yields every line after its
 * position once and none before it. Pure logic: no I/O, not thread-safe.
 *
 * <p>Why a time is not enough: the logs endpoint returns a container's lines in the order Docker wrote them,
 * but Docker stamps stdout and stderr separately, so across the two streams times go backwards (measured here:
 * up to 8 ms), and {@code since} keeps every line whose time is at or after it, wherever it is. So the stream
 * is opened a little before the position ({@link #since}) and each stream's lines are compared with that
 * stream's own mark (see {@link LogPosition}).
 *
 * <p>Contract. Open the stream at {@link #since}; give every line of it, in order, to {@link #lineStarted}
 * when its first message arrives and to {@link #accept} when it is whole. {@code accept} returns true for
 * exactly the lines after the position, assuming that
 * <ol>
 *   <li>within each stream, times never decrease (Docker stamps and writes each stream in turn), and
 *   <li>no line's first message is written more than {@code tolerance} after a line (of either stream) that
 *       carries a later time: the largest backwards step. Continuation pieces of a line longer than 16 KiB
 *       carry the time of its first piece and are exempt: {@link #since} covers them once that piece is read.
 * </ol>
 * Nothing is skipped silently when these do not hold: a line stamped before an earlier line of its own stream,
 * or more than the tolerance before a line read earlier, is reported to {@link Listener#outOfOrder} as it is
 * read; a position's last line not found where it should be, or found with other contents (the log was
 * rotated past it or replaced), is reported to {@link Listener#mismatch}.
 *
 * <p>A checkpoint of the first format (the time of the last acknowledged line, and how many acknowledged lines
 * at the very end carry exactly that time) is resumed by finding that many consecutive lines at that time:
 * everything up to them was passed, everything after is new. Under (2), every line before them carries a time
 * at most the tolerance later, so a line later than that proves they are not in the log (reported).
 */
final class LogResume {
  /** What the reader is told about lines read against the assumptions above. */
  interface Listener {
    void outOfOrder(String what);

    void mismatch(String what);
  }

  private static final int SLOTS = 3; // by stream code: 1 stdout, 2 stderr

  private final boolean tty;
  private final long toleranceNanos;
  private final long sinceNanos;
  private final Listener listener;
  /** Lines at or before its marks were passed before; null when resuming a first-format checkpoint. */
  private final LogPosition target;
  /** Every line passed: the position resumed from, then each new line. */
  private final LogPosition read;
  /** The position this stream resumed after; for a first-format checkpoint, known once its line is found. */
  private LogPosition resumedFrom;
  private final long[] lastTime = {Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE};
  private final int[] lastIndex = new int[SLOTS];
  private final boolean[] caughtUp = new boolean[SLOTS];
  private final boolean[] foundMark = new boolean[SLOTS];
  private final long[] lastStarted = {Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE};
  /** The newest line start of this stream (what a line is checked against: the lines before it in the log). */
  private long newestStarted = Long.MIN_VALUE;
  /** The newest time read, also before this stream (marks included): the lines not read yet follow it. */
  private long newestSeen;
  /** First format: the time of the checkpoint's line, how many lines end there at that time, how many seen. */
  private final long firstFormatTime;
  private final int firstFormatRun;
  private int atFirstFormatTime;
  private long firstFormatSkipped;
  private boolean findingFirstFormat;

  private LogResume(boolean tty, long toleranceNanos, long sinceNanos, Listener listener, LogPosition target,
                    LogPosition read, long newestSeen, long firstFormatTime, int firstFormatRun) {
    this.tty = tty;
    this.toleranceNanos = toleranceNanos;
    this.sinceNanos = sinceNanos;
    this.listener = listener;
    this.target = target;
    this.read = read;
    this.resumedFrom = target;
    this.newestSeen = newestSeen;
    this.firstFormatTime = firstFormatTime;
    this.firstFormatRun = firstFormatRun;
    this.findingFirstFormat = target == null && firstFormatRun > 0;
    if (target == null && !findingFirstFormat) resumedFrom = read.copy();
  }

  /**
   * Resumes after {@code position} on a stream opened at {@code sinceNanos}; {@code newestSeenNanos} is the
   * newest time read before (Long.MIN_VALUE if unknown), kept for the next {@link #since}.
   */
  static LogResume after(LogPosition position, long sinceNanos, long newestSeenNanos, long toleranceNanos,
                         boolean tty, Listener listener) {
    long newest = newestSeenNanos;
    for (byte s = 1; s <= 2; s++) newest = Math.max(newest, position.mark(s).timeNanos());
    return new LogResume(tty, toleranceNanos, sinceNanos, listener, position.copy(), position.copy(), newest, 0, 0);
  }

  /** A log read from its beginning. */
  static LogResume fromStart(long toleranceNanos, boolean tty, Listener listener) {
    return after(LogPosition.start(), 0, Long.MIN_VALUE, toleranceNanos, tty, listener);
  }

  /** Resumes after a first-format checkpoint: the stream is opened at {@link #since()}. */
  static LogResume afterFirstFormat(long timeNanos, int run, long toleranceNanos, boolean tty, Listener listener) {
    long since = Math.max(0, timeNanos - toleranceNanos);
    // a stream with no line from `since` up to the checkpoint's line passed nothing at or after `since`
    LogPosition floors = LogPosition.of(LogPosition.Mark.floor(since), LogPosition.Mark.floor(since));
    return new LogResume(tty, toleranceNanos, since, listener, null, floors, Long.MIN_VALUE, timeNanos, run);
  }

  /**
   * Where to open a logs stream to read every line after {@code after} again. Per stream: the time of the
   * first line after it the reader already knows of ({@code knownNextNanos}, by stream code; Long.MAX_VALUE
   * for none: read but not acknowledged, or held in pieces), else the stream's mark, but not earlier than the
   * tolerance before the newest line read (otherwise a stream that has been quiet for an hour would be read
   * again from its last line). The earliest of these.
   */
  static long since(LogPosition after, long[] knownNextNanos, long newestSeenNanos, long toleranceNanos,
                    boolean tty) {
    long newestBound = newestSeenNanos == Long.MIN_VALUE ? Long.MIN_VALUE : newestSeenNanos - toleranceNanos;
    long since = Long.MAX_VALUE;
    for (byte s = 1; s <= (tty ? 1 : 2); s++) {
      long floor = knownNextNanos[s] != Long.MAX_VALUE ? knownNextNanos[s]
          : Math.max(after.mark(s).timeNanos(), newestBound);
      since = Math.min(since, floor);
    }
    return Math.max(0, since);
  }

  /** Where this stream is to be opened. */
  long since() {
    return sinceNanos;
  }

  /** Docker's {@code since} parameter: seconds and nanoseconds; it keeps lines at exactly that time. */
  static String sinceParameter(long nanos) {
    return String.format("%d.%09d", Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }

  /** Every line passed so far (live: mutated as lines are accepted). */
  LogPosition position() {
    return read;
  }

  /** The position this stream resumed after, or null while a first-format checkpoint's line is looked for. */
  LogPosition resumedFrom() {
    return findingFirstFormat ? null : resumedFrom;
  }

  /** The newest time a line started at, over this stream and the one it resumed from. */
  long newestSeen() {
    return newestSeen;
  }

  /** A line's first message arrived (its time is the line's); checks the order the resume relies on. */
  void lineStarted(byte stream, long timeNanos) {
    int s = stream == 2 ? 2 : 1;
    String name = s == 2 ? "stderr" : "stdout";
    if (timeNanos < lastStarted[s]) {
      listener.outOfOrder("a " + name + " line is stamped " + millis(lastStarted[s] - timeNanos)
          + " ms before the " + name + " line written before it (the clock went back?)");
    } else if (newestStarted != Long.MIN_VALUE && timeNanos < newestStarted - toleranceNanos && !tty) {
      listener.outOfOrder("a " + name + " line is stamped " + millis(newestStarted - timeNanos)
          + " ms before a line written before it, more than the tolerance of " + millis(toleranceNanos) + " ms");
    }
    lastStarted[s] = Math.max(lastStarted[s], timeNanos);
    newestStarted = Math.max(newestStarted, timeNanos);
    newestSeen = Math.max(newestSeen, timeNanos);
  }

  /** A whole line (or a piece cut at the maximum line size): true if it is new, false if passed before. */
  boolean accept(byte stream, long timeNanos, byte[] buf, int off, int len) {
    int s = stream == 2 ? 2 : 1;
    int index = timeNanos == lastTime[s] ? lastIndex[s] + 1 : 1;
    lastTime[s] = timeNanos;
    lastIndex[s] = index;
    if (findingFirstFormat) return acceptFindingFirstFormat(stream, timeNanos, buf, off, len);
    if (target != null && !caughtUp[s]) {
      LogPosition.Mark m = target.mark(stream);
      if (m.covers(timeNanos, index)) {
        if (timeNanos == m.timeNanos() && index == m.run()) {
          foundMark[s] = true;
          if (m.length() >= 0 && (m.length() != len || m.crc() != read.crcOf(buf, off, len))) {
            listener.mismatch("the last " + (s == 2 ? "stderr" : "stdout") + " line passed before ("
                + m.timeNanos() + ") reads back with other contents");
          }
        }
        return false;
      }
      caughtUp[s] = true;
      if (!m.isFloor() && !foundMark[s] && m.timeNanos() >= sinceNanos) {
        listener.mismatch("the last " + (s == 2 ? "stderr" : "stdout") + " line passed before (" + m.timeNanos()
            + ", the " + m.run() + ". at that time) is not in the log");
      }
    }
    read.pass(stream, timeNanos, buf, off, len);
    return true;
  }

  private boolean acceptFindingFirstFormat(byte stream, long timeNanos, byte[] buf, int off, int len) {
    if (timeNanos > firstFormatTime + toleranceNanos) {
      findingFirstFormat = false;
      resumedFrom = read.copy();
      listener.mismatch("the checkpoint's line (" + firstFormatTime + ") is not in the log; the " + firstFormatSkipped
          + " lines read before this one were taken as sent before");
      read.pass(stream, timeNanos, buf, off, len);
      return true;
    }
    atFirstFormatTime = timeNanos == firstFormatTime ? atFirstFormatTime + 1 : 0;
    read.pass(stream, timeNanos, buf, off, len);
    firstFormatSkipped++;
    if (atFirstFormatTime == firstFormatRun) {
      findingFirstFormat = false;
      resumedFrom = read.copy();
    }
    return false;
  }

  private static String millis(long nanos) {
    return String.format("%.1f", nanos / 1e6);
  }
}
