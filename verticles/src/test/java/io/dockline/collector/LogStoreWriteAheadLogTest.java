package io.dockline.collector;

import static io.dockline.collector.LogStoreTest.assertContiguous;
import static org.junit.jupiter.api.Assertions.*;

import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group that wrote to several containers is made durable by the shared write-ahead log, and the
 * segments are forced only at its checkpoint. A crash is simulated by copying the store's directory while
 * the store is open (what the disk would hold had the page cache been written out), then cutting the copy's
 * segments back the way a power loss could: their unforced tails gone. Opening the copy must give back
 * every synced line exactly once.
 */
class LogStoreWriteAheadLogTest {
  private static final List<String> IDS = List.of("aaaa000000000001", "bbbb000000000002", "cccc000000000003");

  @TempDir Path dir;
  @TempDir Path crashed;

  @Test
  void linesSyncedThroughTheLogComeBackWhenTheSegmentsLostTheirTails() throws IOException {
    Map<String, Long> sizeAfterFirstGroup = new java.util.HashMap<>();
    try (LogStore store = LogStore.open(dir, new LogStoreOptions())) {
      for (String id : IDS) store.append(batch(id, 1, 10, "g1"));
      store.sync();
      for (String id : IDS) sizeAfterFirstGroup.put(id, Files.size(onlySegment(dir, id)));
      for (String id : IDS) store.append(batch(id, 11, 10, "g2"));
      store.append(batch(IDS.get(0), 21, 5, "g2b"));
      store.sync();
      assertTrue(logBytes(dir) > 0, "a group across containers goes to the log");
      StoreLines.copyTree(dir, crashed);
    }
    // one segment lost everything, one was cut inside its second chunk, one kept its first group only
    truncate(onlySegment(crashed, IDS.get(0)), 0);
    truncate(onlySegment(crashed, IDS.get(1)), sizeAfterFirstGroup.get(IDS.get(1)) + 30);
    truncate(onlySegment(crashed, IDS.get(2)), sizeAfterFirstGroup.get(IDS.get(2)));

    try (LogStore store = LogStore.open(crashed, new LogStoreOptions())) {
      assertContiguous(store.read(IDS.get(0), 0, 100), 1, 25);
      assertContiguous(store.read(IDS.get(1), 0, 100), 1, 20);
      assertContiguous(store.read(IDS.get(2), 0, 100), 1, 20);
      assertEquals("g2b-25", store.read(IDS.get(0), 24, 1).lineText(0));
      assertEquals(new AppendResult(1, 0, 21), store.append(batch(IDS.get(1), 21, 1, "after")));
    }
    try (LogStore store = LogStore.open(crashed, new LogStoreOptions())) {
      assertContiguous(store.read(IDS.get(1), 0, 100), 1, 21);
      assertEquals(0, logBytes(crashed), "the log starts over once what it held is forced");
    }
  }

  /**
   * Once the log starts over, its older files are deleted and the deletion is made durable: a crash that
   * undid it would replay records of lines that retention or a purge has since removed.
   */
  @Test
  void theLogsOlderFilesAreDurablyGoneWhenItStartsOver() throws IOException {
    Path logDir = dir.resolve(".wal");
    List<Long> filesAtEachForceOfTheLogDir = new java.util.ArrayList<>();
    LogStoreOptions.Force watching = (channel, path, metadata) -> {
      channel.force(metadata);
      if (path.equals(logDir)) {
        try (Stream<Path> files = Files.list(logDir)) {
          filesAtEachForceOfTheLogDir.add(files.count());
        }
      }
    };
    try (LogStore store = LogStore.open(dir, new LogStoreOptions().force(watching).logBytes(4096))) {
      for (int g = 0; g < 40; g++) {
        for (String id : IDS) store.append(batch(id, 1 + g * 7L, 7, "over" + g));
        store.sync();
      }
    }
    assertTrue(filesAtEachForceOfTheLogDir.size() > 2, "the log started over: " + filesAtEachForceOfTheLogDir);
    assertEquals(1L, filesAtEachForceOfTheLogDir.get(filesAtEachForceOfTheLogDir.size() - 1),
        "the last force of the log's directory came after its older file was deleted: " + filesAtEachForceOfTheLogDir);
  }

  @Test
  void aLogOfManyBlocksIsReplayedWhole() throws IOException {
    try (LogStore store = LogStore.open(dir, new LogStoreOptions())) {
      for (int g = 0; g < 400; g++) {
        for (String id : IDS) store.append(batch(id, 1 + g * 7L, 7, "many" + g));
        store.sync();
      }
      assertTrue(logBytes(dir) > 4 * 65536, "records cross several 64 KiB read blocks: " + logBytes(dir));
      StoreLines.copyTree(dir, crashed);
    }
    for (String id : IDS) truncate(onlySegment(crashed, id), 0);
    try (LogStore store = LogStore.open(crashed, new LogStoreOptions())) {
      for (String id : IDS) assertContiguous(store.read(id, 0, 5000), 1, 2800);
    }
  }

  @Test
  void recordsForLinesTheSegmentsStillHoldAreNotStoredTwice() throws IOException {
    long segmentBytes;
    try (LogStore store = LogStore.open(dir, new LogStoreOptions())) {
      for (int g = 0; g < 3; g++) {
        for (String id : IDS) store.append(batch(id, 1 + g * 10L, 10, "g" + g));
        store.sync();
      }
      segmentBytes = Files.size(onlySegment(dir, IDS.get(2)));
      StoreLines.copyTree(dir, crashed);
    }
    try (LogStore store = LogStore.open(crashed, new LogStoreOptions())) {
      for (String id : IDS) assertContiguous(store.read(id, 0, 100), 1, 30);
      assertEquals(segmentBytes, Files.size(onlySegment(crashed, IDS.get(2))));
      assertEquals(IDS.size(), store.containers().size(), "the log's directory is not taken for a container");
    }
  }

  @Test
  void aGroupForOneContainerForcesItsSegmentAndWritesNothingToTheLog() throws IOException {
    try (LogStore store = LogStore.open(dir, new LogStoreOptions())) {
      for (int g = 0; g < 5; g++) {
        store.append(batch(IDS.get(0), 1 + g * 10L, 10, "solo"));
        store.sync();
      }
      assertEquals(0, logBytes(dir));
      store.append(batch(IDS.get(0), 51, 10, "pair"));
      store.append(batch(IDS.get(1), 1, 10, "pair"));
      store.sync();
      assertTrue(logBytes(dir) > 0);
    }
  }

  @Test
  void aRecordCutShortByTheCrashIsIgnoredAndTheRestIsRestored() throws IOException {
    try (LogStore store = LogStore.open(dir, new LogStoreOptions())) {
      for (String id : IDS) store.append(batch(id, 1, 10, "g1"));
      store.sync();
      for (String id : IDS) store.append(batch(id, 11, 10, "g2"));
      store.sync();
      StoreLines.copyTree(dir, crashed);
    }
    Path log = onlyLogFile(crashed);
    long size = StoreLines.writtenBytes(log);
    // the last record (third container, seqs 11..20) half written, then garbage
    truncate(log, size - 40);
    Files.write(log, new byte[] {0x44, 0x4b, 0x4c, 0x57, 0, 0, 0, 16, 9, 9}, StandardOpenOption.APPEND);
    for (String id : IDS) truncate(onlySegment(crashed, id), 0);

    try (LogStore store = LogStore.open(crashed, new LogStoreOptions())) {
      assertContiguous(store.read(IDS.get(0), 0, 100), 1, 20);
      assertContiguous(store.read(IDS.get(1), 0, 100), 1, 20);
      // its record was never synced in this picture, so never acknowledged: the agent sends it again
      assertContiguous(store.read(IDS.get(2), 0, 100), 1, 10);
      assertEquals(new AppendResult(10, 0, 20), store.append(batch(IDS.get(2), 11, 10, "again")));
    }
  }

  @Test
  void aHoleTheSenderVouchedForIsReplayedAsAHole() throws IOException {
    String id = IDS.get(0);
    try (LogStore store = LogStore.open(dir, new LogStoreOptions())) {
      store.append(batch(id, 1, 10, "before"));
      store.append(batch(IDS.get(1), 1, 10, "other"));
      store.sync();
      store.append(batch(id, 51, 10, "after"), 50);
      store.append(batch(IDS.get(1), 11, 10, "other"));
      store.sync();
      StoreLines.copyTree(dir, crashed);
    }
    List<Path> segments = segments(crashed, id);
    assertEquals(2, segments.size(), "a hole starts a new segment");
    truncate(segments.get(1), 0);

    try (LogStore store = LogStore.open(crashed, new LogStoreOptions())) {
      assertEquals(60, store.lastSeq(id));
      assertContiguous(store.read(id, 0, 100), 1, 10);
      assertContiguous(store.read(id, 10, 100), 51, 10);
    }
  }

  @Test
  void theLogStartsOverAtItsLimitSoItStaysSmall() throws IOException {
    LogStoreOptions options = new LogStoreOptions().logBytes(8 << 10);
    long largest = 0;
    try (LogStore store = LogStore.open(dir, options)) {
      for (int g = 0; g < 200; g++) {
        for (String id : IDS) store.append(batch(id, 1 + g * 5L, 5, "g" + g));
        store.sync();
        largest = Math.max(largest, logBytes(dir));
        assertEquals(1, logFiles(dir).size());
      }
      StoreLines.copyTree(dir, crashed);
    }
    assertTrue(largest < (8 << 10) + 2048, "log grew to " + largest + " bytes");
    try (LogStore store = LogStore.open(crashed, options)) {
      for (String id : IDS) assertContiguous(store.read(id, 0, 2000), 1, 1000);
    }
  }

  private static LineBatch batch(String id, long firstSeq, int count, String prefix) {
    return LogStoreTest.batch(new ContainerMeta(id, "n-" + id, "img", "host", Map.of()), firstSeq, count, prefix);
  }

  private static List<Path> segments(Path root, String id) throws IOException {
    try (Stream<Path> files = Files.list(root.resolve(id))) {
      return files.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().collect(Collectors.toList());
    }
  }

  private static Path onlySegment(Path root, String id) throws IOException {
    List<Path> segments = segments(root, id);
    assertEquals(1, segments.size(), "segments of " + id);
    return segments.get(0);
  }

  private static List<Path> logFiles(Path root) throws IOException {
    try (Stream<Path> files = Files.list(root.resolve(".wal"))) {
      return files.filter(p -> p.getFileName().toString().endsWith(".wal")).sorted().collect(Collectors.toList());
    }
  }

  private static Path onlyLogFile(Path root) throws IOException {
    List<Path> files = logFiles(root);
    assertEquals(1, files.size());
    return files.get(0);
  }

  private static long logBytes(Path root) throws IOException {
    long total = 0;
    for (Path file : logFiles(root)) total += Files.size(file);
    return total;
  }

  private static void truncate(Path file, long size) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(size);
    }
  }
}
