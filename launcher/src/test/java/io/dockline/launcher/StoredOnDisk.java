package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockline.collector.LogStore;
import io.dockline.collector.LogStoreOptions;
import io.dockline.wire.LineBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What the collectors hold on disk, read with the store's own reader: the gateway merges collectors and
 * drops repeated seqs, so "exactly once" is checked here too. A store's open recovers (cuts torn tails,
 * replays and drops its write-ahead log), so it reads a copy of the data dir, never the live one.
 */
final class StoredOnDisk {
  private StoredOnDisk() {}

  /** The seqs of {@code containerId} stored by {@code collector}, in order (the store never repeats one). */
  static List<Long> seqs(NodeProcess collector, String containerId) throws IOException {
    Path copy = Files.createTempDirectory("dockline-disk-" + collector.name);
    copyTree(collector.dataDir.resolve("collector"), copy);
    List<Long> seqs = new ArrayList<>();
    try (LogStore store = LogStore.open(copy, new LogStoreOptions())) {
      long after = 0;
      while (true) {
        LineBatch page = store.read(containerId, after, 100_000);
        if (page.count() == 0) break;
        for (int i = 0; i < page.count(); i++) {
          assertTrue(page.seq(i) > after, collector.name + " holds seq " + page.seq(i) + " after " + after);
          after = page.seq(i);
          seqs.add(after);
        }
      }
    } finally {
      deleteTree(copy);
    }
    return seqs;
  }

  /**
   * Every seq 1..{@code written} of the container is on some collector's disk, and the lines stored add up to
   * {@code written}, except for the one documented case: a collector that crashed ({@code crashed}, kill -9)
   * after writing a batch and before acknowledging it, whose batch the next owner stored again. A seq stored
   * twice must therefore have a copy on a crashed collector. Returns lines stored per collector.
   */
  static Map<String, Integer> assertExactlyOnce(List<NodeProcess> collectors, String containerId, long written,
                                                Set<String> crashed) throws IOException {
    Map<String, Integer> perCollector = new LinkedHashMap<>();
    TreeMap<Long, List<String>> holders = new TreeMap<>();
    long sum = 0;
    for (NodeProcess c : collectors) {
      List<Long> seqs = seqs(c, containerId);
      perCollector.put(c.name, seqs.size());
      sum += seqs.size();
      for (long s : seqs) holders.computeIfAbsent(s, k -> new ArrayList<>()).add(c.name);
    }
    assertEquals(written, holders.size(), containerId + ": distinct seqs on disk " + perCollector);
    assertEquals(1L, (long) holders.firstKey(), containerId + ": first seq");
    assertEquals(written, (long) holders.lastKey(), containerId + ": last seq");
    long repeats = 0;
    for (Map.Entry<Long, List<String>> seq : holders.entrySet()) {
      List<String> on = seq.getValue();
      if (on.size() == 1) continue;
      repeats += on.size() - 1;
      assertTrue(on.size() == 2 && on.stream().anyMatch(crashed::contains), containerId + ": seq " + seq.getKey()
          + " stored on " + on + ", a repeat not explained by a collector crashed before its acknowledgement");
    }
    assertEquals(written + repeats, sum, containerId + ": lines on disk " + perCollector);
    return perCollector;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(target);
        else Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) Files.delete(p);
    }
  }
}
