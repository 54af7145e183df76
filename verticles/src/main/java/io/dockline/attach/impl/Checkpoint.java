package io.dockline.attach.impl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where a logs-mode container's reading resumes, saved only from acknowledgements as
 * {@code <data-dir>/agent/checkpoints/<container id>}: the seq of the last acknowledged line, the acknowledged
 * {@link LogPosition} (per stream, the last acknowledged line), and the time the logs stream is to be opened
 * at to read every line after it again ({@link LogResume#since}). A checkpoint that lags behind is safe: lines
 * read again get the same seqs and the collectors drop them.
 *
 * <p>Format 2, text: {@code dockline-checkpoint 2}, then {@code seq N}, {@code since NANOS} and one line
 * {@code stream CODE TIME RUN LENGTH CRC} per stream. Format 1 (one line {@code TIME RUN SEQ}: the time of the
 * last acknowledged line and how many acknowledged lines at the end carry exactly that time) is still read;
 * it is resumed by {@link LogResume#afterFirstFormat} and the next save writes format 2.
 */
final class Checkpoint {
  static final int FORMAT = 2;
  private static final String HEADER = "dockline-checkpoint";

  final long seq;
  final long sinceNanos;
  /** Null for a first-format checkpoint. */
  final LogPosition position;
  /** First format only: the time of the last acknowledged line, and the run of lines at that time. */
  final long firstFormatTime;
  final int firstFormatRun;

  Checkpoint(long seq, long sinceNanos, LogPosition position) {
    this(seq, sinceNanos, position, 0, 0);
  }

  private Checkpoint(long seq, long sinceNanos, LogPosition position, long firstFormatTime, int firstFormatRun) {
    this.seq = seq;
    this.sinceNanos = sinceNanos;
    this.position = position;
    this.firstFormatTime = firstFormatTime;
    this.firstFormatRun = firstFormatRun;
  }

  /** The saved checkpoint, or null when there is none (or it is unreadable: reading starts over). */
  static Checkpoint load(Path file) {
    try {
      if (!Files.exists(file)) return null;
      return parse(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static Checkpoint parse(String text) {
    String[] lines = text.trim().split("\n");
    String[] first = lines[0].trim().split(" ");
    if (!first[0].equals(HEADER)) {
      if (lines.length != 1 || first.length != 3) throw new IllegalArgumentException("not a checkpoint");
      return new Checkpoint(Long.parseLong(first[2]), 0, null, Long.parseLong(first[0]), Integer.parseInt(first[1]));
    }
    if (Integer.parseInt(first[1]) != FORMAT) throw new IllegalArgumentException("checkpoint format " + first[1]);
    long seq = -1;
    long since = -1;
    LogPosition.Mark[] marks = new LogPosition.Mark[3];
    for (int i = 1; i < lines.length; i++) {
      String[] f = lines[i].trim().split(" ");
      switch (f[0]) {
        case "seq" -> seq = Long.parseLong(f[1]);
        case "since" -> since = Long.parseLong(f[1]);
        case "stream" -> marks[Integer.parseInt(f[1])] = new LogPosition.Mark(Long.parseLong(f[2]),
            Integer.parseInt(f[3]), Integer.parseInt(f[4]), Integer.parseInt(f[5]));
        default -> throw new IllegalArgumentException("unknown field " + f[0]);
      }
    }
    if (seq < 0 || since < 0 || marks[1] == null || marks[2] == null) {
      throw new IllegalArgumentException("incomplete checkpoint");
    }
    return new Checkpoint(seq, since, LogPosition.of(marks[1], marks[2]));
  }

  String format() {
    StringBuilder b = new StringBuilder(HEADER).append(' ').append(FORMAT).append('\n');
    b.append("seq ").append(seq).append('\n');
    b.append("since ").append(sinceNanos).append('\n');
    for (byte s = 1; s <= 2; s++) {
      LogPosition.Mark m = position.mark(s);
      b.append("stream ").append(s).append(' ').append(m.timeNanos()).append(' ').append(m.run()).append(' ')
          .append(m.length()).append(' ').append(m.crc()).append('\n');
    }
    return b.toString();
  }

  /** Written to a new file renamed over the old one, so a crash leaves one whole checkpoint or the other. */
  void save(Path file, boolean force) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, format(), StandardCharsets.US_ASCII);
    if (force) {
      try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(tmp,
          java.nio.file.StandardOpenOption.WRITE)) {
        c.force(true);
      }
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
