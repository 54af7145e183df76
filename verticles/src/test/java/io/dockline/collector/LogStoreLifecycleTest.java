package io.dockline.collector;

import static io.dockline.collector.StoreLines.*;
import static org.junit.jupiter.api.Assertions.*;

import io.dockline.collector.impl.FileLogStore;
import io.dockline.wire.ContainerMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's lifecycle steps one after another (seal, compact, retain, purge, reopen): no line lost, none twice. */
class LogStoreLifecycleTest {
  private static final ContainerMeta A = new ContainerMeta("aaaa", "a", "img", "h", Map.of());
  private static final long T0 = 1_700_000_000_000L;

  @TempDir Path dir;

  private static LogStoreOptions options() {
    return new LogStoreOptions().segmentBytes(1 << 20).sealAfter(Duration.ofHours(1))
        .compression(LogStoreOptions.Compression.ZSTD);
  }

  private static void settle(LogStore store) throws InterruptedException {
    assertTrue(((FileLogStore) store).awaitCompaction(Duration.ofSeconds(120)), "compaction finished");
  }

  @Test
  void aSegmentSealedForItsAgeAndCompactedTakesTheLinesAfterAReopen() throws Exception {
    try (LogStore store = LogStore.open(dir, options())) {
      store.append(stamped(A, 1, 100, "x", T0, 100));
      store.sync();
      store.retain(RetentionPolicy.keepAll(), T0 + 2 * 3_600_000L); // seals it for its age: compacted
      settle(store);
    }
    try (LogStore store = LogStore.open(dir, options())) {
      assertEquals(range(1, 100), allSeqs(store, "aaaa"));
      store.append(stamped(A, 101, 100, "x", T0 + 3 * 3_600_000L, 100));
      store.sync();
      assertEquals(range(1, 200), allSeqs(store, "aaaa"));
      store.retain(RetentionPolicy.keepAll(), T0 + 5 * 3_600_000L);
      settle(store);
      assertEquals(range(1, 200), allSeqs(store, "aaaa"));
    }
    try (LogStore store = LogStore.open(dir, options())) {
      assertEquals(range(1, 200), allSeqs(store, "aaaa"));
      store.append(stamped(A, 201, 10, "x", T0 + 6 * 3_600_000L, 100));
      store.sync();
    }
    try (LogStore store = LogStore.open(dir, options())) {
      assertEquals(range(1, 210), allSeqs(store, "aaaa"));
      assertEquals(0, store.usage().corruptChunks());
    }
  }

  /** Files of {@code dir} this process holds open, "(deleted)" marking those already deleted. */
  private List<String> openFilesUnder(Path dir) throws IOException {
    List<String> open = new ArrayList<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith(dir.toString())) open.add(target);
        } catch (IOException e) {
          // closed meanwhile
        }
      }
    }
    return open;
  }

  @Test
  void noDeletedOrReplacedFileStaysOpenAndCloseStopsTheCompactor() throws Exception {
    LogStoreOptions options = options().segmentBytes(8 << 10);
    try (LogStore store = LogStore.open(dir, options)) {
      for (int b = 0; b < 40; b++) {
        store.append(stamped(A, 1 + b * 20L, 20, "x", T0 + b * 60_000L, 100));
        store.sync();
      }
      settle(store);
      store.read("aaaa", 0, 10);
      store.purge("aaaa", 150); // rewrites a compacted segment
      store.retain(new RetentionPolicy(Duration.ofMinutes(20), Long.MAX_VALUE, Long.MAX_VALUE, PublishHold.NONE),
          T0 + 40 * 60_000L); // deletes the oldest segments
      settle(store);
      for (int b = 40; b < 45; b++) store.append(stamped(A, 1 + b * 20L, 20, "x", T0 + b * 60_000L, 100));
      store.sync();
      List<String> deleted = openFilesUnder(dir).stream().filter(f -> f.endsWith("(deleted)")).toList();
      assertEquals(List.of(), deleted, "deleted files still open");
    }
    assertEquals(List.of(), openFilesUnder(dir), "files open after close");
    List<String> compactors = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .map(Thread::getName).filter(n -> n.equals("dockline-store-compactor")).toList();
    assertEquals(List.of(), compactors, "compactor threads after close");
  }

  @Test
  void afterAPurgeOfEverythingSealedAndCompactedResentLinesStayDuplicatesAcrossReopensAndACrash(
      @TempDir Path crashed) throws Exception {
    ContainerMeta b = new ContainerMeta("bbbb", "b", "img", "h", Map.of());
    try (LogStore store = LogStore.open(dir, options().segmentBytes(8 << 10))) {
      for (int i = 0; i < 20; i++) store.append(stamped(A, 1 + i * 20L, 20, "x", T0, 100));
      store.sync();
      store.retain(RetentionPolicy.keepAll(), T0 + 2 * 3_600_000L); // the last one sealed for its age
      settle(store);
      assertEquals(401, store.purge("aaaa", 400));
      assertEquals(new AppendResult(0, 20, 400), store.append(stamped(A, 381, 20, "x", T0, 100)));
      store.sync();
    }
    try (LogStore store = LogStore.open(dir, options().segmentBytes(8 << 10))) {
      assertEquals(400, store.lastSeq("aaaa"));
      assertEquals(new AppendResult(0, 20, 400), store.append(stamped(A, 381, 20, "x", T0, 100)));
      // a group of two containers: made durable by the write-ahead log alone
      store.append(stamped(A, 401, 10, "x", T0 + 3 * 3_600_000L, 100));
      store.append(stamped(b, 1, 10, "x", T0 + 3 * 3_600_000L, 100));
      store.sync();
      copyTree(dir, crashed);
    }
    for (Path root : List.of(crashed, dir)) {
      try (LogStore store = LogStore.open(root, options().segmentBytes(8 << 10))) {
        assertEquals(range(401, 410), allSeqs(store, "aaaa"), root.toString());
        assertEquals(401, store.firstSeq("aaaa"));
        assertEquals(new AppendResult(0, 10, 410), store.append(stamped(A, 401, 10, "x", T0, 100)));
        assertEquals(range(1, 10), allSeqs(store, "bbbb"));
      }
    }
  }
}
