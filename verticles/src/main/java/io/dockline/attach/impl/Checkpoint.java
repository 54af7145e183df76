package io.dockline.attach.impl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where a logs-mode container's reading resumes: the Docker timestamp of the last acknowledged line, how many
 * acknowledged lines carry exactly that timestamp (so lines sharing one are told apart), and its seq. Saved
 * only from acknowledgements, as {@code <data-dir>/agent/checkpoints/<container id>}; a checkpoint that lags
 * behind is safe: lines read again get the same seqs and the collectors drop them.
 */
final class Checkpoint {
  final long timeNanos;
  final int run;
  final long seq;

  Checkpoint(long timeNanos, int run, long seq) {
    this.timeNanos = timeNanos;
    this.run = run;
    this.seq = seq;
  }

  static Path fileOf(Path dir, String containerId) {
    return dir.resolve(containerId);
  }

  /** The saved checkpoint, or null when there is none (or it is unreadable: reading starts over). */
  static Checkpoint load(Path file) {
    try {
      if (!Files.exists(file)) return null;
      String[] f = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
      return new Checkpoint(Long.parseLong(f[0]), Integer.parseInt(f[1]), Long.parseLong(f[2]));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Written to a new file renamed over the old one, so a crash leaves one whole checkpoint or the other. */
  void save(Path file, boolean force) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, timeNanos + " " + run + " " + seq + "\n", StandardCharsets.US_ASCII);
    if (force) {
      try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(tmp,
          java.nio.file.StandardOpenOption.WRITE)) {
        c.force(true);
      }
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Docker's {@code since} parameter: seconds and nanoseconds; it includes lines at exactly that time. */
  String since() {
    return String.format("%d.%09d", Math.floorDiv(timeNanos, 1_000_000_000L), Math.floorMod(timeNanos, 1_000_000_000L));
  }
}
