package io.dockline.collector;

import static io.dockline.collector.LogStoreTest.assertContiguous;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import io.dockline.wire.LineBatchBuilder;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segments written around the page cache ({@link LogStoreOptions#writeAround}): every line reads back as written,
 * across rotation, release, reopen and a power loss; a sealed or closed segment's file ends at its last line,
 * and an open one past it by less than a block (which is how these tests see that the writes went around the
 * cache); one descriptor per segment written. Runs where the temporary directory's file system takes
 * {@code O_DIRECT} (ext4, xfs; not tmpfs).
 */
@Timeout(120)
class LogStoreWriteAroundTest {
  private static final String ID = "c0ffee0123456789";
  private static final ContainerMeta META = new ContainerMeta(ID, "web-1", "nginx:1.27", "node-a", Map.of());

  @TempDir Path dir;
  @TempDir Path afterPowerLoss;
  private long block;

  @BeforeEach
  void directIoWorks() throws IOException {
    Path probe = dir.resolve("probe");
    Files.createFile(probe);
    try (FileChannel c = FileChannel.open(probe, StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
      block = Files.getFileStore(probe).getBlockSize();
    } catch (IOException | UnsupportedOperationException e) {
      assumeTrue(false, "the file system of " + dir + " refuses O_DIRECT: " + e);
    } finally {
      Files.delete(probe);
    }
  }

  private LogStoreOptions options() {
    return new LogStoreOptions().writeAround(true).segmentBytes(20_000).compression(LogStoreOptions.Compression.NONE);
  }

  @Test
  void linesReadBackAsWrittenAcrossRotationsAndReopens() throws IOException {
    long seq = 1;
    try (LogStore store = LogStore.open(dir, options())) {
      for (int b = 0; b < 60; b++, seq += 37) {
        store.append(batch(seq, 37));
        store.sync();
        if (b % 7 == 0) assertContiguous(store.read(ID, 0, Integer.MAX_VALUE), 1, seq + 36);
      }
      List<Path> segments = StoreLines.segmentFiles(dir.resolve(ID));
      assertTrue(segments.size() >= 4, "segments " + segments);
      Path active = segments.get(segments.size() - 1);
      long logical = store.usage().diskBytes() - sizes(segments.subList(0, segments.size() - 1));
      assertEquals(0, Files.size(active) % block, "the open segment's file ends on a block: written around the cache");
      assertTrue(Files.size(active) > logical && Files.size(active) - logical < block,
          "file " + Files.size(active) + " for " + logical + " bytes of chunks");
      assertContiguous(store.read(ID, 0, Integer.MAX_VALUE), 1, seq - 1);
    }
    assertEquals(sizes(StoreLines.segmentFiles(dir.resolve(ID))), StoreLines.bytesUnder(dir.resolve(ID))
        - Files.size(dir.resolve(ID).resolve("meta.json")), "closed: every file ends at its last line");
    try (LogStore store = LogStore.open(dir, options())) {
      assertEquals(sizes(StoreLines.segmentFiles(dir.resolve(ID))), store.usage().diskBytes());
      assertContiguous(store.read(ID, 0, Integer.MAX_VALUE), 1, seq - 1);
      for (int b = 0; b < 10; b++, seq += 11) store.append(batch(seq, 11));
      store.sync();
      assertContiguous(store.read(ID, 0, Integer.MAX_VALUE), 1, seq - 1);
    }
    try (LogStore store = LogStore.open(dir, options())) {
      assertContiguous(store.read(ID, 0, Integer.MAX_VALUE), 1, seq - 1);
      assertEquals(0, store.usage().corruptChunks());
    }
  }

  @Test
  void everySyncedLineSurvivesAPowerLossAndTheStoreWritesOnAfterIt() throws IOException {
    AcknowledgedMeansDurableTest.ForcedImage image = new AcknowledgedMeansDurableTest.ForcedImage();
    long seq = 1;
    try (LogStore store = LogStore.open(dir, options().force(image))) {
      for (int b = 0; b < 40; b++, seq += 29) {
        store.append(batch(seq, 29));
        store.sync();
      }
      store.append(batch(seq, 5)); // not synced: may be lost, never damaged
      image.powerLoss(dir, afterPowerLoss);
    }
    long synced = seq - 1;
    try (LogStore store = LogStore.open(afterPowerLoss, options())) {
      LineBatch all = store.read(ID, 0, Integer.MAX_VALUE);
      assertTrue(all.count() >= synced, all.count() + " of " + synced + " synced lines");
      assertContiguous(all, 1, all.count());
      assertEquals(0, store.usage().corruptChunks(), "zeros past a segment's last line are a torn tail, not damage");
      long next = all.count() + 1;
      store.append(batch(next, 17));
      store.sync();
      assertContiguous(store.read(ID, 0, Integer.MAX_VALUE), 1, next + 16);
    }
  }

  @Test
  void aReleasedSegmentIsCutAtItsLastLineAndWrittenOnWhenItsContainerWritesAgain() throws Exception {
    LogStoreOptions options = options().closeIdleAfter(java.time.Duration.ofMillis(50));
    try (LogStore store = LogStore.open(dir, options)) {
      store.append(batch(1, 13));
      store.sync();
      long deadline = System.currentTimeMillis() + 20_000;
      while (store.usage().openSegments() > 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(60);
        store.sync();
      }
      assertEquals(0, store.usage().openSegments(), "released");
      Path segment = StoreLines.segmentFiles(dir.resolve(ID)).get(0);
      assertEquals(store.usage().diskBytes(), Files.size(segment), "a released segment's file ends at its last line");
      store.append(batch(14, 13));
      store.sync();
      assertContiguous(store.read(ID, 0, Integer.MAX_VALUE), 1, 26);
    }
  }

  @Test
  void chunksLargerThanTheWriteBufferGoInPiecesToSegmentsAndTheLog() throws IOException {
    AcknowledgedMeansDurableTest.ForcedImage image = new AcknowledgedMeansDurableTest.ForcedImage();
    String other = "beef0123456789ab";
    ContainerMeta otherMeta = new ContainerMeta(other, "db-1", "pg:16", "node-a", Map.of());
    try (LogStore store = LogStore.open(dir, options().segmentBytes(64L << 20).force(image))) {
      store.append(batch(1, 5));
      store.append(hugeLines(META, 6, 3));
      store.append(hugeLines(otherMeta, 1, 4)); // two containers in the group: the log carries both, 4.2 MB
      store.sync();
      store.append(batch(9, 7));
      store.sync();
      image.powerLoss(dir, afterPowerLoss);
    }
    try (LogStore store = LogStore.open(afterPowerLoss, options())) {
      LineBatch mine = store.read(ID, 0, Integer.MAX_VALUE);
      assertEquals(15, mine.count());
      for (int i = 5; i < 8; i++) assertArrayEquals(hugeLine(i + 1), mine.lineBytes(i), "huge line " + (i + 1));
      assertArrayEquals(batch(9, 7).lineBytes(6), mine.lineBytes(14), "the line after them");
      LineBatch theirs = store.read(other, 0, Integer.MAX_VALUE);
      assertEquals(4, theirs.count());
      for (int i = 0; i < 4; i++) assertArrayEquals(hugeLine(i + 1), theirs.lineBytes(i), "their huge line " + (i + 1));
      assertEquals(0, store.usage().corruptChunks());
    }
  }

  @Test
  void oneDescriptorPerSegmentWritten() throws IOException {
    try (LogStore store = LogStore.open(dir, options())) {
      for (int c = 0; c < 20; c++) {
        ContainerMeta meta = new ContainerMeta(String.format("c%015d", c), "n" + c, "img", "h", Map.of());
        store.append(StoreLines.stamped(meta, 1, 30, "c" + c, System.currentTimeMillis(), 60));
      }
      store.sync();
      List<Path> open = StoreLines.openSegmentFiles(dir);
      assumeTrue(open != null, "no /proc/self/fd");
      assertEquals(20, open.size(), "segment descriptors: " + open);
    }
  }

  /** Lines of varied lengths, so chunks end anywhere in a block. */
  private static LineBatch batch(long firstSeq, int count) {
    LineBatchBuilder builder = new LineBatchBuilder();
    for (int i = 0; i < count; i++) {
      long seq = firstSeq + i;
      byte[] text = ("x".repeat((int) (seq * 7 % 301)) + "-" + seq).getBytes(StandardCharsets.UTF_8);
      byte stream = (seq % 2 == 0 ? io.dockline.wire.StreamKind.STDERR : io.dockline.wire.StreamKind.STDOUT).code();
      builder.add(seq * 1000, stream, (byte) 0, text, 0, text.length);
    }
    return builder.take(META, firstSeq, Integer.MAX_VALUE, Integer.MAX_VALUE);
  }

  private static LineBatch hugeLines(ContainerMeta meta, long firstSeq, int count) {
    LineBatchBuilder builder = new LineBatchBuilder();
    for (int i = 0; i < count; i++) {
      byte[] text = hugeLine(firstSeq + i);
      builder.add((firstSeq + i) * 1000, io.dockline.wire.StreamKind.STDOUT.code(), (byte) 0, text, 0, text.length);
    }
    return builder.take(meta, firstSeq, Integer.MAX_VALUE, Integer.MAX_VALUE);
  }

  /** 600,001 bytes that differ from block to block, so a piece written twice or out of place shows. */
  private static byte[] hugeLine(long seq) {
    byte[] b = new byte[600_001];
    for (int i = 0; i < b.length; i++) b[i] = (byte) ('a' + (i / 4096 + seq) % 26);
    return b;
  }

  private static long sizes(List<Path> files) throws IOException {
    long total = 0;
    for (Path f : files) total += Files.size(f);
    return total;
  }
}
