package io.dockline.collector;

import static org.junit.jupiter.api.Assertions.*;

import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import io.dockline.wire.LineBatchBuilder;
import io.dockline.wire.StreamKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Test lines with chosen timestamps, and what a store directory holds. */
final class StoreLines {
  static final long DAY_MILLIS = 86_400_000L;

  private StoreLines() {}

  /** {@code count} lines from {@code firstSeq}, text "prefix-seq" padded to {@code width}, stamped at {@code timeMillis}. */
  static LineBatch stamped(ContainerMeta meta, long firstSeq, int count, String prefix, long timeMillis, int width) {
    LineBatchBuilder builder = new LineBatchBuilder();
    for (int i = 0; i < count; i++) {
      long seq = firstSeq + i;
      StringBuilder text = new StringBuilder(prefix).append('-').append(seq);
      while (text.length() < width) text.append(' ');
      byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
      builder.add(timeMillis * 1_000_000L + i, StreamKind.STDOUT.code(), (byte) 0, bytes, 0, bytes.length);
    }
    return builder.take(meta, firstSeq, Integer.MAX_VALUE, Integer.MAX_VALUE);
  }

  /** Every line of the container, paging as a client would. */
  static List<Long> allSeqs(LogStore store, String id) throws IOException {
    List<Long> seqs = range(1, 0);
    long after = 0;
    while (true) {
      LineBatch page = store.read(id, after, 1000);
      if (page.count() == 0) return seqs;
      for (int i = 0; i < page.count(); i++) {
        long seq = page.firstSeq() + i;
        assertTrue(page.lineText(i).startsWith(textPrefixOf(page.lineText(i)) + "-" + seq), "line " + seq
            + " holds " + page.lineText(i));
        seqs.add(seq);
      }
      after = page.lastSeq();
    }
  }

  private static String textPrefixOf(String line) {
    return line.substring(0, line.indexOf('-'));
  }

  /** Seqs from {@code first} to {@code last}; prints as the range, so a failure message stays short. */
  static List<Long> range(long first, long last) {
    List<Long> seqs = new ArrayList<>() {
      @Override
      public String toString() {
        return describe(this);
      }
    };
    for (long s = first; s <= last; s++) seqs.add(s);
    return seqs;
  }

  /** "first..last (n lines)", with the first break in the run if there is one. */
  static String describe(List<Long> seqs) {
    if (seqs.isEmpty()) return "[]";
    for (int i = 1; i < seqs.size(); i++) {
      if (seqs.get(i) != seqs.get(i - 1) + 1) {
        return seqs.get(0) + ".." + seqs.get(seqs.size() - 1) + " (" + seqs.size() + " lines, jumps " + seqs.get(i - 1)
            + " -> " + seqs.get(i) + ")";
      }
    }
    return seqs.get(0) + ".." + seqs.get(seqs.size() - 1) + " (" + seqs.size() + " lines)";
  }

  static List<Path> segmentFiles(Path containerDir) throws IOException {
    try (Stream<Path> files = Files.list(containerDir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
    }
  }

  /** On Linux, the segment files under {@code dir} this process holds open; null where /proc has no fd list. */
  static List<Path> openSegmentFiles(Path dir) throws IOException {
    Path fds = Path.of("/proc/self/fd");
    if (!Files.isDirectory(fds)) return null;
    List<Path> open = new ArrayList<>();
    try (Stream<Path> entries = Files.list(fds)) {
      for (Path fd : entries.toList()) {
        try {
          Path target = Files.readSymbolicLink(fd);
          if (target.startsWith(dir.toRealPath()) && target.toString().endsWith(".seg")) open.add(target);
        } catch (IOException e) {
          // closed while listed (the listing's own descriptor)
        }
      }
    }
    return open;
  }

  /**
   * The bytes of the files under {@code dir} up to each one's last non-zero byte: what they hold without the
   * zeros a write around the page cache leaves past a file's end (see {@code impl.DirectWrites}).
   */
  static long writtenBytes(Path dir) throws IOException {
    long total = 0;
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        byte[] bytes = Files.readAllBytes(file);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] == 0) end--;
        total += end;
      }
    }
    return total;
  }

  /** Bytes of every file under {@code dir}. */
  static long bytesUnder(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).sum();
    }
  }

  /**
   * Copies a store's directory while it is open: what the disk would hold had the page cache been written
   * out at a crash.
   */
  static void copyTree(Path from, Path to) throws IOException {
    List<Path> all;
    try (Stream<Path> walk = Files.walk(from)) {
      all = new ArrayList<>(walk.toList());
    }
    for (Path source : all) {
      Path relative = from.relativize(source);
      // the background compactor's copies in progress: an open clears them, and they vanish while being copied
      if (relative.getNameCount() > 0 && relative.getName(0).toString().equals(".compact")) continue;
      Path target = to.resolve(relative.toString());
      if (Files.isDirectory(source)) Files.createDirectories(target);
      else Files.copy(source, target);
    }
  }

  /** Whether any file under {@code dir} contains {@code text}. */
  static boolean anyFileContains(Path dir, String text) throws IOException {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        byte[] content = Files.readAllBytes(p);
        outer:
        for (int i = 0; i + needle.length <= content.length; i++) {
          for (int j = 0; j < needle.length; j++) if (content[i + j] != needle[j]) continue outer;
          return true;
        }
      }
    }
    return false;
  }
}
