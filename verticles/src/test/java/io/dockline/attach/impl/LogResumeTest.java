package io.dockline.attach.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The resume logic against Docker's interleaving: logs whose times go backwards between stdout and stderr (as
 * recorded from the daemon, and constructed), read by the real decoder up to any point, acknowledged up to any
 * line before it, then read again from {@link LogResume#since} as the logs endpoint would send it (every
 * message at or after that time, in log order). Every line after the checkpoint must come out once, in order,
 * and none before it: the seqs given by position are then the ones the first reading gave.
 */
class LogResumeTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long TOLERANCE = 2 * SECOND;
  private static final long BASE = 1_795_925_705_000_000_000L; // 2026-11-29T04:15:05Z
  private static final DateTimeFormatter RFC3339_NANO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.nnnnnnnnn'Z'").withZone(ZoneOffset.UTC);

  /** One log message as Docker keeps it: its stream, its time, its text (with "\n" unless it is a piece). */
  record Msg(byte stream, long time, String text) {}

  record Line(byte stream, long time, String text) {}

  private final List<String> outOfOrder = new ArrayList<>();
  private final List<String> mismatches = new ArrayList<>();
  private final LogResume.Listener listener = new LogResume.Listener() {
    @Override
    public void outOfOrder(String what) {
      outOfOrder.add(what);
    }

    @Override
    public void mismatch(String what) {
      mismatches.add(what);
    }
  };

  private static Msg out(long time, String text) {
    return new Msg((byte) 1, time, text + "\n");
  }

  private static Msg err(long time, String text) {
    return new Msg((byte) 2, time, text + "\n");
  }

  private static byte[] frame(Msg m) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    Frames.frame(b, m.stream(), RFC3339_NANO.format(Instant.ofEpochSecond(0, m.time())) + " " + m.text());
    return b.toByteArray();
  }

  /** A reader: the decoder feeding a resume, collecting the lines it accepts. */
  private final class Reader {
    final List<Line> accepted = new ArrayList<>();
    final LogResume resume;
    final LogsDecoder decoder;

    Reader(LogResume resume, int maxLineBytes) {
      this.resume = resume;
      this.decoder = new LogsDecoder(false, maxLineBytes, new LogsDecoder.Sink() {
        @Override
        public void line(byte stream, byte flags, long timeNanos, byte[] buf, int off, int len) {
          if (resume.accept(stream, timeNanos, buf, off, len)) {
            accepted.add(new Line(stream, timeNanos, new String(buf, off, len, StandardCharsets.ISO_8859_1)));
          }
        }

        @Override
        public void lineStarted(byte stream, long timeNanos) {
          resume.lineStarted(stream, timeNanos);
        }
      });
    }

    void read(Msg m) {
      byte[] f = frame(m);
      decoder.feed(f, 0, f.length);
    }
  }

  /**
   * Reads {@code log} up to message {@code readTo}, acknowledges its first {@code acked} lines, and resumes from
   * a checkpoint made the way the agent makes it; returns the lines the resumed reading yields.
   */
  private List<Line> resume(List<Msg> log, int readTo, int acked, int maxLineBytes) {
    Reader first = new Reader(LogResume.fromStart(TOLERANCE, false, listener), maxLineBytes);
    for (int i = 0; i < readTo; i++) first.read(log.get(i));
    LogPosition position = LogPosition.start();
    long[] knownNext = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
    for (int i = 0; i < first.accepted.size(); i++) {
      Line l = first.accepted.get(i);
      byte[] b = l.text().getBytes(StandardCharsets.ISO_8859_1);
      if (i < acked) position.pass(l.stream(), l.time(), b, 0, b.length);
      else knownNext[l.stream()] = Math.min(knownNext[l.stream()], l.time());
    }
    for (byte s = 1; s <= 2; s++) knownNext[s] = Math.min(knownNext[s], first.decoder.heldTimeNanos(s));
    long since = LogResume.since(position, knownNext, first.resume.newestSeen(), TOLERANCE, false);
    Checkpoint saved = Checkpoint.parse(new Checkpoint(acked, since, position).format());
    Reader again = new Reader(LogResume.after(saved.position, saved.sinceNanos, Long.MIN_VALUE, TOLERANCE, false,
        listener), maxLineBytes);
    for (Msg m : log) if (m.time() >= since) again.read(m); // what `since` makes the logs endpoint send
    again.decoder.finish();
    return again.accepted;
  }

  /** Every way to crash: read up to any message, acknowledged up to any line read (sampled when long). */
  private void assertExactAfterAnyCrash(List<Msg> log, int maxLineBytes) {
    Reader whole = new Reader(LogResume.fromStart(TOLERANCE, false, listener), maxLineBytes);
    for (Msg m : log) whole.read(m);
    whole.decoder.finish();
    List<Line> all = whole.accepted;
    int checked = 0;
    for (int readTo = 0; readTo <= log.size(); readTo++) {
      Reader probe = new Reader(LogResume.fromStart(TOLERANCE, false, listener), maxLineBytes);
      for (int i = 0; i < readTo; i++) probe.read(log.get(i));
      int read = probe.accepted.size();
      for (int acked : new int[] {0, read / 2, read - 3, read - 2, read - 1, read}) {
        if (acked < 0) continue;
        List<Line> resumed = resume(log, readTo, acked, maxLineBytes);
        assertEquals(all.subList(acked, all.size()), resumed,
            "read to message " + readTo + ", acknowledged " + acked + " lines");
        checked++;
      }
    }
    assertTrue(checked > 0);
    assertEquals(List.of(), mismatches);
  }

  @Test
  void aLineAfterTheCheckpointWithAnEarlierTimeIsReadAndOneBeforeItWithALaterTimeIsNot() {
    // stderr was stamped first but written second, around the checkpoint on both sides
    List<Msg> log = List.of(out(BASE + 100, "o1"), out(BASE + 300, "o2"), err(BASE + 200, "e1"),
        out(BASE + 500, "o3"), err(BASE + 400, "e2"), err(BASE + 600, "e3"), out(BASE + 550, "o4"));
    // the old resume point (time of the last line, run at it) loses e1 after o2 and repeats o3 after e2
    List<Line> afterO2 = resume(log, log.size(), 2, 1 << 20);
    assertEquals(List.of("e1", "o3", "e2", "e3", "o4"), afterO2.stream().map(Line::text).toList());
    List<Line> afterE2 = resume(log, log.size(), 5, 1 << 20);
    assertEquals(List.of("e3", "o4"), afterE2.stream().map(Line::text).toList());
    assertExactAfterAnyCrash(log, 1 << 20);
  }

  @Test
  void recordedInterleavingsOfBothDrivers() throws IOException {
    for (String driver : List.of("local", "json-file")) {
      List<List<Msg>> windows = recorded(driver);
      assertTrue(windows.size() >= 4, driver);
      for (List<Msg> log : windows) {
        assertTrue(hasBackwardsStep(log), "the recording steps back in time");
        assertExactAfterAnyCrash(log, 1 << 20);
      }
    }
    assertEquals(List.of(), outOfOrder, "steps of a few ms are within the tolerance");
  }

  @Test
  void randomInterleavingsWithStepsUpToTheTolerance() {
    Random random = new Random(14);
    for (int round = 0; round < 40; round++) {
      List<Msg> log = interleaved(random, 60, round % 2 == 0 ? 8_000_000 : TOLERANCE);
      assertExactAfterAnyCrash(log, 1 << 20);
    }
  }

  /** Two streams each stamped in order, written in an order that lags the stamps by up to {@code maxLag}. */
  private static List<Msg> interleaved(Random random, int perStream, long maxLag) {
    List<long[]> stamped = new ArrayList<>(); // {stream, time, writtenAt, index}
    for (int s = 1; s <= 2; s++) {
      long t = BASE;
      for (int i = 0; i < perStream; i++) {
        t += 1 + random.nextInt(random.nextInt(10) == 0 ? 1_000_000_000 : 3_000_000);
        if (random.nextInt(20) == 0) t -= 1 + random.nextInt(1000); // repaired below: a stream stays in order
        stamped.add(new long[] {s, t, 0, i});
      }
    }
    List<Msg> log = new ArrayList<>();
    long[] last = {0, Long.MIN_VALUE, Long.MIN_VALUE};
    for (long[] e : stamped) {
      e[1] = Math.max(e[1], last[(int) e[0]]); // equal times are allowed within a stream
      last[(int) e[0]] = e[1];
      e[2] = e[1] + (long) (random.nextDouble() * maxLag);
    }
    // written in order of their write time, each stream keeping its own order
    List<long[]> out = new ArrayList<>(stamped.stream().filter(e -> e[0] == 1).toList());
    List<long[]> err = new ArrayList<>(stamped.stream().filter(e -> e[0] == 2).toList());
    int i = 0;
    int j = 0;
    while (i < out.size() || j < err.size()) {
      boolean takeOut = j == err.size() || (i < out.size() && out.get(i)[2] <= err.get(j)[2]);
      long[] e = takeOut ? out.get(i++) : err.get(j++);
      log.add(e[0] == 1 ? out(e[1], "o" + e[3]) : err(e[1], "e" + e[3]));
    }
    return log;
  }

  @Test
  void aLongLineKeepsTheTimeOfItsFirstPieceWhateverItsOtherPiecesWait() {
    // stderr's 40,000-byte line is written over five seconds: its pieces all carry the time of the first,
    // far more than the tolerance behind the stdout lines written meanwhile
    String a = "a".repeat(LogsDecoder.PIECE_BYTES);
    List<Msg> log = new ArrayList<>();
    log.add(err(BASE, "before"));
    log.add(new Msg((byte) 2, BASE + SECOND / 10, a));
    for (int i = 1; i <= 25; i++) log.add(out(BASE + i * SECOND / 10, "o" + i));
    log.add(new Msg((byte) 2, BASE + SECOND / 10, a));
    for (int i = 26; i <= 50; i++) log.add(out(BASE + i * SECOND / 10, "o" + i));
    log.add(err(BASE + SECOND / 10, "end of the long line"));
    log.add(out(BASE + 51 * SECOND / 10, "o51"));
    log.add(err(BASE + 52 * SECOND / 10, "after"));
    assertExactAfterAnyCrash(log, 1 << 20);
    assertEquals(List.of(), outOfOrder, "the later pieces are no reordering");
  }

  @Test
  void piecesCutAtTheMaximumLineSizeShareATimeAndResumeBetweenThem() {
    List<Msg> log = List.of(out(BASE, "0123456789abcdefghij"), err(BASE + 5, "e"), out(BASE, "tail"),
        out(BASE + 10, "klmnopqrstuvwxyz"), err(BASE + 7, "f"));
    assertExactAfterAnyCrash(log, 4);
  }

  @Test
  void theLocalDriversLastPieceHasNoNewlineAndEndsTheLine() {
    List<Msg> log = List.of(new Msg((byte) 1, BASE, "b".repeat(LogsDecoder.PIECE_BYTES)),
        new Msg((byte) 1, BASE, "b".repeat(100)), err(BASE + 1, "e"), out(BASE + 2, "next"),
        new Msg((byte) 1, BASE + 3, "unterminated, the container stopped"), out(BASE + 9 * SECOND, "restarted"));
    assertExactAfterAnyCrash(log, 1 << 20);
  }

  @Test
  void aQuietStreamDoesNotMakeTheResumeReadFarBack() {
    List<Msg> log = new ArrayList<>();
    log.add(err(BASE, "said once"));
    for (int i = 1; i <= 100; i++) log.add(out(BASE + i * SECOND / 10, "o" + i));
    Reader first = new Reader(LogResume.fromStart(TOLERANCE, false, listener), 1 << 20);
    log.forEach(first::read);
    LogPosition all = first.resume.position();
    long[] none = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
    long since = LogResume.since(all, none, first.resume.newestSeen(), TOLERANCE, false);
    assertEquals(BASE + 10 * SECOND - TOLERANCE, since, "the tolerance back from the newest line, not stderr's");
    assertEquals(BASE + 10 * SECOND, LogResume.since(all, none, first.resume.newestSeen(), TOLERANCE, true),
        "a TTY has one stream: its own last line");
    assertExactAfterAnyCrash(log, 1 << 20);
  }

  @Test
  void aLineStampedFurtherBackThanTheToleranceIsReported() {
    Reader r = new Reader(LogResume.fromStart(TOLERANCE, false, listener), 1 << 20);
    r.read(out(BASE + 3 * SECOND, "o"));
    r.read(err(BASE + SECOND / 2, "stamped 2.5 s before a line written earlier"));
    assertEquals(1, outOfOrder.size(), outOfOrder.toString());
    r.read(out(BASE + SECOND, "stdout's clock went back"));
    assertEquals(2, outOfOrder.size(), outOfOrder.toString());
    assertEquals(3, r.accepted.size(), "reported, not dropped");
  }

  @Test
  void aCheckpointLineReadBackWithOtherContentsOrMissingIsReported() {
    LogPosition p = LogPosition.start();
    byte[] saved = "saved".getBytes(StandardCharsets.US_ASCII);
    p.pass((byte) 1, BASE + 10, saved, 0, saved.length);
    Reader r = new Reader(LogResume.after(p, BASE, Long.MIN_VALUE, TOLERANCE, false, listener), 1 << 20);
    r.read(out(BASE + 10, "other"));
    r.read(out(BASE + 20, "new"));
    assertEquals(1, mismatches.size(), mismatches.toString());
    assertEquals(List.of("new"), r.accepted.stream().map(Line::text).toList());

    Reader rotated = new Reader(LogResume.after(p, BASE, Long.MIN_VALUE, TOLERANCE, false, listener), 1 << 20);
    rotated.read(out(BASE + 20, "new"));
    assertEquals(2, mismatches.size(), mismatches.toString());
    assertEquals(List.of("new"), rotated.accepted.stream().map(Line::text).toList());
  }

  @Test
  void aFirstFormatCheckpointResumesWithoutLossAndBecomesAPosition() {
    Random random = new Random(1);
    for (int round = 0; round < 20; round++) {
      List<Msg> log = interleaved(random, 40, 8_000_000);
      Reader whole = new Reader(LogResume.fromStart(TOLERANCE, false, listener), 1 << 20);
      log.forEach(whole::read);
      List<Line> all = whole.accepted;
      for (int acked = 1; acked <= all.size(); acked++) {
        // the first format: the last acknowledged line's time, how many acknowledged lines end at that time
        long t = all.get(acked - 1).time();
        int run = 0;
        for (int i = acked - 1; i >= 0 && all.get(i).time() == t; i--) run++;
        Checkpoint old = Checkpoint.parse(t + " " + run + " " + acked + "\n");
        Reader again = new Reader(LogResume.afterFirstFormat(old.firstFormatTime, old.firstFormatRun, TOLERANCE,
            false, listener), 1 << 20);
        assertEquals(null, again.resume.resumedFrom());
        for (Msg m : log) if (m.time() >= again.resume.since()) again.read(m);
        assertEquals(all.subList(acked, all.size()), again.accepted, "acknowledged " + acked);
        // the position found resumes exactly too (the next checkpoint is of the new format)
        LogPosition found = again.resume.resumedFrom();
        long[] none = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
        long since = LogResume.since(found, none, t, TOLERANCE, false);
        Reader third = new Reader(LogResume.after(found, since, Long.MIN_VALUE, TOLERANCE, false, listener), 1 << 20);
        for (Msg m : log) if (m.time() >= since) third.read(m);
        assertEquals(all.subList(acked, all.size()), third.accepted, "acknowledged " + acked + ", converted");
      }
    }
    assertEquals(List.of(), mismatches);
  }

  @Test
  void aFirstFormatCheckpointWhoseLineIsGoneIsReported() {
    LogResume r = LogResume.afterFirstFormat(BASE, 1, TOLERANCE, false, listener);
    byte[] b = "x".getBytes(StandardCharsets.US_ASCII);
    assertEquals(false, r.accept((byte) 1, BASE + SECOND, b, 0, 1));
    assertEquals(true, r.accept((byte) 1, BASE + 3 * SECOND, b, 0, 1));
    assertEquals(1, mismatches.size());
  }

  @Test
  void checkpointFormats() {
    LogPosition p = LogPosition.start();
    byte[] b = "line".getBytes(StandardCharsets.US_ASCII);
    p.pass((byte) 2, BASE, b, 0, b.length);
    p.pass((byte) 2, BASE, b, 0, 2);
    Checkpoint c = Checkpoint.parse(new Checkpoint(42, BASE - 7, p).format());
    assertEquals(42, c.seq);
    assertEquals(BASE - 7, c.sinceNanos);
    assertEquals(p.mark((byte) 2), c.position.mark((byte) 2));
    assertEquals(2, c.position.mark((byte) 2).run());
    assertEquals(p.mark((byte) 1), c.position.mark((byte) 1));
    Checkpoint old = Checkpoint.parse("1795925705441517336 3 9001\n");
    assertEquals(null, old.position);
    assertEquals(9001, old.seq);
    assertEquals(1795925705441517336L, old.firstFormatTime);
    assertEquals(3, old.firstFormatRun);
    for (String bad : List.of("dockline-checkpoint 3\nseq 1\n", "dockline-checkpoint 2\nseq 1\n", "1 2\n", "")) {
      try {
        Checkpoint.parse(bad);
        throw new AssertionError("accepted " + bad);
      } catch (RuntimeException expected) {
        // unreadable: the caller starts over
      }
    }
  }

  private static boolean hasBackwardsStep(List<Msg> log) {
    for (int i = 1; i < log.size(); i++) if (log.get(i).time() < log.get(i - 1).time()) return true;
    return false;
  }

  /** Windows of a log recorded from this machine's daemon: "stream nanos" lines, windows split by "--". */
  private static List<List<Msg>> recorded(String driver) throws IOException {
    List<List<Msg>> windows = new ArrayList<>();
    List<Msg> window = new ArrayList<>();
    try (InputStream in = LogResumeTest.class.getResourceAsStream("/logs-interleaving/" + driver + ".txt")) {
      int n = 0;
      for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
        if (line.startsWith("#") || line.isBlank()) continue;
        if (line.startsWith("--")) {
          windows.add(window);
          window = new ArrayList<>();
          continue;
        }
        String[] f = line.split(" ");
        byte stream = Byte.parseByte(f[0]);
        long t = BASE + Long.parseLong(f[1]);
        n++;
        window.add(stream == 1 ? out(t, "out " + n) : err(t, "err " + n));
      }
    }
    return windows;
  }
}
